//! Applying webchat's seven `/ari/*` callbacks to conversations. A body is parsed (and agent
//! HTML sanitized) at the edge, before the writer; the change then runs inside the
//! transaction that also stores its exchange, so an answer of `result: 1` means the change
//! is committed.

use rusqlite::Connection;
use serde_json::{json, Value};
use wxsim_protocol::{
    parse::{parse_json, ParseError},
    CallbackKind, CloseCallback, CreateCallback, Finding, GetMediaCallback, MsgCallback,
    PushRatingCallback, RatingOption, RequestStatus, ResultCode, SessionAgentsUpdateCallback,
    Severity, UpdateRequestStatusCallback, WireId,
};

use crate::engine::Engine;
use crate::error::Result;
use crate::events::EngineEvent;
use crate::model::{AgentView, ConversationState, Delivery, Direction, Message};
use crate::sanitize::AgentHtml;
use crate::store::{
    conversations, customers, media, messages, now_ms, ConversationRow, NewMessage,
};

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
    /// Parses `body` as a `kind` callback; agent HTML is sanitized by `sanitizer`.
    pub(crate) fn parse(
        kind: CallbackKind,
        body: &[u8],
        sanitizer: &AgentHtml,
    ) -> std::result::Result<Callback, ParseError> {
        Ok(match kind {
            CallbackKind::Create => Callback::Create(parse_json(body)?),
            CallbackKind::UpdateRequestStatus => Callback::UpdateRequestStatus(parse_json(body)?),
            CallbackKind::Msg => {
                let callback: MsgCallback = parse_json(body)?;
                Callback::Msg(AgentMessage {
                    html: sanitizer.clean(&callback.content),
                    text: sanitizer.text(&callback.content),
                    callback,
                })
            }
            CallbackKind::Close => Callback::Close(parse_json(body)?),
            CallbackKind::SessionAgentsUpdate => Callback::SessionAgentsUpdate(parse_json(body)?),
            CallbackKind::PushRating => Callback::PushRating(parse_json(body)?),
            CallbackKind::GetMedia => Callback::GetMedia(parse_json(body)?),
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

/// `{result, message}`, or `{code, message}` for `getMedia`.
pub(crate) fn answer(kind: CallbackKind, code: ResultCode, message: &str) -> Value {
    let key = if kind == CallbackKind::GetMedia {
        "code"
    } else {
        "result"
    };
    json!({ key: code.code(), "message": message })
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

impl Engine {
    /// Applies one parsed callback. It may run twice (see `store::writer`): it only reads it.
    pub(crate) fn apply_callback(&self, conn: &Connection, callback: &Callback) -> Result<Applied> {
        match callback {
            Callback::Create(cb) => self.on_create(conn, cb),
            Callback::UpdateRequestStatus(cb) => self.on_request_status(conn, cb),
            Callback::Msg(message) => self.on_msg(conn, message),
            Callback::Close(cb) => self.on_close(conn, cb),
            Callback::SessionAgentsUpdate(cb) => self.on_agents(conn, cb),
            Callback::PushRating(cb) => self.on_push_rating(conn, cb),
            Callback::GetMedia(cb) => self.on_get_media(conn, cb),
        }
    }

    /// Saves `row` and a transcript line, and collects the events for after the commit.
    fn commit_change(
        &self,
        conn: &Connection,
        kind: CallbackKind,
        row: ConversationRow,
        line: Option<NewMessage>,
    ) -> Result<Applied> {
        let (row, added) = conversations::save_with_line(conn, row, line)?;
        Ok(Applied::accepted(kind, row, added))
    }

    fn on_create(&self, conn: &Connection, cb: &CreateCallback) -> Result<Applied> {
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
                format!("routing failed: {} {}", cb.result, cb.message),
            );
            return self.commit_change(conn, kind, row, Some(line));
        }
        let Some(session) = &cb.session_id else {
            return Ok(Applied::refused(
                kind,
                ResultCode::InternalError,
                "required",
                "field `sessionId`: required when result is 1".into(),
            ));
        };
        if row.state() == ConversationState::Chatting
            && row.session_id().as_ref() == Some(&session.0)
        {
            let message =
                format!("a second /ari/create for session {session}, which already exists");
            return Ok(self.commit_change(conn, kind, row, None)?.flag(
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
            format!("{agent_name} accepted the chat (session {session})"),
        );
        self.commit_change(conn, kind, row, Some(line))
    }

    fn on_request_status(
        &self,
        conn: &Connection,
        cb: &UpdateRequestStatusCallback,
    ) -> Result<Applied> {
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
            Some(before) if before.is_accepted() && status == RequestStatus::Waiting => {
                Some(before)
            }
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
            format!(
                "request status {}{}",
                status,
                if cb.message.is_empty() {
                    String::new()
                } else {
                    format!(": {}", cb.message)
                }
            ),
        );
        let applied = self.commit_change(conn, kind, row, Some(line))?;
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
        &self,
        conn: &Connection,
        kind: CallbackKind,
        session: &str,
    ) -> Result<std::result::Result<ConversationRow, Applied>> {
        Ok(conversations::by_session(conn, session)?.ok_or_else(|| unknown_session(kind, session)))
    }

    fn on_msg(&self, conn: &Connection, message: &AgentMessage) -> Result<Applied> {
        let kind = CallbackKind::Msg;
        let cb = &message.callback;
        let row = match self.session_row(conn, kind, &cb.session_id.key())? {
            Ok(row) => row,
            Err(refused) => return Ok(refused),
        };
        let msg_time = cb.msg_time;
        let message = NewMessage {
            conversation_id: row.id,
            direction: Direction::In,
            kind: "html".into(),
            html: Some(message.html.clone()),
            text: message.text.clone(),
            body: cb.content.clone(),
            delivery: Delivery::Received,
            wire_time: msg_time,
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

    fn on_close(&self, conn: &Connection, cb: &CloseCallback) -> Result<Applied> {
        let kind = CallbackKind::Close;
        let mut row = match self.session_row(conn, kind, &cb.session_id.key())? {
            Ok(row) => row,
            Err(refused) => return Ok(refused),
        };
        if row.state() == ConversationState::Chatting {
            row.set_state(ConversationState::Closed);
            row.closed_by = Some("agent".into());
            row.closed_at = Some(cb.close_time.unwrap_or_else(now_ms));
        }
        let line = NewMessage::system(row.id, "chat closed by the agent");
        self.commit_change(conn, kind, row, Some(line))
    }

    fn on_agents(&self, conn: &Connection, cb: &SessionAgentsUpdateCallback) -> Result<Applied> {
        let kind = CallbackKind::SessionAgentsUpdate;
        let mut row = match self.session_row(conn, kind, &cb.session_id.key())? {
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
        let names = agents
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        row.agents = serde_json::to_string(&agents).expect("agents serialize");
        if let Some(lead) = &cb.agent_id {
            if let Some(a) = agents.iter().find(|a| a.id == lead.key()) {
                row.set_agent(&lead.0);
                row.agent_name = Some(a.name.clone());
            }
        }
        let line = NewMessage::system(row.id, format!("agents in this chat: {names}"));
        self.commit_change(conn, kind, row, Some(line))
    }

    fn on_push_rating(&self, conn: &Connection, cb: &PushRatingCallback) -> Result<Applied> {
        let kind = CallbackKind::PushRating;
        let mut row = match self.session_row(conn, kind, &cb.session_id.key())? {
            Ok(row) => row,
            Err(refused) => return Ok(refused),
        };
        let options: Vec<RatingOption> = if cb.ratings.is_empty() {
            self.settings()
                .profile
                .rating_scale
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
        let line = NewMessage::system(row.id, "the agent asks for a rating");
        self.commit_change(conn, kind, row, Some(line))
    }

    fn on_get_media(&self, conn: &Connection, cb: &GetMediaCallback) -> Result<Applied> {
        let kind = CallbackKind::GetMedia;
        let row = match self.session_row(conn, kind, &cb.session_id.key())? {
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
}
