//! The Player: one customer acting out its steps through the engine (and, for `sim` steps,
//! the embedded simulator), each step ending with a note of what it did or a StepError.

use std::time::Duration;

use wxsim_engine::protocol::content::{ImageContent, VideoContent, VoiceContent};
use wxsim_engine::protocol::{MessageContent, WireId};
use wxsim_engine::{
    Conversation, ConversationFilter, Customer, Direction, Engine, ExchangeFilter, MediaKind,
};
use wxsim_webchat::SimControl;

use crate::error::StepError;
use crate::spec::{Action, AgentExpectation, MediaFile, Outgoing, SimAction};
use crate::watch::{Signals, Watch};

/// How often `wait_queue_position` asks webchat for the place.
const QUEUE_POLL: Duration = Duration::from_millis(50);

pub(crate) struct Player {
    pub engine: Engine,
    pub simulator: Option<SimControl>,
    pub customer: Customer,
    pub watch: Watch,
    /// Shared by the scenario's customers.
    pub signals: Signals,
    pub default_within: Duration,
    /// The newest agent message an `expect_agent` step matched.
    pub agent_cursor: i64,
}

type StepResult = Result<String, StepError>;

fn timeout(what: String, within: Duration) -> StepError {
    StepError::Timeout {
        what,
        ms: within.as_millis(),
    }
}

/// `create` → `/ari/create`; `pulse.do` and `/ari/msg` stay as they are.
fn operation_name(given: &str) -> String {
    if given.starts_with('/') || given.ends_with(".do") {
        given.to_owned()
    } else {
        format!("/ari/{given}")
    }
}

impl Player {
    fn within(&self, step: Option<u64>) -> Duration {
        step.map_or(self.default_within, Duration::from_millis)
    }

    async fn conversation(&self) -> Result<Conversation, StepError> {
        latest(&self.engine, self.customer.id)
            .await?
            .ok_or_else(|| {
                StepError::Unexpected(
                    "the customer has no conversation yet; request_chat first".into(),
                )
            })
    }

    /// Waits until `test` holds for the customer's conversation.
    async fn wait_for<T>(
        &mut self,
        within: Duration,
        what: impl Fn(Option<&Conversation>) -> String,
        test: impl Fn(&Conversation) -> Option<T>,
    ) -> Result<T, StepError> {
        let (engine, id) = (self.engine.clone(), self.customer.id);
        let test = &test;
        let found = self
            .watch
            .until(within, || {
                let engine = engine.clone();
                async move { Ok(latest(&engine, id).await?.as_ref().and_then(test)) }
            })
            .await?;
        match found {
            Some(v) => Ok(v),
            None => Err(timeout(
                what(latest(&self.engine, id).await?.as_ref()),
                within,
            )),
        }
    }

