//! Applying webchat's seven `/ari/*` callbacks to conversations. A body is parsed (and agent
//! HTML sanitized) at the edge, before the writer; the change then runs inside the
//! transaction that also stores its exchange, so an answer of `result: 1` means the change
//! is committed.

use rusqlite::Connection;
use serde_json::Value;
use wxsim_protocol::{
    parse::{parse_value, ParseError},
    CallbackAnswer, CallbackKind, CloseCallback, CreateCallback, Finding, GetMediaCallback,
    MsgCallback, PushRatingCallback, RatingOption, RequestStatus, ResultCode,
    SessionAgentsUpdateCallback, Severity, UpdateRequestStatusCallback, WireId,
};

use crate::config::RatingStep;
use crate::engine::{Engine, Settings};
use crate::error::Result;
use crate::events::EngineEvent;
use crate::model::{
    AgentView, ConversationState, Customer, Delivery, Direction, Exchange, Message,
};
use crate::sanitize::AgentHtml;
use crate::store::{
    conversations, customers, media, messages, now_ms, ConversationRow, NewMessage,
};
use crate::system_line::SystemLine;

/// A callback repeated within this window (same session, time and content) is stored once.
const REPEAT_WINDOW_MS: i64 = 5 * 60 * 1000;

/// A callback body parsed at the edge, with the work that needs no database already done.
pub(crate) enum Callback {
    Create(CreateCallback),
    UpdateRequestStatus(UpdateRequestStatusCallback),
    Msg(AgentMessage),
    Close(CloseCallback),
    SessionAgentsUpdate(SessionAgentsUpdateCallback),
    PushRating(PushRatingCallback),
    GetMedia(GetMediaCallback),
}

/// `/ari/msg` with its HTML sanitized and its words taken out for search.
pub(crate) struct AgentMessage {
    callback: MsgCallback,
    html: String,
    text: String,
}

impl Callback {
    /// Reads a `kind` callback from its body's JSON; agent HTML is sanitized by `sanitizer`.
    pub(crate) fn from_value(
        kind: CallbackKind,
        value: Value,
        sanitizer: &AgentHtml,
    ) -> std::result::Result<Callback, ParseError> {
        Ok(match kind {
            CallbackKind::Create => Callback::Create(parse_value(value)?),
            CallbackKind::UpdateRequestStatus => Callback::UpdateRequestStatus(parse_value(value)?),
            CallbackKind::Msg => {
                let callback: MsgCallback = parse_value(value)?;
                Callback::Msg(AgentMessage {
                    html: sanitizer.clean(&callback.content),
                    text: sanitizer.text(&callback.content),
                    callback,
                })
            }
            CallbackKind::Close => Callback::Close(parse_value(value)?),
            CallbackKind::SessionAgentsUpdate => Callback::SessionAgentsUpdate(parse_value(value)?),
            CallbackKind::PushRating => Callback::PushRating(parse_value(value)?),
            CallbackKind::GetMedia => Callback::GetMedia(parse_value(value)?),
        })
    }
}

/// What a callback did: its answer and what to announce once committed.
pub(crate) struct Applied {
    pub answer: Value,
    pub open_id: Option<String>,
    pub conversation: Option<ConversationRow>,
    pub events: Vec<EngineEvent>,
    /// Contract findings that need the conversation's history to see.
    pub findings: Vec<Finding>,
}

impl Applied {
    /// Refused: the callback names something we do not know; that is a finding too.
    fn refused(kind: CallbackKind, code: ResultCode, rule: &str, message: String) -> Applied {
        Applied {
            answer: answer(kind, code, &message),
            open_id: None,
            conversation: None,
            events: vec![],
            findings: vec![Finding::new(rule, Severity::Error, None, message)],
        }
    }

    /// Done: `result: 1`, and the conversation (with the line it gained) to announce.
    fn accepted(kind: CallbackKind, row: ConversationRow, added: Option<Message>) -> Applied {
        Applied {
            answer: answer(kind, ResultCode::Success, "ok"),
            open_id: Some(row.open_id.clone()),
            conversation: Some(row),
            events: added
                .into_iter()
                .map(|message| EngineEvent::MessageAdded { message })
                .collect(),
            findings: vec![],
        }
    }

    fn flag(mut self, rule: &str, severity: Severity, message: String) -> Applied {
        self.findings
            .push(Finding::new(rule, severity, None, message));
        self
    }
}

