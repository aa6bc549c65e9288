//! A side that is down or slow: the caller gets a gateway's 502 or 504 with a JSON body
//! naming the side, the exchange is recorded, and the proxy keeps forwarding. Real
//! listeners on loopback, in-process.

use std::time::{Duration, Instant};

use axum::Router;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use wxsim_engine::model::{Exchange, ExchangeFilter, ExchangeOutcome};
use wxsim_engine::Engine;
use wxsim_proxy::{Proxy, ProxyOptions};

/// The recorded exchange of `operation`, once the proxy has stored it.
async fn recorded(engine: &Engine, operation: &str) -> Exchange {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = engine
            .exchanges(&ExchangeFilter {
                operation: Some(operation.into()),
                ..Default::default()
            })
            .await
            .unwrap();
        if let Some(exchange) = found.into_iter().next() {
            return exchange;
        }
        assert!(Instant::now() < deadline, "{operation} was not recorded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_side_down_gets_502_and_a_side_too_slow_504_both_recorded() {
    let dir = tempfile::tempdir().unwrap();
    // Webchat's address has nobody behind it; the hosting service never answers.
    let nobody = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let webchat = format!("http://{}/webchat", nobody.local_addr().unwrap());
    drop(nobody);
    let stuck = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hosting = format!("http://{}", stuck.local_addr().unwrap());
    tokio::spawn(async move {
        let never = Router::new().fallback(std::future::pending::<&'static str>);
        axum::serve(stuck, never).await
    });
    let proxy = Proxy::start(ProxyOptions {
        webchat,
        hosting,
        listen: TcpListener::bind("127.0.0.1:0").await.unwrap(),
        callback_listen: TcpListener::bind("127.0.0.1:0").await.unwrap(),
        data_dir: dir.path().to_owned(),
        timeout: Duration::from_millis(300),
    })
    .await
    .unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();

    let down = http
        .post(format!("{}/closecon.do", proxy.webchat_url()))
        .json(&json!({"sessionId": 7, "epid": "e"}))
        .send()
        .await
        .unwrap();
    assert_eq!(down.status().as_u16(), 502);
    assert_eq!(down.headers()["content-type"], "application/json");
    let body: Value = down.json().await.unwrap();
    assert_eq!(body["error"]["kind"], "bad_gateway");
    assert_eq!(body["error"]["side"], "webchat");
    assert!(body.get("result").is_none(), "no protocol code: {body}");
    assert!(body["error"]["hint"]
        .as_str()
        .unwrap()
        .contains("--webchat"));

    let slow = http
        .post(format!("{}/ari/msg", proxy.hosting_url()))
        .json(&json!({"sessionId": 7, "content": "hi", "msgTime": 1_700_000_000_000_i64}))
        .send()
        .await
        .unwrap();
    assert_eq!(slow.status().as_u16(), 504);
    let body: Value = slow.json().await.unwrap();
    assert_eq!(body["error"]["kind"], "gateway_timeout");
    assert_eq!(body["error"]["side"], "hosting");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("300 ms"));

    let call = recorded(&proxy.engine, "closecon.do").await;
    assert_eq!(call.status, Some(502));
    assert_eq!(call.outcome, ExchangeOutcome::Failed);
    assert!(call.error.unwrap().contains("HTTP 502"));
    let callback = recorded(&proxy.engine, "/ari/msg").await;
    assert_eq!(callback.status, Some(504));
    assert_eq!(callback.outcome, ExchangeOutcome::Failed);
    assert!(callback.response_body.unwrap().contains("gateway_timeout"));
    proxy.stop().await;
}
