//! The Queue: chat requests waiting for an agent, one first-in-first-out line per skill
//! group. A request leaves it when an agent accepts it or when it ends without a chat;
//! while an agent looks at it (`offered_to`) it keeps its place.

use serde::{Deserialize, Serialize};
use wxsim_protocol::{OpenId, RequestStatus, ResultCode};

use crate::error::SimError;
use crate::session::CustomerCard;

/// Why a request was queued.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimRequestOrigin"))]
pub enum RequestOrigin {
    /// `createcon.do`: a new chat.
    NewChat,
    /// `transferCon.do`: a robot session going to a human agent, keeping its id.
    Transfer {
        #[serde(rename = "sessionId")]
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        session_id: i64,
    },
    /// `transferCon.do` with no session: the hosting side's robot hands its customer over.
    HandOver {
        /// The robot's conversation, for the agent.
        #[serde(rename = "transferInfo")]
        transfer_info: String,
    },
}

/// One chat request waiting in a skill group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimQueuedRequest"))]
pub struct QueuedRequest {
    pub request_id: String,
    #[cfg_attr(feature = "ts", ts(type = "number | string"))]
    pub open_id: OpenId,
    /// As `createcon.do` described them (nothing for a transfer: the session knows them).
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub customer: CustomerCard,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub skill_group: i64,
    pub epid: Option<String>,
    /// The agent the customer asked for, if any.
    pub pinned_agent: Option<String>,
    pub origin: RequestOrigin,
    /// How the request will end: accepted, or a status injected by the tester
    /// (`WAITING` keeps it queued, and those behind it, until it is cancelled).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub outcome: RequestStatus,
    /// When it was queued, on the simulator's clock.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub queued_at_ms: i64,
    /// The agent looking at it (it holds a seat of that agent's capacity).
    #[serde(default)]
    pub offered_to: Option<String>,
    /// Agents who refused it at the desk: it is offered to others (see `desk`).
    #[serde(default)]
    pub declined_by: Vec<String>,
    /// Which offer the pending acceptance belongs to (a withdrawn offer's timer is stale).
    #[serde(skip)]
    pub offer: u64,
    /// The place (`orderInQueue`) last announced with `WAITING`.
    #[serde(skip)]
    pub announced: i64,
}

#[derive(Clone, Debug, Default)]
pub struct Queue {
    requests: Vec<QueuedRequest>,
}

impl Queue {
    pub fn push(&mut self, request: QueuedRequest) {
        self.requests.push(request);
    }

    pub fn remove(&mut self, request_id: &str) -> Option<QueuedRequest> {
        let at = self
            .requests
            .iter()
            .position(|r| r.request_id == request_id)?;
        Some(self.requests.remove(at))
    }

    /// Removes a request on behalf of the customer who made it.
    pub fn take_for(
        &mut self,
        request_id: &str,
        open_id: &OpenId,
    ) -> Result<QueuedRequest, SimError> {
        let at = self
            .requests
            .iter()
            .position(|r| r.request_id == request_id)
            .ok_or_else(|| {
                SimError::refused(
                    ResultCode::NoServedAgentFound,
                    format!("no request {request_id} is waiting in the queue"),
                )
            })?;
        if &self.requests[at].open_id != open_id {
            return Err(SimError::refused(
                ResultCode::InvalidToUserId,
                format!("openId {open_id} did not make request {request_id}"),
            ));
        }
        Ok(self.requests.remove(at))
    }

    pub fn get(&self, request_id: &str) -> Option<&QueuedRequest> {
        self.requests.iter().find(|r| r.request_id == request_id)
    }

    pub fn of_customer(&self, open_id: &OpenId) -> Option<&QueuedRequest> {
        self.requests.iter().find(|r| &r.open_id == open_id)
    }

    /// How many requests wait in a skill group.
    pub fn length(&self, skill_group: i64) -> i64 {
        let n = self
            .requests
            .iter()
            .filter(|r| r.skill_group == skill_group)
            .count();
        i64::try_from(n).unwrap_or(i64::MAX)
    }

    /// How many requests of its skill group are ahead of this one (0: served next).
    pub fn order_of(&self, request_id: &str) -> Option<i64> {
        let request = self.get(request_id)?;
        let ahead = self
            .requests
            .iter()
            .take_while(|r| r.request_id != request_id)
            .filter(|r| r.skill_group == request.skill_group)
            .count();
        Some(i64::try_from(ahead).unwrap_or(i64::MAX))
    }

    pub fn get_mut(&mut self, request_id: &str) -> Option<&mut QueuedRequest> {
        self.requests
            .iter_mut()
            .find(|r| r.request_id == request_id)
    }

    /// The requests of a skill group, first in line first.
    pub fn of_group(&self, skill_group: i64) -> impl Iterator<Item = &QueuedRequest> {
        self.requests
            .iter()
            .filter(move |r| r.skill_group == skill_group)
    }

    /// The requests of a skill group, first in line first, with their place (0: first).
    pub fn places_mut(
        &mut self,
        skill_group: i64,
    ) -> impl Iterator<Item = (i64, &mut QueuedRequest)> {
        (0..).zip(
            self.requests
                .iter_mut()
                .filter(move |r| r.skill_group == skill_group),
        )
    }

    /// Requests an agent is looking at.
    pub fn offers_to(&self, agent_id: &str) -> usize {
        self.requests
            .iter()
            .filter(|r| r.offered_to.as_deref() == Some(agent_id))
            .count()
    }

    pub fn all(&self) -> &[QueuedRequest] {
        &self.requests
    }
}
