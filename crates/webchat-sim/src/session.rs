//! Sessions: a chat between one customer and the agents serving it, from acceptance to close,
//! with what the customer sent and how they rated it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wxsim_protocol::{
    AgentId, AgentRef, CreateConRequest, MessageContent, OpenId, RatingId, RequestSource,
    ResultCode, SessionId,
};

use crate::error::SimError;
use crate::html::Language;

/// Service account id used in media addresses when the customer sent no `epid`.
pub const DEFAULT_SERVICE_ACCOUNT: &str = "wxsim";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimSessionState"))]
pub enum SessionState {
    Chatting,
    ClosedByCustomer,
    ClosedByAgent,
    /// The hosting side refused `/ari/create` (or never answered it): the session was
    /// not established, and webchat ended it.
    NotEstablished,
}

/// A message the customer sent through `getmsg.do`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimReceivedMessage"))]
pub struct ReceivedMessage {
    #[serde(flatten)]
    pub message: MessageContent,
    /// The agent the customer addressed.
    #[cfg_attr(feature = "ts", ts(type = "number | string"))]
    pub agent_id: AgentId,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at_ms: i64,
}

/// A message an agent wrote to the customer (`/ari/msg`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimAgentMessage"))]
pub struct AgentMessage {
    pub html: String,
    #[cfg_attr(feature = "ts", ts(type = "number | string"))]
    pub agent_id: AgentId,
    /// Written by the script (a greeting, an automatic reply), not by a person.
    pub scripted: bool,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at_ms: i64,
}

/// Who the customer is, as `createcon.do` described them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimCustomer"))]
pub struct CustomerCard {
    #[serde(default)]
    pub nickname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub head_img_url: Option<String>,
    /// Where the request came from (`from`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub source: Option<RequestSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub brand: Option<String>,
    /// The customer's browsing trail, as sent (a JSON string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub tracks: Option<String>,
}

impl CustomerCard {
    pub fn of(req: &CreateConRequest) -> Self {
        CustomerCard {
            nickname: req.nickname.clone(),
            head_img_url: req.head_img_url.clone(),
            source: req.from,
            brand: req.brand.clone(),
            tracks: req.tracks.clone(),
        }
    }
}

/// What the customer submitted through `ratesession.do`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimRating"))]
pub struct Rating {
    #[cfg_attr(feature = "ts", ts(type = "number | string"))]
    pub rating_id: RatingId,
    pub rating_comment: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimSession"))]
pub struct Session {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub session_id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number | string"))]
    pub open_id: OpenId,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub customer: CustomerCard,
    pub epid: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub skill_group: i64,
    /// The agent serving the session.
    pub agent: AgentRef,
    /// Everyone in the session, as last announced by `sessionAgentsUpdate`.
    pub agents: Vec<AgentRef>,
    pub state: SessionState,
    pub messages: Vec<ReceivedMessage>,
    /// What the agents wrote, greetings and replies included.
    #[serde(default)]
    pub sent: Vec<AgentMessage>,
    /// Scripted replies sent so far.
    pub replies: u32,
    /// The language the agent writes in: the customer's, as far as it tells.
    #[serde(default)]
    pub language: Language,
    pub rating: Option<Rating>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub opened_at_ms: i64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub closed_at_ms: Option<i64>,
}

impl Session {
    pub fn is_chatting(&self) -> bool {
        self.state == SessionState::Chatting
    }

    /// The `serviceAccountId` of media download addresses.
    pub fn service_account(&self) -> &str {
        self.epid.as_deref().unwrap_or(DEFAULT_SERVICE_ACCOUNT)
    }

    /// Refuses a request about this session from anyone but its customer.
    pub fn check_customer(&self, open_id: &OpenId) -> Result<(), SimError> {
        if &self.open_id == open_id {
            Ok(())
        } else {
            Err(SimError::refused(
                ResultCode::InvalidToUserId,
                format!(
                    "openId {open_id} is not the customer of session {}",
                    self.session_id
                ),
            ))
        }
    }

    pub fn wire_id(&self) -> SessionId {
        SessionId::from(self.session_id)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Sessions {
    by_id: BTreeMap<i64, Session>,
}

/// How many finished sessions are kept for inspection; chatting ones are always kept.
const KEPT_FINISHED: usize = 1000;

impl Sessions {
    /// Adds a session, forgetting the oldest finished ones beyond [`KEPT_FINISHED`].
    pub fn insert(&mut self, session: Session) {
        self.by_id.insert(session.session_id, session);
        let finished = self.by_id.values().filter(|s| !s.is_chatting()).count();
        if finished > KEPT_FINISHED {
            let old: Vec<i64> = self
                .by_id
                .values()
                .filter(|s| !s.is_chatting())
                .take(finished - KEPT_FINISHED)
                .map(|s| s.session_id)
                .collect();
            for id in old {
                self.by_id.remove(&id);
            }
        }
    }

    /// The oldest session id still kept.
    pub fn oldest(&self) -> Option<i64> {
        self.by_id.keys().next().copied()
    }

    /// A session by its id as the wire carried it (`123` or `"123"`).
    pub fn get(&self, id: &SessionId) -> Option<&Session> {
        self.by_id.get(&Self::number(id)?)
    }

    pub fn get_mut(&mut self, id: &SessionId) -> Option<&mut Session> {
        self.by_id.get_mut(&Self::number(id)?)
    }

    /// A session that is still chatting.
    pub fn chatting(&self, id: &SessionId) -> Option<&Session> {
        self.get(id).filter(|s| s.is_chatting())
    }

    pub fn chatting_mut(&mut self, id: &SessionId) -> Option<&mut Session> {
        self.get_mut(id).filter(|s| s.is_chatting())
    }

    pub fn chatting_with(&self, open_id: &OpenId) -> Option<&Session> {
        self.by_id
            .values()
            .find(|s| s.is_chatting() && &s.open_id == open_id)
    }

    /// Sessions an agent is serving now.
    pub fn load_of(&self, agent_id: &str) -> usize {
        self.by_id
            .values()
            .filter(|s| s.is_chatting() && s.agent.id.key() == agent_id)
            .count()
    }

    pub fn all(&self) -> impl Iterator<Item = &Session> {
        self.by_id.values()
    }

    fn number(id: &SessionId) -> Option<i64> {
        id.key().trim().parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: i64, state: SessionState) -> Session {
        Session {
            session_id: id,
            open_id: OpenId::from(format!("o{id}")),
            customer: CustomerCard::default(),
            epid: None,
            skill_group: 1,
            agent: AgentRef {
                id: AgentId::from("A001"),
                name: "Alice".into(),
            },
            agents: vec![],
            state,
            messages: vec![],
            sent: vec![],
            replies: 0,
            language: Language::En,
            rating: None,
            opened_at_ms: 0,
            closed_at_ms: None,
        }
    }

    #[test]
    fn finished_sessions_are_bounded_and_chatting_ones_kept() {
        let mut sessions = Sessions::default();
        sessions.insert(session(0, SessionState::Chatting));
        for id in 1..=KEPT_FINISHED as i64 + 50 {
            sessions.insert(session(id, SessionState::ClosedByAgent));
        }
        assert_eq!(sessions.by_id.len(), KEPT_FINISHED + 1);
        assert!(
            sessions.chatting(&SessionId::from(0)).is_some(),
            "the chatting one stays"
        );
        assert_eq!(
            sessions.by_id.keys().nth(1),
            Some(&51),
            "the oldest finished went first"
        );
    }
}
