//! The interface as data: every field of every request and answer of the fifteen
//! operations, with its JSON type and whether the spec requires it. The OpenAPI document
//! and the contract checker are both built from this table; a test holds it to the serde
//! types so the three cannot drift apart.

use crate::callback::CallbackKind;
use crate::endpoint::Endpoint;

/// A field's JSON type as the spec describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    String,
    Integer,
    Number,
    /// The spec's examples send ids both as numbers and as strings.
    Id,
    /// A result code (`result`, `code`).
    ResultCode,
    /// `requestStatus`.
    RequestStatus,
    /// An integer, or `""` for "none" (the spec's `updateRequestStatus` example sends
    /// `queueLength: ""`).
    IntegerOrEmpty,
    /// Epoch milliseconds.
    Millis,
    /// `getmsg.do`'s content: a string for text, an object (or its JSON string) otherwise.
    Content,
    /// `createTime`: a string with no stated format (or epoch ms).
    Time,
    /// `from`: one of `PC MOBILE WECHAT APP`.
    Source,
    /// `msgType`: one of the six message types.
    MsgType,
    /// `[{id, name}]`.
    Agents,
    /// An array of unspecified elements.
    Array,
}

/// When a field must be present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// May be left out.
    Optional,
    /// In every body.
    Always,
    /// Only in a body that reports success (`result`, or `getMedia`'s `code`, is 1): a
    /// refusal needs no more than its code and message.
    OnSuccess,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub ty: FieldType,
    pub need: Need,
    pub doc: &'static str,
}

impl Field {
    /// Must the field be present in a body that reports success (`true`) or a refusal?
    pub fn required(&self, success: bool) -> bool {
        match self.need {
            Need::Optional => false,
            Need::Always => true,
            Need::OnSuccess => success,
        }
    }
}

const fn field(name: &'static str, ty: FieldType, need: Need, doc: &'static str) -> Field {
    Field {
        name,
        ty,
        need,
        doc,
    }
}

const fn req(name: &'static str, ty: FieldType, doc: &'static str) -> Field {
    field(name, ty, Need::Always, doc)
}

const fn opt(name: &'static str, ty: FieldType, doc: &'static str) -> Field {
    field(name, ty, Need::Optional, doc)
}

/// Required when the body reports success, optional in a refusal.
const fn ok(name: &'static str, ty: FieldType, doc: &'static str) -> Field {
    field(name, ty, Need::OnSuccess, doc)
}

/// Which side serves an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// webchat serves it; the hosting side calls.
    Endpoint(Endpoint),
    /// The hosting side serves it; webchat calls.
    Callback(CallbackKind),
}

/// One operation's fields, both ways.
#[derive(Clone, Copy, Debug)]
pub struct OperationSpec {
    pub operation: Operation,
    pub summary: &'static str,
    pub request: &'static [Field],
    pub answer: &'static [Field],
}

use FieldType as T;

const EPID: Field = opt("epid", T::String, "the official account's id");
const RESULT: Field = req("result", T::ResultCode, "1 = success; see the result codes");
const MESSAGE: Field = opt("message", T::String, "a remark on the result");
const BASIC: &[Field] = &[RESULT, MESSAGE];
const CREATE_ANSWER: &[Field] = &[
    RESULT,
    MESSAGE,
    opt("queueLength", T::Integer, "the current queue length"),
    opt("sessionId", T::Id, "only for a persistent session"),
    opt("agentId", T::Id, "only for a persistent session"),
    opt("agentName", T::String, "only for a persistent session"),
    opt(
        "requestId",
        T::Id,
        "not in the spec; taken when a server adds it",
    ),
];

