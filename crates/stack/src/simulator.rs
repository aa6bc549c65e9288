//! `/api/simulator/*`: the embedded simulator's controls through wxsim's own API, behind the
//! same token guard and `Origin` check as the other `/api` routes, so that the browser and
//! the desktop window (whose IPC calls the same router in-process) reach them as they reach
//! the engine. Each route calls [`SimControl`]; bodies are the simulator's own types
//! (exported to the UI as `Sim…`), errors are the API's `{"error": {kind, message}}`.
//! The agent desk's routes are nested under `/desk` (`crate::desk`). Without an embedded
//! simulator every route answers 404 `not_found`.

use crate::desk;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use wxsim_engine::Engine;
use wxsim_webchat::{
    AgentPatch, AgentView, ClockPatch, ClockView, ConfigPatch, FaultSpec, GroupPatch, GroupView,
    NextRequestStatus, RoutingFailure, SimControl, SimError, SimSettings, StateSnapshot,
};

/// Where the routes are nested.
pub const PREFIX: &str = "/api/simulator";

/// What a simulator route answers when it fails.
pub(crate) enum Failure {
    NoSimulator,
    UnknownRoute(String),
    /// The body is not the JSON the route takes (axum's status is kept: 400, 415, 422).
    Body(JsonRejection),
    Invalid(String),
    Sim(SimError),
}

impl From<JsonRejection> for Failure {
    fn from(e: JsonRejection) -> Self {
        Failure::Body(e)
    }
}

impl From<SimError> for Failure {
    fn from(e: SimError) -> Self {
        Failure::Sim(e)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (status, error) = match self {
            Failure::NoSimulator => (
                StatusCode::NOT_FOUND,
                json!({ "kind": "not_found", "message": "no embedded simulator: this wxsim talks to a real webchat (start `wxsim serve` without --webchat-url for one)" }),
            ),
            Failure::UnknownRoute(path) => (
                StatusCode::NOT_FOUND,
                json!({ "kind": "not_found", "message": format!("the embedded simulator has no route {path}") }),
            ),
            Failure::Body(rejection) => (
                rejection.status(),
                json!({ "kind": "invalid", "message": rejection.body_text() }),
            ),
            Failure::Invalid(message) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "kind": "invalid", "message": message }),
            ),
            // The simulator refused as webchat would (an unknown or closed session, say).
            Failure::Sim(SimError::Refused { code, message }) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "kind": "rejected", "message": message, "code": code.code(), "codeName": code.name() }),
            ),
            Failure::Sim(
                e @ (SimError::Malformed(_) | SimError::BadContent(_) | SimError::NotAPicture(_)),
            ) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "kind": "invalid", "message": e.to_string() }),
            ),
            // A desk action its seat cannot take now (the request went meanwhile, say).
            Failure::Sim(e @ SimError::Desk(_)) => (
                StatusCode::CONFLICT,
                json!({ "kind": "wrong_state", "message": e.to_string() }),
            ),
            Failure::Sim(e @ SimError::UnknownAgent(_)) => (
                StatusCode::NOT_FOUND,
                json!({ "kind": "not_found", "message": e.to_string() }),
            ),
            Failure::Sim(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "kind": "internal", "message": e.to_string() }),
            ),
        };
        wxsim_api::error_response(status, error)
    }
}

/// A JSON request body whose rejection answers like every other API error.
#[derive(FromRequest)]
#[from_request(via(Json), rejection(Failure))]
pub(crate) struct Body<T>(pub T);

pub(crate) type Answer<T> = Result<Json<T>, Failure>;

/// The routes to nest at [`PREFIX`]: the simulator's controls, or 404s when there is none.
/// `engine`'s stop ends the desk's waiting reads; `webchat_base` is the simulator's.
pub fn routes(control: Option<SimControl>, engine: Engine, webchat_base: &str) -> Router {
    let Some(control) = control else {
        return Router::new().fallback(|| async { Failure::NoSimulator });
    };
    Router::new()
        .route("/state", get(state))
        .route("/config", post(config))
        .route("/agents", post(set_agent))
        .route("/groups", post(set_group))
        .route("/clock", post(set_clock))
        .route("/next-request-status", post(next_request_status))
        .route("/routing-failure", post(routing_failure))
        .route("/faults", post(faults))
        .route("/restore", post(restore))
        .route("/agent/say", post(say))
        .route("/agent/close", post(close))
        .route("/agent/push-rating", post(push_rating))
        .nest("/desk", desk::routes(control.clone(), engine, webchat_base))
        .fallback(|uri: axum::http::Uri| async move {
            Failure::UnknownRoute(format!("{PREFIX}{}", uri.path()))
        })
        .with_state(control)
}

