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

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use wxsim_protocol::parse::parse_value;
use wxsim_protocol::{
    BasicAnswer, CallbackKind, CreateConAnswer, CreateConRequest, Endpoint, Finding, GetMsgRequest,
    MessageContent, QueueLengthAnswer, RateSessionRequest, TransferConRequest, WireId,
};

use crate::callbacks::{apply, named_conversation, Callback};
use crate::client::{judged, read_answer, CallContext, CallError, Sent};
use crate::commands::{
    open_request, settle_cancel, settle_close, settle_rate, settle_request, settle_transfer,
};
use crate::contract::{answer_findings, request_findings};
use crate::engine::{Engine, Role};
use crate::error::Result;
use crate::events::EngineEvent;
use crate::model::{
    ConversationState, ExchangeDirection, ExchangeOutcome, Media, MediaKind, Message, NewCustomer,
};
use crate::store::{
    conversations, customers, exchanges, media, messages, now_ms, ConversationRow, NewExchange,
    NewMessage,
};
use crate::system_line::SystemLine;

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
    /// An engine over `data_dir` that records what a proxy forwards, and the proxy's handle
    /// to it. It runs no listener and no rounds, and its commands that would call webchat
    /// answer [`crate::EngineError::Observing`].
    pub async fn observe(options: ObserveOptions) -> Result<(Engine, Observer)> {
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
        tokio::spawn(engine.clone().watch(queue));
        tracing::info!(webchat = %options.webchat, "engine watching a proxied pair");
        let observer = Observer {
            jobs,
            next: Arc::new(AtomicU64::new(0)),
        };
        Ok((engine, observer))
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

    /// Stores what a request means before its answer, as the command that sends it would.
    async fn intend(&self, seen: &Seen) -> Result<Intent> {
        let endpoint = match seen.direction {
            ExchangeDirection::Out => Endpoint::from_path(url_path(&seen.path)),
            ExchangeDirection::In => None,
        };
        let Some(endpoint) = endpoint else {
            return Ok(Intent::Plain(CallContext::default()));
        };
        let Ok(value) = serde_json::from_slice::<Value>(&seen.body) else {
            return Ok(Intent::Plain(CallContext::default()));
        };
        match endpoint {
            Endpoint::CreateCon => match parse_value::<CreateConRequest>(value.clone()) {
                Ok(request) => {
                    let customer = NewCustomer {
                        open_id: Some(request.open_id.key()),
                        nickname: request.nickname.unwrap_or_else(|| request.open_id.key()),
                        head_img_url: request.head_img_url,
                        source: request.from,
                        brand: request.brand,
                        skill_group: request.skill_group,
                        agent_id: request.agent_id.map(|a| a.key()),
                        tracks: request.tracks,
                    };
                    self.open_observed(customer, SystemLine::ChatRequested, &value)
                        .await
                }
                Err(_) => Ok(Intent::Plain(self.context_of(value).await?)),
            },
            Endpoint::TransferCon => match parse_value::<TransferConRequest>(value.clone()) {
                Ok(request) if request.session_id.as_ref().is_none_or(|s| s.key() == "0") => {
                    let customer = NewCustomer {
                        open_id: Some(request.open_id.key()),
                        nickname: request.open_id.key(),
                        head_img_url: None,
                        source: None,
                        brand: None,
                        skill_group: 0,
                        agent_id: None,
                        tracks: None,
                    };
                    self.open_observed(customer, SystemLine::HandOverRequested, &value)
                        .await
                }
                Ok(_) => {
                    let ctx = self.chat_of(value).await?;
                    let Some(id) = ctx.conversation_id else {
                        return Ok(Intent::Plain(ctx));
                    };
                    // As the command notes it: the hand-over's statuses start again.
                    self.update_conversation(id, Some(SystemLine::TransferRequested), |r| {
                        r.request_status = None
                    })
                    .await?;
                    Ok(Intent::Transfer(ctx))
                }
                Err(_) => Ok(Intent::Plain(self.context_of(value).await?)),
            },
            Endpoint::GetMsg => {
                let content = parse_value::<GetMsgRequest>(value.clone())
                    .ok()
                    .and_then(|r| r.message().ok());
                let ctx = self.chat_of(value).await?;
                match (content, ctx.conversation_id) {
                    (Some(content), Some(id)) => {
                        let message = self.store_observed_message(id, content).await?;
                        Ok(Intent::Message(message.id, ctx))
                    }
                    _ => Ok(Intent::Plain(ctx)),
                }
            }
            _ => Ok(Intent::Plain(self.context_of(value).await?)),
        }
    }

    /// The conversation a body's ids name, for its exchange.
    async fn context_of(&self, value: Value) -> Result<CallContext> {
        let row = self
            .store()
            .read(move |conn| named_conversation(conn, &value))
            .await?;
        Ok(row.as_ref().map(Engine::context).unwrap_or_default())
    }

    /// As [`Engine::context_of`] for a call the hosting service makes about a chat in
    /// progress: one that began before the proxy started is adopted, since the hosting
    /// service, which sent it, knows it.
    async fn chat_of(&self, value: Value) -> Result<CallContext> {
        let profile = self.profile().name;
        let (row, adopted) = self
            .store()
            .write(move |conn| {
                if let Some(row) = named_conversation(conn, &value)? {
                    return Ok((Some(row), false));
                }
                let adopted = adopt(conn, &value, ConversationState::Chatting, &profile)?;
                Ok((named_conversation(conn, &value)?, adopted))
            })
            .await?;
        if let (Some(row), true) = (&row, adopted) {
            self.announce(row).await?;
        }
        Ok(row.as_ref().map(Engine::context).unwrap_or_default())
    }

    /// A request that opens a chat: its customer (known by `openId`, or new), and a new
    /// conversation unless one is in progress (then webchat will refuse it, and the one in
    /// progress carries on).
    async fn open_observed(
        &self,
        customer: NewCustomer,
        asked: SystemLine,
        value: &Value,
    ) -> Result<Intent> {
        let open_id = customer.open_id.clone().unwrap_or_default();
        let (customer_id, created) = self
            .store()
            .write(
                move |conn| match customers::id_by_open_id(conn, &open_id)? {
                    Some(id) => Ok((id, false)),
                    None => Ok((customers::insert(conn, &open_id, &customer)?, true)),
                },
            )
            .await?;
        if created {
            let customer = self.customer(customer_id).await?;
            self.publish(EngineEvent::CustomerChanged { customer });
        }
        match open_request(self, customer_id, asked).await {
            Ok(row) => Ok(Intent::Request(Box::new(row))),
            Err(crate::EngineError::WrongState { .. }) => {
                Ok(Intent::Plain(self.context_of(value.clone()).await?))
            }
            Err(e) => Err(e),
        }
    }

    /// Stores a customer message seen on its way, pending, and notes the media it names
    /// (their bytes come when webchat downloads them). The same content again after a
    /// failure is that message's re-send, as the hosting service's resend is: no new line.
    async fn store_observed_message(
        &self,
        conversation_id: i64,
        content: MessageContent,
    ) -> Result<Message> {
        let account = self.profile().epid.clone();
        let line = NewMessage::outgoing(conversation_id, &content);
        let (message, new) = self
            .store()
            .write(move |conn| {
                if let Some(sent_before) = messages::failed_twin(conn, conversation_id, &line.body)?
                {
                    return Ok((sent_before, false));
                }
                for (media_id, kind) in named_media(&content) {
                    media::insert_new(conn, &awaited_media(media_id, kind, &account))?;
                }
                Ok((messages::insert(conn, &line)?, true))
            })
            .await?;
        if new {
            self.publish(EngineEvent::MessageAdded {
                message: message.clone(),
            });
        }
        Ok(message)
    }

    /// Stores the exchange once answered and what its answer means.
    async fn settle(&self, seen: Seen, intent: Intent, answer: Answered) -> Result<()> {
        match seen.direction {
            ExchangeDirection::Out => self.settle_call(seen, intent, answer).await,
            ExchangeDirection::In => self.settle_callback(seen, answer).await,
        }
    }

    /// A `*.do` call: logged as the engine's client logs its own, then the command's
    /// bookkeeping for the answer.
    async fn settle_call(&self, seen: Seen, intent: Intent, answer: Answered) -> Result<()> {
        let Some(endpoint) = Endpoint::from_path(url_path(&seen.path)) else {
            return self.log_plain(seen, answer, CallContext::default()).await;
        };
        let ctx = match &intent {
            Intent::Plain(ctx) | Intent::Transfer(ctx) | Intent::Message(_, ctx) => ctx.clone(),
            Intent::Request(row) => Engine::context(row),
        };
        let conversation = ctx.conversation_id;
        // A refusal, a failure or a gateway's answer is the caller's outcome, as it is for
        // the commands: stored as such, not an error of the observer.
        match (endpoint, intent) {
            (Endpoint::CreateCon | Endpoint::TransferCon, Intent::Request(row)) => {
                let answer = self
                    .log_call::<CreateConAnswer>(endpoint, &seen, &ctx, answer)
                    .await;
                let _ = settle_request(self, *row, endpoint, answer).await;
            }
            (Endpoint::TransferCon, Intent::Transfer(_)) => {
                let answer = self
                    .log_call::<CreateConAnswer>(endpoint, &seen, &ctx, answer)
                    .await;
                if let (Ok(a), Some(id)) = (answer, conversation) {
                    let _ = settle_transfer(self, id, a).await;
                }
            }
            (Endpoint::GetMsg, Intent::Message(id, _)) => {
                let answer = self
                    .log_call::<BasicAnswer>(endpoint, &seen, &ctx, answer)
                    .await;
                let _ = self.settle_delivery(id, answer).await;
            }
            (Endpoint::GetQueueLength, _) => {
                let answer = self
                    .log_call::<QueueLengthAnswer>(endpoint, &seen, &ctx, answer)
                    .await;
                if let (Ok(a), Some(id)) = (answer, conversation) {
                    if a.result.is_success() {
                        let position = a.order_in_queue;
                        self.update_conversation(id, None, move |r| r.queue_position = position)
                            .await?;
                    }
                }
            }
            _ => {
                let answer = self
                    .log_call::<BasicAnswer>(endpoint, &seen, &ctx, answer)
                    .await;
                let accepted = matches!(&answer, Ok(a) if a.result.is_success());
                let Some(id) = conversation else {
                    return Ok(());
                };
                match endpoint {
                    Endpoint::Pulse => self.publish(EngineEvent::Pulse {
                        conversation_id: id,
                        alive: accepted,
                        at: now_ms(),
                    }),
                    Endpoint::CancelRequest if accepted => {
                        settle_cancel(self, id).await?;
                    }
                    Endpoint::CloseCon if accepted => {
                        settle_close(self, id).await?;
                    }
                    Endpoint::RateSession if accepted => {
                        if let Ok(rated) = serde_json::from_slice::<Value>(&seen.body)
                            .map_err(|_| ())
                            .and_then(|v| parse_value::<RateSessionRequest>(v).map_err(|_| ()))
                        {
                            settle_rate(self, id, rated.rating_id.key(), rated.rating_comment)
                                .await?;
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Logs a `*.do` exchange as the client does and reads its answer as the client would.
    async fn log_call<A: DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        seen: &Seen,
        ctx: &CallContext,
        answer: Answered,
    ) -> std::result::Result<A, CallError> {
        let text = String::from_utf8_lossy(&answer.body).into_owned();
        let parsed = read_answer::<A>(endpoint, answer.status, &text);
        let exchange = judged(
            Sent {
                endpoint,
                url: seen.path.clone(),
                ctx,
                request_headers: seen.headers.clone(),
                request_body: String::from_utf8_lossy(&seen.body).into_owned(),
                started_at: seen.started_at,
            },
            Some(answer.status),
            Some(text),
            &parsed,
            answer.duration_us,
        );
        self.client().log(exchange).await;
        parsed.map(|(a, _)| a)
    }

    /// A callback or a media download: applied (a callback the hosting service took) and
    /// logged in one transaction, as the listener does.
    async fn settle_callback(&self, seen: Seen, answer: Answered) -> Result<()> {
        let path = url_path(&seen.path);
        if path.starts_with("/wechat/") {
            return self.settle_download(seen, answer).await;
        }
        let Some(kind) = CallbackKind::from_path(path) else {
            return self.log_plain(seen, answer, CallContext::default()).await;
        };
        let settings = self.settings();
        let taken = (200..300).contains(&answer.status);
        let callback = serde_json::from_slice::<Value>(&seen.body)
            .ok()
            .filter(|_| taken)
            .and_then(|value| Callback::from_value(kind, value, &settings.sanitizer).ok());
        let Some(callback) = callback else {
            let value = serde_json::from_slice::<Value>(&seen.body).unwrap_or(Value::Null);
            let ctx = self.context_of(value).await?;
            return self.log_plain(seen, answer, ctx).await;
        };
        let log = in_exchange(&seen, Some(kind.path()), &answer);
        let media_file = (kind == CallbackKind::GetMedia)
            .then(|| answered_file(&answer.body))
            .flatten();
        let taken_as_known = log.exchange.result_code == Some(1);
        let body = serde_json::from_slice::<Value>(&seen.body).unwrap_or(Value::Null);
        let (applied, row, customer) = self
            .store()
            .write(move |conn| {
                let mut applied = apply(conn, &callback, &settings)?;
                let refused = applied
                    .answer
                    .get("result")
                    .or_else(|| applied.answer.get("code"));
                if taken_as_known && refused.and_then(Value::as_i64) != Some(1) {
                    // The hosting service knew what we do not: a chat that began before
                    // the proxy started. It is adopted, and the callback applied to it.
                    let state = match kind {
                        CallbackKind::Create | CallbackKind::UpdateRequestStatus => {
                            ConversationState::Queued
                        }
                        _ => ConversationState::Chatting,
                    };
                    if adopt(conn, &body, state, &settings.profile.name)? {
                        applied = apply(conn, &callback, &settings)?;
                    }
                }
                let mut exchange = log.clone().with_history(applied.findings.clone());
                exchange.open_id = applied.open_id.clone();
                exchange.conversation_id = applied.conversation.as_ref().map(|c| c.id);
                if let (Some(file), Callback::GetMedia(cb)) = (&media_file, &callback) {
                    name_media(conn, &cb.media_id.key(), file)?;
                }
                let row = exchanges::insert(conn, &exchange)?;
                let customer = match &applied.conversation {
                    Some(c) => Some(customers::fetch(conn, c.customer_id)?),
                    None => None,
                };
                Ok((applied, row, customer))
            })
            .await?;
        self.announce_applied(row, applied, customer);
        Ok(())
    }

    /// `GET /wechat/…`: the file webchat downloaded is kept, so that the customer's media
    /// shows. Logged like the listener's own downloads: its bytes summarized, no chat.
    async fn settle_download(&self, seen: Seen, answer: Answered) -> Result<()> {
        let query = seen.path.split_once('?').map_or("", |(_, q)| q);
        let file = crate::access::query_value(query, "file")
            .filter(|f| crate::media::is_plain_file_name(f))
            .map(str::to_owned);
        if answer.status != 200 {
            return self.log_plain(seen, answer, CallContext::default()).await;
        }
        let exchange = in_exchange(&seen, Some("/wechat/"), &answer).with_history(vec![]);
        if let Some(file) = file {
            tokio::fs::write(self.inner.media.dir().join(&file), &answer.body).await?;
            let mime = answer
                .content_type
                .clone()
                .unwrap_or_else(|| crate::media::mime_for(&file).into());
            let sha256 = hex::encode(Sha256::digest(&answer.body));
            let size = answer.body.len() as i64;
            self.store()
                .write(move |conn| {
                    if let Some(mut m) = media::by_file(conn, &file)? {
                        m.mime = mime.clone();
                        m.sha256 = sha256.clone();
                        m.size = size;
                        media::update(conn, &m)?;
                    }
                    Ok(())
                })
                .await?;
        }
        self.client().log(exchange).await;
        Ok(())
    }

    /// An exchange that changes nothing, with its body findings.
    async fn log_plain(&self, seen: Seen, answer: Answered, ctx: CallContext) -> Result<()> {
        let path = url_path(&seen.path);
        let operation = match seen.direction {
            // Only what is no `*.do` comes here (an agent picture fetched through the proxy).
            ExchangeDirection::Out => None,
            ExchangeDirection::In if path.starts_with("/wechat/") => Some("/wechat/"),
            ExchangeDirection::In => CallbackKind::from_path(path).map(|k| k.path()),
        };
        let mut exchange = in_exchange(&seen, operation, &answer).with_history(vec![]);
        exchange.direction = seen.direction;
        exchange.open_id = ctx.open_id;
        exchange.conversation_id = ctx.conversation_id;
        self.client().log(exchange).await;
        Ok(())
    }
}

/// An exchange of the callback side, judged as the listener judges its own: the request's
/// findings in it, the answer's apart, to come after those the history adds.
#[derive(Clone)]
struct Logged {
    exchange: NewExchange,
    answer_findings: Vec<Finding>,
}

impl Logged {
    /// The exchange with its findings in the listener's order: the body's, the history's
    /// (`callbacks::apply`), the answer's.
    fn with_history(self, history: Vec<Finding>) -> NewExchange {
        let mut exchange = self.exchange;
        exchange.findings.extend(history);
        exchange.findings.extend(self.answer_findings);
        exchange
    }
}

/// An answer's body as the wire log keeps it: text as it came, media bytes summarized as
/// the listener summarizes the files it serves.
fn kept_text(answer: &Answered) -> String {
    match answer.content_type.as_deref() {
        Some(mime)
            if ["image/", "audio/", "video/", "application/octet-stream"]
                .iter()
                .any(|kind| mime.starts_with(kind)) =>
        {
            let sha256 = hex::encode(Sha256::digest(&answer.body));
            crate::media::summary(answer.body.len(), mime, &sha256)
        }
        _ => String::from_utf8_lossy(&answer.body).into_owned(),
    }
}

fn in_exchange(seen: &Seen, operation: Option<&str>, answer: &Answered) -> Logged {
    let request_body = String::from_utf8_lossy(&seen.body).into_owned();
    let response_body = kept_text(answer);
    let value = serde_json::from_slice::<Value>(&answer.body).ok();
    let result_code = value
        .as_ref()
        .and_then(|v| v.get("result").or_else(|| v.get("code")))
        .and_then(Value::as_i64);
    let ok = (200..300).contains(&answer.status);
    let findings = request_findings(operation, &request_body);
    let answer_side = answer_findings(operation, Some(answer.status), Some(&response_body));
    Logged {
        exchange: NewExchange {
            direction: ExchangeDirection::In,
            method: seen.method.clone(),
            path: seen.path.clone(),
            operation: operation.map(str::to_owned),
            open_id: None,
            conversation_id: None,
            request_headers: seen.headers.clone(),
            request_body,
            status: Some(answer.status),
            result_code,
            outcome: ExchangeOutcome::judge(Some(answer.status), result_code, true),
            error: (!ok).then(|| {
                let message = value
                    .as_ref()
                    .and_then(|v| {
                        v.get("message")
                            .or_else(|| v.pointer("/error/message"))
                            .and_then(Value::as_str)
                    })
                    .map_or_else(|| response_body.chars().take(300).collect(), str::to_owned);
                format!("HTTP {}: {message}", answer.status)
            }),
            response_body: Some(response_body),
            started_at: seen.started_at,
            duration_us: answer.duration_us,
            findings,
        },
        answer_findings: answer_side,
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

/// Adopts a chat the body names that began before the proxy started: its customer (by
/// `openId`, new if unknown) and, unless that customer has a chat in progress, a
/// conversation in `state` with the ids the body gives (`sessionId`, `agentId`,
/// `requestId`, `agentName`). False when the body names no customer.
fn adopt(
    conn: &rusqlite::Connection,
    body: &Value,
    state: ConversationState,
    profile: &str,
) -> Result<bool> {
    let id = |field: &str| {
        body.get(field)
            .filter(|v| v.is_string() || v.is_number())
            .and_then(|v| serde_json::from_value::<WireId>(v.clone()).ok())
    };
    let Some(open_id) = id("openId").map(|o| o.key()).filter(|o| !o.is_empty()) else {
        return Ok(false);
    };
    let customer = match customers::id_by_open_id(conn, &open_id)? {
        Some(customer) => customer,
        None => customers::insert(
            conn,
            &open_id,
            &NewCustomer {
                open_id: Some(open_id.clone()),
                nickname: open_id.clone(),
                head_img_url: None,
                source: None,
                brand: None,
                skill_group: 0,
                agent_id: None,
                tracks: None,
            },
        )?,
    };
    if conversations::active_for_customer(conn, customer)?.is_some() {
        return Ok(true);
    }
    let mut row = conversations::insert(conn, customer, profile)?;
    row.set_state(state);
    if let Some(session) = id("sessionId").filter(|s| s.key() != "0") {
        row.set_session_id(&session);
    }
    if let Some(agent) = id("agentId") {
        row.set_agent(&agent);
    }
    if let Some(request) = id("requestId") {
        row.set_request_id(&request);
    }
    row.agent_name = body
        .get("agentName")
        .and_then(Value::as_str)
        .map(str::to_owned);
    conversations::save(conn, row)?;
    Ok(true)
}

/// The media ids a message names, with the type webchat downloads each under.
fn named_media(content: &MessageContent) -> Vec<(String, MediaKind)> {
    match content {
        MessageContent::Image(c) => vec![(c.media_id.clone(), MediaKind::Image)],
        MessageContent::Voice(c) => vec![(c.media_id.clone(), MediaKind::Voice)],
        MessageContent::Video(c) => vec![
            (c.media_id.clone(), MediaKind::Video),
            (c.thumb_media_id.clone(), MediaKind::Thumb),
        ],
        _ => vec![],
    }
}

/// A media row for a file the hosting service has and webchat will download: named after
/// its id until `/ari/getMedia` tells its file name, empty until the download.
fn awaited_media(media_id: String, kind: MediaKind, account: &str) -> Media {
    Media {
        file_name: format!("{media_id}.awaited"),
        original_name: String::new(),
        mime: String::new(),
        size: 0,
        sha256: String::new(),
        service_account: account.to_owned(),
        created_at: now_ms(),
        media_id,
        kind,
    }
}

/// The file name a `/ari/getMedia` answer gives (`code` 1, `message`).
fn answered_file(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    (value.get("code").and_then(Value::as_i64) == Some(1))
        .then(|| value.get("message")?.as_str().map(str::to_owned))
        .flatten()
        .filter(|f| crate::media::is_plain_file_name(f))
}

/// Names an awaited media file as the hosting service does, for its download.
fn name_media(conn: &rusqlite::Connection, media_id: &str, file: &str) -> Result<()> {
    if let Some(mut m) = media::fetch(conn, media_id)? {
        if m.size == 0 && m.file_name != file {
            m.file_name = file.to_owned();
            media::update(conn, &m)?;
        }
    }
    Ok(())
}
