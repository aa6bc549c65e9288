//! One direction of the proxy: every request that reaches its listener goes, as it came, to
//! the same path and query at its upstream's origin, and the answer comes back as it
//! came. Method, path, query, headers and body pass unchanged; only hop-by-hop headers
//! (RFC 9110 §7.6.1) and `Host` (which names the upstream) are the connection's own. Each
//! body is read once and handed on as the same bytes, to the upstream and to the observer,
//! which records the exchange off this path. The exchange runs on a task of its own, so a
//! caller that hangs up cannot cut its record short.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use wxsim_engine::model::ExchangeDirection;
use wxsim_engine::store::{headers_json, now_ms};
use wxsim_engine::{Answered, Observer, Seen};

use crate::gateway::{self, Failure, Upstream};

/// The largest body passed on (webchat's media downloads included).
const MOST: usize = 64 * 1024 * 1024;

pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// A pooled HTTP/1.1 client that adds nothing to what it sends (but `Host`).
pub fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// One direction: where its requests go, and who records them.
pub struct Leg {
    pub upstream: Upstream,
    /// `http://host:port`: requests keep their path and query.
    pub origin: String,
    pub timeout: Duration,
    pub client: HttpClient,
    pub observer: Observer,
}

pub fn router(leg: Leg) -> Router {
    Router::new().fallback(forward).with_state(Arc::new(leg))
}

async fn forward(State(leg): State<Arc<Leg>>, request: Request) -> axum::response::Response {
    match tokio::spawn(pass(leg, request)).await {
        Ok(response) => response,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Hop-by-hop headers, and those a `Connection` header names: the connection's own.
fn hop_by_hop(headers: &HeaderMap) -> Vec<HeaderName> {
    let mut names: Vec<HeaderName> = [
        header::CONNECTION,
        HeaderName::from_static("keep-alive"),
        HeaderName::from_static("proxy-connection"),
        header::PROXY_AUTHENTICATE,
        header::PROXY_AUTHORIZATION,
        header::TE,
        header::TRAILER,
        header::TRANSFER_ENCODING,
        header::UPGRADE,
    ]
    .into();
    for value in headers.get_all(header::CONNECTION) {
        if let Ok(listed) = value.to_str() {
            names.extend(
                listed
                    .split(',')
                    .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok()),
            );
        }
    }
    names
}

/// `headers` without the connection's own (and without `Host`, for a request).
fn end_to_end(headers: &HeaderMap, request: bool) -> HeaderMap {
    let own = hop_by_hop(headers);
    let mut kept = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        if own.contains(name) || (request && name == header::HOST) {
            continue;
        }
        kept.append(name.clone(), value.clone());
    }
    kept
}

async fn pass(leg: Arc<Leg>, request: Request) -> axum::response::Response {
    let clock = Instant::now();
    let started_at = now_ms();
    let (parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
    let url = format!("{}{path}", leg.origin);
    let body = match to_bytes(body, MOST).await {
        Ok(body) => body,
        Err(e) => {
            let message = format!("the request body could not be read whole (at most {MOST} bytes are passed on): {e}");
            return (StatusCode::PAYLOAD_TOO_LARGE, message).into_response();
        }
    };
    let pending = leg.observer.request(Seen {
        direction: match leg.upstream {
            Upstream::Webchat => ExchangeDirection::Out,
            Upstream::Hosting => ExchangeDirection::In,
        },
        method: parts.method.to_string(),
        path: match leg.upstream {
            Upstream::Webchat => url.clone(),
            Upstream::Hosting => path,
        },
        headers: headers_json(&parts.headers),
        body: body.clone(),
        started_at,
    });
    let mut upstream = hyper::Request::new(Full::new(body));
    *upstream.method_mut() = parts.method;
    *upstream.headers_mut() = end_to_end(&parts.headers, true);
    let answered = match url.parse() {
        Ok(uri) => {
            *upstream.uri_mut() = uri;
            let exchange = async {
                let response = leg.client.request(upstream).await?;
                let (head, body) = response.into_parts();
                let body = body.collect().await?.to_bytes();
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>((head, body))
            };
            match tokio::time::timeout(leg.timeout, exchange).await {
                Ok(Ok(answer)) => Ok(answer),
                Ok(Err(e)) => Err(Failure::Unreachable(reason(e.as_ref()))),
                Err(_) => Err(Failure::Timeout(leg.timeout)),
            }
        }
        Err(e) => Err(Failure::Unreachable(format!("`{url}` is no URL: {e}"))),
    };
    let (status, headers, body) = match answered {
        Ok((head, body)) => (head.status, end_to_end(&head.headers, false), body),
        Err(failure) => {
            let (status, body) = gateway::answer(leg.upstream, &url, &failure);
            let mut headers = HeaderMap::new();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            tracing::warn!(side = leg.upstream.as_str(), %url, status = status.as_u16(), "answered for a side that did not");
            (status, headers, body)
        }
    };
    pending.answered(Answered {
        status: status.as_u16(),
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: body.clone(),
        duration_us: clock.elapsed().as_micros() as i64,
    });
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// An error with its causes, one after the other.
fn reason(e: &(dyn std::error::Error + 'static)) -> String {
    let mut reason = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        reason = format!("{reason}: {s}");
        source = s.source();
    }
    reason
}