impl Engine {
    /// Tells what a committed callback did: its exchange, the lines it added (keeping the
    /// pictures of agent messages), and the conversation and customer it changed, as the
    /// transaction left them.
    pub(crate) fn announce_applied(
        &self,
        exchange: Exchange,
        applied: Applied,
        customer: Option<Customer>,
    ) {
        self.publish(EngineEvent::Exchange { exchange });
        for event in applied.events {
            if let EngineEvent::MessageAdded { message } = &event {
                if let Some(html) = message.html.as_deref().filter(|h| h.contains("<img")) {
                    self.keep_pictures(html);
                }
            }
            self.publish(event);
        }
        if let (Some(conversation), Some(customer)) = (&applied.conversation, customer) {
            self.announce_read(conversation, customer);
        }
    }
}

/// The answer to a `kind` callback, as it goes on the wire.
pub(crate) fn answer(kind: CallbackKind, code: ResultCode, message: &str) -> Value {
    CallbackAnswer::new(kind, code, message).to_value()
}

fn unknown_session(kind: CallbackKind, session: &str) -> Applied {
    Applied::refused(
        kind,
        ResultCode::NoServedAgentFound,
        "unknown_session",
        format!("unknown sessionId {session}: no /ari/create was received for it"),
    )
}

fn unknown_open_id(kind: CallbackKind, open_id: &str) -> Applied {
    Applied::refused(
        kind,
        ResultCode::InvalidToUserId,
        "unknown_open_id",
        format!("unknown openId {open_id}: no such customer here"),
    )
}

/// Applies one parsed callback inside the caller's transaction: what it changed, what to
/// answer and what to announce once committed. It may run twice (see `store::writer`): it
/// only reads the callback.
pub(crate) fn apply(
    conn: &Connection,
    callback: &Callback,
    settings: &Settings,
) -> Result<Applied> {
    match callback {
        Callback::Create(cb) => on_create(conn, cb),
        Callback::UpdateRequestStatus(cb) => on_request_status(conn, cb),
        Callback::Msg(message) => on_msg(conn, message),
        Callback::Close(cb) => on_close(conn, cb),
        Callback::SessionAgentsUpdate(cb) => on_agents(conn, cb),
        Callback::PushRating(cb) => on_push_rating(conn, cb, &settings.profile.rating_scale),
        Callback::GetMedia(cb) => on_get_media(conn, cb),
    }
}

/// Notes in the chat a callback names that an injected fault answered it instead of the
/// engine: the chat would otherwise just miss what the callback carried. The chat is found
/// from the body's ids alone (the fault answered before the body was parsed). `None` when
/// the body names no chat here.
pub(crate) fn note_fault(
    conn: &Connection,
    body: &[u8],
    line: &SystemLine,
) -> Result<Option<Message>> {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Ok(None);
    };
    named_conversation(conn, &value)?
        .map(|row| messages::insert(conn, &NewMessage::system(row.id, line)))
        .transpose()
}

/// The chat a body's ids name: `sessionId` (or `chatSessionId`) if it is one here, else the
/// customer's (`openId`) active request or latest chat, else the newest with its
/// `requestId` (a queued request's `cancelRequest.do` names session `0`).
pub(crate) fn named_conversation(
    conn: &Connection,
    value: &Value,
) -> Result<Option<ConversationRow>> {
    let id = |field: &str| match value.get(field) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    if let Some(session) = id("sessionId").or_else(|| id("chatSessionId")) {
        if let Some(row) = conversations::by_session(conn, &session)? {
            return Ok(Some(row));
        }
    }
    if let Some(customer) = id("openId")
        .map(|open_id| customers::id_by_open_id(conn, &open_id))
        .transpose()?
        .flatten()
    {
        return match conversations::active_for_customer(conn, customer)? {
            Some(row) => Ok(Some(row)),
            None => conversations::latest_for_customer(conn, customer),
        };
    }
    match id("requestId") {
        Some(request) => conversations::by_request_key(conn, &request),
        None => Ok(None),
    }
}

/// Saves `row` and a transcript line, and collects the events for after the commit.
fn commit(
    conn: &Connection,
    kind: CallbackKind,
    row: ConversationRow,
    line: Option<NewMessage>,
) -> Result<Applied> {
    let (row, added) = conversations::save_with_line(conn, row, line)?;
    Ok(Applied::accepted(kind, row, added))
}

