//! The simulator's memory, behind one lock: settings, the Queue, Sessions, fetched media
//! and injected faults. The rules of admission and routing live here, as plain functions of
//! the state, so that each decision is taken atomically; the async side (callbacks, delays)
//! belongs to the ScriptedAgent.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::Rng;
use serde::{Deserialize, Serialize};
use wxsim_protocol::{
    AgentId, AgentRef, CancelRequestRequest, CreateConRequest, OpenId, RequestStatus, ResultCode,
    SessionId, TransferConRequest,
};

use crate::callbacks::CallbackOutcome;
use crate::config::{SimConfig, SimSettings, SkillGroup};
use crate::error::SimError;
use crate::faults::{FaultSpec, Faults, NextRequestStatus};
use crate::media::MediaRecord;
use crate::queue::{Queue, QueuedRequest, RequestOrigin};
use crate::session::{Session, SessionState, Sessions};

/// Milliseconds since the epoch, as the wire's timestamps.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

pub struct SimState {
    pub settings: SimSettings,
    pub queue: Queue,
    pub sessions: Sessions,
    pub media: BTreeMap<String, MediaRecord>,
    pub faults: Faults,
    next_request: u64,
    next_session: i64,
}

/// A request just queued: what the ScriptedAgent needs to route it.
#[derive(Clone, Debug)]
pub struct Ticket {
    pub request_id: String,
    pub open_id: OpenId,
    pub queue_length: i64,
    pub outcome: RequestStatus,
    /// How long until an agent picks it up.
    pub delay: Duration,
}

/// What `createcon.do` led to.
pub enum Admission {
    Queued(Ticket),
    /// A persistent group: the session exists at once (`fresh`: it was just opened).
    Persistent {
        session: Session,
        fresh: bool,
    },
}

/// How a queued request ended, once its agent looked at it.
pub enum Conclusion {
    /// Cancelled meanwhile: nothing more to say.
    Gone,
    /// Ended without a chat, with this status.
    Ended {
        request: QueuedRequest,
        queue_length: i64,
    },
    /// An agent accepted it; the session is open (or, for a transfer, handed over).
    Accepted {
        status: RequestStatus,
        session: Session,
        queue_length: i64,
    },
}

/// Everything the simulator knows, for inspection (`GET /sim/state`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateSnapshot {
    pub settings: SimSettings,
    pub ari_base: String,
    pub queue: Vec<QueuedRequest>,
    pub sessions: Vec<Session>,
    pub media: BTreeMap<String, MediaRecord>,
    pub callbacks: Vec<CallbackOutcome>,
    pub faults: Vec<FaultSpec>,
    pub next_request_statuses: Vec<NextRequestStatus>,
}

/// Where a simulator's ids start: a fresh block per start, so that a hosting side reusing
/// its database never meets the same session or request id from an earlier run (a real
/// webchat's ids do not restart either).
fn id_base() -> u64 {
    rand::thread_rng().gen_range(1..1_000_000u64) * 1000
}

impl SimState {
    pub fn new(config: &SimConfig) -> Self {
        SimState {
            settings: config.settings(),
            queue: Queue::default(),
            sessions: Sessions::default(),
            media: BTreeMap::new(),
            faults: Faults::default(),
            next_request: id_base() + 1,
            next_session: 70_000 + id_base() as i64 + 1,
        }
    }

    /// `createcon.do`'s checks, in the order a webchat server makes them.
    pub fn admit(
        &mut self,
        config: &SimConfig,
        req: &CreateConRequest,
    ) -> Result<Admission, SimError> {
        let group = config.skill_group(req.skill_group).ok_or_else(|| {
            SimError::refused(
                ResultCode::InvalidSkillgroup,
                format!("invalid skill group {}", req.skill_group),
            )
        })?;
        let pinned = req.agent_id.as_ref().map(AgentId::key);
        let agent = self.pick_agent(config, group, pinned.as_deref())?;
        self.ensure_not_queued(&req.open_id)?;
        if let Some(session) = self.sessions.chatting_with(&req.open_id) {
            if group.persistent && session.skill_group == group.id {
                return Ok(Admission::Persistent {
                    session: session.clone(),
                    fresh: false,
                });
            }
            return Err(SimError::refused(
                ResultCode::AlreadyInChatting,
                format!(
                    "openId {} is already chatting in session {}",
                    req.open_id, session.session_id
                ),
            ));
        }
        if group.persistent {
            let session = self.open_session(&req.open_id, req.epid.clone(), group.id, agent);
            return Ok(Admission::Persistent {
                session,
                fresh: true,
            });
        }
        Ok(Admission::Queued(self.enqueue(
            group,
            req.open_id.clone(),
            req.epid.clone(),
            pinned,
            RequestOrigin::NewChat,
        )))
    }

    /// `transferCon.do`: a robot session asks for a human.
    pub fn admit_transfer(
        &mut self,
        config: &SimConfig,
        req: &TransferConRequest,
    ) -> Result<Ticket, SimError> {
        let session = self
            .sessions
            .chatting(&req.session_id)
            .ok_or_else(|| SimError::unknown_session(&req.session_id))?;
        session.check_customer(&req.open_id)?;
        if !config
            .skill_group(session.skill_group)
            .is_some_and(|g| g.robot)
        {
            return Err(SimError::refused(
                ResultCode::AlreadyInChatting,
                format!(
                    "session {} is already with a human agent (skill group {}), not a robot",
                    session.session_id, session.skill_group
                ),
            ));
        }
        let (session_id, epid) = (session.session_id, session.epid.clone());
        let group = config.human_group().ok_or_else(|| {
            SimError::refused(
                ResultCode::NoAgentOnline,
                "no human skill group to transfer to",
            )
        })?;
        self.pick_agent(config, group, None)?;
        self.ensure_not_queued(&req.open_id)?;
        Ok(self.enqueue(
            group,
            req.open_id.clone(),
            epid,
            None,
            RequestOrigin::Transfer { session_id },
        ))
    }