pub const OPERATIONS: &[OperationSpec] = &[
    OperationSpec {
        operation: Operation::Endpoint(Endpoint::CreateCon),
        summary: "The customer asks for a chat; usually answered with a queue position.",
        request: &[
            req("openId", T::Id, "the WeChat user's openId"),
            req("skillGroup", T::Integer, "the queue to wait in"),
            opt("nickname", T::String, "the customer's nickname"),
            opt("headImgUrl", T::String, "the customer's avatar URL"),
            req("requestTime", T::Millis, "when the request was made"),
            EPID,
            opt("serviceAccount", T::String, "the official account's name"),
            opt("agentId", T::Id, "pin the request to one agent"),
            opt("from", T::Source, "request source: PC MOBILE WECHAT APP"),
            opt("brand", T::String, "a second source field"),
            opt("tracks", T::String, "the browsing trail, a JSON string"),
        ],
        answer: CREATE_ANSWER,
    },
    OperationSpec {
        operation: Operation::Endpoint(Endpoint::GetMsg),
        summary: "A customer message to the agent.",
        request: &[
            req("sessionId", T::Id, "the session"),
            EPID,
            req("agentId", T::Id, "the agent"),
            req("openId", T::Id, "the customer"),
            req(
                "msgType",
                T::MsgType,
                "text image voice video link location",
            ),
            req(
                "content",
                T::Content,
                "a string for text, an object otherwise",
            ),
        ],
        answer: BASIC,
    },
    OperationSpec {
        operation: Operation::Endpoint(Endpoint::CloseCon),
        summary: "The customer ends the chat.",
        request: &[req("sessionId", T::Id, "the session"), EPID],
        answer: BASIC,
    },
    OperationSpec {
        operation: Operation::Endpoint(Endpoint::RateSession),
        summary: "The customer's satisfaction rating.",
        request: &[
            req("chatSessionId", T::Id, "the session (note the name)"),
            req("ratingId", T::Id, "the rating; values are per deployment"),
            req("ratingComment", T::String, "a remark"),
            EPID,
        ],
        answer: BASIC,
    },
    OperationSpec {
        operation: Operation::Endpoint(Endpoint::TransferCon),
        summary: "Hand a robot chat over to a human agent.",
        request: &[
            req("sessionId", T::Id, "the session"),
            req("openId", T::Id, "the customer"),
            req("createTime", T::Time, "the current time"),
            req("transferInfo", T::String, "what the transfer is about"),
            EPID,
        ],
        answer: CREATE_ANSWER,
    },
    OperationSpec {
        operation: Operation::Endpoint(Endpoint::CancelRequest),
        summary: "The customer cancels a queued request.",
        request: &[
            opt("sessionId", T::Id, "the session, when there is one"),
            req("openId", T::Id, "the customer"),
            req("requestId", T::Id, "the queued request"),
            req("createTime", T::Time, "the current time"),
            EPID,
        ],
        answer: BASIC,
    },
    OperationSpec {
        operation: Operation::Endpoint(Endpoint::GetQueueLength),
        summary: "The customer's place in the queue.",
        request: &[req("requestId", T::Id, "the queued request"), EPID],
        answer: &[
            RESULT,
            MESSAGE,
            ok(
                "orderInQueue",
                T::Integer,
                "the place in the queue (0 = first in line); not in a refusal",
            ),
        ],
    },
    OperationSpec {
        operation: Operation::Endpoint(Endpoint::Pulse),
        summary: "Is the session still live? result 1 while chatting.",
        request: &[
            req("sessionId", T::Id, "the session"),
            req("openId", T::Id, "the customer"),
            req("createTime", T::Time, "the current time"),
            opt("transferInfo", T::String, "transfer information"),
            EPID,
        ],
        answer: BASIC,
    },
    OperationSpec {
        operation: Operation::Callback(CallbackKind::Create),
        summary: "An agent accepted the queued request: the chat exists.",
        request: &[
            req(
                "result",
                T::ResultCode,
                "1 = routed to an agent; otherwise the routing failed",
            ),
            opt("message", T::String, "a remark"),
            ok("agentId", T::Id, "the agent; not when the routing failed"),
            ok(
                "agentName",
                T::String,
                "the agent's name; not when the routing failed",
            ),
            ok("sessionId", T::Id, "the new session; not when the routing failed"),
            ok(
                "responseTime",
                T::Millis,
                "when the agent accepted; not when the routing failed",
            ),
            req("openId", T::Id, "the customer"),
            req("epid", T::String, "the official account's id"),
        ],
        answer: BASIC,
    },
    OperationSpec {
        operation: Operation::Callback(CallbackKind::Msg),
        summary: "An agent message to the customer: rich text with HTML fragments.",
        request: &[
            req("sessionId", T::Id, "the session"),
            req("agentId", T::Id, "the agent"),
            req("openId", T::Id, "the customer"),
            req("epid", T::String, "the official account's id"),
            req("msgTime", T::Millis, "when it was sent"),
            req("content", T::String, "HTML fragments; untrusted"),
        ],
        answer: BASIC,
    },
    OperationSpec {
        operation: Operation::Callback(CallbackKind::Close),
        summary: "The agent side ended the chat.",
        request: &[
            req("closeTime", T::Millis, "when it ended"),
            req("agentId", T::Id, "the agent"),
            req("sessionId", T::Id, "the session"),
            req("openId", T::Id, "the customer"),
            req("epid", T::String, "the official account's id"),
        ],
        answer: BASIC,
    },
    OperationSpec {
        operation: Operation::Callback(CallbackKind::SessionAgentsUpdate),
        summary: "The agents in the session changed (transfer, conference).",
        request: &[
            req("agentId", T::Id, "the lead agent"),
            req("sessionId", T::Id, "the session"),
            req("openId", T::Id, "the customer"),
            req("agents", T::Agents, "everyone in the session: [{id, name}]"),
        ],
        answer: BASIC,
    },
    OperationSpec {
        operation: Operation::Callback(CallbackKind::PushRating),
        summary: "The agent asks the customer to rate (the original writes /ari//pushRating).",
        request: &[
            req("sessionId", T::Id, "the session"),
            req("openId", T::Id, "the customer"),
            req(
                "ratings",
                T::Array,
                "the rating options; element shape undefined",
            ),
        ],
        answer: BASIC,
    },
    OperationSpec {
        operation: Operation::Callback(CallbackKind::UpdateRequestStatus),
        summary: "The queued request changed state.",
        request: &[
            req("requestId", T::Id, "the request"),
            req(
                "requestStatus",
                T::RequestStatus,
                "see the request status codes",
            ),
            req("openId", T::Id, "the customer"),
            opt(
                "queueLength",
                T::IntegerOrEmpty,
                "the queue length, or \"\" (as the spec's example sends)",
            ),
            opt("message", T::String, "a remark"),
        ],
        answer: BASIC,
    },
    OperationSpec {
        operation: Operation::Callback(CallbackKind::GetMedia),
        summary: "webchat wants the file behind a media id.",
        request: &[
            req("mediaId", T::Id, "the media id"),
            req("agentId", T::Id, "the agent"),
            req("sessionId", T::Id, "the session"),
            req("openId", T::Id, "the customer"),
            req("epid", T::String, "the official account's id"),
        ],
        answer: &[
            req("code", T::ResultCode, "1 = ok (note: `code`, not `result`)"),
            ok(
                "message",
                T::String,
                "the file name, appended to LIVEBOT_WANADDR/wechat/{serviceAccountId}/{type}?file=; in a refusal, the reason",
            ),
        ],
    },
];