fn on_create(conn: &Connection, cb: &CreateCallback) -> Result<Applied> {
    let kind = CallbackKind::Create;
    let Some(customer) = customers::id_by_open_id(conn, &cb.open_id.key())? else {
        return Ok(unknown_open_id(kind, &cb.open_id.key()));
    };
    let Some(mut row) = conversations::active_for_customer(conn, customer)? else {
        return Ok(Applied::refused(
            kind,
            ResultCode::NoServedAgentFound,
            "no_request",
            format!("openId {} has no pending chat request", cb.open_id),
        ));
    };
    if !cb.result.is_success() {
        row.set_state(ConversationState::Failed);
        row.result_code = Some(cb.result.code());
        row.status_message = Some(cb.message.clone());
        row.closed_at = Some(now_ms());
        let line = NewMessage::system(
            row.id,
            &SystemLine::RoutingFailed {
                result: cb.result.code(),
                message: cb.message.clone(),
            },
        );
        return commit(conn, kind, row, Some(line));
    }
    let Some(session) = &cb.session_id else {
        return Ok(Applied::refused(
            kind,
            ResultCode::InternalError,
            "required",
            "field `sessionId`: required when result is 1".into(),
        ));
    };
    if row.state() == ConversationState::Chatting && row.session_id().as_ref() == Some(&session.0) {
        let message = format!("a second /ari/create for session {session}, which already exists");
        return Ok(commit(conn, kind, row, None)?.flag(
            "duplicate_create",
            Severity::Warning,
            message,
        ));
    }
    let agent_name = cb.agent_name.clone().unwrap_or_default();
    let agent_id = cb.agent_id.as_ref().map(|a| a.key()).unwrap_or_default();
    row.set_state(ConversationState::Chatting);
    row.set_session_id(&session.0);
    row.set_agent(
        &cb.agent_id
            .as_ref()
            .map_or(WireId::Text(String::new()), |a| a.0.clone()),
    );
    row.agent_name = Some(agent_name.clone());
    row.queue_position = None;
    row.accepted_at = Some(cb.response_time.unwrap_or_else(now_ms));
    // The accepting agent is in the chat; until sessionAgentsUpdate says more (after a
    // robot hand-over, the robot is gone).
    if !row.agents().iter().any(|a| a.id == agent_id) {
        row.agents = serde_json::to_string(&[AgentView {
            id: agent_id,
            name: agent_name.clone(),
        }])
        .expect("agents serialize");
    }
    let line = NewMessage::system(
        row.id,
        &SystemLine::Accepted {
            agent: agent_name,
            session: session.to_string(),
        },
    );
    commit(conn, kind, row, Some(line))
}

fn on_request_status(conn: &Connection, cb: &UpdateRequestStatusCallback) -> Result<Applied> {
    let kind = CallbackKind::UpdateRequestStatus;
    let Some(customer) = customers::id_by_open_id(conn, &cb.open_id.key())? else {
        return Ok(unknown_open_id(kind, &cb.open_id.key()));
    };
    // The customer's active request, unless this status names another of theirs (a
    // late one for a finished request). Request ids are only unique per customer here:
    // a webchat that restarts may hand out the same ids again.
    let key = cb.request_id.key();
    let active = conversations::active_for_customer(conn, customer)?;
    let row = match active {
        Some(a) if a.request_id().is_none_or(|r| r.key() == key) => Some(a),
        other => conversations::by_request(conn, customer, &key)?.or(other),
    };
    let Some(mut row) = row else {
        return Ok(Applied::refused(
            kind,
            ResultCode::NoServedAgentFound,
            "no_request",
            format!(
                "openId {} has no chat request {}",
                cb.open_id, cb.request_id
            ),
        ));
    };
    if row.request_id().is_none() || row.state() == ConversationState::Queued {
        row.set_request_id(&cb.request_id.0);
    }
    let status = cb.request_status;
    let backwards = match row.request_status.map(RequestStatus::from) {
        Some(before) if before.is_final_failure() => Some(before),
        Some(before) if before.is_accepted() && status == RequestStatus::Waiting => Some(before),
        _ => None,
    };
    row.request_status = Some(status.code());
    let active = row.state().is_active();
    if active && status == RequestStatus::Waiting {
        if row.state() == ConversationState::Requesting {
            row.set_state(ConversationState::Queued);
        }
        if row.state() == ConversationState::Queued {
            row.queue_position = cb.queue_length;
        }
    } else if active && status.is_final_failure() {
        row.set_state(if status == RequestStatus::CanceledByClient {
            ConversationState::Canceled
        } else {
            ConversationState::Failed
        });
        row.status_message = Some(cb.message.clone());
        row.closed_at = Some(now_ms());
    }
    let line = NewMessage::system(
        row.id,
        &SystemLine::RequestStatus {
            status: status.code(),
            message: cb.message.clone(),
        },
    );
    let applied = commit(conn, kind, row, Some(line))?;
    Ok(match backwards {
        Some(before) => applied.flag(
            "status_backwards",
            Severity::Warning,
            format!("request status went from {before} to {status}"),
        ),
        None => applied,
    })
}

