//! The agent desk: a person takes an agent's seat. Requests routed to a held seat wait for
//! the person, who accepts or refuses them (or takes a waiting one out of turn); the seat's
//! sessions get no scripted greeting or replies, and the person writes (HTML with webchat's
//! emoji, bold text, links and pictures), asks for a rating, transfers a session to another
//! skill group and closes it. Seats nobody holds stay with the scripted agents.
//!
//! A refused request goes to another agent of its group with a free seat, and while there is
//! none it stays queued at its place (those behind it may pass); it does not end, as a
//! group's configured refusals do (status 2). A transfer hands the session at once to the
//! least busy other agent of the group with a free seat (`sessionAgentsUpdate`), or is
//! refused. A seat stays held while its desk keeps reading it ([`SEAT_LEASE`]): a desk that
//! went away gives it back to the script. [`DeskView`] is what a desk shows; [`Desk`]
//! drives it.

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use serde::{Deserialize, Serialize};
use wxsim_protocol::{ResultCode, SessionId};

use crate::agent::ScriptedAgent;
use crate::clock::ClockView;
use crate::emoji::{self, EmojiView};
use crate::error::SimError;
use crate::queue::QueuedRequest;
use crate::session::Session;
use crate::sim::Sim;
use crate::state::{now_ms, AgentView, SimState};
use crate::uploads::PictureView;

/// How long a seat stays held after its desk last read it. A desk reads at least every
/// [`Desk::next_view`]'s wait (the UI waits 20 s), so only a desk that is gone lets it lapse.
pub const SEAT_LEASE: Duration = Duration::from_secs(60);

/// A seat a person holds.
struct Seat {
    /// When its desk last read it.
    seen: Instant,
    /// When it was taken (wall clock): the sessions it ended since are still shown.
    taken_at_ms: i64,
    /// Customer messages the person has read, per session.
    read: BTreeMap<i64, usize>,
}

/// The seats people hold, by agent id.
#[derive(Default)]
pub struct Seats {
    held: BTreeMap<String, Seat>,
}

impl Seats {
    pub fn holds(&self, agent: &str) -> bool {
        self.held.contains_key(agent)
    }

    pub fn any_lapsed(&self) -> bool {
        self.held.values().any(|s| s.seen.elapsed() > SEAT_LEASE)
    }
}

/// What a desk shows: the agents (and whose seat a person holds), each skill group's queue,
/// the seat's sessions with what was said, and webchat's emoji for the composer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimDesk"))]
pub struct DeskView {
    /// Changes whenever anything but the clock does (`?seen=` waits for that).
    pub revision: String,
    /// The simulator's count of changes as the view was read: of two views, the higher is
    /// the newer.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: u64,
    /// The simulator's clock as the view was read: waits run on from `queuedAtMs`.
    pub clock: ClockView,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub content: DeskContent,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimDeskContent"))]
pub struct DeskContent {
    /// The seat the view was asked for, when a person holds it.
    pub seat: Option<String>,
    pub agents: Vec<AgentView>,
    pub groups: Vec<DeskGroup>,
    /// The seat's sessions: those it serves, and those it ended since it was taken.
    pub sessions: Vec<DeskSession>,
    pub emoji: Vec<EmojiView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimDeskGroup"))]
pub struct DeskGroup {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub name: String,
    pub robot: bool,
    /// Within its working hours now.
    pub open: bool,
    pub queue: Vec<DeskPlace>,
}

/// A queued request and its place in line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimDeskPlace"))]
pub struct DeskPlace {
    /// `orderInQueue`: 0 for the first in line.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub position: i64,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub request: QueuedRequest,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimDeskSession"))]
pub struct DeskSession {
    /// Customer messages the person has not read.
    pub unread: u32,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub session: Session,
}

fn not_held(agent: &str) -> SimError {
    SimError::Desk(format!(
        "nobody holds {agent}'s seat at the desk: take the seat first"
    ))
}

fn gone(request_id: &str) -> SimError {
    SimError::Desk(format!(
        "request {request_id} is no longer waiting: it was taken, cancelled or ended meanwhile"
    ))
}

impl SimState {
    fn known_agent(&self, agent: &str) -> Result<(), SimError> {
        if self.agents.iter().any(|a| a.id == agent) {
            Ok(())
        } else {
            Err(SimError::UnknownAgent(agent.to_owned()))
        }
    }

