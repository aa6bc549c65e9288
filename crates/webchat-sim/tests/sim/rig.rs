//! The test rig: a simulator on a loopback port, and a tiny hosting side that records
//! every callback and download it receives (and refuses or stalls the ones it is told to).

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

/// How the hosting side answers a callback it is told to refuse.
#[derive(Clone, Copy, Debug)]
pub enum Refusal {
    /// HTTP 200 with this `result`.
    Result(i64),
    /// This HTTP status.
    Status(u16),
    /// No answer for this long (the simulator's timeout should give up first).
    Stall(u64),
}

/// Per path: how many more calls to refuse, and how.
type Refusals = Arc<Mutex<Vec<(String, usize, Refusal)>>>;

#[derive(Clone, Default)]
struct Hosting {
    log: Log,
    refusals: Refusals,
}

fn refusal_for(refusals: &Refusals, path: &str) -> Option<Refusal> {
    let mut refusals = refusals.lock().unwrap();
    let at = refusals
        .iter()
        .position(|(p, left, _)| p == path && *left > 0)?;
    refusals[at].1 -= 1;
    Some(refusals[at].2)
}

async fn record(State(hosting): State<Hosting>, method: Method, uri: Uri, body: Bytes) -> Response {
    let received = Received {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    hosting.log.lock().unwrap().push(received.clone());
    match refusal_for(&hosting.refusals, &received.path) {
        Some(Refusal::Result(code)) => {
            return Json(json!({"result": code, "message": "refused by the test"})).into_response()
        }
        Some(Refusal::Status(status)) => {
            let status = axum::http::StatusCode::from_u16(status).unwrap();
            return (status, "refused by the test").into_response();
        }
        Some(Refusal::Stall(ms)) => tokio::time::sleep(Duration::from_millis(ms)).await,
        None => {}
    }
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
    refusals: Refusals,
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
        let state = Hosting::default();
        let (log, refusals) = (Arc::clone(&state.log), Arc::clone(&state.refusals));
        let hosting = TcpListener::bind("127.0.0.1:0").await.unwrap();
        config.ari_base = format!("http://{}", hosting.local_addr().unwrap());
        let app = Router::new().fallback(record).with_state(state);
        tokio::spawn(async move { axum::serve(hosting, app).await });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sim = wxsim_webchat::spawn(config, listener).await.unwrap();
        Rig {
            sim,
            http: reqwest::Client::new(),
            log,
            refusals,
        }
    }

    /// The hosting side answers the next `times` calls to `path` with `how`.
    pub fn refuse(&self, path: &str, times: usize, how: Refusal) {
        self.refusals
            .lock()
            .unwrap()
            .push((path.to_owned(), times, how));
    }

    /// `createcon.do` for a customer of a skill group; answers the JSON answer.
    pub async fn request(&self, open_id: &str, skill_group: i64) -> Value {
        let body = json!({"openId": open_id, "skillGroup": skill_group,
                          "requestTime": 1512026448289i64, "epid": "sa1"});
        let (status, answer) = self.call("createcon.do", body).await;
        assert_eq!(status, 200, "{answer}");
        answer
    }

    /// The customer's `orderInQueue` as `getQueueLength.do` answers it.
    pub async fn order_of(&self, request_id: &Value) -> Value {
        let (_, answer) = self
            .call("getQueueLength.do", json!({"requestId": request_id}))
            .await;
        assert_eq!(answer["result"], 1, "{answer}");
        answer["orderInQueue"].clone()
    }

    /// Waits for the customer's first `updateRequestStatus`; answers its `requestId`.
    pub async fn request_id_of(&self, open_id: &str) -> Value {
        let log = self
            .wait_for(&json!(open_id), "the first request status", |l| {
                l.iter().any(|r| r.is("/ari/updateRequestStatus"))
            })
            .await;
        log[0].body["requestId"].clone()
    }

    /// The `(requestStatus, queueLength)` of every `updateRequestStatus` the customer got.
    pub fn statuses_of(&self, open_id: &str) -> Vec<(i64, i64)> {
        self.received_by(&json!(open_id))
            .iter()
            .filter(|r| r.is("/ari/updateRequestStatus"))
            .map(|r| {
                (
                    r.body["requestStatus"].as_i64().unwrap(),
                    r.body["queueLength"].as_i64().unwrap(),
                )
            })
            .collect()
    }

    /// Waits until the customer's last request status is `status`.
    pub async fn wait_status(&self, open_id: &str, status: i64) -> Vec<(i64, i64)> {
        wait_until(&format!("request status {status} for {open_id}"), || {
            let statuses = self.statuses_of(open_id);
            (statuses.last().map(|s| s.0) == Some(status)).then_some(statuses)
        })
        .await
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