fn session_row(
    conn: &Connection,
    kind: CallbackKind,
    session: &str,
) -> Result<std::result::Result<ConversationRow, Applied>> {
    Ok(conversations::by_session(conn, session)?.ok_or_else(|| unknown_session(kind, session)))
}

fn on_msg(conn: &Connection, message: &AgentMessage) -> Result<Applied> {
    let kind = CallbackKind::Msg;
    let cb = &message.callback;
    let row = match session_row(conn, kind, &cb.session_id.key())? {
        Ok(row) => row,
        Err(refused) => return Ok(refused),
    };
    let msg_time = cb.msg_time;
    // The writer by the message's agentId among the session's agents, else the chat's agent.
    let agent_name = cb
        .agent_id
        .as_ref()
        .and_then(|id| row.agents().into_iter().find(|a| a.id == id.key()))
        .map(|a| a.name)
        .or_else(|| row.agent_name.clone())
        .filter(|name| !name.is_empty());
    let message = NewMessage {
        conversation_id: row.id,
        direction: Direction::In,
        kind: "html".into(),
        html: Some(message.html.clone()),
        text: message.text.clone(),
        body: cb.content.clone(),
        delivery: Delivery::Received,
        wire_time: msg_time,
        agent_name,
    };
    match messages::insert_unless_repeat(conn, &message, REPEAT_WINDOW_MS)? {
        // The customer's new unread count goes out with the announcement after the commit.
        Some(added) => Ok(Applied::accepted(
            kind,
            conversations::save(conn, row)?,
            Some(added),
        )),
        None => Ok(Applied::accepted(kind, row, None).flag(
            "repeat",
            Severity::Info,
            format!("a repeat of an agent message already stored (same session, msgTime {msg_time:?} and content)"),
        )),
    }
}

fn on_close(conn: &Connection, cb: &CloseCallback) -> Result<Applied> {
    let kind = CallbackKind::Close;
    let mut row = match session_row(conn, kind, &cb.session_id.key())? {
        Ok(row) => row,
        Err(refused) => return Ok(refused),
    };
    if row.state() == ConversationState::Chatting {
        row.set_state(ConversationState::Closed);
        row.closed_by = Some("agent".into());
        row.closed_at = Some(cb.close_time.unwrap_or_else(now_ms));
    }
    let line = NewMessage::system(row.id, &SystemLine::ClosedByAgent);
    commit(conn, kind, row, Some(line))
}

fn on_agents(conn: &Connection, cb: &SessionAgentsUpdateCallback) -> Result<Applied> {
    let kind = CallbackKind::SessionAgentsUpdate;
    let mut row = match session_row(conn, kind, &cb.session_id.key())? {
        Ok(row) => row,
        Err(refused) => return Ok(refused),
    };
    let agents: Vec<AgentView> = cb
        .agents
        .iter()
        .map(|a| AgentView {
            id: a.id.key(),
            name: a.name.clone(),
        })
        .collect();
    let names = agents.iter().map(|a| a.name.clone()).collect();
    row.agents = serde_json::to_string(&agents).expect("agents serialize");
    if let Some(lead) = &cb.agent_id {
        if let Some(a) = agents.iter().find(|a| a.id == lead.key()) {
            row.set_agent(&lead.0);
            row.agent_name = Some(a.name.clone());
        }
    }
    let line = NewMessage::system(row.id, &SystemLine::Agents { names });
    commit(conn, kind, row, Some(line))
}

