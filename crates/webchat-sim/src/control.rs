//! SimControl: what a tester (or a demo's agent side) does to the simulator from outside
//! the protocol: inject faults, request outcomes and failed routings, speak and act as the
//! agent, bring agents online or offline, change skill groups, settings and the clock,
//! inspect the state. The same operations over HTTP under `/sim`.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use wxsim_protocol::{AgentRef, BasicAnswer, ParseError, SessionId};

use crate::agent::ScriptedAgent;
use crate::clock::{ClockPatch, ClockView};
use crate::config::{AgentPatch, ConfigPatch, GroupPatch, SimSettings};
use crate::desk::Desk;
use crate::error::SimError;
use crate::faults::{FaultSpec, NextRequestStatus, RoutingFailure};
use crate::sim::{delivery, Sim};
use crate::state::{AgentView, GroupView, StateSnapshot};
use crate::wire::WireJson;

/// Drives a running simulator from Rust; `POST /sim/…` does the same over HTTP.
#[derive(Clone)]
pub struct SimControl {
    sim: Arc<Sim>,
}

impl SimControl {
    pub(crate) fn new(sim: Arc<Sim>) -> Self {
        SimControl { sim }
    }

    fn agent(&self) -> ScriptedAgent {
        ScriptedAgent::new(Arc::clone(&self.sim))
    }

    /// The next `fault.count` calls to `fault.endpoint` answer with `fault.result`.
    pub fn inject_fault(&self, fault: FaultSpec) {
        self.sim.state().faults.inject(fault);
    }

    /// The next queued request (of a skill group, or any) ends with this status.
    pub fn next_request_status(&self, next: NextRequestStatus) {
        self.sim.state().faults.plan_status(next);
    }

    /// The next requests an agent looks at end with `/ari/create` carrying `failure.result`
    /// instead of a session; `count: 0` clears the planned failures.
    pub fn fail_routing(&self, failure: RoutingFailure) -> Result<(), SimError> {
        if failure.result.is_success() {
            return Err(ParseError::Field {
                field: "result".into(),
                reason: "a failed routing needs a result other than 1".into(),
            }
            .into());
        }
        self.sim.state().faults.plan_routing_failure(failure);
        Ok(())
    }

    /// Changes an agent, or adds one: online or offline, capacity, groups, name.
    pub fn set_agent(&self, patch: AgentPatch) -> AgentView {
        self.agent().run(|s| s.set_agent(&patch))
    }

    /// Changes a skill group, or adds one: hours, queue timeout, refusals, name.
    pub fn set_group(&self, patch: GroupPatch) -> Result<GroupView, SimError> {
        self.agent().run(|s| s.set_group(&patch))
    }

    /// Sets the simulator's clock (working hours and queue timeouts read it).
    pub fn set_clock(&self, patch: ClockPatch) -> Result<ClockView, SimError> {
        self.agent().run(|s| s.set_clock(&patch))
    }

    /// Back to how the simulator started: skill groups, agents, clock and settings as
    /// configured, no planned request statuses or routing failures, no endpoint faults.
    /// Queued requests nobody can serve any more end with status 5; sessions stay.
    pub fn restore(&self) {
        let config = &self.sim.config;
        self.sim.callbacks.set_policy(delivery(&config.settings()));
        self.agent().run(|s| {
            s.faults = Default::default();
            s.restore(config);
        });
    }

    /// The session's agent sends an HTML message (`/ari/msg`).
    pub fn agent_say(
        &self,
        session_id: impl Into<SessionId>,
        html: impl Into<String>,
    ) -> Result<(), SimError> {
        self.agent().say(&session_id.into(), html.into())
    }

    /// The agent ends the session: `/ari/close`, then `pushRating`.
    pub fn agent_close(&self, session_id: impl Into<SessionId>) -> Result<(), SimError> {
        self.agent().close(&session_id.into())
    }

    /// The agent asks the customer for a rating.
    pub fn push_rating(&self, session_id: impl Into<SessionId>) -> Result<(), SimError> {
        self.agent().push_rating(&session_id.into())
    }

    /// The session's agents change (`sessionAgentsUpdate`).
    pub fn set_agents(
        &self,
        session_id: impl Into<SessionId>,
        agents: Vec<AgentRef>,
    ) -> Result<(), SimError> {
        self.agent().set_agents(&session_id.into(), agents)
    }

