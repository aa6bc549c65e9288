//! The ScriptedAgent: the webchat side's behaviour over time. It starts what the state's
//! decisions set in motion (callbacks in order per customer, agents looking at requests
//! for the accept delay, the watch on each `/ari/create`), and it greets, fetches the
//! customer's media, replies, closes and asks for ratings.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use wxsim_protocol::{
    AgentRef, CancelRequestRequest, CreateConAnswer, CreateConRequest, GetMsgRequest,
    MessageContent, RateSessionRequest, ResultCode, SessionId, TransferConRequest,
};

use crate::bodies;
use crate::callbacks::Callback;
use crate::error::SimError;
use crate::html;
use crate::media;
use crate::session::{Rating, ReceivedMessage, Session, SessionState};
use crate::sim::Sim;
use crate::state::{now_ms, Admission, Effect, SimState};

/// How often queue timeouts and closing times are looked at (the tester's clock changes
/// are applied at once).
const SWEEP_EVERY: Duration = Duration::from_millis(50);

#[derive(Clone)]
pub struct ScriptedAgent {
    sim: Arc<Sim>,
}

impl ScriptedAgent {
    pub fn new(sim: Arc<Sim>) -> Self {
        ScriptedAgent { sim }
    }

    /// Runs a decision on the state and starts its effects before the lock is released,
    /// so that callbacks leave in the order the state changed.
    pub fn run<T>(&self, decide: impl FnOnce(&mut SimState) -> T) -> T {
        let mut state = self.sim.state();
        let value = decide(&mut state);
        for effect in state.take_effects() {
            self.start(effect);
        }
        value
    }

    fn start(&self, effect: Effect) {
        match effect {
            Effect::Callback { lane, callback } => self.sim.callbacks.send(&lane, callback),
            Effect::Create {
                lane,
                callback,
                session_id,
            } => {
                let outcome = self.sim.callbacks.submit(&lane, callback);
                let agent = self.clone();
                self.sim.spawn(async move {
                    if let Ok(outcome) = outcome.await {
                        if !outcome.ok() {
                            agent.run(|s| s.not_established(session_id));
                        }
                    }
                });
            }
            Effect::Offer {
                request_id,
                offer,
                delay,
            } => {
                let agent = self.clone();
                self.sim.spawn(async move {
                    tokio::time::sleep(delay).await;
                    agent.run(|s| s.conclude(&request_id, offer));
                });
            }
        }
    }