fn on_push_rating(
    conn: &Connection,
    cb: &PushRatingCallback,
    scale: &[RatingStep],
) -> Result<Applied> {
    let kind = CallbackKind::PushRating;
    let mut row = match session_row(conn, kind, &cb.session_id.key())? {
        Ok(row) => row,
        Err(refused) => return Ok(refused),
    };
    let options: Vec<RatingOption> = if cb.ratings.is_empty() {
        scale
            .iter()
            .map(|o| RatingOption {
                id: WireId::Text(o.id.clone()).as_number_if_numeric(),
                name: o.name.clone(),
            })
            .collect()
    } else {
        RatingOption::read_all(&cb.ratings)
    };
    row.rating_options = Some(serde_json::to_string(&options).expect("options serialize"));
    let line = NewMessage::system(row.id, &SystemLine::RatingAsked);
    commit(conn, kind, row, Some(line))
}

fn on_get_media(conn: &Connection, cb: &GetMediaCallback) -> Result<Applied> {
    let kind = CallbackKind::GetMedia;
    let row = match session_row(conn, kind, &cb.session_id.key())? {
        Ok(row) => row,
        Err(refused) => return Ok(refused),
    };
    let Some(media) = media::fetch(conn, &cb.media_id.key())? else {
        return Ok(Applied {
            open_id: Some(row.open_id.clone()),
            conversation: Some(row),
            ..Applied::refused(
                kind,
                ResultCode::NoServedAgentFound,
                "unknown_media",
                format!("unknown mediaId {}", cb.media_id),
            )
        });
    };
    if !media::sent_by_customer(conn, row.customer_id, &media.media_id)? {
        let message = format!(
            "mediaId {} was not sent by this session's customer",
            cb.media_id
        );
        return Ok(Applied {
            open_id: Some(row.open_id.clone()),
            conversation: Some(row),
            ..Applied::refused(
                kind,
                ResultCode::NoServedAgentFound,
                "foreign_media",
                message,
            )
        });
    }
    Ok(Applied {
        answer: answer(kind, ResultCode::Success, &media.file_name),
        open_id: Some(row.open_id.clone()),
        conversation: Some(row),
        events: vec![],
        findings: vec![],
    })
}

#[cfg(test)]
mod tests {
    //! `apply` over a real schema in memory: no listener, no HTTP.
    use super::*;
    use crate::config::Profile;
    use crate::model::NewCustomer;
    use crate::store::schema;
    use serde_json::json;

    struct Desk {
        conn: Connection,
        settings: Settings,
        conversation: i64,
    }

    /// One customer, `o-1`, whose chat request is waiting for an agent.
    fn desk() -> Desk {
        let mut conn = Connection::open_in_memory().unwrap();
        schema::migrate(&mut conn).unwrap();
        let customer = customers::insert(
            &conn,
            "o-1",
            &NewCustomer {
                open_id: None,
                nickname: "Wu".into(),
                head_img_url: None,
                source: None,
                brand: None,
                skill_group: 1,
                agent_id: None,
                tracks: None,
            },
        )
        .unwrap();
        let conversation = conversations::insert(&conn, customer, "test").unwrap().id;
        Desk {
            conn,
            settings: Settings::new(Profile::default(), Some("http://127.0.0.1:9/webchat")),
            conversation,
        }
    }

    impl Desk {
        fn apply(&self, kind: CallbackKind, body: Value) -> Applied {
            let callback = Callback::from_value(kind, body, &self.settings.sanitizer).unwrap();
            apply(&self.conn, &callback, &self.settings).unwrap()
        }

        fn row(&self) -> ConversationRow {
            conversations::fetch(&self.conn, self.conversation).unwrap()
        }

        /// Accepted by agent `a1` as session 77.
        fn chatting(&self) {
            let applied = self.apply(
                CallbackKind::Create,
                json!({"result": 1, "openId": "o-1", "sessionId": 77, "agentId": "a1", "agentName": "Ann"}),
            );
            assert_eq!(applied.answer["result"], 1);
        }
    }

    fn rules(applied: &Applied) -> Vec<&str> {
        applied.findings.iter().map(|f| f.rule.as_str()).collect()
    }

    #[test]
    fn an_accepted_request_becomes_a_chat_with_its_agent_and_a_line() {
        let desk = desk();
        let applied = desk.apply(
            CallbackKind::Create,
            json!({"result": 1, "openId": "o-1", "sessionId": 77, "agentId": 5, "agentName": "Ann"}),
        );
        assert_eq!(applied.answer, json!({"result": 1, "message": "ok"}));
        let row = desk.row();
        assert_eq!(row.state(), ConversationState::Chatting);
        assert_eq!(row.session_id().unwrap().to_json_text(), "77");
        assert_eq!(row.agent().unwrap().to_json_text(), "5");
        assert!(matches!(
            applied.events.as_slice(),
            [EngineEvent::MessageAdded { message }] if message.text.contains("Ann accepted")
        ));
        assert_eq!(applied.conversation.unwrap().id, desk.conversation);
    }