    /// Changes the running settings; answers the settings now in force.
    pub fn configure(&self, patch: ConfigPatch) -> Result<SimSettings, SimError> {
        patch.check()?;
        if let Some(base) = &patch.ari_base {
            self.sim.callbacks.set_ari_base(base.clone());
        }
        let mut state = self.sim.state();
        state.settings.apply(&patch);
        self.sim.callbacks.set_policy(delivery(&state.settings));
        Ok(state.settings.clone())
    }

    /// Everything the simulator knows: queue, sessions, media, callbacks, armed faults.
    pub fn state(&self) -> StateSnapshot {
        self.sim.snapshot()
    }

    /// The agent desk, where a person takes an agent's seat.
    pub fn desk(&self) -> Desk {
        Desk::new(Arc::clone(&self.sim))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionBody {
    session_id: SessionId,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SayBody {
    session_id: SessionId,
    html: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AgentsBody {
    session_id: SessionId,
    agents: Vec<AgentRef>,
}

type Done = Result<Json<BasicAnswer>, SimError>;

fn done(outcome: Result<(), SimError>) -> Done {
    outcome.map(|()| Json(BasicAnswer::ok()))
}

fn ok() -> Done {
    done(Ok(()))
}

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/sim/state", get(state))
        .route("/sim/faults", post(faults))
        .route("/sim/next-request-status", post(next_request_status))
        .route("/sim/config", post(config))
        .route("/sim/agents", post(set_agent))
        .route("/sim/groups", post(set_group))
        .route("/sim/clock", post(set_clock))
        .route("/sim/routing-failure", post(routing_failure))
        .route("/sim/restore", post(restore))
        .route("/sim/agent/say", post(say))
        .route("/sim/agent/close", post(close))
        .route("/sim/agent/push-rating", post(push_rating))
        .route("/sim/agent/agents", post(agents))
}

async fn state(State(sim): State<Arc<Sim>>) -> Json<StateSnapshot> {
    Json(SimControl::new(sim).state())
}

async fn faults(State(sim): State<Arc<Sim>>, WireJson(fault): WireJson<FaultSpec>) -> Done {
    SimControl::new(sim).inject_fault(fault);
    ok()
}

async fn next_request_status(
    State(sim): State<Arc<Sim>>,
    WireJson(next): WireJson<NextRequestStatus>,
) -> Done {
    SimControl::new(sim).next_request_status(next);
    ok()
}

async fn config(
    State(sim): State<Arc<Sim>>,
    WireJson(patch): WireJson<ConfigPatch>,
) -> Result<Json<SimSettings>, SimError> {
    SimControl::new(sim).configure(patch).map(Json)
}

async fn set_agent(
    State(sim): State<Arc<Sim>>,
    WireJson(patch): WireJson<AgentPatch>,
) -> Json<AgentView> {
    Json(SimControl::new(sim).set_agent(patch))
}

async fn set_group(
    State(sim): State<Arc<Sim>>,
    WireJson(patch): WireJson<GroupPatch>,
) -> Result<Json<GroupView>, SimError> {
    SimControl::new(sim).set_group(patch).map(Json)
}

async fn set_clock(
    State(sim): State<Arc<Sim>>,
    WireJson(patch): WireJson<ClockPatch>,
) -> Result<Json<ClockView>, SimError> {
    SimControl::new(sim).set_clock(patch).map(Json)
}

async fn routing_failure(
    State(sim): State<Arc<Sim>>,
    WireJson(failure): WireJson<RoutingFailure>,
) -> Done {
    done(SimControl::new(sim).fail_routing(failure))
}

async fn restore(State(sim): State<Arc<Sim>>) -> Done {
    SimControl::new(sim).restore();
    ok()
}

async fn say(State(sim): State<Arc<Sim>>, WireJson(body): WireJson<SayBody>) -> Done {
    done(SimControl::new(sim).agent_say(body.session_id, body.html))
}

async fn close(State(sim): State<Arc<Sim>>, WireJson(body): WireJson<SessionBody>) -> Done {
    done(SimControl::new(sim).agent_close(body.session_id))
}

async fn push_rating(State(sim): State<Arc<Sim>>, WireJson(body): WireJson<SessionBody>) -> Done {
    done(SimControl::new(sim).push_rating(body.session_id))
}

async fn agents(State(sim): State<Arc<Sim>>, WireJson(body): WireJson<AgentsBody>) -> Done {
    done(SimControl::new(sim).set_agents(body.session_id, body.agents))
}
