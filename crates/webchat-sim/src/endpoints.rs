//! webchat's eight `*.do` endpoints under `/webchat/`, and the injected faults that answer
//! for them when armed.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use wxsim_protocol::{
    BasicAnswer, CancelRequestRequest, CloseConRequest, CreateConAnswer, CreateConRequest,
    Endpoint, GetMsgRequest, GetQueueLengthRequest, PulseRequest, QueueLengthAnswer,
    RateSessionRequest, ResultCode, TransferConRequest,
};

use crate::agent::ScriptedAgent;
use crate::error::SimError;
use crate::sim::Sim;
use crate::wire::WireJson;

type Answer<T = BasicAnswer> = Result<Json<T>, SimError>;

pub fn routes(sim: Arc<Sim>) -> Router<Arc<Sim>> {
    let at = |e: Endpoint| format!("/webchat/{}", e.path());
    Router::new()
        .route(&at(Endpoint::CreateCon), post(create_con))
        .route(&at(Endpoint::GetMsg), post(get_msg))
        .route(&at(Endpoint::CloseCon), post(close_con))
        .route(&at(Endpoint::RateSession), post(rate_session))
        .route(&at(Endpoint::TransferCon), post(transfer_con))
        .route(&at(Endpoint::CancelRequest), post(cancel_request))
        .route(&at(Endpoint::GetQueueLength), post(get_queue_length))
        .route(&at(Endpoint::Pulse), post(pulse))
        .route_layer(middleware::from_fn_with_state(sim, inject_faults))
}

/// An armed fault answers the call before the endpoint sees it.
async fn inject_faults(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let fault = Endpoint::from_path(req.uri().path()).map(|e| sim.check_fault(e));
    match fault {
        Some(Err(refusal)) => refusal.into_response(),
        _ => next.run(req).await,
    }
}

fn ok() -> Answer {
    Ok(Json(BasicAnswer::ok()))
}

async fn create_con(
    State(sim): State<Arc<Sim>>,
    WireJson(req): WireJson<CreateConRequest>,
) -> Answer<CreateConAnswer> {
    ScriptedAgent::new(sim).request_chat(&req).map(Json)
}

async fn transfer_con(
    State(sim): State<Arc<Sim>>,
    WireJson(req): WireJson<TransferConRequest>,
) -> Answer<CreateConAnswer> {
    ScriptedAgent::new(sim).transfer(&req).map(Json)
}

async fn get_msg(State(sim): State<Arc<Sim>>, WireJson(req): WireJson<GetMsgRequest>) -> Answer {
    ScriptedAgent::new(sim).receive(&req)?;
    ok()
}

async fn close_con(
    State(sim): State<Arc<Sim>>,
    WireJson(req): WireJson<CloseConRequest>,
) -> Answer {
    ScriptedAgent::new(sim).customer_closed(&req.session_id)?;
    ok()
}

async fn rate_session(
    State(sim): State<Arc<Sim>>,
    WireJson(req): WireJson<RateSessionRequest>,
) -> Answer {
    ScriptedAgent::new(sim).rate(&req)?;
    ok()
}

async fn cancel_request(
    State(sim): State<Arc<Sim>>,
    WireJson(req): WireJson<CancelRequestRequest>,
) -> Answer {
    ScriptedAgent::new(sim).cancel(&req)?;
    ok()
}

async fn get_queue_length(
    State(sim): State<Arc<Sim>>,
    WireJson(req): WireJson<GetQueueLengthRequest>,
) -> Answer<QueueLengthAnswer> {
    let request_id = req.request_id.key();
    let order = sim.state().queue.order_of(&request_id);
    let order = order.ok_or_else(|| {
        SimError::refused(
            ResultCode::NoServedAgentFound,
            format!("no request {request_id} is waiting in the queue"),
        )
    })?;
    Ok(Json(QueueLengthAnswer {
        result: ResultCode::Success,
        message: "ok".into(),
        order_in_queue: Some(order),
    }))
}

async fn pulse(State(sim): State<Arc<Sim>>, WireJson(req): WireJson<PulseRequest>) -> Answer {
    let chatting = sim
        .state()
        .sessions
        .chatting(&req.session_id)
        .is_some_and(|s| s.open_id == req.open_id);
    if !chatting {
        return Err(SimError::refused(
            ResultCode::NoServedAgentFound,
            format!(
                "session {} of openId {} is not chatting",
                req.session_id, req.open_id
            ),
        ));
    }
    ok()
}
