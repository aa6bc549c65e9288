//! The tester's commands: customers, chat requests, messages of every type, cancel,
//! transfer, close, rate and queue position. Each stores its intent before it calls
//! webchat and its outcome after.

use bytes::Bytes;
use rand::distributions::Alphanumeric;
use rand::Rng;
use wxsim_protocol::{
    BasicAnswer, CancelRequestRequest, ChatSessionId, CloseConRequest, CreateConAnswer,
    CreateConRequest, CreateTime, Endpoint, GetMsgRequest, GetQueueLengthRequest, MessageContent,
    QueueLengthAnswer, RateSessionRequest, RatingOption, ResultCode, TransferConRequest, WireId,
};

use crate::client::CallError;
use crate::config::{CreateTimeFormat, TransferReading};
use crate::engine::Engine;
use crate::error::{EngineError, Result};
use crate::events::EngineEvent;
use crate::model::{
    Conversation, ConversationState, Customer, Delivery, Media, MediaKind, Message, NewCustomer,
};
use crate::store::{
    conversations, customers, media, messages, now_ms, ConversationRow, NewMessage,
};
use crate::system_line::{Ask, SystemLine};

/// The time in the form the profile asks for (reading 4 of `interface.md`).
pub(crate) fn create_time(format: CreateTimeFormat) -> CreateTime {
    match format {
        CreateTimeFormat::Text => {
            CreateTime::Text(chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string())
        }
        CreateTimeFormat::EpochMillis => CreateTime::Millis(now_ms()),
    }
}

fn rejected(endpoint: Endpoint, code: ResultCode, message: String) -> EngineError {
    EngineError::Rejected {
        endpoint,
        code,
        message,
    }
}

/// A customer message on its way to webchat.
enum Outgoing {
    /// Just stored, with the conversation the caller read for it (boxed: the rows are
    /// large beside an id).
    Fresh(Box<(Message, ConversationRow)>),
    /// Stored before (a re-send): read again once the send is ours, because another send
    /// may have finished it in between.
    Stored(i64),
}

/// A message's claim on being sent: only one send of it at a time, released however the
/// send ends (an error, a panic, or the task being dropped at shutdown).
struct Sending<'a> {
    engine: &'a Engine,
    message_id: i64,
}

impl<'a> Sending<'a> {
    fn claim(engine: &'a Engine, message_id: i64) -> Option<Sending<'a>> {
        let claimed = engine
            .inner
            .in_flight
            .lock()
            .expect("in-flight lock")
            .insert(message_id);
        claimed.then_some(Sending { engine, message_id })
    }
}

impl Drop for Sending<'_> {
    fn drop(&mut self) {
        self.engine
            .inner
            .in_flight
            .lock()
            .expect("in-flight lock")
            .remove(&self.message_id);
    }
}

impl Engine {
    pub async fn create_customer(&self, new: NewCustomer) -> Result<Customer> {
        self.hosting()?;
        self.detached(move |e| create_customer(e, new)).await
    }

    /// Marks every agent message of the customer as read.
    pub async fn mark_read(&self, customer_id: i64) -> Result<Customer> {
        self.detached(move |e| mark_read(e, customer_id)).await
    }

    /// Stores a file the tester gives and returns its media id.
    pub async fn upload_media(
        &self,
        kind: MediaKind,
        original_name: &str,
        bytes: impl Into<Bytes>,
    ) -> Result<Media> {
        self.hosting()?;
        let (name, bytes) = (original_name.to_owned(), bytes.into());
        self.detached(move |e| upload_media(e, kind, name, bytes))
            .await
    }

    /// `createcon.do`: asks webchat for a chat.
    pub async fn request_chat(&self, customer_id: i64) -> Result<Conversation> {
        self.hosting()?;
        self.detached(move |e| request_chat(e, customer_id)).await
    }

    /// Stores a customer message, then sends it with `getmsg.do`.
    pub async fn send_message(&self, customer_id: i64, content: MessageContent) -> Result<Message> {
        self.hosting()?;
        self.detached(move |e| send_message(e, customer_id, content))
            .await
    }