#[derive(Deserialize)]
struct StateQuery {
    /// Only what goes on now: chatting sessions, no callback log and no fetched media
    /// (the engine's wire log has both). What the console polls.
    #[serde(default)]
    live: bool,
}

/// The state, whole or live only.
fn snapshot(control: &SimControl, live: bool) -> StateSnapshot {
    let mut state = control.state();
    if live {
        state.sessions.retain(|s| s.is_chatting());
        state.callbacks.clear();
        state.media.clear();
    }
    state
}

async fn state(
    State(control): State<SimControl>,
    Query(q): Query<StateQuery>,
) -> Json<StateSnapshot> {
    Json(snapshot(&control, q.live))
}

async fn config(
    State(control): State<SimControl>,
    Body(patch): Body<ConfigPatch>,
) -> Answer<SimSettings> {
    if patch.ari_base.is_some() {
        return Err(Failure::Invalid(
            "ariBase cannot change here: the embedded simulator calls back this wxsim's own listener".into(),
        ));
    }
    Ok(Json(control.configure(patch)?))
}

async fn set_agent(
    State(control): State<SimControl>,
    Body(patch): Body<AgentPatch>,
) -> Json<AgentView> {
    Json(control.set_agent(patch))
}

async fn set_group(
    State(control): State<SimControl>,
    Body(patch): Body<GroupPatch>,
) -> Answer<GroupView> {
    Ok(Json(control.set_group(patch)?))
}

async fn set_clock(
    State(control): State<SimControl>,
    Body(patch): Body<ClockPatch>,
) -> Answer<ClockView> {
    Ok(Json(control.set_clock(patch)?))
}

/// The live state after a change that answers nothing of its own.
fn changed(control: &SimControl) -> Answer<StateSnapshot> {
    Ok(Json(snapshot(control, true)))
}

async fn next_request_status(
    State(control): State<SimControl>,
    Body(next): Body<NextRequestStatus>,
) -> Answer<StateSnapshot> {
    control.next_request_status(next);
    changed(&control)
}

async fn routing_failure(
    State(control): State<SimControl>,
    Body(failure): Body<RoutingFailure>,
) -> Answer<StateSnapshot> {
    control.fail_routing(failure)?;
    changed(&control)
}

async fn faults(
    State(control): State<SimControl>,
    Body(fault): Body<FaultSpec>,
) -> Answer<StateSnapshot> {
    control.inject_fault(fault);
    changed(&control)
}

async fn restore(State(control): State<SimControl>) -> Answer<StateSnapshot> {
    control.restore();
    changed(&control)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionBody {
    session_id: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SayBody {
    session_id: i64,
    html: String,
}

/// Refuses an agent message with nothing in it.
pub(crate) fn something_to_say(html: &str) -> Result<(), Failure> {
    if html.trim().is_empty() {
        return Err(Failure::Invalid(
            "html: the agent has nothing to say".into(),
        ));
    }
    Ok(())
}

async fn say(
    State(control): State<SimControl>,
    Body(body): Body<SayBody>,
) -> Answer<StateSnapshot> {
    something_to_say(&body.html)?;
    control.agent_say(body.session_id, body.html)?;
    changed(&control)
}

async fn close(
    State(control): State<SimControl>,
    Body(body): Body<SessionBody>,
) -> Answer<StateSnapshot> {
    control.agent_close(body.session_id)?;
    changed(&control)
}

async fn push_rating(
    State(control): State<SimControl>,
    Body(body): Body<SessionBody>,
) -> Answer<StateSnapshot> {
    control.push_rating(body.session_id)?;
    changed(&control)
}
