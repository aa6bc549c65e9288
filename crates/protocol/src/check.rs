//! The contract checker's body rules: each request and answer against the spec's table
//! (required fields — fewer in a refusal —, JSON types, known codes, millisecond
//! timestamps near now, `getmsg.do`'s content by its `msgType`, unknown fields). Rules
//! that need a conversation's history live in the engine. Only an `Error` breaks the
//! interface (strict mode refuses it); the spec's own examples raise none.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::callback::CallbackKind as K;
use crate::code::{RequestStatus, ResultCode};
use crate::content::MsgType;
use crate::contract::{Field, FieldType, Operation, CONTENT};
use crate::endpoint::{Endpoint, RequestSource};

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Severity {
    #[default]
    /// Worth knowing; not a breach (an unknown field, a repeat).
    Info,
    /// Works here but breaks the letter of the interface.
    Warning,
    /// Breaks the interface.
    Error,
}

/// A rule of the contract checker: the name its findings carry, what it checks (in English
/// and Chinese), and the operations whose exchanges it is checked on (`None`: every
/// operation of the interface).
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub name: &'static str,
    pub checks: &'static str,
    pub checks_zh: &'static str,
    pub only: Option<&'static [Operation]>,
}

impl Rule {
    /// Whether an exchange of `operation` is checked against this rule.
    pub fn applies_to(&self, operation: Operation) -> bool {
        self.only.is_none_or(|only| only.contains(&operation))
    }
}

const fn rule(name: &'static str, [checks, checks_zh]: [&'static str; 2]) -> Rule {
    Rule {
        name,
        checks,
        checks_zh,
        only: None,
    }
}

const fn rule_on(
    name: &'static str,
    [checks, checks_zh]: [&'static str; 2],
    only: &'static [Operation],
) -> Rule {
    Rule {
        name,
        checks,
        checks_zh,
        only: Some(only),
    }
}

/// Every rule the checker has: the body rules of this module, then the rules the engine
/// checks against a conversation's history.
pub const RULES: [Rule; 12] = [
    rule(
        "shape",
        ["each body is a JSON object", "每个报文体都是 JSON 对象"],
    ),
    rule(
        "required",
        [
            "every field the interface requires is present",
            "接口要求的字段都存在",
        ],
    ),
    rule(
        "type",
        ["every field has its JSON type", "每个字段的 JSON 类型正确"],
    ),
    rule(
        "code",
        [
            "result codes, request statuses, sources and message types are known ones",
            "结果码、请求状态、来源和消息类型都是接口定义的值",
        ],
    ),
    rule(
        "timestamp",
        [
            "timestamps are epoch milliseconds near now",
            "时间戳是接近当前时间的毫秒数",
        ],
    ),
    rule_on(
        "content",
        [
            "a message's content fits its msgType",
            "消息内容与其 msgType 相符",
        ],
        &[Operation::Endpoint(Endpoint::GetMsg)],
    ),
    rule(
        "unknown_field",
        [
            "no field beyond the interface (info)",
            "没有接口之外的字段（提示）",
        ],
    ),
    rule_on(
        "unknown_session",
        [
            "a callback names a session an /ari/create opened",
            "回调所指的会话已由 /ari/create 建立",
        ],
        &[
            Operation::Callback(K::Msg),
            Operation::Callback(K::Close),
            Operation::Callback(K::SessionAgentsUpdate),
            Operation::Callback(K::PushRating),
            Operation::Callback(K::GetMedia),
        ],
    ),
    rule_on(
        "unknown_open_id",
        [
            "a callback names a customer of this hosting service",
            "回调所指的客户属于本托管服务",
        ],
        &[
            Operation::Callback(K::Create),
            Operation::Callback(K::UpdateRequestStatus),
        ],
    ),
    rule_on(
        "duplicate_create",
        [
            "one /ari/create per session",
            "每个会话只有一次 /ari/create",
        ],
        &[Operation::Callback(K::Create)],
    ),
    rule_on(
        "status_backwards",
        ["a request's status does not go back", "请求状态不会倒退"],
        &[Operation::Callback(K::UpdateRequestStatus)],
    ),
    rule_on(
        "repeat",
        [
            "an agent message is delivered once (info)",
            "坐席消息只送达一次（提示）",
        ],
        &[Operation::Callback(K::Msg)],
    ),
];

/// One way an exchange departs from the interface.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Finding {
    /// The name of one of the [`RULES`].
    pub rule: String,
    pub severity: Severity,
    /// `request.sessionId`, `answer.result`, …
    pub field: Option<String>,
    pub message: String,
}