    /// Sends a stored customer message that is pending or failed, again.
    pub async fn resend(&self, message_id: i64) -> Result<Message> {
        self.hosting()?;
        self.detached(move |e| resend(e, message_id)).await
    }

    /// `cancelRequest.do` for a queued request.
    pub async fn cancel(&self, customer_id: i64) -> Result<Conversation> {
        self.hosting()?;
        self.detached(move |e| cancel(e, customer_id)).await
    }

    /// `transferCon.do`: hand a robot chat over to a human agent.
    pub async fn transfer(&self, customer_id: i64, info: &str) -> Result<Conversation> {
        self.hosting()?;
        let info = info.to_owned();
        self.detached(move |e| transfer(e, customer_id, info)).await
    }

    /// `closecon.do`: the customer ends the chat.
    pub async fn close(&self, customer_id: i64) -> Result<Conversation> {
        self.hosting()?;
        self.detached(move |e| close(e, customer_id)).await
    }

    /// `ratesession.do` for the customer's latest chat.
    pub async fn rate(
        &self,
        customer_id: i64,
        rating_id: &str,
        comment: &str,
    ) -> Result<Conversation> {
        self.hosting()?;
        let (rating_id, comment) = (rating_id.to_owned(), comment.to_owned());
        self.detached(move |e| rate(e, customer_id, rating_id, comment))
            .await
    }

    /// `getQueueLength.do`: the customer's place in the queue, also stored.
    pub async fn queue_position(&self, customer_id: i64) -> Result<Option<i64>> {
        self.hosting()?;
        self.detached(move |e| queue_position(e, customer_id)).await
    }
}

impl Engine {
    /// Runs `change` on the conversation inside one transaction, with a transcript line,
    /// then announces it.
    pub(crate) async fn update_conversation(
        &self,
        id: i64,
        note: Option<SystemLine>,
        mut change: impl FnMut(&mut ConversationRow) + Send + 'static,
    ) -> Result<ConversationRow> {
        let (row, line) = self
            .store()
            .write(move |conn| {
                let mut row = conversations::fetch(conn, id)?;
                change(&mut row);
                let line = note.as_ref().map(|line| NewMessage::system(id, line));
                conversations::save_with_line(conn, row, line)
            })
            .await?;
        if let Some(message) = line {
            self.publish(EngineEvent::MessageAdded { message });
        }
        self.announce(&row).await?;
        Ok(row)
    }

    async fn latest(&self, customer_id: i64) -> Result<Option<ConversationRow>> {
        self.store()
            .read(move |conn| {
                customers::fetch(conn, customer_id)?;
                conversations::latest_for_customer(conn, customer_id)
            })
            .await
    }

    /// The customer's conversation if it is in one of `states`.
    async fn in_state(
        &self,
        customer_id: i64,
        states: &[ConversationState],
        needed: &'static str,
        hint: &'static str,
    ) -> Result<ConversationRow> {
        let latest = self.latest(customer_id).await?;
        match latest {
            Some(row) if states.contains(&row.state()) => Ok(row),
            other => Err(EngineError::wrong_state(
                customer_id,
                needed,
                other.map(|r| r.state()),
                hint,
            )),
        }
    }

    /// Sends the message unless a send of it is under way.
    async fn deliver(&self, outgoing: Outgoing) -> Result<Message> {
        let message_id = match &outgoing {
            Outgoing::Fresh(fresh) => fresh.0.id,
            Outgoing::Stored(id) => *id,
        };
        let Some(_sending) = Sending::claim(self, message_id) else {
            return Err(EngineError::Invalid(format!(
                "message {message_id} is being sent right now; wait for its outcome"
            )));
        };
        self.deliver_once(outgoing).await
    }

