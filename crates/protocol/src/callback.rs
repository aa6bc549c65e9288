//! Part 2 of the spec: the seven `/ari/*` callbacks webchat calls on the hosting side.
//!
//! Required here means "the logic cannot do without it": a callback missing one is
//! answered with a non-1 result naming the field. Other fields of the spec's tables are
//! optional on input (a missing one is the contract checker's business, not a refusal).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::code::{RequestStatus, ResultCode};
use crate::id::{AgentId, MediaId, OpenId, RequestId, SessionId};
use crate::lenient;

/// The callback paths, as webchat calls them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CallbackKind {
    Create,
    Msg,
    Close,
    SessionAgentsUpdate,
    PushRating,
    UpdateRequestStatus,
    GetMedia,
}

impl CallbackKind {
    pub const ALL: [CallbackKind; 7] = [
        CallbackKind::Create,
        CallbackKind::Msg,
        CallbackKind::Close,
        CallbackKind::SessionAgentsUpdate,
        CallbackKind::PushRating,
        CallbackKind::UpdateRequestStatus,
        CallbackKind::GetMedia,
    ];

    /// The path we call on a hosting service (single slash; the original's
    /// `/ari//pushRating` is accepted by our listener as well).
    pub fn path(self) -> &'static str {
        match self {
            CallbackKind::Create => "/ari/create",
            CallbackKind::Msg => "/ari/msg",
            CallbackKind::Close => "/ari/close",
            CallbackKind::SessionAgentsUpdate => "/ari/sessionAgentsUpdate",
            CallbackKind::PushRating => "/ari/pushRating",
            CallbackKind::UpdateRequestStatus => "/ari/updateRequestStatus",
            CallbackKind::GetMedia => "/ari/getMedia",
        }
    }

    /// Matches a request path, tolerating doubled slashes (`/ari//pushRating`).
    pub fn from_path(path: &str) -> Option<CallbackKind> {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let [prefix, name] = segments.as_slice() else {
            return None;
        };
        if *prefix != "ari" {
            return None;
        }
        CallbackKind::ALL
            .into_iter()
            .find(|k| k.path().rsplit('/').next() == Some(*name))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCallback {
    pub result: ResultCode,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_name: Option<String>,
    /// Present when `result` is 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<SessionId>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub response_time: Option<i64>,
    pub open_id: OpenId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epid: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MsgCallback {
    pub session_id: SessionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_id: Option<OpenId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epid: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub msg_time: Option<i64>,
    /// Rich text with HTML fragments; untrusted.
    pub content: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseCallback {
    #[serde(
        default,
        deserialize_with = "lenient::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub close_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    pub session_id: SessionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_id: Option<OpenId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epid: Option<String>,
}

/// One agent of a session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgentRef {
    /// As webchat sent it: a number or a string.
    #[cfg_attr(feature = "ts", ts(type = "number | string"))]
    pub id: AgentId,
    #[serde(default)]
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionAgentsUpdateCallback {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    pub session_id: SessionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_id: Option<OpenId>,
    pub agents: Vec<AgentRef>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushRatingCallback {
    pub session_id: SessionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_id: Option<OpenId>,
    /// Element shape is not defined by the spec: kept as it arrives.
    #[serde(default)]
    pub ratings: Vec<Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRequestStatusCallback {
    pub request_id: RequestId,
    pub request_status: RequestStatus,
    pub open_id: OpenId,
    #[serde(
        default,
        deserialize_with = "lenient::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub queue_length: Option<i64>,
    #[serde(default)]
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetMediaCallback {
    pub media_id: MediaId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    pub session_id: SessionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_id: Option<OpenId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epid: Option<String>,
}

/// `getMedia`'s answer: `code` (not `result`) and the file name in `message`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GetMediaAnswer {
    pub code: ResultCode,
    #[serde(default)]
    pub message: String,
}

/// What the hosting side answers a callback, typed: `{result, message}`, or `{code, message}`
/// for `/ari/getMedia` (the one answer whose code has another name).
#[derive(Clone, Debug, PartialEq)]
pub enum CallbackAnswer {
    Basic(crate::endpoint::BasicAnswer),
    GetMedia(GetMediaAnswer),
}

impl CallbackAnswer {
    pub fn new(kind: CallbackKind, code: ResultCode, message: impl Into<String>) -> CallbackAnswer {
        let message = message.into();
        match kind {
            CallbackKind::GetMedia => CallbackAnswer::GetMedia(GetMediaAnswer { code, message }),
            _ => CallbackAnswer::Basic(crate::endpoint::BasicAnswer {
                result: code,
                message,
            }),
        }
    }

    /// The answer as it goes on the wire.
    pub fn to_value(&self) -> Value {
        match self {
            CallbackAnswer::Basic(a) => serde_json::to_value(a),
            CallbackAnswer::GetMedia(a) => serde_json::to_value(a),
        }
        .expect("an answer serializes")
    }
}

/// The download address webchat builds from a `getMedia` answer.
pub fn media_download_url(
    wan_addr: &str,
    service_account_id: &str,
    media_type: &str,
    file: &str,
) -> String {
    format!(
        "{}/wechat/{}/{}?file={}",
        wan_addr.trim_end_matches('/'),
        service_account_id,
        media_type,
        file
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_json;

    #[test]
    fn spec_examples_of_every_callback_parse() {
        let c: CreateCallback = parse_json(br#"{"result":1,"message":"ok","agentId":"","agentName":"","sessionId":123,"responseTime":1512026448289,"openId":"","epid":"x"}"#).unwrap();
        assert!(c.result.is_success());
        let m: MsgCallback = parse_json(br#"{"sessionId":123,"agentId":"SELITE","openId":"","epid":"","msgTime":12341234324,"content":"<b>hi</b>"}"#).unwrap();
        assert_eq!(m.msg_time, Some(12341234324));
        let _: CloseCallback = parse_json(
            br#"{"closeTime":12341234324,"agentId":"","sessionId":123,"openId":"","epid":""}"#,
        )
        .unwrap();
        let a: SessionAgentsUpdateCallback = parse_json(br#"{"agentId":"SELITE","sessionId":123,"openId":"","agents":[{"id":"000169","name":"nsnp663"}]}"#).unwrap();
        assert_eq!(a.agents[0].id.key(), "000169");
        let p: PushRatingCallback =
            parse_json(br#"{"sessionId":123,"openId":"","ratings":[]}"#).unwrap();
        assert!(p.ratings.is_empty());
        let u: UpdateRequestStatusCallback = parse_json(br#"{"requestId":"SELITE","requestStatus":123,"openId":"","queueLength":"","message":""}"#).unwrap();
        assert_eq!(u.request_status, RequestStatus::Unknown(123));
        assert_eq!(u.queue_length, None);
        let g: GetMediaCallback =
            parse_json(br#"{"mediaId":"xxx","agentId":"","sessionId":123,"openId":"","epid":""}"#)
                .unwrap();
        assert_eq!(g.media_id.key(), "xxx");
        let ans: GetMediaAnswer = parse_json(br#"{"code":1,"message":"a.png"}"#).unwrap();
        assert!(ans.code.is_success());
    }

    #[test]
    fn callback_paths_tolerate_the_double_slash() {
        assert_eq!(
            CallbackKind::from_path("/ari//pushRating"),
            Some(CallbackKind::PushRating)
        );
        assert_eq!(
            CallbackKind::from_path("/ari/pushRating"),
            Some(CallbackKind::PushRating)
        );
        assert_eq!(CallbackKind::from_path("/ari/nothing"), None);
        assert_eq!(CallbackKind::from_path("/other/msg"), None);
        for k in CallbackKind::ALL {
            assert_eq!(CallbackKind::from_path(k.path()), Some(k));
        }
    }

    #[test]
    fn download_url_follows_the_spec_formula() {
        assert_eq!(
            media_download_url("http://h:1/", "sa", "image", "m.png"),
            "http://h:1/wechat/sa/image?file=m.png"
        );
    }
}