    fn seat_mut(&mut self, agent: &str) -> Result<&mut Seat, SimError> {
        self.seats
            .held
            .get_mut(agent)
            .ok_or_else(|| not_held(agent))
    }

    /// A person takes an agent's seat; offers the script was weighing for it wait for the
    /// person instead. Taking a held seat again keeps it.
    pub fn take_seat(&mut self, agent: &str) -> Result<(), SimError> {
        self.known_agent(agent)?;
        if let Ok(seat) = self.seat_mut(agent) {
            seat.seen = Instant::now();
            return Ok(());
        }
        tracing::info!(agent, "a person takes the seat at the desk");
        self.seats.held.insert(
            agent.to_owned(),
            Seat {
                seen: Instant::now(),
                taken_at_ms: now_ms(),
                read: BTreeMap::new(),
            },
        );
        self.withdraw_offers(agent);
        Ok(())
    }

    /// The person leaves the seat: the script takes it over, offers waiting for the person
    /// included, and the person's refusals no longer keep requests from the agent. Answers
    /// whether it was held.
    pub fn release_seat(&mut self, agent: &str) -> bool {
        if self.seats.held.remove(agent).is_none() {
            return false;
        }
        tracing::info!(agent, "the desk's seat goes back to the script");
        let refused: Vec<String> = self
            .queue
            .all()
            .iter()
            .filter(|r| r.declined_by.iter().any(|a| a == agent))
            .map(|r| r.request_id.clone())
            .collect();
        for id in refused {
            if let Some(r) = self.queue.get_mut(&id) {
                r.declined_by.retain(|a| a != agent);
            }
        }
        self.withdraw_offers(agent);
        true
    }

    /// Keeps a held seat held (its desk read it).
    pub fn keep_seat(&mut self, agent: &str) {
        if let Ok(seat) = self.seat_mut(agent) {
            seat.seen = Instant::now();
        }
    }

    pub(crate) fn release_lapsed_seats(&mut self) {
        let lapsed: Vec<String> = self
            .seats
            .held
            .iter()
            .filter(|(_, seat)| seat.seen.elapsed() > SEAT_LEASE)
            .map(|(agent, _)| agent.clone())
            .collect();
        for agent in lapsed {
            tracing::info!(agent = agent.as_str(), "the desk stopped reading the seat");
            self.release_seat(&agent);
        }
    }

    /// Offers to `agent` go back to the line, to be offered again as the seat now decides
    /// (a pending scripted decision is stale from then on).
    fn withdraw_offers(&mut self, agent: &str) {
        let offered: Vec<String> = self
            .queue
            .all()
            .iter()
            .filter(|r| r.offered_to.as_deref() == Some(agent))
            .map(|r| r.request_id.clone())
            .collect();
        for id in offered {
            if let Some(r) = self.queue.get_mut(&id) {
                r.offered_to = None;
            }
        }
        self.dispatch_all();
    }