    async fn deliver_once(&self, outgoing: Outgoing) -> Result<Message> {
        let (message, row) = match outgoing {
            Outgoing::Fresh(fresh) => *fresh,
            Outgoing::Stored(id) => {
                let message = self.store().message(id).await?;
                if message.delivery == Delivery::Sent {
                    return Ok(message);
                }
                let row = self
                    .store()
                    .conversation_row(message.conversation_id)
                    .await?;
                (message, row)
            }
        };
        let message_id = message.id;
        let content = message.content.clone().ok_or_else(|| {
            EngineError::Invalid(format!("message {message_id} has no content to send"))
        })?;
        let (Some(session), Some(agent)) = (row.session_id(), row.agent()) else {
            return Err(EngineError::wrong_state(
                row.customer_id,
                "chatting",
                Some(row.state()),
                "wait for an agent",
            ));
        };
        let settings = self.settings();
        let profile = &settings.profile;
        let request = GetMsgRequest {
            session_id: session.into(),
            epid: Some(profile.epid.clone()),
            agent_id: agent.into(),
            open_id: WireId::Text(row.open_id.clone()).into(),
            msg_type: content.msg_type(),
            content: content.to_wire(profile.content_encoding),
        };
        let answer = self
            .client()
            .call::<BasicAnswer>(
                &self.target(),
                Endpoint::GetMsg,
                &request,
                &Engine::context(&row),
            )
            .await;
        self.settle_delivery(message_id, answer).await
    }

    /// Stores what webchat's answer to a message's `getmsg.do` says of it: sent, or failed
    /// with the code or the error.
    pub(crate) async fn settle_delivery(
        &self,
        message_id: i64,
        answer: std::result::Result<BasicAnswer, CallError>,
    ) -> Result<Message> {
        let (delivery, code, error) = match &answer {
            Ok(a) if a.result.is_success() => (Delivery::Sent, Some(a.result.code()), None),
            Ok(a) => (
                Delivery::Failed,
                Some(a.result.code()),
                Some(format!("{}: {}", a.result, a.message)),
            ),
            Err(e) => (Delivery::Failed, None, Some(e.to_string())),
        };
        let updated = self
            .store()
            .write(move |conn| {
                messages::set_delivery(conn, message_id, delivery, code, error.as_deref())
            })
            .await?;
        self.publish(EngineEvent::MessageUpdated {
            message: updated.clone(),
        });
        match answer {
            Ok(a) if a.result.is_success() => Ok(updated),
            Ok(a) => Err(rejected(Endpoint::GetMsg, a.result, a.message)),
            Err(e) => Err(e.into()),
        }
    }

    pub(crate) async fn poll_queue(&self, row: &ConversationRow) -> Result<Option<i64>> {
        let Some(request_id) = row.request_id() else {
            return Err(EngineError::Invalid(
                "webchat has not told us this request's id yet; try again in a moment".into(),
            ));
        };
        let request = GetQueueLengthRequest {
            request_id: request_id.into(),
            epid: Some(self.settings().profile.epid.clone()),
        };
        let a = self
            .client()
            .call::<QueueLengthAnswer>(
                &self.target(),
                Endpoint::GetQueueLength,
                &request,
                &Engine::context(row),
            )
            .await?;
        if !a.result.is_success() {
            return Err(rejected(Endpoint::GetQueueLength, a.result, a.message));
        }
        let position = a.order_in_queue;
        self.update_conversation(row.id, None, move |r| r.queue_position = position)
            .await?;
        Ok(a.order_in_queue)
    }
}

async fn create_customer(engine: Engine, new: NewCustomer) -> Result<Customer> {
    if new.nickname.trim().is_empty() {
        return Err(EngineError::Invalid("a customer needs a nickname".into()));
    }
    let open_id = match new.open_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ => {
            let tail: String = rand::thread_rng()
                .sample_iter(&Alphanumeric)
                .take(27)
                .map(char::from)
                .collect();
            format!("o{tail}")
        }
    };
    let id = engine
        .store()
        .write(move |conn| customers::insert(conn, &open_id, &new))
        .await?;
    let customer = engine.customer(id).await?;
    engine.publish(EngineEvent::CustomerChanged {
        customer: customer.clone(),
    });
    Ok(customer)
}

