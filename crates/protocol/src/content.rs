//! `getmsg.do` message content, by `msgType`. Text is a plain string; every other type is
//! a JSON object that some servers expect serialized into a string (a profile switch).

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum MsgType {
    Text,
    Image,
    Voice,
    Video,
    Link,
    Location,
}

impl MsgType {
    pub const ALL: [MsgType; 6] = [
        MsgType::Text,
        MsgType::Image,
        MsgType::Voice,
        MsgType::Video,
        MsgType::Link,
        MsgType::Location,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MsgType::Text => "text",
            MsgType::Image => "image",
            MsgType::Voice => "voice",
            MsgType::Video => "video",
            MsgType::Link => "link",
            MsgType::Location => "location",
        }
    }

    pub fn parse(s: &str) -> Option<MsgType> {
        MsgType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// How non-text content goes on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ContentEncoding {
    /// `content: {"mediaId": "…"}` — what the spec says.
    #[default]
    Object,
    /// `content: "{\"mediaId\":\"…\"}"` — what some servers expect.
    String,
}

/// One message's content, typed by its `msgType`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "msgType", content = "content", rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum MessageContent {
    Text(String),
    Image(ImageContent),
    Voice(VoiceContent),
    Video(VideoContent),
    Link(LinkContent),
    Location(LocationContent),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImageContent {
    pub media_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VoiceContent {
    #[serde(default)]
    pub recognition: String,
    #[serde(default)]
    pub format: String,
    pub media_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VideoContent {
    pub thumb_media_id: String,
    pub media_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LinkContent {
    pub url: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LocationContent {
    /// Longitude.
    pub x: f64,
    /// Latitude.
    pub y: f64,
    #[serde(default)]
    pub scale: f64,
    #[serde(default)]
    pub label: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ContentError {
    #[error("content of a {0} message must be a string")]
    TextNotString(&'static str),
    #[error("content of a {msg_type} message is not valid: {reason}")]
    Invalid {
        msg_type: &'static str,
        reason: String,
    },
}

impl MessageContent {
    pub fn msg_type(&self) -> MsgType {
        match self {
            MessageContent::Text(_) => MsgType::Text,
            MessageContent::Image(_) => MsgType::Image,
            MessageContent::Voice(_) => MsgType::Voice,
            MessageContent::Video(_) => MsgType::Video,
            MessageContent::Link(_) => MsgType::Link,
            MessageContent::Location(_) => MsgType::Location,
        }
    }

    /// Media ids this message refers to (video: the file, then its thumbnail).
    pub fn media_ids(&self) -> Vec<&str> {
        match self {
            MessageContent::Image(c) => vec![&c.media_id],
            MessageContent::Voice(c) => vec![&c.media_id],
            MessageContent::Video(c) => vec![&c.media_id, &c.thumb_media_id],
            _ => vec![],
        }
    }

    /// Words of this message for full-text search and transcripts.
    pub fn searchable_text(&self) -> String {
        match self {
            MessageContent::Text(t) => t.clone(),
            MessageContent::Image(_) => "[image]".into(),
            MessageContent::Voice(v) => format!("[voice] {}", v.recognition),
            MessageContent::Video(_) => "[video]".into(),
            MessageContent::Link(l) => format!("[link] {} {} {}", l.title, l.description, l.url),
            MessageContent::Location(l) => format!("[location] {} ({}, {})", l.label, l.y, l.x),
        }
    }

    /// The `content` field as it goes on the wire.
    pub fn to_wire(&self, encoding: ContentEncoding) -> Value {
        let tagged = serde_json::to_value(self).expect("content serializes");
        let content = tagged.get("content").cloned().unwrap_or(Value::Null);
        match (self, encoding) {
            (MessageContent::Text(_), _) | (_, ContentEncoding::Object) => content,
            (_, ContentEncoding::String) => Value::String(content.to_string()),
        }
    }

    /// Reads a `content` field for `msg_type`, accepting an object or a JSON string.
    pub fn from_wire(msg_type: MsgType, content: &Value) -> Result<Self, ContentError> {
        let name = msg_type.as_str();
        if msg_type == MsgType::Text {
            return match content {
                Value::String(s) => Ok(MessageContent::Text(s.clone())),
                _ => Err(ContentError::TextNotString(name)),
            };
        }
        let object = match content {
            Value::String(s) => {
                serde_json::from_str::<Value>(s).map_err(|e| ContentError::Invalid {
                    msg_type: name,
                    reason: format!("a string that is not a JSON object ({e})"),
                })?
            }
            other => other.clone(),
        };
        if !object.is_object() {
            return Err(ContentError::Invalid {
                msg_type: name,
                reason: format!("expected a JSON object, got {object}"),
            });
        }
        let tagged = serde_json::json!({ "msgType": name, "content": object });
        serde_json::from_value(tagged).map_err(|e| ContentError::Invalid {
            msg_type: name,
            reason: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spec_examples_parse_for_every_type() {
        let cases = [
            (MsgType::Text, json!("hello")),
            (MsgType::Image, json!({"mediaId": ""})),
            (
                MsgType::Voice,
                json!({"recognition": "", "format": "", "mediaId": ""}),
            ),
            (MsgType::Video, json!({"thumbMediaId": "", "mediaId": ""})),
            (
                MsgType::Link,
                json!({"url": "", "title": "", "description": ""}),
            ),
            (
                MsgType::Location,
                json!({"x": 121.23, "y": 34.213, "scale": 1, "label": ""}),
            ),
        ];
        for (t, v) in cases {
            let c = MessageContent::from_wire(t, &v).unwrap();
            assert_eq!(c.msg_type(), t);
            let again = MessageContent::from_wire(t, &c.to_wire(ContentEncoding::Object));
            assert_eq!(again.unwrap(), c);
        }
    }

    #[test]
    fn string_encoded_content_is_accepted_and_produced() {
        let c = MessageContent::from_wire(MsgType::Image, &json!("{\"mediaId\":\"m1\"}")).unwrap();
        assert_eq!(
            c,
            MessageContent::Image(ImageContent {
                media_id: "m1".into()
            })
        );
        assert_eq!(
            c.to_wire(ContentEncoding::String),
            json!("{\"mediaId\":\"m1\"}")
        );
        let t = MessageContent::Text("hi".into());
        assert_eq!(t.to_wire(ContentEncoding::String), json!("hi"));
    }

    #[test]
    fn bad_content_names_the_problem() {
        let e = MessageContent::from_wire(MsgType::Video, &json!({"mediaId": "m"})).unwrap_err();
        assert!(e.to_string().contains("thumbMediaId"), "{e}");
        let e = MessageContent::from_wire(MsgType::Location, &json!([1.5, 2.0])).unwrap_err();
        assert!(e.to_string().contains("expected a JSON object"), "{e}");
        let e = MessageContent::from_wire(MsgType::Text, &json!({"a": 1})).unwrap_err();
        assert_eq!(e, ContentError::TextNotString("text"));
    }
}
