//! The test rig: a simulator on a loopback port, and a tiny hosting side that records
//! every callback and download it receives.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use wxsim_webchat::{SimConfig, SimHandle};

/// The bytes the hosting side serves for every media download.
pub const MEDIA: &[u8] = b"\x89PNG fake media bytes for the simulator test";

/// One request the hosting side received.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: String,
    pub body: Value,
}

impl Received {
    pub fn open_id(&self) -> Option<&Value> {
        self.body.get("openId")
    }

    pub fn is(&self, path: &str) -> bool {
        self.path == path
    }
}

type Log = Arc<Mutex<Vec<Received>>>;

async fn record(State(log): State<Log>, method: Method, uri: Uri, body: Bytes) -> Response {
    let received = Received {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    log.lock().unwrap().push(received.clone());
    if received.path.starts_with("/wechat/") {
        MEDIA.into_response()
    } else if received.path == "/ari/getMedia" {
        Json(json!({"code": 1, "message": "file.bin"})).into_response()
    } else {
        Json(json!({"result": 1, "message": "ok"})).into_response()
    }
}

pub struct Rig {
    pub sim: SimHandle,
    pub http: reqwest::Client,
    log: Log,
}

/// The simulator's defaults, fast enough for tests.
pub fn quick_config() -> SimConfig {
    SimConfig {
        accept_delay_ms: 20,
        reply_delay_ms: 20,
        callback_timeout_ms: 2000,
        ..SimConfig::default()
    }
}

impl Rig {
    pub async fn start() -> Rig {
        Rig::with_config(quick_config()).await
    }

    pub async fn with_config(mut config: SimConfig) -> Rig {
        let log: Log = Arc::default();
        let hosting = TcpListener::bind("127.0.0.1:0").await.unwrap();
        config.ari_base = format!("http://{}", hosting.local_addr().unwrap());
        let app = Router::new().fallback(record).with_state(Arc::clone(&log));
        tokio::spawn(async move { axum::serve(hosting, app).await });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sim = wxsim_webchat::spawn(config, listener).await.unwrap();
        Rig {
            sim,
            http: reqwest::Client::new(),
            log,
        }
    }

    /// POSTs JSON to a `*.do` endpoint; answers (HTTP status, JSON body).
    pub async fn call(&self, endpoint: &str, body: Value) -> (u16, Value) {
        let url = format!("{}/{endpoint}", self.sim.base_url());
        self.send(self.http.post(url).json(&body)).await
    }

    /// POSTs JSON to a control endpoint under `/sim`.
    pub async fn control(&self, path: &str, body: Value) -> (u16, Value) {
        let url = format!("http://{}/sim/{path}", self.sim.addr());
        self.send(self.http.post(url).json(&body)).await
    }

    pub async fn state(&self) -> Value {
        let url = format!("http://{}/sim/state", self.sim.addr());
        self.send(self.http.get(url)).await.1
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("answer is not JSON ({e}): {text}"));
        (status, body)
    }

    /// Everything the hosting side received for one customer, in order.
    pub fn received_by(&self, open_id: &Value) -> Vec<Received> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.open_id() == Some(open_id))
            .cloned()
            .collect()
    }

    pub fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }

    /// Waits (with a deadline) until the customer's callbacks satisfy `done`.
    pub async fn wait_for(
        &self,
        open_id: &Value,
        what: &str,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let log = || self.received_by(open_id);
        wait_until(what, || Some(log()).filter(|l| done(l))).await
    }

    /// Asks for a chat and waits until it is accepted and greeted; answers the sessionId.
    pub async fn chat(&self, open_id: Value, skill_group: i64) -> Value {
        let (status, answer) = self
            .call(
                "createcon.do",
                json!({"openId": open_id, "skillGroup": skill_group,
                       "requestTime": 1512026448289i64, "epid": "sa1"}),
            )
            .await;
        assert_eq!((status, &answer["result"]), (200, &json!(1)), "{answer}");
        let log = self
            .wait_for(&open_id, "the greeting", |l| {
                l.iter().any(|r| r.is("/ari/msg"))
            })
            .await;
        let create = log.iter().find(|r| r.is("/ari/create")).unwrap();
        create.body["sessionId"].clone()
    }
}

/// Polls `probe` until it yields a value, failing after five seconds.
pub async fn wait_until<T>(what: &str, probe: impl Fn() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub fn paths(log: &[Received]) -> Vec<&str> {
    log.iter().map(|r| r.path.as_str()).collect()
}
