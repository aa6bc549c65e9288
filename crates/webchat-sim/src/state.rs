//! The simulator's memory, behind one lock: settings, the roster (skill groups and
//! agents), the clock, the Queue, Sessions, fetched media and injected faults. The rules of
//! admission and routing live here, as plain functions of the state, so that each decision
//! is taken atomically. What a decision sets in motion (callbacks, an agent looking at a
//! request for a while, watching the outcome of `/ari/create`) is collected as
//! [`Effect`]s, which the ScriptedAgent starts before the lock is released: callbacks leave
//! in the order the state changed.

use std::collections::BTreeMap;
use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wxsim_protocol::{
    AgentId, AgentRef, CancelRequestRequest, CreateConRequest, OpenId, RequestStatus, ResultCode,
    SessionId, TransferConRequest,
};

use crate::bodies;
use crate::callbacks::{Callback, CallbackOutcome};
use crate::clock::{Clock, ClockPatch, ClockView};
use crate::config::{
    AgentConfig, AgentPatch, GroupPatch, SimConfig, SimSettings, SkillGroup, WorkingHours,
};
use crate::desk::Seats;
use crate::error::SimError;
use crate::faults::{FaultSpec, Faults, NextRequestStatus, RoutingFailure};
use crate::html::{self, Language};
use crate::media::MediaRecord;
use crate::queue::{Queue, QueuedRequest, RequestOrigin};
use crate::session::{AgentMessage, CustomerCard, Session, SessionState, Sessions};
use crate::uploads::Uploads;

pub use wxsim_protocol::clock::now_ms;

pub struct SimState {
    pub settings: SimSettings,
    pub queue: Queue,
    pub sessions: Sessions,
    pub media: BTreeMap<String, MediaRecord>,
    pub faults: Faults,
    /// The skill groups as they are now (configured, then patched).
    pub groups: Vec<SkillGroup>,
    /// The agents as they are now (configured, then patched).
    pub agents: Vec<AgentConfig>,
    pub clock: Clock,
    /// The seats people hold at the agent desk.
    pub seats: Seats,
    /// Pictures the desk's people uploaded, served under `/webchat/uploads/`.
    pub uploads: Uploads,
    effects: Vec<Effect>,
    next_request: u64,
    next_session: i64,
    next_offer: u64,
}

/// Something a decision sets in motion, started by the ScriptedAgent under the same lock.
pub enum Effect {
    /// A callback on the customer's lane.
    Callback { lane: OpenId, callback: Callback },
    /// `/ari/create` of a session: if the hosting side refuses it (after the retries), the
    /// session is not established.
    Create {
        lane: OpenId,
        callback: Callback,
        session_id: i64,
    },
    /// An agent looks at a request and decides after `delay`.
    Offer {
        request_id: String,
        offer: u64,
        delay: Duration,
    },
}

/// What `createcon.do` led to.
pub enum Admission {
    /// Queued: the request's id and `queueLength` (its place counted from 1).
    Queued {
        request_id: String,
        queue_length: i64,
    },
    /// A persistent group: the session exists at once.
    Persistent(Box<Session>),
}

/// Everything the simulator knows, for inspection (`GET /sim/state`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimState"))]
pub struct StateSnapshot {
    pub settings: SimSettings,
    pub ari_base: String,
    pub queue: Vec<QueuedRequest>,
    pub sessions: Vec<Session>,
    pub media: BTreeMap<String, MediaRecord>,
    pub callbacks: Vec<CallbackOutcome>,
    pub faults: Vec<FaultSpec>,
    pub next_request_statuses: Vec<NextRequestStatus>,
    /// Each skill group: its agents, its queue in order, its hours.
    #[serde(default)]
    pub groups: Vec<GroupView>,
    #[serde(default)]
    pub clock: Option<ClockView>,
    #[serde(default)]
    pub routing_failures: Vec<RoutingFailure>,
}