async fn mark_read(engine: Engine, customer_id: i64) -> Result<Customer> {
    engine
        .store()
        .write(move |conn| customers::mark_read(conn, customer_id))
        .await?;
    let customer = engine.customer(customer_id).await?;
    engine.publish(EngineEvent::CustomerChanged {
        customer: customer.clone(),
    });
    Ok(customer)
}

async fn upload_media(
    engine: Engine,
    kind: MediaKind,
    original_name: String,
    bytes: Bytes,
) -> Result<Media> {
    let saved = engine
        .inner
        .media
        .save(
            kind,
            &original_name,
            &engine.settings().profile.epid.clone(),
            &bytes,
        )
        .await?;
    let stored = saved.clone();
    engine
        .store()
        .write(move |conn| media::insert(conn, &stored))
        .await?;
    Ok(saved)
}

async fn request_chat(engine: Engine, customer_id: i64) -> Result<Conversation> {
    let customer = engine.customer(customer_id).await?;
    let settings = engine.settings();
    let profile = &settings.profile;
    let row = open_request(&engine, customer_id, SystemLine::ChatRequested).await?;
    let request = CreateConRequest {
        open_id: WireId::Text(customer.open_id.clone()).into(),
        skill_group: customer.skill_group,
        nickname: Some(customer.nickname.clone()),
        head_img_url: customer.head_img_url.clone(),
        request_time: now_ms(),
        epid: Some(profile.epid.clone()),
        service_account: Some(profile.service_account.clone()),
        agent_id: customer.agent_id.clone().map(Into::into),
        from: customer.source,
        brand: customer.brand.clone(),
        tracks: customer.tracks.clone(),
    };
    let answer = engine
        .client()
        .call::<CreateConAnswer>(
            &engine.target(),
            Endpoint::CreateCon,
            &request,
            &Engine::context(&row),
        )
        .await;
    settle_request(&engine, row, Endpoint::CreateCon, answer).await
}

/// Stores a new conversation for the customer, who must have none in progress, with its
/// first transcript line: written before the call, it comes before every status webchat
/// sends while the call is answered.
pub(crate) async fn open_request(
    engine: &Engine,
    customer_id: i64,
    asked: SystemLine,
) -> Result<ConversationRow> {
    let profile_name = engine.settings().profile.name.clone();
    let (row, line) = engine
        .store()
        .write(move |conn| {
            if let Some(active) = conversations::active_for_customer(conn, customer_id)? {
                return Err(EngineError::wrong_state(
                    customer_id,
                    "finished",
                    Some(active.state()),
                    "cancel or close the current chat before requesting another",
                ));
            }
            let row = conversations::insert(conn, customer_id, &profile_name)?;
            let line = messages::insert(conn, &NewMessage::system(row.id, &asked))?;
            Ok((row, line))
        })
        .await?;
    engine.publish(EngineEvent::MessageAdded { message: line });
    engine.announce(&row).await?;
    Ok(row)
}

/// Stores what the answer to a request that opened `row` (createcon.do, or a hand-over's
/// transferCon.do) says: queued (or chatting), refused, or failed.
pub(crate) async fn settle_request(
    engine: &Engine,
    row: ConversationRow,
    endpoint: Endpoint,
    answer: std::result::Result<CreateConAnswer, CallError>,
) -> Result<Conversation> {
    let ask = match endpoint {
        Endpoint::TransferCon => Ask::HandOver,
        _ => Ask::Chat,
    };
    match answer {
        Ok(a) if a.result.is_success() => {
            let note = SystemLine::RequestAnswered {
                endpoint: endpoint.path().into(),
                queue_length: a.queue_length,
            };
            let row = engine
                .update_conversation(row.id, Some(note), move |r| apply_create_answer(r, &a))
                .await?;
            Ok(row.view())
        }
        Ok(a) => {
            let note = SystemLine::RequestRefused {
                ask,
                result: a.result.code(),
                message: a.message.clone(),
            };
            let (code, message) = (a.result.code(), a.message.clone());
            engine
                .update_conversation(row.id, Some(note), move |r| {
                    r.set_state(ConversationState::Failed);
                    r.result_code = Some(code);
                    r.status_message = Some(message.clone());
                })
                .await?;
            Err(rejected(endpoint, a.result, a.message))
        }
        Err(e) => {
            let message = e.to_string();
            let note = SystemLine::RequestFailed {
                ask,
                error: message.clone(),
            };
            engine
                .update_conversation(row.id, Some(note), move |r| {
                    r.set_state(ConversationState::Failed);
                    r.status_message = Some(message.clone());
                })
                .await?;
            Err(e.into())
        }
    }
}