    /// Ends requests queued too long or at closing time, for as long as the simulator runs.
    pub fn start_sweeping(&self) {
        let agent = self.clone();
        self.sim.spawn(async move {
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                // Looked at first, so that an idle sweep changes nothing (and wakes no desk).
                if agent.sim.state().sweep_due() {
                    agent.run(SimState::sweep);
                }
            }
        });
    }

    /// `createcon.do`.
    pub fn request_chat(&self, req: &CreateConRequest) -> Result<CreateConAnswer, SimError> {
        let admission = self.run(|s| s.admit(req))?;
        Ok(self.answer_admission(admission))
    }

    /// `transferCon.do`: a robot session queues for a human, keeping its session id.
    pub fn transfer(&self, req: &TransferConRequest) -> Result<CreateConAnswer, SimError> {
        let admission = self.run(|s| s.admit_transfer(req))?;
        Ok(self.answer_admission(admission))
    }

    fn answer_admission(&self, admission: Admission) -> CreateConAnswer {
        match admission {
            Admission::Queued {
                request_id,
                queue_length,
            } => {
                let answer_request_id = self.sim.state().settings.answer_request_id;
                CreateConAnswer {
                    result: ResultCode::Success,
                    message: "ok".into(),
                    queue_length: Some(queue_length),
                    session_id: None,
                    agent_id: None,
                    agent_name: None,
                    request_id: answer_request_id.then(|| request_id.as_str().into()),
                }
            }
            Admission::Persistent(session) => CreateConAnswer {
                result: ResultCode::Success,
                message: "ok".into(),
                queue_length: Some(0),
                session_id: Some(session.wire_id()),
                agent_id: Some(session.agent.id.clone()),
                agent_name: Some(session.agent.name.clone()),
                request_id: None,
            },
        }
    }

    /// `cancelRequest.do`: the request leaves the queue, and its end is announced.
    pub fn cancel(&self, req: &CancelRequestRequest) -> Result<(), SimError> {
        self.run(|s| s.cancel(req))
    }

    /// `getmsg.do`: records the message, then fetches its media and replies in the background.
    pub fn receive(&self, req: &GetMsgRequest) -> Result<(), SimError> {
        let message = req.message()?;
        let session = {
            let mut state = self.sim.state();
            let session = state
                .sessions
                .chatting_mut(&req.session_id)
                .ok_or_else(|| SimError::unknown_session(&req.session_id))?;
            session.check_customer(&req.open_id)?;
            if let Some(language) = html::language_of(&message) {
                session.language = language;
            }
            session.messages.push(ReceivedMessage {
                message: message.clone(),
                agent_id: req.agent_id.clone(),
                at_ms: now_ms(),
            });
            session.clone()
        };
        let agent = self.clone();
        self.sim
            .spawn(async move { agent.answer(session, message).await });
        Ok(())
    }

    /// `ratesession.do`.
    pub fn rate(&self, req: &RateSessionRequest) -> Result<(), SimError> {
        let id = SessionId(req.chat_session_id.0.clone());
        let mut state = self.sim.state();
        let session = state
            .sessions
            .get_mut(&id)
            .ok_or_else(|| SimError::unknown_session(&id))?;
        session.rating = Some(Rating {
            rating_id: req.rating_id.clone(),
            rating_comment: req.rating_comment.clone(),
            at_ms: now_ms(),
        });
        Ok(())
    }

    /// The customer ended the chat (`closecon.do`): the agent asks for a rating.
    pub fn customer_closed(&self, id: &SessionId) -> Result<(), SimError> {
        let ratings = self.sim.config.rating_options.clone();
        self.run(|s| {
            let session = s.close(id, SessionState::ClosedByCustomer)?;
            s.send(&session.open_id, bodies::push_rating(&session, ratings));
            Ok(())
        })
    }

    /// The agent ends the chat: `/ari/close`, then `pushRating`.
    pub fn close(&self, id: &SessionId) -> Result<(), SimError> {
        let ratings = self.ratings();
        self.run(|s| s.agent_close(id, ratings))
    }

    /// The agent writes to the customer.
    pub fn say(&self, id: &SessionId, html: String) -> Result<(), SimError> {
        self.run(|s| s.write(id, html, false).map(drop))
    }

    /// The agent asks for a rating (open or closed session).
    pub fn push_rating(&self, id: &SessionId) -> Result<(), SimError> {
        let ratings = self.ratings();
        self.run(|s| s.ask_rating(id, ratings))
    }

    /// The options `pushRating` offers.
    pub fn ratings(&self) -> Vec<Value> {
        self.sim.config.rating_options.clone()
    }

    /// Agents join or leave the session (conference, transfer).
    pub fn set_agents(&self, id: &SessionId, agents: Vec<AgentRef>) -> Result<(), SimError> {
        let session = {
            let mut state = self.sim.state();
            let session = state
                .sessions
                .chatting_mut(id)
                .ok_or_else(|| SimError::unknown_session(id))?;
            session.agents = agents;
            session.clone()
        };
        self.send(&session, bodies::agents(&session));
        Ok(())
    }

    fn send(&self, session: &Session, callback: Callback) {
        self.sim.callbacks.send(&session.open_id, callback);
    }

    /// Fetches the message's media, then (if auto-reply is on) replies after the delay,
    /// unless a person holds the agent's seat (they answer themselves).
    async fn answer(&self, session: Session, message: MessageContent) {
        let mut fetched = Vec::new();
        for (media_id, media_type) in media::media_parts(&message) {
            fetched.push(media::fetch(&self.sim, &session, media_id, media_type).await);
        }
        let settings = self.sim.state().settings.clone();
        if !settings.auto_reply {
            return;
        }
        tokio::time::sleep(Duration::from_millis(settings.reply_delay_ms)).await;
        self.run(|s| {
            let id = session.wire_id();
            let Some(current) = s.sessions.chatting_mut(&id) else {
                return;
            };
            if s.seats.holds(&current.agent.id.key()) {
                return;
            }
            current.replies += 1;
            let reply = html::reply(&message, &fetched, current.replies, current.language);
            // Chatting, as just seen.
            let _ = s.write(&id, reply, true);
        });
    }
}