    #[test]
    fn a_failed_routing_is_acknowledged_and_ends_the_request() {
        let desk = desk();
        let applied = desk.apply(
            CallbackKind::Create,
            json!({"result": -1, "message": "no route", "openId": "o-1"}),
        );
        assert_eq!(applied.answer["result"], 1);
        let row = desk.row();
        assert_eq!(row.state(), ConversationState::Failed);
        assert_eq!(row.result_code, Some(-1));
    }

    #[test]
    fn an_unknown_session_or_customer_is_refused_with_its_code_and_a_finding() {
        let desk = desk();
        let applied = desk.apply(
            CallbackKind::Msg,
            json!({"sessionId": 404, "content": "hi"}),
        );
        assert_eq!(
            applied.answer["result"],
            ResultCode::NoServedAgentFound.code()
        );
        assert_eq!(rules(&applied), ["unknown_session"]);
        let applied = desk.apply(
            CallbackKind::UpdateRequestStatus,
            json!({"requestId": "r", "requestStatus": 0, "openId": "nobody"}),
        );
        assert_eq!(applied.answer["result"], ResultCode::InvalidToUserId.code());
        assert_eq!(rules(&applied), ["unknown_open_id"]);
        let applied = desk.apply(
            CallbackKind::GetMedia,
            json!({"sessionId": 404, "mediaId": "m"}),
        );
        assert_eq!(
            applied.answer["code"],
            ResultCode::NoServedAgentFound.code()
        );
    }

    #[test]
    fn an_agent_message_is_stored_sanitized_and_a_repeat_is_stored_once() {
        let desk = desk();
        desk.chatting();
        let body = json!({"sessionId": 77, "content": "<b>hi</b><script>x()</script>", "msgTime": 1_700_000_000_000_i64});
        let first = desk.apply(CallbackKind::Msg, body.clone());
        let [EngineEvent::MessageAdded { message }] = first.events.as_slice() else {
            panic!("one message added: {:?}", first.events.len());
        };
        assert_eq!(message.html.as_deref(), Some("<b>hi</b>"));
        let again = desk.apply(CallbackKind::Msg, body);
        assert_eq!(again.answer["result"], 1, "a repeat is acknowledged");
        assert!(again.events.is_empty(), "and not stored twice");
        assert_eq!(rules(&again), ["repeat"]);
    }

    #[test]
    fn statuses_end_the_request_and_a_step_back_is_flagged() {
        let desk = desk();
        desk.apply(
            CallbackKind::UpdateRequestStatus,
            json!({"requestId": "r1", "requestStatus": 1, "openId": "o-1"}),
        );
        let back = desk.apply(
            CallbackKind::UpdateRequestStatus,
            json!({"requestId": "r1", "requestStatus": 0, "openId": "o-1"}),
        );
        assert_eq!(rules(&back), ["status_backwards"]);
        desk.apply(
            CallbackKind::UpdateRequestStatus,
            json!({"requestId": "r1", "requestStatus": 5, "openId": "o-1", "message": "no agents"}),
        );
        let row = desk.row();
        assert_eq!(row.state(), ConversationState::Failed);
        assert_eq!(row.status_message.as_deref(), Some("no agents"));
    }

    #[test]
    fn a_rating_prompt_offers_its_options_or_the_profiles_scale() {
        let desk = desk();
        desk.chatting();
        desk.apply(
            CallbackKind::PushRating,
            json!({"sessionId": 77, "ratings": []}),
        );
        let scale = desk.row().rating_options().unwrap();
        assert_eq!(scale.len(), Profile::default().rating_scale.len());
        assert_eq!(serde_json::to_value(&scale[0].id).unwrap(), json!(1));
        desk.apply(
            CallbackKind::PushRating,
            json!({"sessionId": 77, "ratings": [{"ratingId": "good", "label": "Good"}]}),
        );
        let offered = desk.row().rating_options().unwrap();
        assert_eq!(
            (offered[0].id.key(), offered[0].name.as_str()),
            ("good".into(), "Good")
        );
    }
}
