//! Part 1 of the spec: the eight `*.do` endpoints webchat serves, requests and answers.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::code::ResultCode;
use crate::content::{ContentError, MessageContent, MsgType};
use crate::id::{AgentId, ChatSessionId, OpenId, RatingId, RequestId, SessionId};
use crate::lenient;

/// webchat's endpoints, relative to its base URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Endpoint {
    CreateCon,
    GetMsg,
    CloseCon,
    RateSession,
    TransferCon,
    CancelRequest,
    GetQueueLength,
    Pulse,
}

impl Endpoint {
    pub const ALL: [Endpoint; 8] = [
        Endpoint::CreateCon,
        Endpoint::GetMsg,
        Endpoint::CloseCon,
        Endpoint::RateSession,
        Endpoint::TransferCon,
        Endpoint::CancelRequest,
        Endpoint::GetQueueLength,
        Endpoint::Pulse,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Endpoint::CreateCon => "createcon.do",
            Endpoint::GetMsg => "getmsg.do",
            Endpoint::CloseCon => "closecon.do",
            Endpoint::RateSession => "ratesession.do",
            Endpoint::TransferCon => "transferCon.do",
            Endpoint::CancelRequest => "cancelRequest.do",
            Endpoint::GetQueueLength => "getQueueLength.do",
            Endpoint::Pulse => "pulse.do",
        }
    }

    pub fn from_path(path: &str) -> Option<Endpoint> {
        let last = path.rsplit('/').next().unwrap_or(path);
        Endpoint::ALL.into_iter().find(|e| e.path() == last)
    }
}

/// Source of a chat request, shown to the agent as a default avatar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RequestSource {
    Pc,
    Mobile,
    Wechat,
    App,
}

impl RequestSource {
    /// Every source, in the spec's order; the UI's list is generated from this one.
    pub const ALL: [RequestSource; 4] = [
        RequestSource::Pc,
        RequestSource::Mobile,
        RequestSource::Wechat,
        RequestSource::App,
    ];