    pub async fn act(&mut self, action: &Action) -> StepResult {
        match action {
            Action::RequestChat => {
                let c = self.engine.request_chat(self.customer.id).await?;
                Ok(format!("conversation {} is {}", c.id, c.state.as_str()))
            }
            Action::WaitState { state, within_ms } => {
                let within = self.within(*within_ms);
                let want = *state;
                self.wait_for(
                    within,
                    |c| {
                        format!(
                            "state {} (it is {})",
                            want.as_str(),
                            c.map_or("without a conversation", |c| c.state.as_str())
                        )
                    },
                    |c| (c.state == want).then_some(()),
                )
                .await?;
                Ok(format!("conversation is {}", want.as_str()))
            }
            Action::WaitStatus { status, within_ms } => {
                let within = self.within(*within_ms);
                let want = status.code();
                self.wait_for(
                    within,
                    |c| {
                        format!(
                            "request status {status} (last seen: {:?})",
                            c.and_then(|c| c.request_status)
                        )
                    },
                    |c| (c.request_status == Some(want)).then_some(()),
                )
                .await?;
                Ok(format!("request status {status}"))
            }
            Action::WaitCallback {
                operation,
                count,
                within_ms,
            } => {
                self.wait_callback(&operation_name(operation), *count, self.within(*within_ms))
                    .await
            }
            Action::Send(outgoing) => {
                let content = self.content(outgoing).await?;
                let kind = content.msg_type().as_str();
                let m = self.engine.send_message(self.customer.id, content).await?;
                Ok(format!("{kind} message {} sent", m.id))
            }
            Action::ExpectAgent(expectation) => self.expect_agent(expectation).await,
            Action::ExpectAgents { agents, within_ms } => {
                let within = self.within(*within_ms);
                let missing = |c: &Conversation| -> Vec<String> {
                    agents
                        .iter()
                        .filter(|a| !c.agents.iter().any(|v| &v.id == *a || &v.name == *a))
                        .cloned()
                        .collect()
                };
                let found = self
                    .wait_for(
                        within,
                        |c| {
                            format!(
                                "agents {agents:?} (the session has {:?})",
                                c.map(|c| &c.agents)
                            )
                        },
                        |c| missing(c).is_empty().then(|| c.agents.clone()),
                    )
                    .await?;
                Ok(format!(
                    "session agents: {}",
                    found
                        .iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
            Action::Rate {
                rating,
                comment,
                within_ms,
            } => {
                let within = self.within(*within_ms);
                let options = self
                    .wait_for(
                        within,
                        |_| "the rating prompt (pushRating)".into(),
                        |c| c.rating_options.clone(),
                    )
                    .await?;
                let id = match rating {
                    Some(r) => r.clone(),
                    None => options.first().map(|o| o.id.key()).ok_or_else(|| {
                        StepError::Unexpected(format!(
                            "the rating prompt offered no usable option: {options:?}"
                        ))
                    })?,
                };
                let c = self.engine.rate(self.customer.id, &id, comment).await?;
                Ok(format!("rated {id}; conversation is {}", c.state.as_str()))
            }
            Action::Cancel { within_ms } => {
                let within = self.within(*within_ms);
                self.wait_for(
                    within,
                    |_| "the request's id (first updateRequestStatus)".into(),
                    |c| c.request_id.clone(),
                )
                .await?;
                let c = self.engine.cancel(self.customer.id).await?;
                Ok(format!("conversation is {}", c.state.as_str()))
            }
            Action::Transfer { info } => {
                let c = self.engine.transfer(self.customer.id, info).await?;
                Ok(format!(
                    "transfer requested; conversation is {}",
                    c.state.as_str()
                ))
            }
            Action::Close => {
                let c = self.engine.close(self.customer.id).await?;
                Ok(format!("conversation is {}", c.state.as_str()))
            }
            Action::Pause { ms } => {
                tokio::time::sleep(Duration::from_millis(*ms)).await;
                Ok(format!("paused {ms} ms"))
            }
            Action::WaitQueuePosition { order, within_ms } => {
                self.wait_queue_position(*order, self.within(*within_ms))
                    .await
            }
            Action::Signal { name } => {
                self.signals.raise(name);
                Ok(format!("signalled {name}"))
            }
            Action::WaitSignal { name, within_ms } => {
                let within = self.within(*within_ms);
                if self.signals.wait(name, within).await {
                    Ok(format!("{name} was signalled"))
                } else {
                    Err(timeout(format!("signal {name}"), within))
                }
            }
            Action::ListenerFault(fault) => {
                let mut faults = self.engine.listener_faults();
                faults.push(fault.0.clone());
                self.engine.set_listener_faults(faults)?;
                Ok(format!("listener fault armed on {}", fault.0.path))
            }
            Action::ExpectError(expected) => Ok(format!("the next step must fail with {expected}")),
            Action::Sim(action) => self.sim(action).await,
        }
    }

    /// Asks `getQueueLength.do` (every 50 ms) until the place is `order`. Its own calls
    /// are engine events of this customer, so it polls rather than waking on news.
    async fn wait_queue_position(&mut self, order: i64, within: Duration) -> StepResult {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let last = match self.engine.queue_position(self.customer.id).await {
                Ok(Some(place)) if place == order => {
                    return Ok(format!("orderInQueue is {order}"));
                }
                Ok(place) => format!("orderInQueue {place:?}"),
                Err(e) => e.to_string(),
            };
            if tokio::time::Instant::now() + QUEUE_POLL > deadline {
                return Err(timeout(
                    format!("orderInQueue {order} (last: {last})"),
                    within,
                ));
            }
            tokio::time::sleep(QUEUE_POLL).await;
        }
    }

    async fn wait_callback(
        &mut self,
        operation: &str,
        count: usize,
        within: Duration,
    ) -> StepResult {
        // Media downloads carry no openId: they are counted over the whole run.
        let filter = ExchangeFilter {
            customer_id: (operation != "/wechat/").then_some(self.customer.id),
            operation: Some(operation.to_owned()),
            limit: Some(i64::try_from(count).unwrap_or(i64::MAX)),
            ..Default::default()
        };
        let engine = self.engine.clone();
        let filter = &filter;
        let seen = self
            .watch
            .until(within, || {
                let engine = engine.clone();
                async move {
                    let n = engine.exchanges(filter).await?.len();
                    Ok((n >= count).then_some(n))
                }
            })
            .await?;
        match seen {
            Some(_) => Ok(format!("{operation} seen {count}×")),
            None => Err(timeout(
                format!("{count}× {operation} in the exchange log"),
                within,
            )),
        }
    }

    async fn expect_agent(&mut self, expectation: &AgentExpectation) -> StepResult {
        let within = self.within(expectation.within_ms);
        let conversation = self.conversation().await?.id;
        let (engine, after, text) = (self.engine.clone(), self.agent_cursor, &expectation.text);
        let found = self
            .watch
            .until(within, || {
                let engine = engine.clone();
                async move {
                    let messages = engine.messages(conversation).await?;
                    Ok(messages.into_iter().find(|m| {
                        m.direction == Direction::In
                            && m.id > after
                            && text.matches(&m.text, m.html.as_deref())
                    }))
                }
            })
            .await?;
        let Some(message) = found else {
            // What came instead tells a changed reply from a missing one.
            let said: Vec<String> = self
                .engine
                .messages(conversation)
                .await?
                .into_iter()
                .filter(|m| m.direction == Direction::In && m.id > after)
                .map(|m| format!("{:?}", m.text))
                .collect();
            let instead = match said.is_empty() {
                true => "the agent said nothing".to_owned(),
                false => format!("the agent said {}", said.join(", ")),
            };
            return Err(timeout(
                format!("an agent message {text}; {instead}"),
                within,
            ));
        };
        self.agent_cursor = message.id;
        Ok(format!(
            "agent said {:?}",
            message.text.chars().take(60).collect::<String>()
        ))
    }

    /// A message's content, with its files uploaded to the media folder.
    async fn content(&self, outgoing: &Outgoing) -> Result<MessageContent, StepError> {
        Ok(match outgoing {
            Outgoing::Text(text) => MessageContent::Text(text.clone()),
            Outgoing::Image(file) => MessageContent::Image(ImageContent {
                media_id: self.upload(MediaKind::Image, file).await?,
            }),
            Outgoing::Voice {
                file,
                recognition,
                format,
            } => MessageContent::Voice(VoiceContent {
                recognition: recognition.clone(),
                format: format.clone(),
                media_id: self.upload(MediaKind::Voice, file).await?,
            }),
            Outgoing::Video { file, thumb } => MessageContent::Video(VideoContent {
                media_id: self.upload(MediaKind::Video, file).await?,
                thumb_media_id: self.upload(MediaKind::Thumb, thumb).await?,
            }),
            Outgoing::Link(link) => MessageContent::Link(link.clone()),
            Outgoing::Location(place) => MessageContent::Location(place.clone()),
        })
    }

    async fn upload(&self, kind: MediaKind, file: &MediaFile) -> Result<String, StepError> {
        let bytes = match file {
            MediaFile::Path(path) => {
                tokio::fs::read(path)
                    .await
                    .map_err(|source| StepError::Media {
                        path: path.clone(),
                        source,
                    })?
            }
            MediaFile::Embedded { bytes, .. } => bytes.to_vec(),
        };
        Ok(self
            .engine
            .upload_media(kind, &file.name(), bytes)
            .await?
            .media_id)
    }

    async fn sim(&self, action: &SimAction) -> StepResult {
        let sim = self
            .simulator
            .as_ref()
            .ok_or_else(|| StepError::NoSimulator(self.engine.webchat_base()))?;
        let session = || async {
            let c = self.conversation().await?;
            c.session_id
                .map(|s| WireId::Text(s).as_number_if_numeric())
                .ok_or_else(|| {
                    StepError::Unexpected(
                        "the conversation has no session yet; wait_state chatting first".into(),
                    )
                })
        };
        Ok(match action {
            SimAction::Fault(fault) => {
                sim.inject_fault(fault.clone());
                format!(
                    "next {}× {} answer {}",
                    fault.count,
                    fault.endpoint.path(),
                    fault.result
                )
            }
            SimAction::NextRequestStatus(next) => {
                sim.next_request_status(next.clone());
                format!("the next request ends with status {}", next.status)
            }
            SimAction::AgentSay(html) => {
                sim.agent_say(session().await?, html.clone())?;
                "the agent spoke".into()
            }
            SimAction::AgentClose => {
                sim.agent_close(session().await?)?;
                "the agent closed the session".into()
            }
            SimAction::PushRating => {
                sim.push_rating(session().await?)?;
                "the agent asked for a rating".into()
            }
            SimAction::Agents(agents) => {
                sim.set_agents(session().await?, agents.clone())?;
                format!("the session's agents are now {} agent(s)", agents.len())
            }
            SimAction::SetAgent(patch) => {
                let agent = sim.set_agent(patch.clone());
                format!(
                    "agent {} is {}, capacity {}, load {}",
                    agent.id,
                    if agent.online { "online" } else { "offline" },
                    agent
                        .capacity
                        .map_or_else(|| "unlimited".to_owned(), |c| c.to_string()),
                    agent.load
                )
            }
            SimAction::SetGroup(patch) => {
                let group = sim.set_group(patch.clone())?;
                format!(
                    "skill group {} is {}, {} queued",
                    group.id,
                    if group.open { "open" } else { "closed" },
                    group.queue.len()
                )
            }
            SimAction::Clock(patch) => {
                let clock = sim.set_clock(patch.clone())?;
                format!("the simulator's clock reads {}", clock.local)
            }
            SimAction::RoutingFailure(failure) => {
                sim.fail_routing(failure.clone())?;
                format!(
                    "the next {} routing(s) fail with {}",
                    failure.count, failure.result
                )
            }
        })
    }
}

/// The customer's newest conversation.
pub(crate) async fn latest(
    engine: &Engine,
    customer_id: i64,
) -> Result<Option<Conversation>, wxsim_engine::EngineError> {
    let filter = ConversationFilter {
        customer_id: Some(customer_id),
        limit: Some(1),
        ..Default::default()
    };
    Ok(engine.conversations(&filter).await?.into_iter().next())
}
