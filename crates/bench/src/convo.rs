//! The conversations baseline: the same whole conversations as `wxsim load` (request →
//! greeting → M messages, each waiting for the agent's reply → close), against the same
//! embedded simulator with the same delays, but the hosting side is a bare stub that
//! acknowledges every callback without storing anything. The gap to `wxsim load` is the
//! engine's cost: its SQLite history, exchange log, events and state machine.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::Router;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use wxsim_webchat::SimConfig;

/// One customer as the stub sees it: its session and how many agent messages arrived.
#[derive(Default)]
struct Slot {
    session: Mutex<Option<(Value, Value)>>,
    replies: AtomicU64,
    news: Notify,
}

#[derive(Default)]
struct Stub {
    by_open_id: Mutex<HashMap<String, Arc<Slot>>>,
    by_session: Mutex<HashMap<String, Arc<Slot>>>,
}

fn text_of(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

impl Stub {
    fn slot(&self, open_id: &str) -> Arc<Slot> {
        let mut map = self.by_open_id.lock().expect("stub lock");
        Arc::clone(map.entry(open_id.to_owned()).or_default())
    }

    fn callback(&self, path: &str, body: &Value) {
        if path.ends_with("/ari/create") {
            let slot = self.slot(&text_of(&body["openId"]));
            let session = body["sessionId"].clone();
            self.by_session
                .lock()
                .expect("stub lock")
                .insert(text_of(&session), Arc::clone(&slot));
            *slot.session.lock().expect("slot lock") = Some((session, body["agentId"].clone()));
            slot.news.notify_one();
        } else if path.ends_with("/ari/msg") {
            let found = self
                .by_session
                .lock()
                .expect("stub lock")
                .get(&text_of(&body["sessionId"]))
                .cloned();
            if let Some(slot) = found {
                slot.replies.fetch_add(1, Ordering::SeqCst);
                slot.news.notify_one();
            }
        }
    }
}

async fn receive(
    State(stub): State<Arc<Stub>>,
    OriginalUri(uri): OriginalUri,
    body: Bytes,
) -> String {
    let body: Value = serde_json::from_slice(&body).unwrap_or_default();
    stub.callback(uri.path(), &body);
    if uri.path().ends_with("/ari/getMedia") {
        r#"{"code":1,"message":"ok"}"#.into()
    } else {
        r#"{"result":1,"message":"ok"}"#.into()
    }
}

/// Waits (up to 30 s) until `test` holds for the slot.
async fn wait(slot: &Slot, test: impl Fn(&Slot) -> bool) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !test(slot) {
        let notified = slot.news.notified();
        if test(slot) {
            break;
        }
        tokio::time::timeout_at(deadline.into(), notified)
            .await
            .map_err(|_| anyhow::anyhow!("timed out waiting for the simulator"))?;
    }
    Ok(())
}

struct Customer {
    http: reqwest::Client,
    base: String,
    stub: Arc<Stub>,
    messages: usize,
    sent: Arc<AtomicU64>,
}

impl Customer {
    async fn post(&self, endpoint: &str, body: Value) -> anyhow::Result<()> {
        let answer: Value = self
            .http
            .post(format!("{}/{endpoint}", self.base))
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        anyhow::ensure!(answer["result"] == 1, "{endpoint} answered {answer}");
        Ok(())
    }

    async fn converse(&self, n: usize) -> anyhow::Result<()> {
        let open_id = format!("baseline-{n}");
        let slot = self.stub.slot(&open_id);
        self.post(
            "createcon.do",
            json!({"openId": open_id, "skillGroup": 1, "nickname": open_id,
                   "requestTime": wxsim_engine::store::now_ms(), "epid": "wxsim-demo"}),
        )
        .await?;
        wait(&slot, |s| s.session.lock().expect("slot lock").is_some()).await?;
        let (session, agent) = slot
            .session
            .lock()
            .expect("slot lock")
            .clone()
            .unwrap_or_default();
        wait(&slot, |s| s.replies.load(Ordering::SeqCst) >= 1).await?;
        for k in 1..=self.messages {
            let seen = slot.replies.load(Ordering::SeqCst);
            self.post(
                "getmsg.do",
                json!({"sessionId": session, "agentId": agent, "openId": open_id,
                       "msgType": "text", "content": format!("load message {k} of {open_id}")}),
            )
            .await?;
            self.sent.fetch_add(1, Ordering::Relaxed);
            wait(&slot, |s| s.replies.load(Ordering::SeqCst) > seen).await?;
        }
        self.post(
            "closecon.do",
            json!({"sessionId": session, "epid": "wxsim-demo"}),
        )
        .await
    }
}

/// Runs `customers` conversations of `messages` messages at once; answers messages/s.
pub async fn run(customers: usize, messages: usize) -> anyhow::Result<f64> {
    let stub = Arc::new(Stub::default());
    let stub_listener = TcpListener::bind("127.0.0.1:0").await?;
    let ari_base = format!("http://{}", stub_listener.local_addr()?);
    let app = Router::new()
        .fallback(receive)
        .with_state(Arc::clone(&stub));
    tokio::spawn(async move { axum::serve(stub_listener, app).await });
    let sim = wxsim_webchat::spawn(
        SimConfig {
            ari_base,
            accept_delay_ms: 5,
            reply_delay_ms: 5,
            ..SimConfig::default()
        },
        TcpListener::bind("127.0.0.1:0").await?,
    )
    .await?;
    let sent = Arc::new(AtomicU64::new(0));
    let customer = Arc::new(Customer {
        http: reqwest::Client::new(),
        base: sim.base_url().trim_end_matches('/').to_owned(),
        stub,
        messages,
        sent: Arc::clone(&sent),
    });
    let started = Instant::now();
    let tasks: Vec<_> = (0..customers)
        .map(|n| {
            let customer = Arc::clone(&customer);
            tokio::spawn(async move { customer.converse(n).await })
        })
        .collect();
    let mut failed = 0;
    for task in tasks {
        if !matches!(task.await, Ok(Ok(()))) {
            failed += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    sim.shutdown().await;
    let sent = sent.load(Ordering::Relaxed);
    println!(
        "baseline: {customers} customers × {messages} messages: {sent} sent in {secs:.2} s, {failed} conversations failed"
    );
    Ok(sent as f64 / secs)
}