async fn send_message(
    engine: Engine,
    customer_id: i64,
    content: MessageContent,
) -> Result<Message> {
    let row = engine
        .in_state(
            customer_id,
            &[ConversationState::Chatting],
            "chatting",
            "request a chat and wait for an agent first",
        )
        .await?;
    for id in content.media_ids() {
        if engine.store().media(id).await?.is_none() {
            return Err(EngineError::UnknownMedia(id.into()));
        }
    }
    let line = NewMessage::outgoing(row.id, &content);
    let message = engine
        .store()
        .write(move |conn| messages::insert(conn, &line))
        .await?;
    engine.publish(EngineEvent::MessageAdded {
        message: message.clone(),
    });
    engine
        .deliver(Outgoing::Fresh(Box::new((message, row))))
        .await
}

async fn resend(engine: Engine, message_id: i64) -> Result<Message> {
    let message = engine.store().message(message_id).await?;
    if message.delivery == Delivery::Sent || message.content.is_none() {
        return Err(EngineError::Invalid(format!(
            "message {message_id} is not an unsent customer message; only pending or failed ones can be re-sent"
        )));
    }
    engine.deliver(Outgoing::Stored(message_id)).await
}

async fn cancel(engine: Engine, customer_id: i64) -> Result<Conversation> {
    let row = engine
        .in_state(
            customer_id,
            &[ConversationState::Requesting, ConversationState::Queued],
            "queued",
            "only a queued request can be cancelled",
        )
        .await?;
    let Some(request_id) = row.request_id() else {
        return Err(EngineError::Invalid(
            "webchat has not told us this request's id yet (it comes with the first status update); try again in a moment".into(),
        ));
    };
    let request = CancelRequestRequest {
        // Required by the spec; a queued request has no session yet, so 0 stands for none.
        session_id: Some(row.session_id().unwrap_or(WireId::Num(0)).into()),
        open_id: WireId::Text(row.open_id.clone()).into(),
        request_id: request_id.into(),
        create_time: create_time(engine.settings().profile.create_time_format),
        epid: Some(engine.settings().profile.epid.clone()),
    };
    let a = engine
        .client()
        .call::<BasicAnswer>(
            &engine.target(),
            Endpoint::CancelRequest,
            &request,
            &Engine::context(&row),
        )
        .await?;
    if !a.result.is_success() {
        return Err(rejected(Endpoint::CancelRequest, a.result, a.message));
    }
    settle_cancel(&engine, row.id).await
}

/// Stores a cancel webchat accepted.
pub(crate) async fn settle_cancel(engine: &Engine, id: i64) -> Result<Conversation> {
    let row = engine
        .update_conversation(id, Some(SystemLine::RequestCancelled), |r| {
            if r.state().is_active() {
                r.set_state(ConversationState::Canceled);
                r.closed_at = Some(now_ms());
            }
        })
        .await?;
    Ok(row.view())
}

async fn transfer(engine: Engine, customer_id: i64, info: String) -> Result<Conversation> {
    match engine.settings().profile.transfer_reading {
        TransferReading::RobotSession => transfer_robot_session(engine, customer_id, info).await,
        TransferReading::HandOver => hand_over(engine, customer_id, info).await,
    }
}

