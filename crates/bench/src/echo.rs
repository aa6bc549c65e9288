//! The intake baseline: a bare axum handler that reads and parses the callback's JSON and
//! answers what the engine answers, without storing anything.

use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use tokio::net::TcpListener;

async fn answer(body: Bytes) -> impl IntoResponse {
    let parsed = serde_json::from_slice::<serde_json::Value>(&body);
    let (status, text) = match parsed {
        Ok(_) => (StatusCode::OK, r#"{"result":1,"message":"ok"}"#),
        Err(_) => (
            StatusCode::BAD_REQUEST,
            r#"{"result":-100,"message":"not JSON"}"#,
        ),
    };
    (status, [(header::CONTENT_TYPE, "application/json")], text)
}

/// The handler on every path.
pub fn router() -> Router {
    Router::new().fallback(answer)
}

/// Serves until the process is stopped.
pub async fn run(listen: &str) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen).await?;
    println!("listener http://{}", listener.local_addr()?);
    axum::serve(listener, router()).await?;
    Ok(())
}
