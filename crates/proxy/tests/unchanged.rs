//! What passes the proxy is what was sent: method, path and query (with escapes), every
//! end-to-end header (repeated ones in order), the body's bytes, the answer's status,
//! headers and bytes. Only hop-by-hop headers and `Host` are the connection's own. A real
//! upstream on loopback tells what reached it.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{HeaderValue, Response, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use wxsim_proxy::{Proxy, ProxyOptions};

/// Answers 201 with the request's body as it came, and what else it saw in `x-seen`.
async fn mirror(request: Request) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    let seen =
        json!({"method": parts.method.as_str(), "uri": parts.uri.to_string(), "headers": headers});
    let mut answer = Response::new(Body::from(to_bytes(body, usize::MAX).await.unwrap()));
    *answer.status_mut() = StatusCode::CREATED;
    let h = answer.headers_mut();
    h.insert("x-seen", HeaderValue::from_str(&seen.to_string()).unwrap());
    h.append("set-cookie", HeaderValue::from_static("a=1"));
    h.append("set-cookie", HeaderValue::from_static("b=2"));
    h.insert("connection", HeaderValue::from_static("x-hop"));
    h.insert(
        "x-hop",
        HeaderValue::from_static("the upstream's connection only"),
    );
    answer
}

#[tokio::test]
async fn requests_and_answers_pass_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream_addr = upstream.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(upstream, Router::new().fallback(mirror)).await });
    let proxy = Proxy::start(ProxyOptions {
        webchat: format!("http://{upstream_addr}/webchat"),
        hosting: format!("http://{upstream_addr}"),
        listen: TcpListener::bind("127.0.0.1:0").await.unwrap(),
        callback_listen: TcpListener::bind("127.0.0.1:0").await.unwrap(),
        data_dir: dir.path().to_owned(),
        timeout: std::time::Duration::from_secs(5),
    })
    .await
    .unwrap();
    let body: &[u8] = b"{\"sessionId\": 1, \"content\": \"\xe4\xbd\xa0\"}\xff\x00 trailing";
    for (base, path) in [
        (
            proxy.webchat_url().to_owned(),
            "/getmsg.do?x=%E4%BD%A0&y=a+b&y=c",
        ),
        (proxy.hosting_url().to_owned(), "/ari/msg?file=m1.png"),
    ] {
        let answer = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .put(format!("{base}{path}"))
            .header("content-type", "application/json; charset=utf-8")
            .header("x-trace", "1")
            .header("x-trace", "2")
            .header("connection", "x-hop-request")
            .header("x-hop-request", "the caller's connection only")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 201);
        let cookies: Vec<&str> = answer
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(cookies, ["a=1", "b=2"]);
        assert!(
            answer.headers().get("x-hop").is_none(),
            "hop-by-hop stays behind"
        );
        let seen: Value =
            serde_json::from_str(answer.headers()["x-seen"].to_str().unwrap()).unwrap();
        assert_eq!(
            answer.bytes().await.unwrap().as_ref(),
            body,
            "the bytes both ways"
        );
        assert_eq!(seen["method"], "PUT");
        let prefix = if path.starts_with("/getmsg") {
            "/webchat"
        } else {
            ""
        };
        assert_eq!(
            seen["uri"],
            format!("{prefix}{path}"),
            "path and query as sent"
        );
        let headers: Vec<(String, String)> =
            serde_json::from_value(seen["headers"].clone()).unwrap();
        let named = |name: &str| -> Vec<&str> {
            headers
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        assert_eq!(named("x-trace"), ["1", "2"]);
        assert_eq!(named("content-type"), ["application/json; charset=utf-8"]);
        assert_eq!(named("content-length"), [body.len().to_string().as_str()]);
        assert_eq!(named("host"), [upstream_addr.to_string().as_str()]);
        assert!(named("connection").is_empty() && named("x-hop-request").is_empty());
    }
    proxy.stop().await;
}