    /// As on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestSource::Pc => "PC",
            RequestSource::Mobile => "MOBILE",
            RequestSource::Wechat => "WECHAT",
            RequestSource::App => "APP",
        }
    }

    pub fn parse(text: &str) -> Option<RequestSource> {
        RequestSource::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// `createTime`: the spec shows a string with no format; a profile switch sends epoch ms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CreateTime {
    Millis(i64),
    Text(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateConRequest {
    pub open_id: OpenId,
    #[serde(deserialize_with = "lenient::int")]
    pub skill_group: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_img_url: Option<String>,
    #[serde(deserialize_with = "lenient::int")]
    pub request_time: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<RequestSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// The customer's browsing trail, a JSON *string*.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracks: Option<String>,
}

/// Answer of `createcon.do` and `transferCon.do`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateConAnswer {
    pub result: ResultCode,
    #[serde(default)]
    pub message: String,
    #[serde(
        default,
        deserialize_with = "lenient::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub queue_length: Option<i64>,
    /// Only for a persistent session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<SessionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_name: Option<String>,
    /// Not in the spec; taken when a server adds it (reading 2 of `interface.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetMsgRequest {
    pub session_id: SessionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epid: Option<String>,
    pub agent_id: AgentId,
    pub open_id: OpenId,
    pub msg_type: MsgType,
    /// Raw: a string for text, an object (or its JSON string) for the rest.
    pub content: Value,
}

impl GetMsgRequest {
    pub fn message(&self) -> Result<MessageContent, ContentError> {
        MessageContent::from_wire(self.msg_type, &self.content)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseConRequest {
    pub session_id: SessionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epid: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateSessionRequest {
    pub chat_session_id: ChatSessionId,
    pub rating_id: RatingId,
    #[serde(default)]
    pub rating_comment: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epid: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferConRequest {
    /// The robot session being handed over; a hand-over from the hosting side's own robot
    /// has no webchat session yet: `0`, or absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<SessionId>,
    pub open_id: OpenId,
    pub create_time: CreateTime,
    #[serde(default)]
    pub transfer_info: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epid: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelRequestRequest {
    /// The spec lists it; before a chat exists a client may not have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<SessionId>,
    pub open_id: OpenId,
    pub request_id: RequestId,
    pub create_time: CreateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epid: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetQueueLengthRequest {
    pub request_id: RequestId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epid: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueLengthAnswer {
    pub result: ResultCode,
    #[serde(default)]
    pub message: String,
    #[serde(
        default,
        deserialize_with = "lenient::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub order_in_queue: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PulseRequest {
    pub session_id: SessionId,
    pub open_id: OpenId,
    pub create_time: CreateTime,
    #[serde(default)]
    pub transfer_info: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epid: Option<String>,
}

/// `result` + `message`: the answer of most endpoints and callbacks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BasicAnswer {
    pub result: ResultCode,
    #[serde(default)]
    pub message: String,
}

impl BasicAnswer {
    pub fn ok() -> Self {
        BasicAnswer {
            result: ResultCode::Success,
            message: "ok".into(),
        }
    }

    pub fn fail(result: ResultCode, message: impl Into<String>) -> Self {
        BasicAnswer {
            result,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_json;

    #[test]
    fn createcon_spec_example() {
        let body = r#"{"openId":"xxxxx","skillGroup":1,"nickname":"昵称","headImgUrl":"头像地址",
            "requestTime":1512026448289,"epid":"服务号的id","serviceAccount":"服务号名称",
            "agentId":"SELITE","from":"WECHAT","brand":"","tracks":""}"#;
        let r: CreateConRequest = parse_json(body.as_bytes()).unwrap();
        assert_eq!(r.skill_group, 1);
        assert_eq!(r.from, Some(RequestSource::Wechat));
        assert_eq!(r.agent_id.unwrap().key(), "SELITE");
        let a: CreateConAnswer = parse_json(
            r#"{"result":1,"message":"ok","queueLength":1,"sessionId":123,"agentId":"SELITE","agentName":"伊力特"}"#
                .as_bytes(),
        )
        .unwrap();
        assert!(a.result.is_success());
        assert_eq!(a.session_id.unwrap().key(), "123");
    }

    #[test]
    fn other_endpoint_spec_examples() {
        let t: TransferConRequest = parse_json(
            br#"{"sessionId":123,"openId":1,"createTime":"","transferInfo":"","epid":"x"}"#,
        )
        .unwrap();
        assert_eq!(t.open_id.key(), "1");
        let c: CancelRequestRequest =
            parse_json(br#"{"sessionId":123,"openId":1,"requestId":1,"createTime":"","epid":"x"}"#)
                .unwrap();
        assert_eq!(c.request_id.key(), "1");
        let q: QueueLengthAnswer =
            parse_json(br#"{"result":1,"message":"ok","orderInQueue":0}"#).unwrap();
        assert_eq!(q.order_in_queue, Some(0));
        let r: RateSessionRequest =
            parse_json(br#"{"chatSessionId":123,"ratingId":1,"ratingComment":"","epid":"x"}"#)
                .unwrap();
        assert_eq!(r.chat_session_id.key(), "123");
        let p: BasicAnswer = parse_json(br#"{"result":1}"#).unwrap();
        assert!(p.result.is_success());
        let g: GetMsgRequest = parse_json(
            br#"{"sessionId":123,"epid":"x","agentId":"SELITE","openId":"xxxxx","msgType":"text","content":""}"#,
        )
        .unwrap();
        assert_eq!(g.message().unwrap(), MessageContent::Text(String::new()));
    }

    #[test]
    fn paths_cover_all_eight_endpoints() {
        for e in Endpoint::ALL {
            assert_eq!(
                Endpoint::from_path(&format!("/webchat/{}", e.path())),
                Some(e)
            );
        }
    }
}
