//! The CallbackSender: calls the hosting side's `/ari/*` callbacks, in order per customer
//! (one lane, one worker task per `openId`), like a real server: each try with a timeout,
//! a failed try (no answer, non-2xx, or a non-1 result) retried after a backoff that
//! doubles, up to the policy's number of tries. Every try is recorded; the final outcome
//! goes to whoever waits for it (the ScriptedAgent watches `/ari/create`).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use wxsim_protocol::{CallbackKind, OpenId};

use crate::state::now_ms;

/// One callback to make: which one, and its JSON body.
#[derive(Clone, Debug)]
pub struct Callback {
    pub kind: CallbackKind,
    pub body: Value,
}

impl Callback {
    pub fn new(kind: CallbackKind, body: &impl Serialize) -> Self {
        Callback {
            kind,
            body: serde_json::to_value(body).expect("callback bodies are plain structs"),
        }
    }
}

/// What happened to one callback.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimCallbackOutcome"))]
pub struct CallbackOutcome {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: u64,
    /// The path called, e.g. `/ari//pushRating`.
    pub path: String,
    /// The customer's lane.
    pub open_id: String,
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub request: Value,
    /// HTTP status, when an answer came.
    pub status: Option<u16>,
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub answer: Option<Value>,
    /// Why it failed: transport error, HTTP status, or a non-1 result.
    pub error: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at_ms: i64,
    /// Which try this was (1: the first).
    #[serde(default = "first_try")]
    pub attempt: u32,
}

fn first_try() -> u32 {
    1
}

/// How callbacks are delivered: each try may take `timeout_ms`; a failed one is tried
/// again, up to `tries` in all, after `backoff_ms`, then twice that, and so on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryPolicy {
    pub timeout_ms: u64,
    pub tries: u32,
    pub backoff_ms: u64,
}

/// The longest pause between two tries.
const MAX_BACKOFF_MS: u64 = 60_000;

impl DeliveryPolicy {
    /// The pause after the `attempt`-th failed try.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u64 << attempt.saturating_sub(1).min(16);
        Duration::from_millis(self.backoff_ms.saturating_mul(factor).min(MAX_BACKOFF_MS))
    }
}

impl CallbackOutcome {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

struct Job {
    callback: Callback,
    done: Option<oneshot::Sender<CallbackOutcome>>,
}

pub struct CallbackSender {
    client: reqwest::Client,
    ari_base: RwLock<String>,
    policy: RwLock<DeliveryPolicy>,
    double_slash_push_rating: bool,
    lanes: Mutex<HashMap<String, mpsc::UnboundedSender<Job>>>,
    log: Mutex<VecDeque<CallbackOutcome>>,
    /// Callbacks made so far (the log keeps only the newest).
    made: std::sync::atomic::AtomicU64,
    cancel: CancellationToken,
}

/// How many callback outcomes the log keeps: a demo that runs all day stays small.
const KEPT_OUTCOMES: usize = 2000;

impl CallbackSender {
    pub fn new(
        client: reqwest::Client,
        ari_base: String,
        policy: DeliveryPolicy,
        double_slash_push_rating: bool,
        cancel: CancellationToken,
    ) -> Self {
        CallbackSender {
            client,
            ari_base: RwLock::new(ari_base),
            policy: RwLock::new(policy),
            double_slash_push_rating,
            lanes: Mutex::new(HashMap::new()),
            log: Mutex::new(VecDeque::new()),
            made: std::sync::atomic::AtomicU64::new(0),
            cancel,
        }
    }

