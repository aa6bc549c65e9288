//! Watching a real pair (`wxsim proxy`): every exchange a proxy forwards between a hosting
//! service and webchat goes into the history as wxsim's own do, with its contract findings,
//! and the conversations are rebuilt from the ids on the wire by the bookkeeping the
//! commands (`commands`) and the callback listener (`callbacks::apply`) already do, so a
//! proxied conversation reads like one wxsim played. Nothing here calls anybody.
//!
//! The proxy hands each request over before it forwards it and its answer once it has it
//! ([`Observer::request`], [`Pending::answered`]); one task takes them in that order, off
//! the forwarding path. A request's intent (a chat request opens a conversation, a message
//! is stored pending) is stored when it arrives, as the commands store theirs before they
//! call, so that callbacks racing ahead of an answer find what they name; callbacks are
//! applied once the hosting service has answered them with a 2xx, as it applied them.

mod adopt;
mod callbacks;
mod calls;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::client::CallContext;
use crate::engine::{Engine, Role};
use crate::error::Result;
use crate::model::ExchangeDirection;
use crate::store::ConversationRow;

/// How to start an engine that watches a pair.
pub struct ObserveOptions {
    /// Holds `wxsim.db` and `media/`.
    pub data_dir: PathBuf,
    /// The real webchat's base URL: agent HTML may show pictures from its origin.
    pub webchat: String,
    /// Where webchat calls "the hosting service": the proxy's callback listener.
    pub callback_addr: SocketAddr,
}

/// A request as the proxy received it.
pub struct Seen {
    /// `Out`: the hosting service called webchat (`*.do`); `In`: webchat called the
    /// hosting service (`/ari/*`, `/wechat/…`).
    pub direction: ExchangeDirection,
    pub method: String,
    /// What the wire log keeps: the URL called for a `*.do`, as the engine's client keeps
    /// it; the path and query for a callback or a download, as its listener does.
    pub path: String,
    pub headers: Value,
    pub body: Bytes,
    pub started_at: i64,
}

/// The answer the caller got: the other side's, or the proxy's own when that side failed.
pub struct Answered {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Bytes,
    pub duration_us: i64,
}

enum Job {
    Request(u64, Seen),
    Answer(u64, Answered),
}

/// The proxy's side of the watcher: cheap to clone, never waits.
#[derive(Clone)]
pub struct Observer {
    jobs: mpsc::UnboundedSender<Job>,
    next: Arc<AtomicU64>,
}

/// The watcher at work: it ends once every [`Observer`] (and [`Pending`]) is gone and all
/// they handed over is stored.
pub struct Recording(tokio::task::JoinHandle<()>);

impl Recording {
    /// Resolves once all that was handed over is stored; drop every [`Observer`] first.
    pub async fn finished(self) {
        if let Err(e) = self.0.await {
            if e.is_panic() {
                std::panic::resume_unwind(e.into_panic());
            }
        }
    }
}

/// A request handed over, waiting for its answer.
pub struct Pending {
    id: u64,
    jobs: mpsc::UnboundedSender<Job>,
}

impl Observer {
    /// Hands over a request before it is forwarded.
    pub fn request(&self, seen: Seen) -> Pending {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        // A closed channel means the engine stopped: there is nothing left to record into.
        let _ = self.jobs.send(Job::Request(id, seen));
        Pending {
            id,
            jobs: self.jobs.clone(),
        }
    }
}

impl Pending {
    /// Hands over the answer the caller got.
    pub fn answered(self, answer: Answered) {
        let _ = self.jobs.send(Job::Answer(self.id, answer));
    }
}

/// What a request's arrival left for its answer to settle.
enum Intent {
    /// Nothing but the exchange, which belongs to this conversation (if any).
    Plain(CallContext),
    /// `createcon.do`, or a hand-over's `transferCon.do`, opened this conversation (boxed:
    /// a row is large beside an id).
    Request(Box<ConversationRow>),
    /// A robot chat's `transferCon.do`, noted on this conversation.
    Transfer(CallContext),
    /// A customer message, stored pending.
    Message(i64, CallContext),
}

impl Engine {
    /// An engine over `data_dir` that records what a proxy forwards, the proxy's handle to
    /// it, and the recording to wait for at the end. It runs no listener and no rounds, and
    /// its commands that would call webchat answer [`crate::EngineError::Observing`].
    pub async fn observe(options: ObserveOptions) -> Result<(Engine, Observer, Recording)> {
        let engine = Engine::open(
            &options.data_dir,
            None,
            None,
            options.callback_addr,
            Role::Observer,
        )
        .await?;
        let profile = engine.profile();
        if profile.webchat_url.as_deref() != Some(options.webchat.as_str()) {
            engine
                .set_profile(crate::Profile {
                    webchat_url: Some(options.webchat.clone()),
                    ..profile
                })
                .await?;
        }
        let (jobs, queue) = mpsc::unbounded_channel();
        let recording = Recording(tokio::spawn(engine.clone().watch(queue)));
        tracing::info!(webchat = %options.webchat, "engine watching a proxied pair");
        let observer = Observer {
            jobs,
            next: Arc::new(AtomicU64::new(0)),
        };
        Ok((engine, observer, recording))
    }

    /// Takes requests and answers in the order the proxy saw them.
    async fn watch(self, mut queue: mpsc::UnboundedReceiver<Job>) {
        let mut open: HashMap<u64, (Seen, Intent)> = HashMap::new();
        while let Some(job) = queue.recv().await {
            match job {
                Job::Request(id, seen) => {
                    let intent = self.intend(&seen).await.unwrap_or_else(|e| {
                        tracing::warn!(error = %e, path = %seen.path, "a proxied request's intent was not stored");
                        Intent::Plain(CallContext::default())
                    });
                    open.insert(id, (seen, intent));
                }
                Job::Answer(id, answer) => {
                    let Some((seen, intent)) = open.remove(&id) else {
                        continue;
                    };
                    if let Err(e) = self.settle(seen, intent, answer).await {
                        tracing::warn!(error = %e, "a proxied exchange was not stored");
                    }
                }
            }
        }
    }

    /// Stores the exchange once answered and what its answer means.
    async fn settle(&self, seen: Seen, intent: Intent, answer: Answered) -> Result<()> {
        match seen.direction {
            ExchangeDirection::Out => self.settle_call(seen, intent, answer).await,
            ExchangeDirection::In => self.settle_callback(seen, answer).await,
        }
    }
}

/// The path of a URL or of a path with a query.
fn url_path(path: &str) -> &str {
    let without_query = path.split('?').next().unwrap_or(path);
    match without_query.find("://") {
        Some(scheme) => {
            let rest = &without_query[scheme + 3..];
            rest.find('/').map_or("/", |slash| &rest[slash..])
        }
        None => without_query,
    }
}
