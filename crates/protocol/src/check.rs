//! The contract checker's body rules: each request and answer against the spec's table
//! (required fields, JSON types, known codes, millisecond timestamps near now, unknown
//! fields). Rules that need a conversation's history live in the engine.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::code::{RequestStatus, ResultCode};
use crate::content::MsgType;
use crate::contract::{Field, FieldType, Operation};

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

/// One way an exchange departs from the interface.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Finding {
    /// A short rule name: `required`, `type`, `code`, `timestamp`, `unknown_field`, `shape`,
    /// `unknown_session`, `duplicate_create`, `status_backwards`, `repeat`.
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

fn is_integer(v: &Value) -> bool {
    v.as_i64().is_some() || v.as_u64().is_some()
}

fn integer_text(v: &Value) -> Option<i64> {
    v.as_str().and_then(|s| s.trim().parse().ok())
}

/// The problem with `value` for `field`, if any: `(rule, severity, message)`.
fn judge(field: &Field, value: &Value, now_ms: i64) -> Option<(&'static str, Severity, String)> {
    let type_error = |expected: &str| {
        Some((
            "type",
            Severity::Error,
            format!("expected {expected}, got {value}"),
        ))
    };
    match field.ty {
        FieldType::String => (!value.is_string()).then(|| {
            (
                "type",
                Severity::Error,
                format!("expected a string, got {value}"),
            )
        }),
        FieldType::Integer => {
            if is_integer(value) {
                None
            } else if value.as_str() == Some("") || integer_text(value).is_some() {
                Some((
                    "type",
                    Severity::Warning,
                    format!("expected a number, got the string {value}"),
                ))
            } else {
                type_error("an integer")
            }
        }
        FieldType::Number => (!value.is_number()).then(|| {
            (
                "type",
                Severity::Error,
                format!("expected a number, got {value}"),
            )
        }),
        FieldType::Id => (!(is_integer(value) || value.is_string())).then(|| {
            (
                "type",
                Severity::Error,
                format!("expected an id (number or string), got {value}"),
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
                Some((
                    "type",
                    Severity::Warning,
                    format!("expected a number, got the string {value}"),
                ))
            } else {
                None
            }
        }
        FieldType::Millis => {
            let Some(ms) = value.as_i64() else {
                return type_error("epoch milliseconds (a number)");
            };
            if !(1_000_000_000_000..10_000_000_000_000).contains(&ms) {
                Some((
                    "timestamp",
                    Severity::Error,
                    format!("{ms} is not epoch milliseconds"),
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
                format!("expected a string or an object, got {value}"),
            )
        }),
        FieldType::Time => (!(value.is_string() || is_integer(value))).then(|| {
            (
                "type",
                Severity::Error,
                format!("expected a time string, got {value}"),
            )
        }),
        FieldType::Source => match value.as_str() {
            Some("PC" | "MOBILE" | "WECHAT" | "APP") => None,
            _ => Some((
                "code",
                Severity::Error,
                format!("expected one of PC MOBILE WECHAT APP, got {value}"),
            )),
        },
        FieldType::MsgType => match value.as_str().and_then(MsgType::parse) {
            Some(_) => None,
            None => Some((
                "code",
                Severity::Error,
                format!("expected one of text image voice video link location, got {value}"),
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
                format!("expected an array, got {value}"),
            )
        }),
    }
}

/// Checks one body of `operation` against the spec's table.
pub fn check_body(operation: Operation, side: Side, body: &str, now_ms: i64) -> Vec<Finding> {
    let spec = operation.spec();
    let fields = match side {
        Side::Request => spec.request,
        Side::Answer => spec.answer,
    };
    let prefix = side.prefix();
    let value: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => {
            return vec![Finding::new(
                "shape",
                Severity::Error,
                None,
                format!("{prefix} is not JSON: {e}"),
            )]
        }
    };
    let Some(object) = value.as_object() else {
        return vec![Finding::new(
            "shape",
            Severity::Error,
            None,
            format!("{prefix} is not a JSON object"),
        )];
    };
    let mut findings = vec![];
    for field in fields {
        let path = Some(format!("{prefix}.{}", field.name));
        match object.get(field.name) {
            None | Some(Value::Null) if field.required => findings.push(Finding::new(
                "required",
                Severity::Error,
                path,
                format!("`{}` is required by the interface", field.name),
            )),
            None | Some(Value::Null) => {}
            Some(v) => {
                if let Some((rule, severity, message)) = judge(field, v, now_ms) {
                    findings.push(Finding::new(
                        rule,
                        severity,
                        path,
                        format!("`{}`: {message}", field.name),
                    ));
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CallbackKind, Endpoint};

    const NOW: i64 = 1_700_000_000_000;
    fn msg() -> Operation {
        Operation::Callback(CallbackKind::Msg)
    }
    fn rules(f: &[Finding]) -> Vec<(&str, Option<&str>)> {
        f.iter()
            .map(|f| (f.rule.as_str(), f.field.as_deref()))
            .collect()
    }
    const GOOD_MSG: &str = r#"{"sessionId":1,"agentId":"A","openId":"o","epid":"e","msgTime":1700000000000,"content":"hi"}"#;

    #[test]
    fn a_conforming_callback_has_no_findings() {
        assert_eq!(check_body(msg(), Side::Request, GOOD_MSG, NOW), vec![]);
        assert_eq!(
            check_body(msg(), Side::Answer, r#"{"result":1,"message":"ok"}"#, NOW),
            vec![]
        );
    }

    #[test]
    fn required_fields() {
        let f = check_body(
            msg(),
            Side::Request,
            r#"{"sessionId":1,"agentId":"A","openId":"o","epid":"e","content":"hi"}"#,
            NOW,
        );
        assert_eq!(rules(&f), vec![("required", Some("request.msgTime"))]);
    }

    #[test]
    fn json_types() {
        let f = check_body(
            msg(),
            Side::Request,
            &GOOD_MSG.replace(r#""content":"hi""#, r#""content":5"#),
            NOW,
        );
        assert_eq!(rules(&f), vec![("type", Some("request.content"))]);
        let f = check_body(
            Operation::Callback(CallbackKind::UpdateRequestStatus),
            Side::Request,
            r#"{"requestId":"R","requestStatus":0,"openId":"o","queueLength":""}"#,
            NOW,
        );
        assert_eq!(rules(&f), vec![("type", Some("request.queueLength"))]);
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn known_codes() {
        let f = check_body(msg(), Side::Answer, r#"{"result":-77,"message":"x"}"#, NOW);
        assert_eq!(rules(&f), vec![("code", Some("answer.result"))]);
        let f = check_body(
            Operation::Callback(CallbackKind::UpdateRequestStatus),
            Side::Request,
            r#"{"requestId":"R","requestStatus":123,"openId":"o"}"#,
            NOW,
        );
        assert_eq!(rules(&f), vec![("code", Some("request.requestStatus"))]);
        let ok = check_body(
            Operation::Callback(CallbackKind::UpdateRequestStatus),
            Side::Request,
            r#"{"requestId":"R","requestStatus":11,"openId":"o"}"#,
            NOW,
        );
        assert!(ok.is_empty());
    }

    #[test]
    fn timestamps_are_milliseconds_near_now() {
        let secs = check_body(
            msg(),
            Side::Request,
            &GOOD_MSG.replace("1700000000000", "1700000000"),
            NOW,
        );
        assert_eq!(
            (secs[0].rule.as_str(), secs[0].severity),
            ("timestamp", Severity::Error)
        );
        let old = check_body(
            msg(),
            Side::Request,
            &GOOD_MSG.replace("1700000000000", "1600000000000"),
            NOW,
        );
        assert_eq!(
            (old[0].rule.as_str(), old[0].severity),
            ("timestamp", Severity::Warning)
        );
    }

    #[test]
    fn answer_shape_and_unknown_fields() {
        let media = Operation::Callback(CallbackKind::GetMedia);
        let f = check_body(
            media,
            Side::Answer,
            r#"{"result":1,"message":"a.png"}"#,
            NOW,
        );
        assert_eq!(
            rules(&f),
            vec![
                ("required", Some("answer.code")),
                ("unknown_field", Some("answer.result"))
            ]
        );
        assert!(check_body(media, Side::Answer, r#"{"code":1,"message":"a.png"}"#, NOW).is_empty());
        let f = check_body(
            Operation::Endpoint(Endpoint::Pulse),
            Side::Answer,
            "[1]",
            NOW,
        );
        assert_eq!(rules(&f), vec![("shape", None)]);
        let f = check_body(
            Operation::Endpoint(Endpoint::GetQueueLength),
            Side::Answer,
            r#"{"result":1}"#,
            NOW,
        );
        assert_eq!(rules(&f), vec![("required", Some("answer.orderInQueue"))]);
    }
}