    /// The hosting side's base URL (also its `LIVEBOT_WANADDR`).
    pub fn ari_base(&self) -> String {
        self.ari_base
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn set_ari_base(&self, base: String) {
        *self
            .ari_base
            .write()
            .unwrap_or_else(PoisonError::into_inner) = base;
    }

    pub fn policy(&self) -> DeliveryPolicy {
        *self.policy.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn set_policy(&self, policy: DeliveryPolicy) {
        *self.policy.write().unwrap_or_else(PoisonError::into_inner) = policy;
    }

    pub fn outcomes(&self) -> Vec<CallbackOutcome> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    /// Queues a callback on the customer's lane.
    pub fn send(self: &Arc<Self>, lane: &OpenId, callback: Callback) {
        self.enqueue(
            lane,
            Job {
                callback,
                done: None,
            },
        );
    }

    /// Queues a callback on the customer's lane; its final outcome (after any retries)
    /// arrives on the receiver.
    pub fn submit(
        self: &Arc<Self>,
        lane: &OpenId,
        callback: Callback,
    ) -> oneshot::Receiver<CallbackOutcome> {
        let (tx, rx) = oneshot::channel();
        self.enqueue(
            lane,
            Job {
                callback,
                done: Some(tx),
            },
        );
        rx
    }

    /// Queues a callback on the customer's lane and waits for its final outcome.
    pub async fn call(self: &Arc<Self>, lane: &OpenId, callback: Callback) -> CallbackOutcome {
        let path = self.path_of(callback.kind).to_owned();
        self.submit(lane, callback)
            .await
            .unwrap_or_else(|_| CallbackOutcome {
                seq: 0,
                path,
                open_id: lane.key(),
                request: Value::Null,
                status: None,
                answer: None,
                error: Some("the simulator is shutting down".into()),
                at_ms: now_ms(),
                attempt: 1,
            })
    }

    fn enqueue(self: &Arc<Self>, lane: &OpenId, job: Job) {
        let mut lanes = self.lanes.lock().unwrap_or_else(PoisonError::into_inner);
        let tx = lanes.entry(lane.key()).or_insert_with(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            let sender = Arc::clone(self);
            let cancel = self.cancel.clone();
            let key = lane.key();
            tokio::spawn(async move {
                tokio::select! {
                    () = cancel.cancelled() => {}
                    () = sender.run_lane(key, rx) => {}
                }
            });
            tx
        });
        if tx.send(job).is_err() {
            tracing::warn!(open_id = %lane, "callback lane is closed; callback dropped");
        }
    }

    async fn run_lane(&self, open_id: String, mut rx: mpsc::UnboundedReceiver<Job>) {
        while let Some(job) = rx.recv().await {
            let outcome = self.deliver_with_retries(&open_id, job.callback).await;
            if let Some(done) = job.done {
                // The caller may have stopped waiting; the outcome is in the log either way.
                let _ = done.send(outcome);
            }
        }
    }

    fn path_of(&self, kind: CallbackKind) -> &'static str {
        if kind == CallbackKind::PushRating && self.double_slash_push_rating {
            "/ari//pushRating"
        } else {
            kind.path()
        }
    }

    /// Tries a callback until it succeeds or the policy's tries are used up (the lane
    /// waits meanwhile, so the customer's callbacks stay in order).
    async fn deliver_with_retries(&self, open_id: &str, callback: Callback) -> CallbackOutcome {
        let policy = self.policy();
        let mut attempt = 1;
        loop {
            let outcome = self.deliver(open_id, &callback, attempt, &policy).await;
            if outcome.ok() || attempt >= policy.tries {
                return outcome;
            }
            tokio::time::sleep(policy.backoff(attempt)).await;
            attempt += 1;
        }
    }

    async fn deliver(
        &self,
        open_id: &str,
        callback: &Callback,
        attempt: u32,
        policy: &DeliveryPolicy,
    ) -> CallbackOutcome {
        let path = self.path_of(callback.kind);
        let url = format!("{}{path}", self.ari_base().trim_end_matches('/'));
        let sent = self
            .client
            .post(&url)
            .timeout(Duration::from_millis(policy.timeout_ms.max(1)))
            .json(&callback.body)
            .send()
            .await;
        let (status, answer, error) = match sent {
            Err(e) => (None, None, Some(format!("request failed: {e}"))),
            Ok(response) => {
                let status = response.status();
                let answer = response.json::<Value>().await;
                let error = match (&answer, status.is_success()) {
                    (_, false) => Some(format!("HTTP status {status}")),
                    (Err(e), true) => Some(format!("answer is not JSON: {e}")),
                    (Ok(body), true) => answer_error(callback.kind, body),
                };
                (Some(status.as_u16()), answer.ok(), error)
            }
        };
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        let outcome = CallbackOutcome {
            seq: self.made.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1,
            path: path.to_owned(),
            open_id: open_id.to_owned(),
            request: callback.body.clone(),
            status,
            answer,
            error,
            at_ms: now_ms(),
            attempt,
        };
        match &outcome.error {
            None => tracing::info!(%url, open_id, attempt, "callback delivered"),
            Some(error) => tracing::warn!(%url, open_id, attempt, %error, "callback failed"),
        }
        log.push_back(outcome.clone());
        if log.len() > KEPT_OUTCOMES {
            log.pop_front();
        }
        outcome
    }
}

/// A non-1 `result` (`code` for `getMedia`) makes a delivered callback a failure.
fn answer_error(kind: CallbackKind, body: &Value) -> Option<String> {
    let field = if kind == CallbackKind::GetMedia {
        "code"
    } else {
        "result"
    };
    let code = body.get(field);
    let ok = code.is_some_and(|c| c.as_i64() == Some(1) || c.as_str() == Some("1"));
    (!ok).then(|| match code {
        Some(c) => format!("answered {field} {c}"),
        None => format!("answer has no `{field}`"),
    })
}

/// A client for callbacks and downloads, with the configured timeout.
pub fn http_client(timeout: Duration) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder().timeout(timeout).build()
}
