//! The `wxsim-media://localhost/{mediaId}` scheme (`http://wxsim-media.localhost/…` on
//! Windows): media previews for `<img>`, `<audio>` and `<video>` in the window, served from
//! the engine's media store.

use tauri::http::{header, Response, StatusCode};
use tauri::{AppHandle, Manager};

use crate::backend::Backend;

pub const SCHEME: &str = "wxsim-media";

/// The answer to a request for `path` (`/{mediaId}`).
pub async fn answer(app: &AppHandle, path: &str) -> Response<Vec<u8>> {
    let media_id = path.trim_start_matches('/');
    if media_id.is_empty() || media_id.contains('/') {
        return plain(StatusCode::NOT_FOUND, format!("no media at {path}"));
    }
    let Some(backend) = app.try_state::<Backend>() else {
        return plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "the engine is starting".into(),
        );
    };
    match backend.engine().media_bytes(media_id).await {
        Ok((media, bytes)) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, media.mime)
            .header(
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable",
            )
            .body(bytes)
            .unwrap_or_else(|e| plain(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
        Err(e) if e.kind() == "not_found" => plain(StatusCode::NOT_FOUND, e.to_string()),
        Err(e) => {
            tracing::warn!(media_id, "cannot serve media: {e}");
            plain(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        }
    }
}

fn plain(status: StatusCode, message: String) -> Response<Vec<u8>> {
    let mut response = Response::new(message.into_bytes());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