    /// The person accepts a request offered to the seat, or takes one waiting in a group
    /// the seat serves out of turn (if the seat has room). A status or a failed routing the
    /// tester planned for it still comes first, as for the scripted agents.
    pub fn desk_accept(&mut self, agent: &str, request_id: &str) -> Result<(), SimError> {
        self.seat_mut(agent)?;
        let request = self.queue.get(request_id).ok_or_else(|| gone(request_id))?;
        match request.offered_to.as_deref() {
            Some(a) if a == agent => {}
            Some(other) => {
                return Err(SimError::Desk(format!(
                    "request {request_id} is offered to {other}, not to {agent}"
                )))
            }
            None => self.may_take(agent, request)?,
        }
        let (group, planned) = (request.skill_group, request.outcome);
        if !planned.is_accepted() {
            self.end(request_id, planned);
        } else if let Some(failure) = self.faults.take_routing_failure(group) {
            self.fail_routing(request_id, &failure);
        } else {
            self.accept(request_id, agent);
        }
        self.reannounce(group);
        self.dispatch_all();
        Ok(())
    }

    /// Whether the seat may take a request nobody was offered.
    fn may_take(&self, agent: &str, request: &QueuedRequest) -> Result<(), SimError> {
        let a = self
            .agents
            .iter()
            .find(|a| a.id == agent)
            .ok_or_else(|| SimError::UnknownAgent(agent.to_owned()))?;
        let refuse = |why: String| Err(SimError::Desk(why));
        if !a.online {
            return refuse(format!(
                "{} is offline: set the agent online in the Simulator view",
                a.name
            ));
        }
        if !a.skill_groups.contains(&request.skill_group) {
            return refuse(format!(
                "{} does not serve skill group {}",
                a.name, request.skill_group
            ));
        }
        if let Some(pinned) = request.pinned_agent.as_deref().filter(|p| *p != agent) {
            return refuse(format!(
                "request {} asked for agent {pinned}",
                request.request_id
            ));
        }
        if request.outcome == wxsim_protocol::RequestStatus::Waiting {
            return refuse(format!(
                "request {} is held in the queue by a plan of the Simulator view",
                request.request_id
            ));
        }
        let load = self.agent_view(agent).load;
        match a.capacity {
            Some(capacity) if load >= capacity => refuse(format!(
                "{}'s seat is full: {load} of {capacity} chats",
                a.name
            )),
            _ => Ok(()),
        }
    }

    /// The person refuses a request offered to the seat: it goes to another agent with a
    /// free seat, or stays queued at its place until one frees.
    pub fn desk_refuse(&mut self, agent: &str, request_id: &str) -> Result<(), SimError> {
        self.seat_mut(agent)?;
        let request = self
            .queue
            .get_mut(request_id)
            .ok_or_else(|| gone(request_id))?;
        if request.offered_to.as_deref() != Some(agent) {
            return Err(SimError::Desk(format!(
                "request {request_id} is not offered to {agent}: only an offered request can be refused"
            )));
        }
        request.offered_to = None;
        request.declined_by.push(agent.to_owned());
        tracing::info!(request_id, agent, "refused at the desk");
        self.dispatch_all();
        Ok(())
    }

    /// A session the seat serves (or served).
    fn seat_session(&self, agent: &str, id: i64) -> Result<&Session, SimError> {
        if !self.seats.holds(agent) {
            return Err(not_held(agent));
        }
        let session = self
            .sessions
            .get(&SessionId::from(id))
            .ok_or_else(|| SimError::unknown_session(id))?;
        if session.agent.id.key() != agent {
            return Err(SimError::Desk(format!(
                "session {id} is served by {}, not by {agent}",
                session.agent.name
            )));
        }
        Ok(session)
    }

    /// The person writes to the customer; what they answer is read by then.
    pub fn desk_write(&mut self, agent: &str, id: i64, html: String) -> Result<(), SimError> {
        self.seat_session(agent, id)?;
        self.write(&SessionId::from(id), html, false)?;
        self.desk_read(agent, id)
    }

    /// The person has read the session's messages.
    pub fn desk_read(&mut self, agent: &str, id: i64) -> Result<(), SimError> {
        let count = self.seat_session(agent, id)?.messages.len();
        self.seat_mut(agent)?.read.insert(id, count);
        Ok(())
    }

