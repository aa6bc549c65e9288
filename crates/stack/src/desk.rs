//! `/api/simulator/desk/*`: the agent desk of the embedded simulator (`wxsim_webchat::Desk`)
//! through wxsim's API, nested in [`crate::simulator`]'s routes and guarded as they are. A
//! person takes an agent's seat, accepts or refuses the requests routed to it, writes to the
//! seat's customers, asks for ratings, transfers and closes. Every action answers the seat's
//! view afresh; `GET /desk?seat=…&seen=REV` answers once the view differs from revision
//! `REV` (or after [`WAIT`]), so a desk follows the simulator live without polling it. What
//! the agents wrote comes sanitized as the engine sanitizes agent HTML (pictures resolved
//! against webchat): the page shows it as the customer's side does, and never parses
//! hostile markup itself.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use wxsim_engine::sanitize::AgentHtml;
use wxsim_engine::Engine;
use wxsim_webchat::{DeskView, PictureView, SimControl, SimError, MAX_PICTURE_BYTES};

use crate::simulator::{something_to_say, Answer, Body, Failure};

/// Longest a desk read waits for a change before it answers the view as it is.
pub const WAIT: Duration = Duration::from_secs(20);

/// What the desk's routes hold: the simulator, and the engine whose stop ends a waiting read
/// (else it would hold a server's graceful shutdown for up to [`WAIT`]).
#[derive(Clone)]
struct Desk {
    control: SimControl,
    engine: Engine,
    shown: Arc<AgentHtml>,
}

impl Desk {
    /// The view with the agents' HTML as the customer's side shows it.
    fn shown(&self, mut view: DeskView) -> DeskView {
        for session in &mut view.content.sessions {
            for message in &mut session.session.sent {
                message.html = self.shown.clean(&message.html);
            }
        }
        view
    }

    fn answer(&self, view: Result<DeskView, SimError>) -> Answer<DeskView> {
        Ok(Json(self.shown(view?)))
    }
}

pub fn routes<S>(control: SimControl, engine: Engine, webchat_base: &str) -> Router<S> {
    Router::new()
        .route("/", get(view))
        .route("/seat", post(take_seat))
        .route("/release", post(release_seat))
        .route("/accept", post(accept))
        .route("/refuse", post(refuse))
        .route("/say", post(say))
        .route("/read", post(read))
        .route("/push-rating", post(push_rating))
        .route("/transfer", post(transfer))
        .route("/close", post(close))
        .route(
            "/pictures",
            // Room for the largest picture, so that one too large is refused in words.
            post(add_picture).layer(DefaultBodyLimit::max(MAX_PICTURE_BYTES + 1024)),
        )
        .with_state(Desk {
            control,
            engine,
            shown: Arc::new(AgentHtml::new(webchat_base)),
        })
}

#[derive(Deserialize)]
struct ViewQuery {
    /// The seat whose sessions to show (a held one stays held by this read).
    seat: Option<String>,
    /// The revision the desk shows: answer once the view differs from it.
    seen: Option<String>,
    /// With no seat held, every agent's sessions (a demo's audience watching).
    #[serde(default)]
    watch: bool,
}

async fn view(State(d): State<Desk>, Query(q): Query<ViewQuery>) -> Json<DeskView> {
    let desk = d.control.desk();
    let seat = q.seat.as_deref();
    Json(d.shown(tokio::select! {
        view = desk.next_view(seat, q.watch, q.seen.as_deref(), WAIT) => view,
        () = d.engine.stopping() => desk.view(seat, q.watch),
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SeatBody {
    agent_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestBody {
    agent_id: String,
    request_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionBody {
    agent_id: String,
    session_id: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SayBody {
    agent_id: String,
    session_id: i64,
    html: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransferBody {
    agent_id: String,
    session_id: i64,
    skill_group: i64,
}

async fn take_seat(State(d): State<Desk>, Body(b): Body<SeatBody>) -> Answer<DeskView> {
    d.answer(d.control.desk().take_seat(&b.agent_id))
}

async fn release_seat(State(d): State<Desk>, Body(b): Body<SeatBody>) -> Answer<DeskView> {
    d.answer(d.control.desk().release_seat(&b.agent_id))
}

async fn accept(State(d): State<Desk>, Body(b): Body<RequestBody>) -> Answer<DeskView> {
    d.answer(d.control.desk().accept(&b.agent_id, &b.request_id))
}

async fn refuse(State(d): State<Desk>, Body(b): Body<RequestBody>) -> Answer<DeskView> {
    d.answer(d.control.desk().refuse(&b.agent_id, &b.request_id))
}

async fn say(State(d): State<Desk>, Body(b): Body<SayBody>) -> Answer<DeskView> {
    something_to_say(&b.html)?;
    d.answer(d.control.desk().say(&b.agent_id, b.session_id, b.html))
}

async fn read(State(d): State<Desk>, Body(b): Body<SessionBody>) -> Answer<DeskView> {
    d.answer(d.control.desk().read(&b.agent_id, b.session_id))
}

async fn push_rating(State(d): State<Desk>, Body(b): Body<SessionBody>) -> Answer<DeskView> {
    d.answer(d.control.desk().push_rating(&b.agent_id, b.session_id))
}

async fn transfer(State(d): State<Desk>, Body(b): Body<TransferBody>) -> Answer<DeskView> {
    d.answer(
        d.control
            .desk()
            .transfer(&b.agent_id, b.session_id, b.skill_group),
    )
}

async fn close(State(d): State<Desk>, Body(b): Body<SessionBody>) -> Answer<DeskView> {
    d.answer(d.control.desk().close(&b.agent_id, b.session_id))
}

async fn add_picture(
    State(d): State<Desk>,
    bytes: Result<Bytes, BytesRejection>,
) -> Answer<PictureView> {
    let bytes = bytes.map_err(|e| {
        Failure::Invalid(format!(
            "the picture was not received ({}): send one of at most 2 MiB",
            e.body_text()
        ))
    })?;
    Ok(Json(d.control.desk().add_picture(bytes)?))
}