    /// The agent looks at a queued request: it ends as planned, or becomes a chat.
    pub fn conclude(&mut self, config: &SimConfig, request_id: &str) -> Conclusion {
        let Some(request) = self.queue.remove(request_id) else {
            return Conclusion::Gone;
        };
        let queue_length = self.queue.length(request.skill_group);
        if !request.outcome.is_accepted() {
            return Conclusion::Ended {
                request,
                queue_length,
            };
        }
        let agent = config.skill_group(request.skill_group).and_then(|g| {
            self.pick_agent(config, g, request.pinned_agent.as_deref())
                .ok()
        });
        let handed_over = match (agent, &request.origin) {
            (Some(agent), RequestOrigin::NewChat) => Some(self.open_session(
                &request.open_id,
                request.epid.clone(),
                request.skill_group,
                agent,
            )),
            (Some(agent), RequestOrigin::Transfer { session_id }) => {
                self.hand_over(*session_id, request.skill_group, agent)
            }
            (None, _) => None,
        };
        match handed_over {
            Some(session) => Conclusion::Accepted {
                status: request.outcome,
                session,
                queue_length,
            },
            None => Conclusion::Ended {
                request: QueuedRequest {
                    outcome: RequestStatus::Dropped,
                    ..request
                },
                queue_length,
            },
        }
    }

    /// Takes a request out of the queue for its customer: the request and the group's new length.
    pub fn cancel(&mut self, req: &CancelRequestRequest) -> Result<(QueuedRequest, i64), SimError> {
        let request = self.queue.take_for(&req.request_id.key(), &req.open_id)?;
        let length = self.queue.length(request.skill_group);
        Ok((request, length))
    }

    fn ensure_not_queued(&self, open_id: &OpenId) -> Result<(), SimError> {
        match self.queue.of_customer(open_id) {
            Some(queued) => Err(SimError::refused(
                ResultCode::RequestAlreadyInRouting,
                format!(
                    "openId {open_id} already has request {} in routing",
                    queued.request_id
                ),
            )),
            None => Ok(()),
        }
    }

    /// The least busy agent of a group (or the pinned one, if it serves the group).
    fn pick_agent(
        &self,
        config: &SimConfig,
        group: &SkillGroup,
        pinned: Option<&str>,
    ) -> Result<AgentRef, SimError> {
        config
            .agents_of(group.id)
            .filter(|a| pinned.is_none_or(|p| a.id == p))
            .min_by_key(|a| self.sessions.load_of(&a.id))
            .map(|a| AgentRef {
                id: AgentId::from(a.id.as_str()),
                name: a.name.clone(),
            })
            .ok_or_else(|| {
                let whom =
                    pinned.map_or_else(|| "no agent".to_owned(), |p| format!("agent {p} is"));
                SimError::refused(
                    ResultCode::NoAgentOnline,
                    format!("{whom} online in skill group {} ({})", group.id, group.name),
                )
            })
    }

    fn enqueue(
        &mut self,
        group: &SkillGroup,
        open_id: OpenId,
        epid: Option<String>,
        pinned_agent: Option<String>,
        origin: RequestOrigin,
    ) -> Ticket {
        let request_id = format!("R{}", self.next_request);
        self.next_request += 1;
        let outcome = self.faults.take_status(group.id);
        self.queue.push(QueuedRequest {
            request_id: request_id.clone(),
            open_id: open_id.clone(),
            skill_group: group.id,
            epid,
            pinned_agent,
            origin,
            outcome,
            queued_at_ms: now_ms(),
        });
        let delay_ms = if group.robot {
            0
        } else {
            self.settings.accept_delay_ms
        };
        Ticket {
            request_id,
            open_id,
            queue_length: self.queue.length(group.id),
            outcome,
            delay: Duration::from_millis(delay_ms),
        }
    }

    fn open_session(
        &mut self,
        open_id: &OpenId,
        epid: Option<String>,
        skill_group: i64,
        agent: AgentRef,
    ) -> Session {
        let session = Session {
            session_id: self.next_session,
            open_id: open_id.clone(),
            epid,
            skill_group,
            agents: vec![agent.clone()],
            agent,
            state: SessionState::Chatting,
            messages: Vec::new(),
            replies: 0,
            rating: None,
            opened_at_ms: now_ms(),
            closed_at_ms: None,
        };
        self.next_session += 1;
        self.sessions.insert(session.clone());
        session
    }

    fn hand_over(&mut self, session_id: i64, skill_group: i64, agent: AgentRef) -> Option<Session> {
        let session = self.sessions.chatting_mut(&SessionId::from(session_id))?;
        session.skill_group = skill_group;
        session.agents = vec![agent.clone()];
        session.agent = agent;
        Some(session.clone())
    }

    /// Ends a chatting session.
    pub fn close(&mut self, id: &SessionId, by: SessionState) -> Result<Session, SimError> {
        let session = self
            .sessions
            .chatting_mut(id)
            .ok_or_else(|| SimError::unknown_session(id))?;
        session.state = by;
        session.closed_at_ms = Some(now_ms());
        Ok(session.clone())
    }
}
