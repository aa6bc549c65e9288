//! Parsing a body at the edge: an error names the field (by its JSON path) and the problem,
//! so a caller can answer a malformed request with a message a tester can act on.

use serde::de::DeserializeOwned;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ParseError {
    #[error("body is not valid JSON: {0}")]
    Syntax(String),
    #[error("body must be a JSON object")]
    NotAnObject,
    #[error("field `{field}`: {reason}")]
    Field { field: String, reason: String },
    #[error("{0}")]
    Shape(String),
}

impl ParseError {
    /// The field the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            ParseError::Field { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// Parses a JSON object body into `T`, naming the offending field on failure.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ParseError> {
    parse_value(read_json(body)?)
}

/// Reads a body as JSON, once: the contract checker and [`parse_value`] both take the value.
pub fn read_json(body: &[u8]) -> Result<serde_json::Value, ParseError> {
    serde_json::from_slice(body).map_err(|e| ParseError::Syntax(e.to_string()))
}

/// As [`parse_json`], for a body already read as JSON.
pub fn parse_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ParseError> {
    if !value.is_object() {
        return Err(ParseError::NotAnObject);
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if let Some(missing) = missing_field(&inner) {
            let field = if path == "." {
                missing
            } else {
                format!("{path}.{missing}")
            };
            ParseError::Field {
                field,
                reason: "required field is missing".into(),
            }
        } else if path == "." {
            ParseError::Shape(inner)
        } else {
            ParseError::Field {
                field: path,
                reason: inner,
            }
        }
    })
}

fn missing_field(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callback::MsgCallback;

    #[test]
    fn errors_name_the_field() {
        let e = parse_json::<MsgCallback>(br#"{"openId":"o","content":"hi"}"#).unwrap_err();
        assert_eq!(e.field(), Some("sessionId"));
        assert_eq!(
            e.to_string(),
            "field `sessionId`: required field is missing"
        );
        let e = parse_json::<MsgCallback>(br#"{"sessionId":[1],"openId":"o","content":"hi"}"#)
            .unwrap_err();
        assert_eq!(e.field(), Some("sessionId"));
        assert!(matches!(
            parse_json::<MsgCallback>(b"{nope"),
            Err(ParseError::Syntax(_))
        ));
        assert_eq!(
            parse_json::<MsgCallback>(b"[]"),
            Err(ParseError::NotAnObject)
        );
    }
}