/// Reading "hand-over from our own robot": the customer has no chat with webchat yet, and
/// transferCon.do opens the request, with the robot's conversation as `transferInfo`.
async fn hand_over(engine: Engine, customer_id: i64, info: String) -> Result<Conversation> {
    let customer = engine.customer(customer_id).await?;
    let row = open_request(&engine, customer_id, SystemLine::HandOverRequested).await?;
    let settings = engine.settings();
    let request = TransferConRequest {
        session_id: Some(WireId::Num(0).into()),
        open_id: WireId::Text(customer.open_id.clone()).into(),
        create_time: create_time(settings.profile.create_time_format),
        transfer_info: info,
        epid: Some(settings.profile.epid.clone()),
    };
    let answer = engine
        .client()
        .call::<CreateConAnswer>(
            &engine.target(),
            Endpoint::TransferCon,
            &request,
            &Engine::context(&row),
        )
        .await;
    settle_request(&engine, row, Endpoint::TransferCon, answer).await
}

/// Reading "transfer from a webchat robot session": a chat in progress with one of
/// webchat's robot groups goes to a human group, in the same session.
async fn transfer_robot_session(
    engine: Engine,
    customer_id: i64,
    info: String,
) -> Result<Conversation> {
    let row = engine
        .in_state(
            customer_id,
            &[ConversationState::Chatting],
            "chatting",
            "transfer needs a chat in progress",
        )
        .await?;
    let session = row
        .session_id()
        .expect("a chatting conversation has a session");
    // The hand-over opens a new request whose statuses start again (WAITING after the robot's
    // ACCEPTED is not a step back); its status updates may come before transferCon's answer.
    let row = engine
        .update_conversation(row.id, Some(SystemLine::TransferRequested), |r| {
            r.request_status = None
        })
        .await?;
    let request = TransferConRequest {
        session_id: Some(session.into()),
        open_id: WireId::Text(row.open_id.clone()).into(),
        create_time: create_time(engine.settings().profile.create_time_format),
        transfer_info: info,
        epid: Some(engine.settings().profile.epid.clone()),
    };
    let a = engine
        .client()
        .call::<CreateConAnswer>(
            &engine.target(),
            Endpoint::TransferCon,
            &request,
            &Engine::context(&row),
        )
        .await?;
    settle_transfer(&engine, row.id, a).await
}

/// Stores what webchat answered to a robot session's transfer: refused, or handed over.
pub(crate) async fn settle_transfer(
    engine: &Engine,
    id: i64,
    a: CreateConAnswer,
) -> Result<Conversation> {
    if !a.result.is_success() {
        engine
            .update_conversation(
                id,
                Some(SystemLine::TransferRefused {
                    result: a.result.code(),
                    message: a.message.clone(),
                }),
                |_| {},
            )
            .await?;
        return Err(rejected(Endpoint::TransferCon, a.result, a.message));
    }
    let row = engine
        .update_conversation(id, None, move |r| {
            if a.session_id.is_none() && r.state() == ConversationState::Chatting {
                r.set_state(ConversationState::Queued);
            }
            r.handed_over_at = Some(now_ms());
            apply_create_answer(r, &a);
        })
        .await?;
    Ok(row.view())
}

async fn close(engine: Engine, customer_id: i64) -> Result<Conversation> {
    let row = engine
        .in_state(
            customer_id,
            &[ConversationState::Chatting],
            "chatting",
            "there is no chat to close",
        )
        .await?;
    let request = CloseConRequest {
        session_id: row
            .session_id()
            .expect("a chatting conversation has a session")
            .into(),
        epid: Some(engine.settings().profile.epid.clone()),
    };
    let a = engine
        .client()
        .call::<BasicAnswer>(
            &engine.target(),
            Endpoint::CloseCon,
            &request,
            &Engine::context(&row),
        )
        .await?;
    if !a.result.is_success() {
        return Err(rejected(Endpoint::CloseCon, a.result, a.message));
    }
    settle_close(&engine, row.id).await
}

