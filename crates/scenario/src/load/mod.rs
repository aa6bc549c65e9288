//! Load: many virtual customers hold whole conversations at once (request → chatting →
//! M messages, each waiting for the agent's reply → close → rate), against the embedded
//! simulator at a fast pace by default. Every engine call is timed, as is the callback
//! round trip (message out → the agent's reply stored); errors are counted by result code.

pub mod soak;
mod stats;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::Mutex;
use wxsim_engine::protocol::MessageContent;
use wxsim_engine::{ConversationState, Direction, Engine, EngineError, NewCustomer, Profile};
use wxsim_webchat::SimConfig;

pub use stats::{Latency, Samples, Tally};

use crate::harness::{self, HarnessOptions};
use crate::player::latest;
use crate::watch::{Newsroom, Watch};

pub const MAX_CUSTOMERS: usize = 10_000;
pub const MAX_DURATION: Duration = Duration::from_secs(3600);

#[derive(Clone, Debug)]
pub struct LoadOptions {
    pub customers: usize,
    pub messages: usize,
    /// Messages per second across all customers; unlimited when `None`.
    pub rate: Option<f64>,
    /// Customers hold conversation after conversation until this has passed; one each
    /// when `None`.
    pub duration: Option<Duration>,
    pub data_dir: PathBuf,
    pub webchat_url: Option<String>,
    pub listen: String,
    pub skill_group: i64,
    /// Deadline of each wait (for the agent, a reply, the rating prompt).
    pub within: Duration,
    /// Soak mode: faults on (see [`soak`]); only their own errors are expected.
    pub faults: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("--customers {0} is above the limit of {MAX_CUSTOMERS}")]
    TooManyCustomers(usize),
    #[error("--customers must be at least 1")]
    NoCustomers,
    #[error("--duration {0} s is above the limit of {max} s", max = MAX_DURATION.as_secs())]
    TooLong(u64),
    #[error("--rate must be a positive number of messages per second")]
    BadRate,
    #[error(
        "{0} is not a loopback address; pass --allow-remote to load a remote webchat on purpose"
    )]
    Remote(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Start(#[from] wxsim_stack::StackError),
}

/// Live counts, for a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    pub conversations: AtomicU64,
    pub messages: AtomicU64,
    pub errors: AtomicU64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadSummary {
    pub customers: usize,
    pub messages_per_conversation: usize,
    pub conversations_started: u64,
    pub conversations_completed: u64,
    pub messages_sent: u64,
    pub replies_received: u64,
    pub elapsed_secs: f64,
    pub conversations_per_sec: f64,
    pub messages_per_sec: f64,
    /// Per endpoint (`createcon.do`, …), `accept` (request → chatting) and `reply round trip`.
    pub latency_ms: BTreeMap<String, Latency>,
    /// By result code (`-5`) or error kind (`timeout`, `webchat_unavailable`, …).
    pub errors: BTreeMap<String, u64>,
    /// Faults the run armed on purpose (soak mode), and the errors they did not explain.
    pub faults_injected: u64,
    pub unexpected_errors: u64,
    /// Resident memory of this process, after start-up and at the end (kB; Linux).
    pub rss_start_kb: Option<u64>,
    pub rss_end_kb: Option<u64>,
    /// Resident memory every ten seconds of the run (kB), to tell a warm-up from a leak.
    pub rss_series_kb: Vec<u64>,
}

impl LoadOptions {
    /// Refuses runs that are too big, or aimed elsewhere than this machine by accident.
    pub fn check(&self, allow_remote: bool) -> Result<(), LoadError> {
        if self.customers == 0 {
            return Err(LoadError::NoCustomers);
        }
        if self.customers > MAX_CUSTOMERS {
            return Err(LoadError::TooManyCustomers(self.customers));
        }
        if let Some(d) = self.duration.filter(|d| *d > MAX_DURATION) {
            return Err(LoadError::TooLong(d.as_secs()));
        }
        if self.rate.is_some_and(|r| !(r.is_finite() && r > 0.0)) {
            return Err(LoadError::BadRate);
        }
        match &self.webchat_url {
            Some(url) if !allow_remote && !is_loopback_url(url) => {
                Err(LoadError::Remote(url.clone()))
            }
            _ => Ok(()),
        }
    }
}

/// `http://127.0.0.1:8080/webchat`, `http://localhost/…`, `http://[::1]:80/…`.
fn is_loopback_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Runs the load and summarizes it.
pub async fn run_load(
    options: LoadOptions,
    progress: Arc<Progress>,
) -> Result<LoadSummary, LoadError> {
    let harness = harness::start(HarnessOptions {
        data_dir: options.data_dir.clone(),
        webchat_url: options.webchat_url.clone(),
        listen: options.listen.clone(),
        profile: Profile {
            name: "load".into(),
            request_timeout_ms: 10_000,
            ..Profile::default()
        },
        simulator: SimConfig {
            accept_delay_ms: 5,
            reply_delay_ms: 5,
            ..SimConfig::default()
        },
    })
    .await?;
    let soak = match (options.faults, harness.simulator()) {
        (true, Some(sim)) => Some(soak::arm(&harness.engine, sim.clone())?),
        _ => None,
    };
    let rss_start_kb = soak::rss_kb();
    let memory = soak::Memory::watch();
    let started = Instant::now();
    let pacer = options.rate.map(|r| {
        let mut interval = tokio::time::interval(Duration::from_secs_f64(1.0 / r));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Arc::new(Mutex::new(interval))
    });
    let customer = VirtualCustomer {
        engine: harness.engine.clone(),
        newsroom: Newsroom::start(harness.engine.subscribe()),
        options: Arc::new(options.clone()),
        pacer,
        progress,
        deadline: options.duration.map(|d| started + d),
    };
    let tasks: Vec<_> = (0..options.customers)
        .map(|n| tokio::spawn(customer.clone().live(n)))
        .collect();
    let mut tally = Tally::default();
    for task in tasks {
        match task.await {
            Ok(t) => tally.merge(t),
            Err(e) => tally.error(format!("task failed: {e}")),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rss_end_kb = soak::rss_kb();
    let rss_series_kb = memory.stop();
    let faults_injected = soak.map_or(0, soak::Faults::stop);
    harness.stop().await;
    let unexpected_errors = soak::unexpected(&tally.errors, faults_injected);
    Ok(LoadSummary {
        customers: options.customers,
        messages_per_conversation: options.messages,
        conversations_started: tally.conversations_started,
        conversations_completed: tally.conversations_completed,
        messages_sent: tally.messages_sent,
        replies_received: tally.replies_received,
        elapsed_secs: elapsed,
        conversations_per_sec: tally.conversations_completed as f64 / elapsed,
        messages_per_sec: tally.messages_sent as f64 / elapsed,
        latency_ms: tally
            .latencies
            .iter()
            .filter_map(|(what, samples)| Some(((*what).to_owned(), Latency::of(samples)?)))
            .collect(),
        errors: tally.errors,
        faults_injected,
        unexpected_errors,
        rss_start_kb,
        rss_end_kb,
        rss_series_kb,
    })
}

#[derive(Clone)]
struct VirtualCustomer {
    engine: Engine,
    newsroom: Newsroom,
    options: Arc<LoadOptions>,
    pacer: Option<Arc<Mutex<tokio::time::Interval>>>,
    progress: Arc<Progress>,
    deadline: Option<Instant>,
}

/// Why a conversation stopped early: an error kind or result code.
struct Abort(String);

impl From<EngineError> for Abort {
    fn from(e: EngineError) -> Self {
        Abort(match &e {
            EngineError::Rejected { code, .. } => code.code().to_string(),
            other => other.kind().to_owned(),
        })
    }
}

impl VirtualCustomer {
    /// One customer: conversations until the deadline (or just one).
    async fn live(self, n: usize) -> Tally {
        let mut tally = Tally::default();
        let customer = self
            .engine
            .create_customer(NewCustomer {
                open_id: None,
                nickname: format!("load-{n}"),
                head_img_url: None,
                source: None,
                brand: None,
                skill_group: self.options.skill_group,
                agent_id: None,
                tracks: None,
            })
            .await;
        let customer = match customer {
            Ok(c) => c,
            Err(e) => {
                tally.error(Abort::from(e).0);
                return tally;
            }
        };
        let watch = self.newsroom.watch(customer.id, customer.open_id.clone());
        loop {
            tally.conversations_started += 1;
            match self.converse(customer.id, &watch, &mut tally).await {
                Ok(()) => {
                    tally.conversations_completed += 1;
                    self.progress.conversations.fetch_add(1, Ordering::Relaxed);
                }
                Err(Abort(what)) => {
                    tally.error(what);
                    self.progress.errors.fetch_add(1, Ordering::Relaxed);
                    self.wind_up(customer.id).await;
                }
            }
            if self.deadline.is_none_or(|d| Instant::now() >= d) {
                return tally;
            }
        }
    }

    /// After an aborted conversation: end whatever is still open, so the next can start.
    async fn wind_up(&self, customer_id: i64) {
        let state = latest(&self.engine, customer_id)
            .await
            .ok()
            .flatten()
            .map(|c| c.state);
        let ended = match state {
            Some(ConversationState::Chatting) => self.engine.close(customer_id).await.map(|_| ()),
            Some(ConversationState::Queued | ConversationState::Requesting) => {
                self.engine.cancel(customer_id).await.map(|_| ())
            }
            _ => Ok(()),
        };
        if let Err(e) = ended {
            tracing::debug!(customer_id, error = %e, "could not wind up an aborted conversation");
        }
    }

    async fn timed<T>(
        tally: &mut Tally,
        what: &'static str,
        call: impl std::future::Future<Output = Result<T, EngineError>>,
    ) -> Result<T, Abort> {
        let begun = Instant::now();
        let result = call.await;
        tally.sample(what, begun.elapsed());
        Ok(result?)
    }

    /// Waits until the customer's conversation passes `test`.
    async fn until<T>(
        &self,
        watch: &Watch,
        customer_id: i64,
        what: &str,
        test: impl Fn(&wxsim_engine::Conversation) -> Option<T>,
    ) -> Result<T, Abort> {
        let test = &test;
        let engine = &self.engine;
        watch
            .until(self.options.within, || async move {
                Ok(latest(engine, customer_id).await?.as_ref().and_then(test))
            })
            .await?
            .ok_or_else(|| Abort(format!("timeout: {what}")))
    }

    /// Agent messages in the conversation: counted from events, from the database only
    /// when events were missed.
    async fn replies(&self, watch: &Watch, conversation_id: i64) -> Result<usize, EngineError> {
        if let Some(n) = watch.agent_messages(conversation_id) {
            return Ok(n);
        }
        let messages = self.engine.messages(conversation_id).await?;
        Ok(messages
            .iter()
            .filter(|m| m.direction == Direction::In)
            .count())
    }

    /// Waits until the conversation holds more than `seen` agent messages.
    async fn reply_after(
        &self,
        watch: &Watch,
        conversation_id: i64,
        seen: usize,
    ) -> Result<Option<usize>, Abort> {
        Ok(watch
            .until(self.options.within, || async move {
                let n = self.replies(watch, conversation_id).await?;
                Ok((n > seen).then_some(n))
            })
            .await?)
    }

    async fn converse(
        &self,
        customer_id: i64,
        watch: &Watch,
        tally: &mut Tally,
    ) -> Result<(), Abort> {
        let begun = Instant::now();
        let conversation =
            Self::timed(tally, "createcon.do", self.engine.request_chat(customer_id)).await?;
        self.until(watch, customer_id, "an agent", |c| {
            (c.state == ConversationState::Chatting).then_some(())
        })
        .await?;
        tally.sample("accept", begun.elapsed());
        let mut seen = self
            .reply_after(watch, conversation.id, 0)
            .await?
            .ok_or_else(|| Abort("timeout: the agent's greeting".into()))?;
        for k in 1..=self.options.messages {
            if let Some(pacer) = &self.pacer {
                pacer.lock().await.tick().await;
            }
            let sent = Instant::now();
            let text = MessageContent::Text(format!(
                "load message {k} of conversation {}",
                conversation.id
            ));
            Self::timed(
                tally,
                "getmsg.do",
                self.engine.send_message(customer_id, text),
            )
            .await?;
            tally.messages_sent += 1;
            self.progress.messages.fetch_add(1, Ordering::Relaxed);
            seen = self
                .reply_after(watch, conversation.id, seen)
                .await?
                .ok_or_else(|| Abort("timeout: an agent reply".into()))?;
            tally.sample("reply round trip", sent.elapsed());
            tally.replies_received += 1;
        }
        Self::timed(tally, "closecon.do", self.engine.close(customer_id)).await?;
        let options = self
            .until(watch, customer_id, "the rating prompt", |c| {
                c.rating_options.clone()
            })
            .await?;
        let rating = options.first().map_or("1".into(), |o| o.id.key());
        Self::timed(
            tally,
            "ratesession.do",
            self.engine.rate(customer_id, &rating, "load"),
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets_pass_without_allow_remote() {
        assert!(is_loopback_url("http://127.0.0.1:8080/webchat"));
        assert!(is_loopback_url("http://localhost/webchat"));
        assert!(is_loopback_url("http://[::1]:9/webchat"));
        assert!(!is_loopback_url("http://10.0.0.5:8080/webchat"));
        assert!(!is_loopback_url("https://webchat.example.com/webchat"));
    }
}
