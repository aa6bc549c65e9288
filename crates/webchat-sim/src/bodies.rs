//! The bodies of the `/ari/*` callbacks, built from the protocol's wire types.

use serde_json::Value;
use wxsim_protocol::{
    CallbackKind, CloseCallback, CreateCallback, GetMediaCallback, MediaId, MsgCallback, OpenId,
    PushRatingCallback, RequestId, RequestStatus, ResultCode, SessionAgentsUpdateCallback,
    UpdateRequestStatusCallback,
};

use crate::callbacks::Callback;
use crate::session::Session;
use crate::state::now_ms;

pub fn request_status(
    request_id: &str,
    status: RequestStatus,
    open_id: &OpenId,
    queue_length: i64,
) -> Callback {
    Callback::new(
        CallbackKind::UpdateRequestStatus,
        &UpdateRequestStatusCallback {
            request_id: RequestId::from(request_id),
            request_status: status,
            open_id: open_id.clone(),
            queue_length: Some(queue_length),
            message: status.label(wxsim_protocol::Lang::En),
        },
    )
}

pub fn create(session: &Session) -> Callback {
    Callback::new(
        CallbackKind::Create,
        &CreateCallback {
            result: ResultCode::Success,
            message: "ok".into(),
            agent_id: Some(session.agent.id.clone()),
            agent_name: Some(session.agent.name.clone()),
            session_id: Some(session.wire_id()),
            response_time: Some(now_ms()),
            open_id: session.open_id.clone(),
            epid: session.epid.clone(),
        },
    )
}

/// A failed routing: `/ari/create` with a non-1 `result` and no session.
pub fn failed_create(
    open_id: &OpenId,
    epid: Option<String>,
    result: ResultCode,
    message: String,
) -> Callback {
    Callback::new(
        CallbackKind::Create,
        &CreateCallback {
            result,
            message,
            agent_id: None,
            agent_name: None,
            session_id: None,
            response_time: Some(now_ms()),
            open_id: open_id.clone(),
            epid,
        },
    )
}

pub fn agents(session: &Session) -> Callback {
    Callback::new(
        CallbackKind::SessionAgentsUpdate,
        &SessionAgentsUpdateCallback {
            agent_id: Some(session.agent.id.clone()),
            session_id: session.wire_id(),
            open_id: Some(session.open_id.clone()),
            agents: session.agents.clone(),
        },
    )
}

pub fn msg(session: &Session, html: String) -> Callback {
    Callback::new(
        CallbackKind::Msg,
        &MsgCallback {
            session_id: session.wire_id(),
            agent_id: Some(session.agent.id.clone()),
            open_id: Some(session.open_id.clone()),
            epid: session.epid.clone(),
            msg_time: Some(now_ms()),
            content: html,
        },
    )
}

pub fn close(session: &Session) -> Callback {
    Callback::new(
        CallbackKind::Close,
        &CloseCallback {
            close_time: Some(session.closed_at_ms.unwrap_or_else(now_ms)),
            agent_id: Some(session.agent.id.clone()),
            session_id: session.wire_id(),
            open_id: Some(session.open_id.clone()),
            epid: session.epid.clone(),
        },
    )
}

pub fn push_rating(session: &Session, ratings: Vec<Value>) -> Callback {
    Callback::new(
        CallbackKind::PushRating,
        &PushRatingCallback {
            session_id: session.wire_id(),
            open_id: Some(session.open_id.clone()),
            ratings,
        },
    )
}

pub fn get_media(session: &Session, media_id: &str) -> Callback {
    Callback::new(
        CallbackKind::GetMedia,
        &GetMediaCallback {
            media_id: MediaId::from(media_id),
            agent_id: Some(session.agent.id.clone()),
            session_id: session.wire_id(),
            open_id: Some(session.open_id.clone()),
            epid: session.epid.clone(),
        },
    )
}