/// A skill group as it is now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimGroupView"))]
pub struct GroupView {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub name: String,
    pub robot: bool,
    pub persistent: bool,
    pub hours: Option<WorkingHours>,
    /// Within its working hours now.
    pub open: bool,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub queue_timeout_ms: Option<u64>,
    pub refuse_share: f64,
    pub refuse_next: u32,
    pub agents: Vec<AgentView>,
    pub queue: Vec<PlaceView>,
}

/// An agent as it is now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimAgentView"))]
pub struct AgentView {
    pub id: String,
    pub name: String,
    #[cfg_attr(feature = "ts", ts(type = "number[]"))]
    pub skill_groups: Vec<i64>,
    pub online: bool,
    pub capacity: Option<u32>,
    /// Chats it serves plus requests it is looking at.
    pub load: u32,
    /// A person holds its seat at the agent desk: they decide, not the script.
    #[serde(default)]
    pub held: bool,
}

/// A request's place in its group's queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimPlaceView"))]
pub struct PlaceView {
    pub request_id: String,
    #[cfg_attr(feature = "ts", ts(type = "number | string"))]
    pub open_id: OpenId,
    /// As `createcon.do` gave it.
    #[serde(default)]
    pub nickname: Option<String>,
    /// `orderInQueue`: 0 for the first in line.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub position: i64,
    /// Since it was queued, on the simulator's clock.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub waited_ms: i64,
    pub offered_to: Option<String>,
    /// Planned to stay queued (`next-request-status` 0): nobody behind it is served.
    pub held: bool,
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
            groups: config.skill_groups.clone(),
            agents: config.agents.clone(),
            clock: Clock::new(config.time_zone_offset_minutes),
            seats: Seats::default(),
            uploads: Uploads::default(),
            effects: Vec::new(),
            next_request: id_base() + 1,
            next_session: 70_000 + id_base() as i64 + 1,
            next_offer: 0,
        }
    }

    /// What the last decisions set in motion, in order.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// Queues a callback on a customer's lane.
    pub fn send(&mut self, lane: &OpenId, callback: Callback) {
        self.effects.push(Effect::Callback {
            lane: lane.clone(),
            callback,
        });
    }

    pub fn group(&self, id: i64) -> Option<&SkillGroup> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// Where a robot session goes when the customer asks for a human: the first human group.
    fn human_group(&self) -> Option<&SkillGroup> {
        self.groups.iter().find(|g| !g.robot)
    }

    /// Within its working hours on the simulator's clock.
    pub fn is_open(&self, group: &SkillGroup) -> bool {
        group
            .hours
            .as_ref()
            .is_none_or(|h| h.open_at(self.clock.local_minute(self.clock.now())))
    }

    pub(crate) fn ensure_open(&self, group: &SkillGroup) -> Result<(), SimError> {
        match &group.hours {
            Some(h) if !self.is_open(group) => Err(SimError::refused(
                ResultCode::NotInWorktime,
                format!(
                    "skill group {} ({}) is closed: it works {}–{} on days {:?}, and it is {}",
                    group.id,
                    group.name,
                    h.open,
                    h.close,
                    h.days,
                    self.clock.view().local
                ),
            )),
            _ => Ok(()),
        }
    }

    /// `createcon.do`'s checks, in the order a webchat server makes them.
    pub fn admit(&mut self, req: &CreateConRequest) -> Result<Admission, SimError> {
        let group = self.group(req.skill_group).cloned().ok_or_else(|| {
            SimError::refused(
                ResultCode::InvalidSkillgroup,
                format!("invalid skill group {}", req.skill_group),
            )
        })?;
        self.ensure_open(&group)?;
        let pinned = req.agent_id.as_ref().map(AgentId::key);
        let agent = self.pick_online(&group, pinned.as_deref())?;
        self.ensure_not_queued(&req.open_id)?;
        if let Some(session) = self.sessions.chatting_with(&req.open_id) {
            if group.persistent && session.skill_group == group.id {
                return Ok(Admission::Persistent(Box::new(session.clone())));
            }
            return Err(SimError::refused(
                ResultCode::AlreadyInChatting,
                format!(
                    "openId {} is already chatting in session {}",
                    req.open_id, session.session_id
                ),
            ));
        }
        let language = req
            .nickname
            .as_deref()
            .and_then(Language::of)
            .unwrap_or_default();
        if group.persistent {
            let session = self.open_session(
                &req.open_id,
                CustomerCard::of(req),
                req.epid.clone(),
                group.id,
                agent,
                language,
            );
            self.welcome(&session);
            return Ok(Admission::Persistent(Box::new(session)));
        }
        let queued = self.enqueue(
            &group,
            req.open_id.clone(),
            CustomerCard::of(req),
            req.epid.clone(),
            pinned,
            RequestOrigin::NewChat,
        );
        self.dispatch_all();
        Ok(queued)
    }

    /// `transferCon.do`, in either reading: a robot session of ours asks for a human, or,
    /// with no session (`sessionId` 0 or absent), the hosting side's own robot hands its
    /// customer over and the request opens here.
    pub fn admit_transfer(&mut self, req: &TransferConRequest) -> Result<Admission, SimError> {
        let Some(session_id) = req.session_id.as_ref().filter(|id| !is_no_session(id)) else {
            return self.admit_hand_over(req);
        };
        let session = self
            .sessions
            .chatting(session_id)
            .ok_or_else(|| SimError::unknown_session(session_id))?;
        session.check_customer(&req.open_id)?;
        if !self.group(session.skill_group).is_some_and(|g| g.robot) {
            return Err(SimError::refused(
                ResultCode::AlreadyInChatting,
                format!(
                    "session {} is already with a human agent (skill group {}), not a robot",
                    session.session_id, session.skill_group
                ),
            ));
        }
        let (session_id, epid, customer) = (
            session.session_id,
            session.epid.clone(),
            session.customer.clone(),
        );
        let group = self.human_group().cloned().ok_or_else(|| {
            SimError::refused(
                ResultCode::NoAgentOnline,
                "no human skill group to transfer to",
            )
        })?;
        self.ensure_open(&group)?;
        self.pick_online(&group, None)?;
        self.ensure_not_queued(&req.open_id)?;
        let queued = self.enqueue(
            &group,
            req.open_id.clone(),
            customer,
            epid,
            None,
            RequestOrigin::Transfer { session_id },
        );
        self.dispatch_all();
        Ok(queued)
    }

    /// A hand-over from the hosting side's robot: a new request to the human group, with
    /// the robot's conversation (`transferInfo`) for the agent.
    fn admit_hand_over(&mut self, req: &TransferConRequest) -> Result<Admission, SimError> {
        let group = self.human_group().cloned().ok_or_else(|| {
            SimError::refused(
                ResultCode::NoAgentOnline,
                "no human skill group to hand over to",
            )
        })?;
        self.ensure_open(&group)?;
        self.pick_online(&group, None)?;
        self.ensure_not_queued(&req.open_id)?;
        if let Some(session) = self.sessions.chatting_with(&req.open_id) {
            return Err(SimError::refused(
                ResultCode::AlreadyInChatting,
                format!(
                    "openId {} is already chatting in session {}; a hand-over needs no session",
                    req.open_id, session.session_id
                ),
            ));
        }
        let queued = self.enqueue(
            &group,
            req.open_id.clone(),
            CustomerCard::default(),
            req.epid.clone(),
            None,
            RequestOrigin::HandOver {
                transfer_info: req.transfer_info.clone(),
            },
        );
        self.dispatch_all();
        Ok(queued)
    }

    /// Takes a request out of the queue for its customer, and announces its end (status 7).
    pub fn cancel(&mut self, req: &CancelRequestRequest) -> Result<(), SimError> {
        let request = self.queue.take_for(&req.request_id.key(), &req.open_id)?;
        let length = self.queue.length(request.skill_group);
        self.send(
            &request.open_id,
            bodies::request_status(
                &request.request_id,
                RequestStatus::CanceledByClient,
                &request.open_id,
                length,
            ),
        );
        self.reannounce(request.skill_group);
        self.dispatch_all();
        Ok(())
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

    /// Chats an agent serves plus requests it is looking at.
    fn load_of(&self, agent_id: &str) -> usize {
        self.sessions.load_of(agent_id) + self.queue.offers_to(agent_id)
    }

    fn serves(agent: &AgentConfig, group: i64, pinned: Option<&str>) -> bool {
        agent.online && agent.skill_groups.contains(&group) && pinned.is_none_or(|p| agent.id == p)
    }

    pub(crate) fn agent_ref(&self, id: &str) -> AgentRef {
        let name = self
            .agents
            .iter()
            .find(|a| a.id == id)
            .map_or_else(|| id.to_owned(), |a| a.name.clone());
        AgentRef {
            id: AgentId::from(id),
            name,
        }
    }

    /// The least busy online agent of a group (or the pinned one, if it is online there),
    /// whether or not it has a free seat.
    fn pick_online(&self, group: &SkillGroup, pinned: Option<&str>) -> Result<AgentRef, SimError> {
        self.agents
            .iter()
            .filter(|a| Self::serves(a, group.id, pinned))
            .min_by_key(|a| self.load_of(&a.id))
            .map(|a| self.agent_ref(&a.id))
            .ok_or_else(|| {
                let whom =
                    pinned.map_or_else(|| "no agent".to_owned(), |p| format!("agent {p} is"));
                SimError::refused(
                    ResultCode::NoAgentOnline,
                    format!("{whom} online in skill group {} ({})", group.id, group.name),
                )
            })
    }

    /// The least busy online agent of a group with a free seat, but for those in `passed`
    /// (who refused the request at the desk, or whom a transfer leaves).
    pub(crate) fn free_agent(
        &self,
        group: i64,
        pinned: Option<&str>,
        passed: &[String],
    ) -> Option<String> {
        self.agents
            .iter()
            .filter(|a| Self::serves(a, group, pinned) && !passed.contains(&a.id))
            .map(|a| (a, self.load_of(&a.id)))
            .filter(|(a, load)| a.capacity.is_none_or(|c| *load < c as usize))
            .min_by_key(|(_, load)| *load)
            .map(|(a, _)| a.id.clone())
    }

    fn enqueue(
        &mut self,
        group: &SkillGroup,
        open_id: OpenId,
        customer: CustomerCard,
        epid: Option<String>,
        pinned_agent: Option<String>,
        origin: RequestOrigin,
    ) -> Admission {
        let request_id = format!("R{}", self.next_request);
        self.next_request += 1;
        let outcome = self.faults.take_status(group.id);
        let place = self.queue.length(group.id);
        self.queue.push(QueuedRequest {
            request_id: request_id.clone(),
            open_id: open_id.clone(),
            customer,
            skill_group: group.id,
            epid,
            pinned_agent,
            origin,
            outcome,
            queued_at_ms: self.clock.now(),
            offered_to: None,
            declined_by: Vec::new(),
            offer: 0,
            announced: place,
        });
        self.send(
            &open_id,
            bodies::request_status(&request_id, RequestStatus::Waiting, &open_id, place + 1),
        );
        Admission::Queued {
            request_id,
            queue_length: place + 1,
        }
    }

    /// Offers free seats to the requests first in line, group by group.
    pub fn dispatch_all(&mut self) {
        let groups: Vec<i64> = self.groups.iter().map(|g| g.id).collect();
        for group in groups {
            self.dispatch(group);
        }
    }

    /// First in, first served: each request, in order, gets a free seat until one cannot.
    /// A held request (planned `WAITING`) stops the line; a request pinned to a busy agent,
    /// or refused by the only agents free, lets the others pass. An agent whose seat a
    /// person holds is offered requests like any other, but it is the person who decides.
    fn dispatch(&mut self, group: i64) {
        let Some(robot) = self.group(group).map(|g| g.robot) else {
            return;
        };
        let delay = Duration::from_millis(if robot {
            0
        } else {
            self.settings.accept_delay_ms
        });
        let line: Vec<QueuedRequest> = self
            .queue
            .of_group(group)
            .filter(|r| r.offered_to.is_none())
            .cloned()
            .collect();
        for r in line {
            if r.outcome == RequestStatus::Waiting {
                break;
            }
            let Some(agent) = self.free_agent(group, r.pinned_agent.as_deref(), &r.declined_by)
            else {
                if r.pinned_agent.is_some() || !r.declined_by.is_empty() {
                    continue;
                }
                break;
            };
            self.next_offer += 1;
            let offer = self.next_offer;
            let by_person = self.seats.holds(&agent);
            if let Some(queued) = self.queue.get_mut(&r.request_id) {
                queued.offered_to = Some(agent);
                queued.offer = offer;
            }
            if !by_person {
                self.effects.push(Effect::Offer {
                    request_id: r.request_id,
                    offer,
                    delay,
                });
            }
        }
    }

    /// Re-sends `WAITING` to each request of the group whose place changed since it was last
    /// told (those an agent is looking at are about to hear more).
    pub(crate) fn reannounce(&mut self, group: i64) {
        if !self.settings.resend_waiting {
            return;
        }
        let mut told = Vec::new();
        for (place, r) in self.queue.places_mut(group) {
            if r.offered_to.is_none() && r.announced != place {
                r.announced = place;
                told.push(Effect::Callback {
                    lane: r.open_id.clone(),
                    callback: bodies::request_status(
                        &r.request_id,
                        RequestStatus::Waiting,
                        &r.open_id,
                        place + 1,
                    ),
                });
            }
        }
        self.effects.extend(told);
    }

    /// Ends a queued request without a chat, announcing `status`.
    pub(crate) fn end(&mut self, request_id: &str, status: RequestStatus) -> Option<QueuedRequest> {
        let request = self.queue.remove(request_id)?;
        let length = self.queue.length(request.skill_group);
        tracing::info!(request_id, %status, "request ended without a chat");
        self.send(
            &request.open_id,
            bodies::request_status(&request.request_id, status, &request.open_id, length),
        );
        Some(request)
    }

    /// Ends every queued request that `ends` picks, with its status; then the queue moves up.
    fn end_where(&mut self, ends: impl Fn(&Self, &QueuedRequest) -> Option<RequestStatus>) {
        let ending: Vec<(String, i64, RequestStatus)> = self
            .queue
            .all()
            .iter()
            .filter_map(|r| ends(self, r).map(|s| (r.request_id.clone(), r.skill_group, s)))
            .collect();
        if ending.is_empty() {
            return;
        }
        let mut groups = Vec::new();
        for (request_id, group, status) in ending {
            self.end(&request_id, status);
            if !groups.contains(&group) {
                groups.push(group);
            }
        }
        for group in groups {
            self.reannounce(group);
        }
        self.dispatch_all();
    }

    /// The agent looking at a request decides: the planned ending, a failed routing, a
    /// refusal, or a chat. A stale offer (withdrawn meanwhile) decides nothing.
    pub fn conclude(&mut self, request_id: &str, offer: u64) {
        let Some(request) = self.queue.get(request_id) else {
            return;
        };
        let Some(agent) = request
            .offered_to
            .clone()
            .filter(|_| request.offer == offer)
        else {
            return;
        };
        let (group, planned) = (request.skill_group, request.outcome);
        if !planned.is_accepted() {
            self.end(request_id, planned);
        } else if let Some(failure) = self.faults.take_routing_failure(group) {
            self.fail_routing(request_id, &failure);
        } else if self.refuses(group) {
            self.end(request_id, RequestStatus::Refused);
        } else {
            self.accept(request_id, &agent);
        }
        self.reannounce(group);
        self.dispatch_all();
    }

    fn refuses(&mut self, group: i64) -> bool {
        let Some(g) = self.groups.iter_mut().find(|g| g.id == group) else {
            return false;
        };
        if g.refuse_next > 0 {
            g.refuse_next -= 1;
            return true;
        }
        g.refuse_share > 0.0 && rand::thread_rng().gen_bool(g.refuse_share.min(1.0))
    }

    /// The request leaves the queue with `/ari/create` carrying a non-1 result.
    pub(crate) fn fail_routing(&mut self, request_id: &str, failure: &RoutingFailure) {
        let Some(request) = self.queue.remove(request_id) else {
            return;
        };
        tracing::info!(request_id, result = %failure.result, "routing failed");
        self.send(
            &request.open_id,
            bodies::failed_create(
                &request.open_id,
                request.epid.clone(),
                failure.result,
                failure.message(),
            ),
        );
    }

    /// The agent takes the request: the session opens (or, for a transfer, is handed over).
    pub(crate) fn accept(&mut self, request_id: &str, agent_id: &str) {
        let Some(request) = self.queue.remove(request_id) else {
            return;
        };
        let length = self.queue.length(request.skill_group);
        let agent = self.agent_ref(agent_id);
        let session = match &request.origin {
            RequestOrigin::NewChat | RequestOrigin::HandOver { .. } => Some(
                self.open_session(
                    &request.open_id,
                    request.customer.clone(),
                    request.epid.clone(),
                    request.skill_group,
                    agent,
                    request
                        .customer
                        .nickname
                        .as_deref()
                        .and_then(Language::of)
                        .unwrap_or_default(),
                ),
            ),
            RequestOrigin::Transfer { session_id } => {
                self.hand_over(*session_id, request.skill_group, agent)
            }
        };
        let Some(session) = session else {
            self.send(
                &request.open_id,
                bodies::request_status(
                    request_id,
                    RequestStatus::Dropped,
                    &request.open_id,
                    length,
                ),
            );
            return;
        };
        tracing::info!(request_id, session_id = session.session_id, agent = %session.agent.id, "request accepted");
        self.send(
            &session.open_id,
            bodies::request_status(request_id, request.outcome, &session.open_id, length),
        );
        self.effects.push(Effect::Create {
            lane: session.open_id.clone(),
            callback: bodies::create(&session),
            session_id: session.session_id,
        });
        self.welcome(&session);
    }

    /// The agents of a new session, and the agent's greeting (a person at the desk greets
    /// in their own words).
    pub(crate) fn welcome(&mut self, session: &Session) {
        self.send(&session.open_id, bodies::agents(session));
        if self.seats.holds(&session.agent.id.key()) {
            return;
        }
        let robot = self.group(session.skill_group).is_some_and(|g| g.robot);
        let greeting = html::greeting(&session.agent.name, robot, session.language);
        // The session was just stored; it is there.
        let _ = self.write(&session.wire_id(), greeting, true);
    }

    /// The session's agent writes to the customer (`/ari/msg`); the message is kept with
    /// the session.
    pub fn write(
        &mut self,
        id: &SessionId,
        html: String,
        scripted: bool,
    ) -> Result<Session, SimError> {
        let session = self
            .sessions
            .chatting_mut(id)
            .ok_or_else(|| SimError::unknown_session(id))?;
        session.sent.push(AgentMessage {
            html: html.clone(),
            agent_id: session.agent.id.clone(),
            scripted,
            at_ms: now_ms(),
        });
        let session = session.clone();
        self.send(&session.open_id, bodies::msg(&session, html));
        Ok(session)
    }

    fn open_session(
        &mut self,
        open_id: &OpenId,
        customer: CustomerCard,
        epid: Option<String>,
        skill_group: i64,
        agent: AgentRef,
        language: Language,
    ) -> Session {
        let session = Session {
            session_id: self.next_session,
            open_id: open_id.clone(),
            customer,
            epid,
            skill_group,
            agents: vec![agent.clone()],
            agent,
            state: SessionState::Chatting,
            messages: Vec::new(),
            sent: Vec::new(),
            replies: 0,
            language,
            rating: None,
            opened_at_ms: now_ms(),
            closed_at_ms: None,
        };
        self.next_session += 1;
        self.sessions.insert(session.clone());
        session
    }

    pub(crate) fn hand_over(
        &mut self,
        session_id: i64,
        skill_group: i64,
        agent: AgentRef,
    ) -> Option<Session> {
        let session = self.sessions.chatting_mut(&SessionId::from(session_id))?;
        session.skill_group = skill_group;
        session.agents = vec![agent.clone()];
        session.agent = agent;
        Some(session.clone())
    }

    /// Ends a chatting session; its seat goes to the next in line.
    pub fn close(&mut self, id: &SessionId, by: SessionState) -> Result<Session, SimError> {
        let session = self
            .sessions
            .chatting_mut(id)
            .ok_or_else(|| SimError::unknown_session(id))?;
        session.state = by;
        session.closed_at_ms = Some(now_ms());
        let session = session.clone();
        self.dispatch_all();
        Ok(session)
    }

    /// The agent ends the chat: `/ari/close`, then `pushRating` with `ratings`.
    pub fn agent_close(&mut self, id: &SessionId, ratings: Vec<Value>) -> Result<(), SimError> {
        let session = self.close(id, SessionState::ClosedByAgent)?;
        self.send(&session.open_id, bodies::close(&session));
        self.send(&session.open_id, bodies::push_rating(&session, ratings));
        Ok(())
    }

    /// The agent asks for a rating (of an open or a closed session).
    pub fn ask_rating(&mut self, id: &SessionId, ratings: Vec<Value>) -> Result<(), SimError> {
        let session = self
            .sessions
            .get(id)
            .cloned()
            .ok_or_else(|| SimError::unknown_session(id))?;
        self.send(&session.open_id, bodies::push_rating(&session, ratings));
        Ok(())
    }

    /// The hosting side did not take `/ari/create`: the session ends, its seat frees.
    pub fn not_established(&mut self, session_id: i64) {
        if self
            .close(&SessionId::from(session_id), SessionState::NotEstablished)
            .is_ok()
        {
            tracing::info!(
                session_id,
                "the hosting side refused /ari/create; session ended"
            );
        }
    }

    /// Changes (or adds) an agent. Offers to an agent who left are withdrawn, and requests
    /// nobody online can serve any more end with status 5.
    pub fn set_agent(&mut self, patch: &AgentPatch) -> AgentView {
        let at = self.agents.iter().position(|a| a.id == patch.id);
        let agent = patch.applied(at.map(|i| &self.agents[i]));
        match at {
            Some(i) => self.agents[i] = agent,
            None => self.agents.push(agent),
        }
        self.roster_changed();
        self.agent_view(&patch.id)
    }

    /// Changes (or adds) a skill group; its hours and timeout apply at once.
    pub fn set_group(&mut self, patch: &GroupPatch) -> Result<GroupView, SimError> {
        let at = self.groups.iter().position(|g| g.id == patch.id);
        let group = patch.applied(at.map(|i| &self.groups[i]))?;
        match at {
            Some(i) => self.groups[i] = group,
            None => self.groups.push(group),
        }
        self.sweep();
        self.dispatch_all();
        Ok(self.group_view(patch.id).expect("the group was just set"))
    }

    /// Moves the clock; working hours and timeouts apply at once.
    pub fn set_clock(&mut self, patch: &ClockPatch) -> Result<ClockView, SimError> {
        self.clock.apply(patch)?;
        self.sweep();
        Ok(self.clock.view())
    }

    /// Back to the roster, clock, settings and plans the simulator started with.
    pub fn restore(&mut self, config: &SimConfig) {
        self.groups = config.skill_groups.clone();
        self.agents = config.agents.clone();
        self.clock = Clock::new(config.time_zone_offset_minutes);
        self.settings = config.settings();
        self.faults.clear_plans();
        self.roster_changed();
    }

    fn roster_changed(&mut self) {
        let agents = &self.agents;
        let still_serves = |r: &QueuedRequest, agent: &str| {
            agents
                .iter()
                .any(|a| a.id == agent && Self::serves(a, r.skill_group, None))
        };
        let withdrawn: Vec<String> = self
            .queue
            .all()
            .iter()
            .filter(|r| r.offered_to.as_deref().is_some_and(|a| !still_serves(r, a)))
            .map(|r| r.request_id.clone())
            .collect();
        for id in withdrawn {
            if let Some(r) = self.queue.get_mut(&id) {
                tracing::info!(request_id = id, "offer withdrawn: the agent left");
                r.offered_to = None;
            }
        }
        self.end_where(|state, r| {
            let served = state.group(r.skill_group).is_some()
                && state
                    .agents
                    .iter()
                    .any(|a| Self::serves(a, r.skill_group, r.pinned_agent.as_deref()));
            (!served).then_some(RequestStatus::NoAgentOnline)
        });
        let groups: Vec<i64> = self.groups.iter().map(|g| g.id).collect();
        for group in groups {
            self.reannounce(group);
        }
        self.dispatch_all();
    }

    /// Requests still queued when their group closes end with status 6; those queued longer
    /// than their group's timeout with status 3. Seats whose desk went away go back to the
    /// script.
    pub fn sweep(&mut self) {
        self.release_lapsed_seats();
        if !self.queue_has_rules() {
            return;
        }
        let now = self.clock.now();
        self.end_where(|state, r| {
            let group = state.group(r.skill_group)?;
            if !state.is_open(group) {
                return Some(RequestStatus::OffHour);
            }
            let timeout = i64::try_from(group.queue_timeout_ms?).unwrap_or(i64::MAX);
            (now - r.queued_at_ms >= timeout).then_some(RequestStatus::Timeout)
        });
    }

    /// Whether a sweep would find anything to do: queued requests under working hours or
    /// a timeout, or a desk seat whose lease ran out.
    pub fn sweep_due(&self) -> bool {
        self.queue_has_rules() || self.seats.any_lapsed()
    }

    fn queue_has_rules(&self) -> bool {
        !self.queue.all().is_empty()
            && self
                .groups
                .iter()
                .any(|g| g.hours.is_some() || g.queue_timeout_ms.is_some())
    }

    pub(crate) fn agent_view(&self, id: &str) -> AgentView {
        let agent = self.agents.iter().find(|a| a.id == id);
        AgentView {
            id: id.to_owned(),
            name: agent.map(|a| a.name.clone()).unwrap_or_default(),
            skill_groups: agent.map(|a| a.skill_groups.clone()).unwrap_or_default(),
            online: agent.is_some_and(|a| a.online),
            capacity: agent.and_then(|a| a.capacity),
            load: u32::try_from(self.load_of(id)).unwrap_or(u32::MAX),
            held: self.seats.holds(id),
        }
    }

    pub fn group_view(&self, id: i64) -> Option<GroupView> {
        let group = self.group(id)?;
        let now = self.clock.now();
        Some(GroupView {
            id,
            name: group.name.clone(),
            robot: group.robot,
            persistent: group.persistent,
            hours: group.hours.clone(),
            open: self.is_open(group),
            queue_timeout_ms: group.queue_timeout_ms,
            refuse_share: group.refuse_share,
            refuse_next: group.refuse_next,
            agents: self
                .agents
                .iter()
                .filter(|a| a.skill_groups.contains(&id))
                .map(|a| self.agent_view(&a.id))
                .collect(),
            queue: (0..)
                .zip(self.queue.of_group(id))
                .map(|(position, r)| PlaceView {
                    request_id: r.request_id.clone(),
                    open_id: r.open_id.clone(),
                    nickname: r.customer.nickname.clone(),
                    position,
                    waited_ms: (now - r.queued_at_ms).max(0),
                    offered_to: r.offered_to.clone(),
                    held: r.outcome == RequestStatus::Waiting,
                })
                .collect(),
        })
    }

    pub fn group_views(&self) -> Vec<GroupView> {
        self.groups
            .iter()
            .filter_map(|g| self.group_view(g.id))
            .collect()
    }
}

/// `sessionId` 0 (or empty) stands for "no session yet".
fn is_no_session(id: &SessionId) -> bool {
    matches!(id.key().as_str(), "" | "0")
}