/// `getmsg.do`'s `content` object by `msgType` (text is a plain string).
pub const CONTENT: &[(crate::content::MsgType, &[Field])] = {
    use crate::content::MsgType as M;
    &[
        (
            M::Image,
            &[req("mediaId", T::String, "the picture's media id")],
        ),
        (
            M::Voice,
            &[
                req("recognition", T::String, "speech-to-text of the voice"),
                req("format", T::String, "the voice file's format"),
                req("mediaId", T::String, "the voice's media id"),
            ],
        ),
        (
            M::Video,
            &[
                req("thumbMediaId", T::String, "the thumbnail's media id"),
                req("mediaId", T::String, "the video's media id"),
            ],
        ),
        (
            M::Link,
            &[
                req("url", T::String, "the link"),
                req("title", T::String, "its title"),
                req("description", T::String, "its description"),
            ],
        ),
        (
            M::Location,
            &[
                req("x", T::Number, "longitude"),
                req("y", T::Number, "latitude"),
                req("scale", T::Number, "map scale"),
                req("label", T::String, "the place's label"),
            ],
        ),
    ]
};

impl Operation {
    /// The path as it appears in the exchange log (`createcon.do`, `/ari/msg`).
    pub fn name(self) -> &'static str {
        match self {
            Operation::Endpoint(e) => e.path(),
            Operation::Callback(c) => c.path(),
        }
    }

    pub fn spec(self) -> &'static OperationSpec {
        OPERATIONS
            .iter()
            .find(|s| s.operation == self)
            .expect("every operation is in the table")
    }

    pub fn from_name(name: &str) -> Option<Operation> {
        OPERATIONS
            .iter()
            .map(|s| s.operation)
            .find(|o| o.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_value;
    use serde_json::{json, Map, Value};

    /// A value of each type that the serde types accept.
    fn sample(ty: FieldType) -> Value {
        match ty {
            T::String | T::Time => json!("x"),
            T::Integer | T::IntegerOrEmpty | T::Number => json!(1),
            T::Id => json!("id1"),
            T::ResultCode | T::RequestStatus => json!(1),
            T::Millis => json!(1_700_000_000_000i64),
            T::Content => json!("hello"),
            T::Source => json!(crate::RequestSource::Wechat.as_str()),
            T::MsgType => json!("text"),
            T::Agents => json!([{"id": "a", "name": "A"}]),
            T::Array => json!([]),
        }
    }

    fn body(fields: &[Field], only_required: bool) -> Value {
        let map: Map<String, Value> = fields
            .iter()
            .filter(|f| f.required(true) || !only_required)
            .map(|f| (f.name.to_owned(), sample(f.ty)))
            .collect();
        Value::Object(map)
    }

    /// A refusal: the fields a failed body needs, with a result code of -10.
    fn refusal(fields: &[Field]) -> Value {
        let map: Map<String, Value> = fields
            .iter()
            .filter(|f| f.required(false))
            .map(|f| match f.ty {
                T::ResultCode => (f.name.to_owned(), json!(-10)),
                ty => (f.name.to_owned(), sample(ty)),
            })
            .collect();
        Value::Object(map)
    }

    /// Parses `value` as the serde type of the operation's request or answer.
    fn parses(op: Operation, answer: bool, value: Value) -> Result<Value, String> {
        use crate::*;
        fn go<T: serde::de::DeserializeOwned + serde::Serialize>(
            v: Value,
        ) -> Result<Value, String> {
            parse_value::<T>(v)
                .map(|t| serde_json::to_value(t).unwrap())
                .map_err(|e| e.to_string())
        }
        match (op, answer) {
            (Operation::Endpoint(Endpoint::CreateCon | Endpoint::TransferCon), true) => {
                go::<CreateConAnswer>(value)
            }
            (Operation::Endpoint(Endpoint::GetQueueLength), true) => go::<QueueLengthAnswer>(value),
            (Operation::Callback(CallbackKind::GetMedia), true) => go::<GetMediaAnswer>(value),
            (_, true) => go::<BasicAnswer>(value),
            (Operation::Endpoint(Endpoint::CreateCon), false) => go::<CreateConRequest>(value),
            (Operation::Endpoint(Endpoint::GetMsg), false) => go::<GetMsgRequest>(value),
            (Operation::Endpoint(Endpoint::CloseCon), false) => go::<CloseConRequest>(value),
            (Operation::Endpoint(Endpoint::RateSession), false) => go::<RateSessionRequest>(value),
            (Operation::Endpoint(Endpoint::TransferCon), false) => go::<TransferConRequest>(value),
            (Operation::Endpoint(Endpoint::CancelRequest), false) => {
                go::<CancelRequestRequest>(value)
            }
            (Operation::Endpoint(Endpoint::GetQueueLength), false) => {
                go::<GetQueueLengthRequest>(value)
            }
            (Operation::Endpoint(Endpoint::Pulse), false) => go::<PulseRequest>(value),
            (Operation::Callback(CallbackKind::Create), false) => go::<CreateCallback>(value),
            (Operation::Callback(CallbackKind::Msg), false) => go::<MsgCallback>(value),
            (Operation::Callback(CallbackKind::Close), false) => go::<CloseCallback>(value),
            (Operation::Callback(CallbackKind::SessionAgentsUpdate), false) => {
                go::<SessionAgentsUpdateCallback>(value)
            }
            (Operation::Callback(CallbackKind::PushRating), false) => {
                go::<PushRatingCallback>(value)
            }
            (Operation::Callback(CallbackKind::UpdateRequestStatus), false) => {
                go::<UpdateRequestStatusCallback>(value)
            }
            (Operation::Callback(CallbackKind::GetMedia), false) => go::<GetMediaCallback>(value),
        }
    }

    #[test]
    fn the_content_table_and_message_content_agree() {
        for (msg_type, fields) in CONTENT {
            let value = body(fields, true);
            let content = crate::MessageContent::from_wire(*msg_type, &value).unwrap();
            assert_eq!(
                content
                    .to_wire(crate::ContentEncoding::Object)
                    .as_object()
                    .unwrap()
                    .len(),
                fields.len()
            );
        }
        assert_eq!(CONTENT.len(), 5, "every type but text has an object");
    }

    #[test]
    fn only_result_code_bodies_have_fields_needed_on_success_alone() {
        for spec in OPERATIONS {
            for fields in [spec.request, spec.answer] {
                let has_code = fields.iter().any(|f| f.ty == T::ResultCode);
                for f in fields.iter().filter(|f| f.need == Need::OnSuccess) {
                    assert!(
                        has_code,
                        "{}: {} needs a result",
                        spec.operation.name(),
                        f.name
                    );
                }
            }
        }
        // A refusal of any answer needs its code alone (and the message is optional).
        for spec in OPERATIONS {
            let needed: Vec<&str> = spec
                .answer
                .iter()
                .filter(|f| f.required(false))
                .map(|f| f.name)
                .collect();
            assert!(
                needed == ["result"] || needed == ["code"],
                "{}: {needed:?}",
                spec.operation.name()
            );
        }
    }

    #[test]
    fn the_table_covers_all_fifteen_operations() {
        assert_eq!(OPERATIONS.len(), 15);
        for e in Endpoint::ALL {
            assert_eq!(
                Operation::Endpoint(e).spec().operation,
                Operation::Endpoint(e)
            );
        }
        for c in CallbackKind::ALL {
            assert_eq!(
                Operation::Callback(c).spec().operation,
                Operation::Callback(c)
            );
        }
    }

    #[test]
    fn the_table_and_the_serde_types_agree() {
        for spec in OPERATIONS {
            for (answer, fields) in [(false, spec.request), (true, spec.answer)] {
                let name = spec.operation.name();
                let full = parses(spec.operation, answer, body(fields, false))
                    .unwrap_or_else(|e| panic!("{name}: every field of the table parses: {e}"));
                parses(spec.operation, answer, body(fields, true))
                    .unwrap_or_else(|e| panic!("{name}: the required fields alone parse: {e}"));
                parses(spec.operation, answer, refusal(fields))
                    .unwrap_or_else(|e| panic!("{name}: a refusal's fields alone parse: {e}"));
                for key in full.as_object().unwrap().keys() {
                    assert!(
                        fields.iter().any(|f| f.name == key),
                        "{name}: serde field `{key}` is in the table"
                    );
                }
            }
        }
    }
}
