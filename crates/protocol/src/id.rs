//! Ids as they travel: webchat mixes numbers and strings for the same id (the spec's own
//! examples send `openId: 1` and `requestId: "SELITE"`), so every id keeps the form it
//! arrived in (to echo it back unchanged) and compares by its canonical text.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An id in the form it had on the wire.
#[derive(Clone, Debug)]
pub enum WireId {
    Num(i64),
    Text(String),
}

impl WireId {
    /// The canonical text used for lookups: `123` and `"123"` are the same id.
    pub fn key(&self) -> String {
        match self {
            WireId::Num(n) => n.to_string(),
            WireId::Text(s) => s.clone(),
        }
    }

    /// Rebuilds an id from its stored JSON form, falling back to text.
    pub fn from_json_text(raw: &str) -> WireId {
        serde_json::from_str(raw).unwrap_or_else(|_| WireId::Text(raw.to_owned()))
    }

    pub fn to_json_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A number when the text is one: used when we send an id whose primary type is a number.
    pub fn as_number_if_numeric(&self) -> WireId {
        match self {
            WireId::Text(s) => s.parse().map(WireId::Num).unwrap_or_else(|_| self.clone()),
            WireId::Num(_) => self.clone(),
        }
    }
}

impl PartialEq for WireId {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for WireId {}

impl std::hash::Hash for WireId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state)
    }
}

impl fmt::Display for WireId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

impl From<i64> for WireId {
    fn from(n: i64) -> Self {
        WireId::Num(n)
    }
}
impl From<&str> for WireId {
    fn from(s: &str) -> Self {
        WireId::Text(s.to_owned())
    }
}
impl From<String> for WireId {
    fn from(s: String) -> Self {
        WireId::Text(s)
    }
}

impl Serialize for WireId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            WireId::Num(n) => s.serialize_i64(*n),
            WireId::Text(t) => s.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for WireId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = WireId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an id (a number or a string)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<WireId, E> {
                Ok(WireId::Num(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<WireId, E> {
                i64::try_from(v)
                    .map(WireId::Num)
                    .or_else(|_| Ok(WireId::Text(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<WireId, E> {
                if v.fract() == 0.0 && v.abs() < 9.0e15 {
                    Ok(WireId::Num(v as i64))
                } else {
                    Err(E::invalid_type(de::Unexpected::Float(v), &self))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<WireId, E> {
                Ok(WireId::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<WireId, E> {
                Ok(WireId::Text(v))
            }
        }
        d.deserialize_any(IdVisitor)
    }
}

macro_rules! id_newtype {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub WireId);

        impl $name {
            pub fn key(&self) -> String {
                self.0.key()
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
        impl<T: Into<WireId>> From<T> for $name {
            fn from(v: T) -> Self {
                $name(v.into())
            }
        }
    )*};
}

id_newtype! {
    /// A chat session, created by webchat when an agent accepts.
    SessionId;
    /// A queued chat request (before it becomes a session).
    RequestId;
    /// The WeChat user, one per simulated customer.
    OpenId;
    /// An agent on the webchat side.
    AgentId;
    /// `ratesession.do`'s name for the session id.
    ChatSessionId;
    /// A rating option; its values are per deployment.
    RatingId;
    /// A media file the hosting side holds for WeChat.
    MediaId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_and_string_forms_are_the_same_id_and_echo_unchanged() {
        let a: SessionId = serde_json::from_str("123").unwrap();
        let b: SessionId = serde_json::from_str("\"123\"").unwrap();
        assert_eq!(a, b);
        assert_eq!(serde_json::to_string(&a).unwrap(), "123");
        assert_eq!(serde_json::to_string(&b).unwrap(), "\"123\"");
        assert_eq!(b.0.as_number_if_numeric().to_json_text(), "123");
    }

    #[test]
    fn other_json_kinds_are_refused_with_a_clear_message() {
        let err = serde_json::from_str::<OpenId>("[1]")
            .unwrap_err()
            .to_string();
        assert!(err.contains("a number or a string"), "{err}");
        assert!(serde_json::from_str::<OpenId>("1.5").is_err());
    }
}
