//! The `*.do` side of a watched pair: what a call means when it arrives (a chat request
//! opens a conversation, a message is stored pending, a chat in progress is taken up) and,
//! once answered, the exchange logged as the engine's client logs its own and the
//! commands' bookkeeping for the answer.

use serde::de::DeserializeOwned;
use serde_json::Value;
use wxsim_protocol::parse::parse_value;
use wxsim_protocol::{
    BasicAnswer, CreateConAnswer, CreateConRequest, Endpoint, GetMsgRequest, MessageContent,
    QueueLengthAnswer, RateSessionRequest, TransferConRequest,
};

use crate::callbacks::named_conversation;
use crate::client::{judged, read_answer, CallContext, CallError, Sent};
use crate::commands::{
    open_request, settle_cancel, settle_close, settle_rate, settle_request, settle_transfer,
};
use crate::engine::Engine;
use crate::error::Result;
use crate::events::EngineEvent;
use crate::model::{ConversationState, ExchangeDirection, Media, MediaKind, Message, NewCustomer};
use crate::store::{customers, media, messages, now_ms, NewMessage};
use crate::system_line::SystemLine;

use super::adopt::{adopt, known_by};
use super::{url_path, Answered, Intent, Seen};

impl Engine {
    /// Stores what a request means before its answer, as the command that sends it would.
    pub(super) async fn intend(&self, seen: &Seen) -> Result<Intent> {
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
                    let customer = known_by(&request.open_id.key());
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
    pub(super) async fn context_of(&self, value: Value) -> Result<CallContext> {
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

    /// bookkeeping for the answer.
    pub(super) async fn settle_call(
        &self,
        seen: Seen,
        intent: Intent,
        answer: Answered,
    ) -> Result<()> {
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