impl Finding {
    pub fn new(
        rule: &str,
        severity: Severity,
        field: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule: rule.into(),
            severity,
            field,
            message: message.into(),
        }
    }
}

/// Which half of an exchange a body is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Request,
    Answer,
}

impl Side {
    fn prefix(self) -> &'static str {
        match self {
            Side::Request => "request",
            Side::Answer => "answer",
        }
    }
}

/// How far a timestamp may be from now before it is flagged.
const NEAR_MS: i64 = 24 * 60 * 60 * 1000;

/// Epoch milliseconds have 13 digits from 2001-09-09 to 2286-11-20.
const MILLIS: std::ops::Range<i64> = 1_000_000_000_000..10_000_000_000_000;

fn is_integer(v: &Value) -> bool {
    v.as_i64().is_some() || v.as_u64().is_some()
}

fn integer_text(v: &Value) -> Option<i64> {
    v.as_str().and_then(|s| s.trim().parse().ok())
}

/// A value for a message, cut short: content and HTML can be long.
fn brief(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// The problem with `value` for `field`, if any: `(rule, severity, message)`.
fn judge(field: &Field, value: &Value, now_ms: i64) -> Option<(&'static str, Severity, String)> {
    let type_error = |expected: &str| {
        Some((
            "type",
            Severity::Error,
            format!("expected {expected}, got {}", brief(value)),
        ))
    };
    let number_as_text = || {
        Some((
            "type",
            Severity::Warning,
            format!("expected a number, got the string {value}"),
        ))
    };
    match field.ty {
        FieldType::String => (!value.is_string()).then(|| {
            (
                "type",
                Severity::Error,
                format!("expected a string, got {}", brief(value)),
            )
        }),
        FieldType::IntegerOrEmpty if value.as_str() == Some("") => None,
        FieldType::Integer | FieldType::IntegerOrEmpty => {
            if is_integer(value) {
                None
            } else if value.as_str() == Some("") || integer_text(value).is_some() {
                number_as_text()
            } else {
                type_error("an integer")
            }
        }
        FieldType::Number => (!value.is_number()).then(|| {
            (
                "type",
                Severity::Error,
                format!("expected a number, got {}", brief(value)),
            )
        }),
        FieldType::Id => (!(is_integer(value) || value.is_string())).then(|| {
            (
                "type",
                Severity::Error,
                format!("expected an id (number or string), got {}", brief(value)),
            )
        }),
        FieldType::ResultCode | FieldType::RequestStatus => {
            let Some(code) = value.as_i64().or_else(|| integer_text(value)) else {
                return type_error("an integer code");
            };
            let known = match field.ty {
                FieldType::ResultCode => ResultCode::from(code).is_known(),
                _ => RequestStatus::from(code).is_known(),
            };
            if !known {
                Some((
                    "code",
                    Severity::Warning,
                    format!("{code} is not in the spec's code table"),
                ))
            } else if !is_integer(value) {
                number_as_text()
            } else {
                None
            }
        }
        FieldType::Millis => {
            // A number too large for i64 is out of range, not of the wrong type.
            let Some(ms) = value.as_i64().or_else(|| value.as_u64().map(|_| i64::MAX)) else {
                return if integer_text(value).is_some() {
                    number_as_text()
                } else {
                    type_error("epoch milliseconds (a number)")
                };
            };
            if !MILLIS.contains(&ms) {
                Some((
                    "timestamp",
                    Severity::Warning,
                    format!(
                        "{ms} does not look like epoch milliseconds (13 digits); \
                         the spec's own examples use placeholders such as 12341234324"
                    ),
                ))
            } else if (ms - now_ms).abs() > NEAR_MS {
                Some((
                    "timestamp",
                    Severity::Warning,
                    format!("{ms} is more than a day from now"),
                ))
            } else {
                None
            }
        }
        FieldType::Content => (!(value.is_string() || value.is_object())).then(|| {
            (
                "type",
                Severity::Error,
                format!("expected a string or an object, got {}", brief(value)),
            )
        }),
        FieldType::Time => (!(value.is_string() || is_integer(value))).then(|| {
            (
                "type",
                Severity::Error,
                format!("expected a time string, got {}", brief(value)),
            )
        }),
        FieldType::Source => match value.as_str().and_then(RequestSource::parse) {
            Some(_) => None,
            None => Some((
                "code",
                Severity::Error,
                format!(
                    "expected one of {}, got {}",
                    RequestSource::ALL.map(RequestSource::as_str).join(" "),
                    brief(value)
                ),
            )),
        },
        FieldType::MsgType => match value.as_str().and_then(MsgType::parse) {
            Some(_) => None,
            None => Some((
                "code",
                Severity::Error,
                format!(
                    "expected one of text image voice video link location, got {}",
                    brief(value)
                ),
            )),
        },
        FieldType::Agents => match value.as_array() {
            Some(items)
                if items.iter().all(|a| {
                    a.get("id")
                        .is_some_and(|id| is_integer(id) || id.is_string())
                }) =>
            {
                None
            }
            Some(_) => Some(("type", Severity::Error, "every agent needs an `id`".into())),
            None => type_error("an array of {id, name}"),
        },
        FieldType::Array => (!value.is_array()).then(|| {
            (
                "type",
                Severity::Error,
                format!("expected an array, got {}", brief(value)),
            )
        }),
    }
}

/// Does the body report success? Yes unless its result code (`result`, or `getMedia`'s
/// `code`) is there and is a number other than 1: a missing or unreadable code is
/// already a finding of its own, and the body is then held to every field.
fn reports_success(fields: &[Field], object: &Map<String, Value>) -> bool {
    fields
        .iter()
        .filter(|f| f.ty == FieldType::ResultCode)
        .filter_map(|f| object.get(f.name))
        .filter_map(|v| v.as_i64().or_else(|| integer_text(v)))
        .all(|code| code == 1)
}

/// `getmsg.do`'s `content` against its `msgType`: text is a plain string; every other
/// type is its object (see [`CONTENT`]), either as it is or as a JSON string holding it.
fn content_findings(msg_type: MsgType, content: &Value, path: &str, now_ms: i64) -> Vec<Finding> {
    let name = msg_type.as_str();
    let wrong = |message: String| {
        vec![Finding::new(
            "content",
            Severity::Error,
            Some(path.to_owned()),
            message,
        )]
    };
    let Some(fields) = CONTENT
        .iter()
        .find(|(t, _)| *t == msg_type)
        .map(|(_, f)| *f)
    else {
        return match content {
            Value::String(_) => vec![],
            other => wrong(format!(
                "a {name} message's `content` is a plain string, got {}",
                brief(other)
            )),
        };
    };
    let decoded;
    let object = match content {
        Value::Object(object) => object,
        Value::String(text) => match serde_json::from_str(text) {
            Ok(Value::Object(object)) => {
                decoded = object;
                &decoded
            }
            _ => {
                return wrong(format!(
                    "a {name} message's `content` is an object (or a JSON string holding one), \
                     got the string {}",
                    brief(content)
                ))
            }
        },
        // Neither a string nor an object: the `type` rule has said so.
        _ => return vec![],
    };
    object_findings(fields, object, path, now_ms)
}

/// The rules of `fields` over one JSON object whose fields are named `{prefix}.{name}`.
fn object_findings(
    fields: &[Field],
    object: &Map<String, Value>,
    prefix: &str,
    now_ms: i64,
) -> Vec<Finding> {
    let success = reports_success(fields, object);
    let msg_type = fields
        .iter()
        .find(|f| f.ty == FieldType::MsgType)
        .and_then(|f| object.get(f.name))
        .and_then(Value::as_str)
        .and_then(MsgType::parse);
    let mut findings = vec![];
    for field in fields {
        let path = format!("{prefix}.{}", field.name);
        match object.get(field.name) {
            None | Some(Value::Null) if field.required(success) => findings.push(Finding::new(
                "required",
                Severity::Error,
                Some(path),
                format!("`{}` is required by the interface", field.name),
            )),
            None | Some(Value::Null) => {}
            Some(v) => match judge(field, v, now_ms) {
                Some((rule, severity, message)) => findings.push(Finding::new(
                    rule,
                    severity,
                    Some(path),
                    format!("`{}`: {message}", field.name),
                )),
                None if field.ty == FieldType::Content => {
                    if let Some(t) = msg_type {
                        findings.extend(content_findings(t, v, &path, now_ms));
                    }
                }
                None => {}
            },
        }
    }
    for key in object.keys() {
        if !fields.iter().any(|f| f.name == key) {
            findings.push(Finding::new(
                "unknown_field",
                Severity::Info,
                Some(format!("{prefix}.{key}")),
                format!("`{key}` is not in the interface; kept in the log, ignored"),
            ));
        }
    }
    findings
}

/// Checks one body of `operation` against the spec's table.
pub fn check_body(operation: Operation, side: Side, body: &str, now_ms: i64) -> Vec<Finding> {
    let prefix = side.prefix();
    match serde_json::from_str::<Value>(body) {
        Ok(value) => check_value(operation, side, &value, now_ms),
        Err(e) => vec![Finding::new(
            "shape",
            Severity::Error,
            None,
            format!("{prefix} is not JSON: {e}"),
        )],
    }
}

/// As [`check_body`], for a body already read as JSON.
pub fn check_value(operation: Operation, side: Side, value: &Value, now_ms: i64) -> Vec<Finding> {
    let spec = operation.spec();
    let fields = match side {
        Side::Request => spec.request,
        Side::Answer => spec.answer,
    };
    let prefix = side.prefix();
    let Some(object) = value.as_object() else {
        return vec![Finding::new(
            "shape",
            Severity::Error,
            None,
            format!("{prefix} is not a JSON object"),
        )];
    };
    object_findings(fields, object, prefix, now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CallbackKind, Endpoint};
    use serde_json::json;

    const NOW: i64 = 1_700_000_000_000;
    const E: Severity = Severity::Error;
    const W: Severity = Severity::Warning;
    const I: Severity = Severity::Info;

    fn cb(kind: CallbackKind) -> Operation {
        Operation::Callback(kind)
    }
    fn ep(endpoint: Endpoint) -> Operation {
        Operation::Endpoint(endpoint)
    }

    /// A conforming body of each shape the cases below break.
    fn good(name: &str) -> Value {
        match name {
            "msg" => {
                json!({"sessionId": 1, "agentId": "A", "openId": "o", "epid": "e", "msgTime": NOW, "content": "hi"})
            }
            "create" => {
                json!({"result": 1, "message": "ok", "agentId": "A", "agentName": "Ann", "sessionId": 7, "responseTime": NOW, "openId": "o", "epid": "e"})
            }
            "createcon" => {
                json!({"openId": "o", "skillGroup": 1, "requestTime": NOW, "from": "WECHAT"})
            }
            "getmsg" => {
                json!({"sessionId": 1, "agentId": "A", "openId": "o", "msgType": "text", "content": "hi"})
            }
            "pulse" => json!({"sessionId": 1, "openId": "o", "createTime": "2024-01-01 10:00:00"}),
            "status" => {
                json!({"requestId": "R", "requestStatus": 0, "openId": "o", "queueLength": 3})
            }
            "agents" => {
                json!({"agentId": "A", "sessionId": 1, "openId": "o", "agents": [{"id": "A", "name": "Ann"}]})
            }
            "rating" => json!({"sessionId": 1, "openId": "o", "ratings": []}),
            other => panic!("no good body {other}"),
        }
    }

    fn with(name: &str, key: &str, value: Value) -> String {
        let mut body = good(name);
        body[key] = value;
        body.to_string()
    }

    fn without(name: &str, key: &str) -> String {
        let mut body = good(name);
        body.as_object_mut().unwrap().remove(key);
        body.to_string()
    }

    fn getmsg(msg_type: &str, content: Value) -> String {
        let mut body = good("getmsg");
        body["msgType"] = json!(msg_type);
        body["content"] = content;
        body.to_string()
    }

    fn found(f: &[Finding]) -> Vec<(&str, Option<&str>, Severity)> {
        f.iter()
            .map(|f| (f.rule.as_str(), f.field.as_deref(), f.severity))
            .collect()
    }

    /// One body that breaks one rule, and exactly what the checker says of it.
    struct Case {
        what: &'static str,
        operation: Operation,
        side: Side,
        body: String,
        expect: Vec<(&'static str, Option<&'static str>, Severity)>,
    }

    fn case(
        what: &'static str,
        operation: Operation,
        side: Side,
        body: impl Into<String>,
        expect: &[(&'static str, Option<&'static str>, Severity)],
    ) -> Case {
        Case {
            what,
            operation,
            side,
            body: body.into(),
            expect: expect.to_vec(),
        }
    }

    fn cases() -> Vec<Case> {
        use CallbackKind as C;
        use Endpoint as P;
        use Side::{Answer as A, Request as R};
        let msg = cb(C::Msg);
        let create = cb(C::Create);
        let get_msg = ep(P::GetMsg);
        let image = json!({"mediaId": "m"});
        vec![
            case("not JSON", msg, R, "{nope", &[("shape", None, E)]),
            case(
                "not an object",
                ep(P::Pulse),
                A,
                "[1]",
                &[("shape", None, E)],
            ),
            case(
                "a required field is missing",
                msg,
                R,
                without("msg", "msgTime"),
                &[("required", Some("request.msgTime"), E)],
            ),
            case(
                "null is missing",
                msg,
                R,
                with("msg", "sessionId", Value::Null),
                &[("required", Some("request.sessionId"), E)],
            ),
            case(
                "a routed /ari/create needs its session",
                create,
                R,
                without("create", "sessionId"),
                &[("required", Some("request.sessionId"), E)],
            ),
            case(
                "a routed /ari/create needs its agent",
                create,
                R,
                without("create", "agentId"),
                &[("required", Some("request.agentId"), E)],
            ),
            case(
                "a failed /ari/create still needs its openId",
                create,
                R,
                r#"{"result":-5,"message":"no agent","epid":"e"}"#,
                &[("required", Some("request.openId"), E)],
            ),
            case(
                "a queue answer needs its place",
                ep(P::GetQueueLength),
                A,
                r#"{"result":1,"message":"ok"}"#,
                &[("required", Some("answer.orderInQueue"), E)],
            ),
            case(
                "a getMedia answer needs its file name",
                cb(C::GetMedia),
                A,
                r#"{"code":1}"#,
                &[("required", Some("answer.message"), E)],
            ),
            case(
                "getMedia answers with code, not result",
                cb(C::GetMedia),
                A,
                r#"{"result":1,"message":"a.png"}"#,
                &[
                    ("required", Some("answer.code"), E),
                    ("unknown_field", Some("answer.result"), I),
                ],
            ),
            case(
                "an answer needs its result",
                msg,
                A,
                r#"{"message":"ok"}"#,
                &[("required", Some("answer.result"), E)],
            ),
            case(
                "video content needs both media ids",
                get_msg,
                R,
                getmsg("video", json!({})),
                &[
                    ("required", Some("request.content.thumbMediaId"), E),
                    ("required", Some("request.content.mediaId"), E),
                ],
            ),
            case(
                "string-encoded content is held to the same fields",
                get_msg,
                R,
                getmsg("video", json!("{}")),
                &[
                    ("required", Some("request.content.thumbMediaId"), E),
                    ("required", Some("request.content.mediaId"), E),
                ],
            ),
            case(
                "voice content lacks its recognition",
                get_msg,
                R,
                getmsg("voice", json!({"format": "amr", "mediaId": "m"})),
                &[("required", Some("request.content.recognition"), E)],
            ),
            case(
                "a string field gets a number",
                msg,
                R,
                with("msg", "epid", json!(5)),
                &[("type", Some("request.epid"), E)],
            ),
            case(
                "an integer as a numeric string",
                ep(P::CreateCon),
                R,
                with("createcon", "skillGroup", json!("2")),
                &[("type", Some("request.skillGroup"), W)],
            ),
            case(
                "an integer as an empty string",
                ep(P::CreateCon),
                R,
                with("createcon", "skillGroup", json!("")),
                &[("type", Some("request.skillGroup"), W)],
            ),
            case(
                "an integer as a word",
                ep(P::CreateCon),
                R,
                with("createcon", "skillGroup", json!("two")),
                &[("type", Some("request.skillGroup"), E)],
            ),
            case(
                "queueLength as a numeric string",
                cb(C::UpdateRequestStatus),
                R,
                with("status", "queueLength", json!("7")),
                &[("type", Some("request.queueLength"), W)],
            ),
            case(
                "queueLength as a word",
                cb(C::UpdateRequestStatus),
                R,
                with("status", "queueLength", json!("many")),
                &[("type", Some("request.queueLength"), E)],
            ),
            case(
                "an id as an array",
                msg,
                R,
                with("msg", "sessionId", json!([1])),
                &[("type", Some("request.sessionId"), E)],
            ),
            case(
                "a result code as a word",
                msg,
                A,
                r#"{"result":"ok"}"#,
                &[("type", Some("answer.result"), E)],
            ),
            case(
                "a result code as a numeric string",
                msg,
                A,
                r#"{"result":"1"}"#,
                &[("type", Some("answer.result"), W)],
            ),
            case(
                "a timestamp as a numeric string",
                msg,
                R,
                with("msg", "msgTime", json!(NOW.to_string())),
                &[("type", Some("request.msgTime"), W)],
            ),
            case(
                "a timestamp as a boolean",
                msg,
                R,
                with("msg", "msgTime", json!(true)),
                &[("type", Some("request.msgTime"), E)],
            ),
            case(
                "content neither string nor object",
                get_msg,
                R,
                getmsg("text", json!(5)),
                &[("type", Some("request.content"), E)],
            ),
            case(
                "a time as an array",
                ep(P::Pulse),
                R,
                with("pulse", "createTime", json!([])),
                &[("type", Some("request.createTime"), E)],
            ),
            case(
                "an agent without an id",
                cb(C::SessionAgentsUpdate),
                R,
                with("agents", "agents", json!([{"name": "Ann"}])),
                &[("type", Some("request.agents"), E)],
            ),
            case(
                "agents not an array",
                cb(C::SessionAgentsUpdate),
                R,
                with("agents", "agents", json!("Ann")),
                &[("type", Some("request.agents"), E)],
            ),
            case(
                "ratings not an array",
                cb(C::PushRating),
                R,
                with("rating", "ratings", json!({})),
                &[("type", Some("request.ratings"), E)],
            ),
            case(
                "a coordinate as a string",
                get_msg,
                R,
                getmsg(
                    "location",
                    json!({"x": "121.2", "y": 34.2, "scale": 1, "label": ""}),
                ),
                &[("type", Some("request.content.x"), E)],
            ),
            case(
                "a media id as a number inside string-encoded content",
                get_msg,
                R,
                getmsg("image", json!("{\"mediaId\":5}")),
                &[("type", Some("request.content.mediaId"), E)],
            ),
            case(
                "an unknown result code",
                msg,
                A,
                r#"{"result":-77,"message":"x"}"#,
                &[("code", Some("answer.result"), W)],
            ),
            case(
                "an unknown request status",
                cb(C::UpdateRequestStatus),
                R,
                with("status", "requestStatus", json!(123)),
                &[("code", Some("request.requestStatus"), W)],
            ),
            case(
                "an unknown source",
                ep(P::CreateCon),
                R,
                with("createcon", "from", json!("FAX")),
                &[("code", Some("request.from"), E)],
            ),
            case(
                "an unknown message type",
                get_msg,
                R,
                getmsg("sticker", json!("hi")),
                &[("code", Some("request.msgType"), E)],
            ),
            case(
                "a timestamp in seconds",
                msg,
                R,
                with("msg", "msgTime", json!(NOW / 1000)),
                &[("timestamp", Some("request.msgTime"), W)],
            ),
            case(
                "the spec's 11-digit placeholder",
                cb(C::Close),
                R,
                r#"{"closeTime":12341234324,"agentId":"","sessionId":123,"openId":"","epid":""}"#,
                &[("timestamp", Some("request.closeTime"), W)],
            ),
            case(
                "a timestamp too large for i64",
                msg,
                R,
                with("msg", "msgTime", json!(u64::MAX)),
                &[("timestamp", Some("request.msgTime"), W)],
            ),
            case(
                "a timestamp far from now",
                msg,
                R,
                with("msg", "msgTime", json!(NOW - 100 * NEAR_MS)),
                &[("timestamp", Some("request.msgTime"), W)],
            ),
            case(
                "an unknown field",
                msg,
                R,
                with("msg", "extra", json!(true)),
                &[("unknown_field", Some("request.extra"), I)],
            ),
            case(
                "an unknown field inside content",
                get_msg,
                R,
                getmsg("image", json!({"mediaId": "m", "size": 3})),
                &[("unknown_field", Some("request.content.size"), I)],
            ),
            case(
                "a text whose content is an object",
                get_msg,
                R,
                getmsg("text", image.clone()),
                &[("content", Some("request.content"), E)],
            ),
            case(
                "an image whose content is plain text",
                get_msg,
                R,
                getmsg("image", json!("a picture")),
                &[("content", Some("request.content"), E)],
            ),
            case(
                "an image whose content is a JSON array string",
                get_msg,
                R,
                getmsg("image", json!("[1]")),
                &[("content", Some("request.content"), E)],
            ),
        ]
    }

    #[test]
    fn every_rule_breaks_as_named() {
        for c in cases() {
            let f = check_body(c.operation, c.side, &c.body, NOW);
            assert_eq!(found(&f), c.expect, "{}: {}", c.what, c.body);
        }
    }

    #[test]
    fn every_rule_has_a_breaking_case() {
        let cases = cases();
        let history = [
            "unknown_session",
            "unknown_open_id",
            "duplicate_create",
            "status_backwards",
            "repeat",
        ];
        for rule in RULES
            .iter()
            .map(|r| r.name)
            .filter(|r| !history.contains(r))
        {
            assert!(
                cases.iter().any(|c| c.expect.iter().any(|e| e.0 == rule)),
                "no case breaks `{rule}`"
            );
        }
    }

    #[test]
    fn conforming_bodies_have_no_findings() {
        use CallbackKind as C;
        use Endpoint as P;
        let location = json!({"x": 121.23, "y": 34.213, "scale": 1, "label": ""});
        let passes: Vec<(Operation, Side, String)> = vec![
            (cb(C::Msg), Side::Request, good("msg").to_string()),
            (
                cb(C::Msg),
                Side::Answer,
                r#"{"result":1,"message":"ok"}"#.into(),
            ),
            (cb(C::Create), Side::Request, good("create").to_string()),
            (
                ep(P::CreateCon),
                Side::Request,
                good("createcon").to_string(),
            ),
            (ep(P::Pulse), Side::Request, good("pulse").to_string()),
            (ep(P::Pulse), Side::Answer, r#"{"result":1}"#.into()),
            (
                cb(C::UpdateRequestStatus),
                Side::Request,
                good("status").to_string(),
            ),
            (
                cb(C::UpdateRequestStatus),
                Side::Request,
                with("status", "queueLength", json!("")),
            ),
            (
                cb(C::SessionAgentsUpdate),
                Side::Request,
                good("agents").to_string(),
            ),
            (cb(C::PushRating), Side::Request, good("rating").to_string()),
            (ep(P::GetMsg), Side::Request, good("getmsg").to_string()),
            (ep(P::GetMsg), Side::Request, getmsg("text", json!(""))),
            (
                ep(P::GetMsg),
                Side::Request,
                getmsg("text", json!("{\"mediaId\":\"m\"}")),
            ),
            (
                ep(P::GetMsg),
                Side::Request,
                getmsg("location", location.clone()),
            ),
            (
                ep(P::GetMsg),
                Side::Request,
                getmsg("location", json!(location.to_string())),
            ),
            (
                ep(P::GetMsg),
                Side::Request,
                getmsg("link", json!({"url": "u", "title": "", "description": ""})),
            ),
            (
                cb(C::GetMedia),
                Side::Answer,
                r#"{"code":1,"message":"a.png"}"#.into(),
            ),
        ];
        for (op, side, body) in passes {
            assert_eq!(
                check_body(op, side, &body, NOW),
                vec![],
                "{}: {body}",
                op.name()
            );
        }
    }

    #[test]
    fn a_refusal_needs_its_code_and_message_only() {
        use CallbackKind as C;
        use Endpoint as P;
        let refusals: Vec<(Operation, Side, &str)> = vec![
            // A failed routing: no session, no agent, no response time.
            (
                cb(C::Create),
                Side::Request,
                r#"{"result":-5,"message":"no agent online","openId":"o","epid":"e"}"#,
            ),
            (
                cb(C::Create),
                Side::Request,
                r#"{"result":"-3","message":"","openId":"o","epid":"e"}"#,
            ),
            (
                ep(P::GetQueueLength),
                Side::Answer,
                r#"{"result":-10,"message":"no such request"}"#,
            ),
            (
                cb(C::GetMedia),
                Side::Answer,
                r#"{"code":-10,"message":"no such media"}"#,
            ),
            (cb(C::GetMedia), Side::Answer, r#"{"code":-100}"#),
        ];
        for (op, side, body) in refusals {
            let f: Vec<_> = check_body(op, side, body, NOW)
                .into_iter()
                .filter(|f| f.severity == Severity::Error)
                .collect();
            assert_eq!(f, vec![], "{}: {body}", op.name());
        }
        // Every answer of the table, refused, needs nothing beyond its code.
        for spec in crate::OPERATIONS {
            let code = spec
                .answer
                .iter()
                .find(|f| f.ty == FieldType::ResultCode)
                .expect("every answer has a code");
            let body = json!({ code.name: -10 }).to_string();
            assert_eq!(
                check_body(spec.operation, Side::Answer, &body, NOW),
                vec![],
                "{}",
                spec.operation.name()
            );
        }
        // Present success fields of a refusal are still checked.
        let f = check_body(
            cb(C::Create),
            Side::Request,
            r#"{"result":-5,"openId":"o","epid":"e","sessionId":[1]}"#,
            NOW,
        );
        assert_eq!(found(&f), vec![("type", Some("request.sessionId"), E)]);
    }
}