    /// The person hands the session to the least busy other agent of `group` with a free
    /// seat: `sessionAgentsUpdate` names it, and a scripted agent greets.
    pub fn desk_transfer(&mut self, agent: &str, id: i64, group: i64) -> Result<(), SimError> {
        if !self.seat_session(agent, id)?.is_chatting() {
            return Err(SimError::unknown_session(id));
        }
        let target = self.group(group).cloned().ok_or_else(|| {
            SimError::refused(
                ResultCode::InvalidSkillgroup,
                format!("invalid skill group {group}"),
            )
        })?;
        self.ensure_open(&target)?;
        let to = self
            .free_agent(group, None, &[agent.to_owned()])
            .ok_or_else(|| {
                SimError::refused(
                    ResultCode::NoAgentOnline,
                    format!(
                        "no other agent of skill group {group} ({}) is online with a free seat",
                        target.name
                    ),
                )
            })?;
        let to = self.agent_ref(&to);
        tracing::info!(session_id = id, from = agent, to = %to.id, group, "transferred at the desk");
        let session = self
            .hand_over(id, group, to)
            .ok_or_else(|| SimError::unknown_session(id))?;
        self.welcome(&session);
        self.dispatch_all();
        Ok(())
    }

    /// What a desk shows for `seat` (the queue and agents only, when nobody holds it), as of
    /// change number `version`. `watch`, with no seat held: every agent's sessions, the live
    /// ones and the newest ended ones, as an audience watches a demo (nobody reads them).
    pub fn desk_view(&self, seat: Option<&str>, watch: bool, version: u64) -> DeskView {
        let held = seat.and_then(|s| self.seats.held.get_key_value(s));
        let sessions = match held {
            Some((agent, seat)) => self
                .sessions
                .all()
                .filter(|s| s.agent.id.key() == *agent)
                .filter(|s| s.is_chatting() || s.closed_at_ms >= Some(seat.taken_at_ms))
                .map(|s| DeskSession {
                    unread: unread(s, seat.read.get(&s.session_id).copied()),
                    session: s.clone(),
                })
                .collect(),
            None if watch => self.watched_sessions(),
            None => Vec::new(),
        };
        let content = DeskContent {
            seat: held.map(|(agent, _)| agent.clone()),
            agents: self.agents.iter().map(|a| self.agent_view(&a.id)).collect(),
            groups: self
                .groups
                .iter()
                .map(|g| DeskGroup {
                    id: g.id,
                    name: g.name.clone(),
                    robot: g.robot,
                    open: self.is_open(g),
                    queue: (0..)
                        .zip(self.queue.of_group(g.id))
                        .map(|(position, r)| DeskPlace {
                            position,
                            request: r.clone(),
                        })
                        .collect(),
                })
                .collect(),
            sessions,
            emoji: emoji::views(),
        };
        DeskView {
            revision: revision(&content),
            version,
            clock: self.clock.view(),
            content,
        }
    }
}

/// How many ended sessions a watching desk still shows.
const WATCHED_ENDED: usize = 10;

impl SimState {
    fn watched_sessions(&self) -> Vec<DeskSession> {
        let ended = self.sessions.all().filter(|s| !s.is_chatting()).count();
        let mut skip = ended.saturating_sub(WATCHED_ENDED);
        self.sessions
            .all()
            .filter(|s| {
                let old = !s.is_chatting() && skip > 0;
                skip -= usize::from(old);
                !old
            })
            .map(|s| DeskSession {
                unread: 0,
                session: s.clone(),
            })
            .collect()
    }
}

fn unread(session: &Session, read: Option<usize>) -> u32 {
    let left = session.messages.len().saturating_sub(read.unwrap_or(0));
    u32::try_from(left).unwrap_or(u32::MAX)
}

/// A short digest of what a desk shows.
fn revision(content: &DeskContent) -> String {
    let mut hasher = DefaultHasher::new();
    serde_json::to_string(content)
        .expect("the desk serializes")
        .hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Drives the desk of a running simulator; `/api/simulator/desk/*` (crates/stack) over HTTP.
/// Every action answers the seat's view as it is afterwards.
#[derive(Clone)]
pub struct Desk {
    sim: Arc<Sim>,
}

impl Desk {
    pub(crate) fn new(sim: Arc<Sim>) -> Self {
        Desk { sim }
    }

    fn agent(&self) -> ScriptedAgent {
        ScriptedAgent::new(Arc::clone(&self.sim))
    }

    /// What the desk shows for `seat` (or, `watch`ing, for everyone) now.
    pub fn view(&self, seat: Option<&str>, watch: bool) -> DeskView {
        let state = self.sim.state();
        // Read under the lock: every change the state shows has been counted by then.
        state.desk_view(seat, watch, self.sim.version())
    }

    /// The view once its revision differs from `seen`, or as it is after `wait`; at once
    /// without `seen`. Reading a held seat keeps it held.
    pub async fn next_view(
        &self,
        seat: Option<&str>,
        watch: bool,
        seen: Option<&str>,
        wait: Duration,
    ) -> DeskView {
        if let Some(seat) = seat {
            let mut state = self.sim.state();
            // Only a held seat is touched: any other read changes nothing.
            if state.seats.holds(seat) {
                state.keep_seat(seat);
            }
        }
        // Subscribed before the first look, so that no change can fall in between.
        let mut changes = self.sim.changes();
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            changes.mark_unchanged();
            let view = self.view(seat, watch);
            if seen != Some(view.revision.as_str()) {
                return view;
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return view,
            }
        }
    }

    /// Runs a decision for `seat`, then answers its view.
    fn act(
        &self,
        seat: &str,
        decide: impl FnOnce(&mut SimState) -> Result<(), SimError>,
    ) -> Result<DeskView, SimError> {
        self.agent().run(decide)?;
        Ok(self.view(Some(seat), false))
    }

    pub fn take_seat(&self, agent: &str) -> Result<DeskView, SimError> {
        self.act(agent, |s| s.take_seat(agent))
    }

    pub fn release_seat(&self, agent: &str) -> Result<DeskView, SimError> {
        self.act(agent, |s| {
            s.known_agent(agent)?;
            s.release_seat(agent);
            Ok(())
        })
    }

    pub fn accept(&self, agent: &str, request_id: &str) -> Result<DeskView, SimError> {
        self.act(agent, |s| s.desk_accept(agent, request_id))
    }

    pub fn refuse(&self, agent: &str, request_id: &str) -> Result<DeskView, SimError> {
        self.act(agent, |s| s.desk_refuse(agent, request_id))
    }

    pub fn say(&self, agent: &str, session_id: i64, html: String) -> Result<DeskView, SimError> {
        self.act(agent, |s| s.desk_write(agent, session_id, html))
    }

    pub fn read(&self, agent: &str, session_id: i64) -> Result<DeskView, SimError> {
        self.act(agent, |s| s.desk_read(agent, session_id))
    }

    /// The person asks for a rating (of an open or an ended session).
    pub fn push_rating(&self, agent: &str, session_id: i64) -> Result<DeskView, SimError> {
        let ratings = self.agent().ratings();
        self.act(agent, |s| {
            s.seat_session(agent, session_id)?;
            s.ask_rating(&SessionId::from(session_id), ratings)
        })
    }

    /// The person ends the session: `/ari/close`, then `pushRating`.
    pub fn close(&self, agent: &str, session_id: i64) -> Result<DeskView, SimError> {
        let ratings = self.agent().ratings();
        self.act(agent, |s| {
            s.seat_session(agent, session_id)?;
            s.agent_close(&SessionId::from(session_id), ratings)
        })
    }

    pub fn transfer(
        &self,
        agent: &str,
        session_id: i64,
        skill_group: i64,
    ) -> Result<DeskView, SimError> {
        self.act(agent, |s| s.desk_transfer(agent, session_id, skill_group))
    }

    /// Keeps a picture for the person's next message; served under `/webchat/uploads/`.
    pub fn add_picture(&self, bytes: Bytes) -> Result<PictureView, SimError> {
        self.sim.state().uploads.add(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SimConfig;
    use crate::state::Effect;

    fn request(state: &mut SimState, open_id: &str) -> String {
        let req = serde_json::from_value(serde_json::json!({
            "openId": open_id, "skillGroup": 1, "requestTime": 1, "nickname": open_id
        }))
        .unwrap();
        state.admit(&req).unwrap();
        state
            .queue
            .of_customer(&open_id.into())
            .unwrap()
            .request_id
            .clone()
    }

    /// Whether the script was set to decide on a request (a pending offer's timer).
    fn script_decides(effects: &[Effect]) -> bool {
        effects.iter().any(|e| matches!(e, Effect::Offer { .. }))
    }

    #[test]
    fn a_held_seat_decides_nothing_itself_and_a_lapsed_one_goes_back_to_the_script() {
        let mut state = SimState::new(&SimConfig::default());
        state.take_seat("A001").unwrap();
        let ann = request(&mut state, "ann");
        let offered = state.queue.get(&ann).unwrap();
        assert_eq!(offered.offered_to.as_deref(), Some("A001"));
        assert!(!script_decides(&state.take_effects()), "the person decides");
        assert!(!state.sweep_due());
        state.desk_refuse("A001", &ann).unwrap();
        let refused = state.queue.get(&ann).unwrap();
        assert_eq!(
            (
                refused.offered_to.as_deref(),
                refused.declined_by.as_slice()
            ),
            (None, ["A001".to_owned()].as_slice()),
            "nobody else serves Sales: it waits"
        );
        assert!(!script_decides(&state.take_effects()));

        let seat = state.seats.held.get_mut("A001").unwrap();
        seat.seen = Instant::now()
            .checked_sub(SEAT_LEASE + Duration::from_secs(1))
            .unwrap();
        assert!(state.sweep_due());
        state.sweep();
        assert!(!state.seats.holds("A001"));
        assert!(
            script_decides(&state.take_effects()),
            "the request went to the script's Alice: the person's refusal left with them"
        );
        assert!(matches!(
            state.take_seat("NOBODY"),
            Err(SimError::UnknownAgent(_))
        ));
    }

    #[test]
    fn a_watching_desk_sees_every_agents_sessions_without_a_seat() {
        let mut state = SimState::new(&SimConfig::default());
        state.take_seat("A001").unwrap();
        let ann = request(&mut state, "ann");
        state.desk_accept("A001", &ann).unwrap();
        assert!(state.release_seat("A001"));
        assert!(state.desk_view(None, false, 1).content.sessions.is_empty());
        let watched = state.desk_view(None, true, 1);
        assert_eq!(watched.content.seat, None);
        let [session] = watched.content.sessions.as_slice() else {
            panic!("{:?}", watched.content.sessions);
        };
        assert_eq!(
            (session.session.agent.id.key().as_str(), session.unread),
            ("A001", 0)
        );
    }

    #[test]
    fn the_view_changes_its_revision_with_what_it_shows_only() {
        let mut state = SimState::new(&SimConfig::default());
        let before = state.desk_view(Some("A001"), false, 1);
        assert_eq!(
            before.revision,
            state.desk_view(Some("A001"), false, 2).revision
        );
        state.take_seat("A001").unwrap();
        let held = state.desk_view(Some("A001"), false, 3);
        assert_ne!(held.revision, before.revision);
        assert_eq!(held.content.seat.as_deref(), Some("A001"));
        request(&mut state, "ann");
        let queued = state.desk_view(Some("A001"), false, 4);
        assert_ne!(queued.revision, held.revision);
        assert_eq!(queued.content.groups[0].queue[0].position, 0);
    }
}
