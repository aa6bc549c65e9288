//! The ScriptedAgent: the webchat side's behaviour over time. It routes queued requests
//! (status 0, then acceptance or the injected ending), opens and hands over sessions,
//! greets, fetches the customer's media, replies, closes and asks for ratings, all through
//! the CallbackSender so that each customer's callbacks arrive in order.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use wxsim_protocol::{
    AgentRef, CancelRequestRequest, CreateConAnswer, CreateConRequest, GetMsgRequest,
    MessageContent, RateSessionRequest, RequestStatus, ResultCode, SessionId, TransferConRequest,
};

use crate::bodies;
use crate::callbacks::Callback;
use crate::error::SimError;
use crate::html;
use crate::media;
use crate::session::{Rating, ReceivedMessage, Session, SessionState};
use crate::sim::Sim;
use crate::state::{now_ms, Admission, Conclusion, Ticket};

#[derive(Clone)]
pub struct ScriptedAgent {
    sim: Arc<Sim>,
}

impl ScriptedAgent {
    pub fn new(sim: Arc<Sim>) -> Self {
        ScriptedAgent { sim }
    }

    /// `createcon.do`.
    pub fn request_chat(&self, req: &CreateConRequest) -> Result<CreateConAnswer, SimError> {
        let admission = self.sim.state().admit(&self.sim.config, req)?;
        match admission {
            Admission::Queued(ticket) => Ok(self.route(ticket)),
            Admission::Persistent { session, fresh } => {
                if fresh {
                    self.welcome(&session);
                }
                Ok(CreateConAnswer {
                    result: ResultCode::Success,
                    message: "ok".into(),
                    queue_length: Some(0),
                    session_id: Some(session.wire_id()),
                    agent_id: Some(session.agent.id.clone()),
                    agent_name: Some(session.agent.name.clone()),
                    request_id: None,
                })
            }
        }
    }

    /// `transferCon.do`: a robot session queues for a human, keeping its session id.
    pub fn transfer(&self, req: &TransferConRequest) -> Result<CreateConAnswer, SimError> {
        let ticket = self.sim.state().admit_transfer(&self.sim.config, req)?;
        Ok(self.route(ticket))
    }

    /// `cancelRequest.do`: the request leaves the queue, and its end is announced.
    pub fn cancel(&self, req: &CancelRequestRequest) -> Result<(), SimError> {
        let (request, queue_length) = self.sim.state().cancel(req)?;
        self.sim.callbacks.send(
            &request.open_id,
            bodies::request_status(
                &request.request_id,
                RequestStatus::CanceledByClient,
                &request.open_id,
                queue_length,
            ),
        );
        Ok(())
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
        let session = self.sim.state().close(id, SessionState::ClosedByCustomer)?;
        self.push_rating_of(&session);
        Ok(())
    }

    /// The agent ends the chat: `/ari/close`, then `pushRating`.
    pub fn close(&self, id: &SessionId) -> Result<(), SimError> {
        let session = self.sim.state().close(id, SessionState::ClosedByAgent)?;
        self.send(&session, bodies::close(&session));
        self.push_rating_of(&session);
        Ok(())
    }

    /// The agent writes to the customer.
    pub fn say(&self, id: &SessionId, html: String) -> Result<(), SimError> {
        let session = self.chatting(id)?;
        self.send(&session, bodies::msg(&session, html));
        Ok(())
    }

    /// The agent asks for a rating (open or closed session).
    pub fn push_rating(&self, id: &SessionId) -> Result<(), SimError> {
        let session = self
            .sim
            .state()
            .sessions
            .get(id)
            .cloned()
            .ok_or_else(|| SimError::unknown_session(id))?;
        self.push_rating_of(&session);
        Ok(())
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

    fn chatting(&self, id: &SessionId) -> Result<Session, SimError> {
        self.sim
            .state()
            .sessions
            .chatting(id)
            .cloned()
            .ok_or_else(|| SimError::unknown_session(id))
    }

    fn send(&self, session: &Session, callback: Callback) {
        self.sim.callbacks.send(&session.open_id, callback);
    }

    fn push_rating_of(&self, session: &Session) {
        let ratings: Vec<Value> = self.sim.config.rating_options.clone();
        self.send(session, bodies::push_rating(session, ratings));
    }

    /// Announces the request as waiting, then lets an agent pick it up after its delay.
    fn route(&self, ticket: Ticket) -> CreateConAnswer {
        let answer_request_id = self.sim.state().settings.answer_request_id;
        self.sim.callbacks.send(
            &ticket.open_id,
            bodies::request_status(
                &ticket.request_id,
                RequestStatus::Waiting,
                &ticket.open_id,
                ticket.queue_length,
            ),
        );
        let answer = CreateConAnswer {
            result: ResultCode::Success,
            message: "ok".into(),
            queue_length: Some(ticket.queue_length),
            session_id: None,
            agent_id: None,
            agent_name: None,
            request_id: answer_request_id.then(|| ticket.request_id.as_str().into()),
        };
        if ticket.outcome != RequestStatus::Waiting {
            let agent = self.clone();
            self.sim.spawn(async move {
                tokio::time::sleep(ticket.delay).await;
                agent.conclude(&ticket.request_id);
            });
        }
        answer
    }

    fn conclude(&self, request_id: &str) {
        let conclusion = self.sim.state().conclude(&self.sim.config, request_id);
        match conclusion {
            Conclusion::Gone => {}
            Conclusion::Ended {
                request,
                queue_length,
            } => {
                tracing::info!(request_id, status = %request.outcome, "request ended without a chat");
                self.sim.callbacks.send(
                    &request.open_id,
                    bodies::request_status(
                        &request.request_id,
                        request.outcome,
                        &request.open_id,
                        queue_length,
                    ),
                );
            }
            Conclusion::Accepted {
                status,
                session,
                queue_length,
            } => {
                tracing::info!(request_id, session_id = session.session_id, agent = %session.agent.id, "request accepted");
                self.send(
                    &session,
                    bodies::request_status(request_id, status, &session.open_id, queue_length),
                );
                self.send(&session, bodies::create(&session));
                self.welcome(&session);
            }
        }
    }

    fn welcome(&self, session: &Session) {
        self.send(session, bodies::agents(session));
        self.send(
            session,
            bodies::msg(session, html::greeting(&session.agent.name)),
        );
    }

    /// Fetches the message's media, then (if auto-reply is on) replies after the delay.
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
        let current = {
            let mut state = self.sim.state();
            let Some(current) = state.sessions.chatting_mut(&session.wire_id()) else {
                return;
            };
            current.replies += 1;
            current.clone()
        };
        let reply = html::reply(&message, &fetched, current.replies);
        self.send(&current, bodies::msg(&current, reply));
    }
}
