//! A stop loses nothing that passed: every exchange answered before the stop is in the
//! history when it returns, however far the recording lagged behind the forwarding.

use std::time::Duration;

use axum::Router;
use serde_json::json;
use tokio::net::TcpListener;
use wxsim_engine::store::Store;
use wxsim_proxy::{Proxy, ProxyOptions};

#[tokio::test]
async fn every_exchange_answered_before_a_stop_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hosting = format!("http://{}", upstream.local_addr().unwrap());
    let ok = || async { r#"{"result":1,"message":"ok"}"# };
    tokio::spawn(async move { axum::serve(upstream, Router::new().fallback(ok)).await });
    let proxy = Proxy::start(ProxyOptions {
        webchat: format!("{hosting}/webchat"),
        hosting,
        listen: TcpListener::bind("127.0.0.1:0").await.unwrap(),
        callback_listen: TcpListener::bind("127.0.0.1:0").await.unwrap(),
        data_dir: dir.path().to_owned(),
        timeout: Duration::from_secs(5),
    })
    .await
    .unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    // Sixteen senders at once: the forwarding outruns the recording, which queues.
    let (senders, each) = (16_i64, 50_i64);
    let url = format!("{}/ari/msg", proxy.hosting_url());
    let mut sending = Vec::new();
    for sender in 0..senders {
        let (http, url) = (http.clone(), url.clone());
        sending.push(tokio::spawn(async move {
            for n in 0..each {
                let session = sender * each + n;
                let body = json!({"sessionId": session, "content": "hi", "msgTime": 1_700_000_000_000_i64 + session});
                let answer = http.post(&url).json(&body).send().await.unwrap();
                assert_eq!(answer.status().as_u16(), 200);
            }
        }));
    }
    for sender in sending {
        sender.await.unwrap();
    }
    proxy.stop().await;
    let store = Store::open_read_only(&dir.path().join("wxsim.db"))
        .await
        .unwrap();
    let stored = store.all_exchanges(None, None).await.unwrap();
    assert_eq!(
        stored.len() as i64,
        senders * each,
        "every answered exchange is stored"
    );
}