/// Stores a close webchat accepted.
pub(crate) async fn settle_close(engine: &Engine, id: i64) -> Result<Conversation> {
    let row = engine
        .update_conversation(id, Some(SystemLine::ClosedByCustomer), |r| {
            if r.state() == ConversationState::Chatting {
                r.set_state(ConversationState::Closed);
                r.closed_by = Some("customer".into());
                r.closed_at = Some(now_ms());
            }
        })
        .await?;
    Ok(row.view())
}

async fn rate(
    engine: Engine,
    customer_id: i64,
    rating_id: String,
    comment: String,
) -> Result<Conversation> {
    let row = engine
        .in_state(
            customer_id,
            &[
                ConversationState::Chatting,
                ConversationState::Closed,
                ConversationState::Rated,
            ],
            "chat to rate",
            "rate after a chat has started",
        )
        .await?;
    let session = row.session_id().expect("a chat that started has a session");
    // Both ids go back in the type webchat gave them: the session's from /ari/create, the
    // option's from the rating prompt (an id it did not offer goes as a number if it is one).
    let offered = row.rating_options().unwrap_or_default();
    let rating = RatingOption::find(&offered, &rating_id).map_or_else(
        || WireId::Text(rating_id.clone()).as_number_if_numeric(),
        |o| o.id.clone(),
    );
    let request = RateSessionRequest {
        chat_session_id: ChatSessionId(session),
        rating_id: rating.into(),
        rating_comment: comment.clone(),
        epid: Some(engine.settings().profile.epid.clone()),
    };
    let a = engine
        .client()
        .call::<BasicAnswer>(
            &engine.target(),
            Endpoint::RateSession,
            &request,
            &Engine::context(&row),
        )
        .await?;
    if !a.result.is_success() {
        return Err(rejected(Endpoint::RateSession, a.result, a.message));
    }
    settle_rate(&engine, row.id, rating_id, comment).await
}

/// Stores a rating webchat accepted.
pub(crate) async fn settle_rate(
    engine: &Engine,
    id: i64,
    rating_id: String,
    comment: String,
) -> Result<Conversation> {
    let note = SystemLine::Rated {
        rating_id: rating_id.clone(),
        comment: comment.clone(),
    };
    let row = engine
        .update_conversation(id, Some(note), move |r| {
            if r.state() != ConversationState::Chatting {
                r.set_state(ConversationState::Rated);
            }
            r.rating_id = Some(rating_id.clone());
            r.rating_comment = Some(comment.clone());
            r.rated_at = Some(now_ms());
        })
        .await?;
    Ok(row.view())
}

async fn queue_position(engine: Engine, customer_id: i64) -> Result<Option<i64>> {
    let row = engine
        .in_state(
            customer_id,
            &[ConversationState::Requesting, ConversationState::Queued],
            "queued",
            "only a queued request has a place",
        )
        .await?;
    engine.poll_queue(&row).await
}

/// Applies a successful `createcon.do`/`transferCon.do` answer, without undoing what
/// callbacks that raced ahead of it already did.
fn apply_create_answer(r: &mut ConversationRow, a: &CreateConAnswer) {
    if let (Some(id), None) = (&a.request_id, r.request_id()) {
        r.set_request_id(&id.0);
    }
    if r.state() == ConversationState::Requesting {
        r.set_state(ConversationState::Queued);
    }
    if r.state() == ConversationState::Queued {
        if let Some(q) = a.queue_length {
            r.queue_position = Some(q);
        }
        if let Some(session) = &a.session_id {
            r.set_state(ConversationState::Chatting);
            r.set_session_id(&session.0);
            if let Some(agent) = &a.agent_id {
                r.set_agent(&agent.0);
            }
            r.agent_name = a.agent_name.clone().or(r.agent_name.take());
            r.accepted_at = Some(now_ms());
        }
    }
}
