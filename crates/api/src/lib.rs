//! The engine's API over HTTP: its commands as JSON routes under `/api`, its events as a
//! server-sent stream, and the built UI at `/`. Guarded by a bearer token (or `?token=`
//! for the event stream and media previews, which browsers fetch without headers).
//! `wxsim serve` binds it on loopback; the desktop shell calls the same router in-process.

mod bundle;
pub mod docs;

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::{Json, Router};
use futures::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio_stream::wrappers::BroadcastStream;
use tower_http::services::{ServeDir, ServeFile};

use crate::docs::RouteDoc;
use wxsim_engine::access::query_value;
use wxsim_engine::contract::ContractReport;
use wxsim_engine::export::{self, Embedded, ExportFormat, Files};
use wxsim_engine::faults::ListenerFault;
use wxsim_engine::protocol::{Lang, MessageContent, WireId};
use wxsim_engine::scenario_file::{Expect, UnknownExpect};
use wxsim_engine::{
    ConversationFilter, Engine, EngineError, ExchangeFilter, MediaKind, NewCustomer, Profile,
};

#[derive(Clone)]
struct Api {
    engine: Engine,
}

/// The token every guarded route asks for.
#[derive(Clone)]
struct Token(Arc<str>);

/// Puts `routes` behind the API's guard: the token (`Authorization: Bearer` or `?token=`)
/// and the `Origin` check. For routes the API does not build itself (crates/stack's
/// `/api/simulator`), so that they are guarded exactly as its own.
pub fn guarded<S: Clone + Send + Sync + 'static>(routes: Router<S>, token: &str) -> Router<S> {
    routes.layer(middleware::from_fn_with_state(Token(token.into()), guard))
}

/// An error answer as every API route gives it: `status` with `{"error": error}`, where
/// `error` has at least `kind` and `message`.
pub fn error_response(status: StatusCode, error: serde_json::Value) -> Response {
    (status, Json(json!({ "error": error }))).into_response()
}

/// What a route answers when it fails, always as `{error: {kind, message, ...}}`.
enum ApiError {
    Engine(EngineError),
    /// The request body is not the JSON the route takes (axum's status is kept: 400, 415, 422).
    Body(JsonRejection),
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        ApiError::Engine(e)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        ApiError::Body(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = match self {
            ApiError::Engine(e) => e,
            ApiError::Body(rejection) => {
                let body = json!({ "kind": "invalid", "message": rejection.body_text() });
                return (rejection.status(), Json(json!({ "error": body }))).into_response();
            }
        };
        let status = match e.kind() {
            "not_found" => StatusCode::NOT_FOUND,
            "wrong_state" | "conflict" | "observing" => StatusCode::CONFLICT,
            "invalid" => StatusCode::UNPROCESSABLE_ENTITY,
            "rejected" => StatusCode::UNPROCESSABLE_ENTITY,
            "webchat_unavailable" => StatusCode::BAD_GATEWAY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut body = json!({ "kind": e.kind(), "message": e.to_string() });
        if let EngineError::Rejected {
            endpoint,
            code,
            message,
        } = &e
        {
            body["endpoint"] = json!(endpoint.path());
            body["code"] = json!(code.code());
            body["codeName"] = json!(code.name());
            body["webchatMessage"] = json!(message);
        }
        (status, Json(json!({ "error": body }))).into_response()
    }
}

/// A JSON request body whose rejection answers like every other API error.
#[derive(FromRequest)]
#[from_request(via(Json), rejection(ApiError))]
struct Body<T>(T);

type ApiResult<T> = Result<Json<T>, ApiError>;

/// The API and, when `ui_dir` holds a build, the UI.
pub fn router(engine: Engine, token: String, ui_dir: PathBuf) -> Router {
    let api = Api { engine };
    let routes = table()
        .into_iter()
        .fold(Router::new(), |routes, (doc, handler)| {
            let path = doc
                .path
                .strip_prefix("/api")
                .expect("API paths start with /api");
            routes.route(path, handler)
        });
    let routes = guarded(routes, &token).with_state(api);
    Router::new()
        .route(
            "/api/health",
            get(|| async { Json(json!({ "ok": true, "version": env!("CARGO_PKG_VERSION") })) }),
        )
        .route("/api/openapi.json", get(|| async { Json(docs::openapi()) }))
        .nest("/api", routes)
        .fallback_service(ui(ui_dir))
}

/// Every guarded route with its handler: the router is built from this table, and so are the
/// README's API table and `/api/openapi.json` (`docs`).
fn table() -> Vec<(RouteDoc, MethodRouter<Api>)> {
    let doc = RouteDoc::new;
    vec![
        (doc("GET", "/api/info", "", "webchat, listener, wanAddr, embedded, observing (a proxy's recording)"), get(info)),
        (doc("GET", "/api/customers", "", "customers (with state, unread)"), get(customers)),
        (
            doc("POST", "/api/customers", "`NewCustomer`: `{nickname, skillGroup, openId?, headImgUrl?, source?, brand?, agentId?, tracks?}`", "the new customer"),
            post(create_customer),
        ),
        (doc("GET", "/api/customers/{id}", "", "a customer"), get(customer)),
        (
            doc("POST", "/api/customers/{id}/request-chat", "", "the conversation (`createcon.do`)"),
            post(request_chat),
        ),
        (
            doc("POST", "/api/customers/{id}/messages", "`MessageContent`: `{\"msgType\":\"text\",\"content\":\"hi\"}`, `{\"msgType\":\"image\",\"content\":{\"mediaId\":\"…\"}}`, …", "the message (`getmsg.do`)"),
            post(send_message),
        ),
        (doc("POST", "/api/customers/{id}/cancel", "", "the conversation (`cancelRequest.do`)"), post(cancel)),
        (
            doc("POST", "/api/customers/{id}/transfer", "`{info}`: the reason, sent as `transferInfo`", "the conversation (`transferCon.do`, in the profile's reading)"),
            post(transfer),
        ),
        (doc("POST", "/api/customers/{id}/close", "", "the conversation (`closecon.do`)"), post(close)),
        (
            doc("POST", "/api/customers/{id}/rate", "`{ratingId, comment}` (`ratingId` a number or a string)", "the conversation (`ratesession.do`)"),
            post(rate),
        ),
        (
            doc("POST", "/api/customers/{id}/queue-position", "", "`{orderInQueue}` (`getQueueLength.do`)"),
            post(queue_position),
        ),
        (doc("POST", "/api/customers/{id}/read", "", "the customer, its agent messages read"), post(mark_read)),
        (doc("POST", "/api/messages/{id}/resend", "", "the message, sent again"), post(resend)),
        (
            doc("POST", "/api/media", "raw bytes; query `kind=image|voice|video|thumb`, `name=FILE`; up to 64 MiB", "the media (`mediaId`, sha256)"),
            post(upload_media).layer(DefaultBodyLimit::max(64 * 1024 * 1024)),
        ),
        (doc("GET", "/api/media/{id}", "", "the file's bytes"), get(media)),
        (
            doc("GET", "/api/conversations", "query `customerId, state, since, until, limit`", "conversations, newest first"),
            get(conversations),
        ),
        (doc("GET", "/api/conversations/{id}", "", "a conversation"), get(conversation)),
        (doc("GET", "/api/conversations/{id}/messages", "", "its transcript"), get(messages)),
        (doc("POST", "/api/conversations/{id}/pulse", "", "`{alive}` (`pulse.do`)"), post(pulse)),
        (
            doc("GET", "/api/conversations/{id}/export", "query `format=html|md|json|csv|svg|scenario`, `lang=en|zh` (svg), `expect=any|exact|regex` (scenario)", "the transcript, its exchanges as a sequence diagram (svg), or a `wxsim run` scenario with its media inside (scenario), as a download; md and json with media files come as a zip, the files in a folder beside the export"),
            get(export_conversation),
        ),
        (
            doc("GET", "/api/exchanges", "query `customerId, conversationId, operation, outcome, withFindings, since, until, afterId, limit`", "the wire log, newest first"),
            get(exchanges),
        ),
        (doc("GET", "/api/search", "query `q, limit`", "hits with a `<mark>`ed `snippet`"), get(search)),
        (
            doc("GET", "/api/search/export", "query `q, format, limit`", "the hits as a download"),
            get(export_search),
        ),
        (doc("GET", "/api/profile", "", "the active profile"), get(profile)),
        (doc("PUT", "/api/profile", "a `Profile`", "the profile, stored and active"), put(set_profile)),
        (doc("GET", "/api/profiles", "", "every stored profile"), get(profiles)),
        (
            doc("DELETE", "/api/profiles/{name}", "", "the profiles left (the active one cannot go)"),
            delete(delete_profile),
        ),
        (
            doc("GET", "/api/events", "", "server-sent events: `engine` (JSON `EngineEvent`), `lagged`"),
            get(events),
        ),
        (doc("GET", "/api/faults", "", "the listener's armed faults"), get(faults)),
        (doc("PUT", "/api/faults", "`ListenerFault[]`", "the faults now armed"), put(set_faults)),
        (
            doc("GET", "/api/contract", "query `since, until`", "the contract checker's report"),
            get(contract),
        ),
        (
            doc("GET", "/api/interface.openapi.json", "", "the webchat interface (both directions) as OpenAPI 3.1"),
            get(|| async { Json(wxsim_engine::protocol::openapi::document()) }),
        ),
    ]
}

/// The built UI, or a page that says how to build it.
fn ui(dir: PathBuf) -> Router {
    if dir.join("index.html").is_file() {
        Router::new()
            .fallback_service(ServeDir::new(&dir).fallback(ServeFile::new(dir.join("index.html"))))
    } else {
        let page = format!(
            "<!doctype html><title>wxsim</title><p>The UI is not built (looked in {}). Run <code>npm --prefix ui ci && npm --prefix ui run build</code>, then reload.</p>",
            dir.display()
        );
        Router::new().fallback(get(move || async move { Html(page) }))
    }
}

/// Refuses requests without the token, and browser requests from another origin.
async fn guard(
    State(Token(token)): State<Token>,
    headers: HeaderMap,
    request: Request,
    next: Next,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let presented =
        bearer.or_else(|| query_value(request.uri().query()?, "token").map(str::to_owned));
    if presented.as_deref() != Some(&*token) {
        let body = json!({ "error": { "kind": "unauthorized", "message": "missing or wrong token: use the token `wxsim serve` printed, as `Authorization: Bearer TOKEN`" } });
        return (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    }
    if let (Some(origin), Some(host)) = (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        let origin = origin.to_str().unwrap_or_default();
        let host = host.to_str().unwrap_or_default();
        if origin != format!("http://{host}") {
            let body = json!({ "error": { "kind": "forbidden", "message": format!("requests from origin {origin} are not allowed") } });
            return (StatusCode::FORBIDDEN, Json(body)).into_response();
        }
    }
    next.run(request).await
}

async fn info(State(api): State<Api>) -> Json<serde_json::Value> {
    let e = &api.engine;
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "webchat": e.webchat_base(),
        "embedded": e.profile().webchat_url.is_none(),
        "listener": e.callback_base(),
        "wanAddr": e.wan_addr(),
        "observing": e.observing(),
    }))
}

async fn customers(State(api): State<Api>) -> ApiResult<Vec<wxsim_engine::Customer>> {
    Ok(Json(api.engine.customers().await?))
}

async fn create_customer(
    State(api): State<Api>,
    Body(new): Body<NewCustomer>,
) -> ApiResult<wxsim_engine::Customer> {
    Ok(Json(api.engine.create_customer(new).await?))
}

async fn customer(
    State(api): State<Api>,
    Path(id): Path<i64>,
) -> ApiResult<wxsim_engine::Customer> {
    Ok(Json(api.engine.customer(id).await?))
}

async fn request_chat(
    State(api): State<Api>,
    Path(id): Path<i64>,
) -> ApiResult<wxsim_engine::Conversation> {
    Ok(Json(api.engine.request_chat(id).await?))
}

async fn send_message(
    State(api): State<Api>,
    Path(id): Path<i64>,
    Body(content): Body<MessageContent>,
) -> ApiResult<wxsim_engine::Message> {
    Ok(Json(api.engine.send_message(id, content).await?))
}

async fn cancel(
    State(api): State<Api>,
    Path(id): Path<i64>,
) -> ApiResult<wxsim_engine::Conversation> {
    Ok(Json(api.engine.cancel(id).await?))
}

#[derive(Deserialize)]
struct TransferBody {
    #[serde(default)]
    info: String,
}

async fn transfer(
    State(api): State<Api>,
    Path(id): Path<i64>,
    Body(body): Body<TransferBody>,
) -> ApiResult<wxsim_engine::Conversation> {
    Ok(Json(api.engine.transfer(id, &body.info).await?))
}

async fn close(
    State(api): State<Api>,
    Path(id): Path<i64>,
) -> ApiResult<wxsim_engine::Conversation> {
    Ok(Json(api.engine.close(id).await?))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RateBody {
    /// As the rating prompt gave it: a number or a string.
    rating_id: WireId,
    #[serde(default)]
    comment: String,
}

async fn rate(
    State(api): State<Api>,
    Path(id): Path<i64>,
    Body(body): Body<RateBody>,
) -> ApiResult<wxsim_engine::Conversation> {
    Ok(Json(
        api.engine
            .rate(id, &body.rating_id.key(), &body.comment)
            .await?,
    ))
}

async fn queue_position(
    State(api): State<Api>,
    Path(id): Path<i64>,
) -> ApiResult<serde_json::Value> {
    let position = api.engine.queue_position(id).await?;
    Ok(Json(json!({ "orderInQueue": position })))
}

async fn mark_read(
    State(api): State<Api>,
    Path(id): Path<i64>,
) -> ApiResult<wxsim_engine::Customer> {
    Ok(Json(api.engine.mark_read(id).await?))
}

async fn resend(State(api): State<Api>, Path(id): Path<i64>) -> ApiResult<wxsim_engine::Message> {
    Ok(Json(api.engine.resend(id).await?))
}

#[derive(Deserialize)]
struct UploadQuery {
    kind: String,
    name: String,
}

async fn upload_media(
    State(api): State<Api>,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> ApiResult<wxsim_engine::Media> {
    let kind = MediaKind::parse(&q.kind).ok_or_else(|| {
        EngineError::Invalid(format!(
            "media kind `{}` is not one of image, voice, video, thumb",
            q.kind
        ))
    })?;
    Ok(Json(api.engine.upload_media(kind, &q.name, body).await?))
}

async fn media(State(api): State<Api>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let (media, bytes) = api.engine.media_bytes(&id).await?;
    Ok(([(header::CONTENT_TYPE, media.mime)], bytes).into_response())
}

async fn conversations(
    State(api): State<Api>,
    Query(filter): Query<ConversationFilter>,
) -> ApiResult<Vec<wxsim_engine::Conversation>> {
    Ok(Json(api.engine.conversations(&filter).await?))
}

async fn conversation(
    State(api): State<Api>,
    Path(id): Path<i64>,
) -> ApiResult<wxsim_engine::Conversation> {
    Ok(Json(api.engine.conversation(id).await?))
}

async fn messages(
    State(api): State<Api>,
    Path(id): Path<i64>,
) -> ApiResult<Vec<wxsim_engine::Message>> {
    api.engine.conversation(id).await?;
    Ok(Json(api.engine.messages(id).await?))
}

async fn pulse(State(api): State<Api>, Path(id): Path<i64>) -> ApiResult<serde_json::Value> {
    Ok(Json(json!({ "alive": api.engine.pulse_now(id).await? })))
}

async fn exchanges(
    State(api): State<Api>,
    Query(filter): Query<ExchangeFilter>,
) -> ApiResult<Vec<wxsim_engine::Exchange>> {
    Ok(Json(api.engine.exchanges(&filter).await?))
}

#[derive(Deserialize)]
struct SearchQuery {
    q: String,
    limit: Option<i64>,
}

async fn search(
    State(api): State<Api>,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Vec<wxsim_engine::SearchHit>> {
    Ok(Json(api.engine.search(&q.q, q.limit.unwrap_or(200)).await?))
}

#[derive(Deserialize)]
struct ExportQuery {
    format: String,
    q: Option<String>,
    limit: Option<i64>,
    /// The language of a diagram's labels.
    #[serde(default)]
    lang: Lang,
    /// How a scenario expects the agent's replies: `any` (default), `exact` or `regex`.
    expect: Option<String>,
}

fn export_format(name: &str) -> Result<ExportFormat, ApiError> {
    Ok(name
        .parse()
        .map_err(|e: export::UnknownFormat| EngineError::Invalid(e.to_string()))?)
}

/// A rendered export as a download.
fn download(format: ExportFormat, stem: &str, body: String) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}\"",
        export::file_name(format, stem)
    );
    (
        [
            (header::CONTENT_TYPE, format.mime().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

async fn export_conversation(
    State(api): State<Api>,
    Path(id): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = export_format(&q.format)?;
    let conversation = api.engine.conversation(id).await?;
    let messages = api.engine.messages(id).await?;
    let stem = format!("conversation-{id}");
    let embedded = match format {
        ExportFormat::Svg => {
            let filter = wxsim_engine::diagram::exchange_filter(id);
            Embedded::diagram(api.engine.exchanges(&filter).await?, q.lang)
        }
        ExportFormat::Scenario => {
            let expect = q
                .expect
                .as_deref()
                .map(str::parse::<Expect>)
                .transpose()
                .map_err(|e: UnknownExpect| EngineError::Invalid(e.to_string()))?
                .unwrap_or_default();
            Embedded::scenario(api.engine.recording(id).await?, expect)
        }
        _ => {
            let files = Files::for_format(format);
            let embedded = api.engine.embedded(&messages, files).await?;
            match files {
                Files::All => embedded.beside(&format!("{stem}-media")),
                Files::Pictures => embedded,
            }
        }
    };
    let body = export::conversation(format, &conversation, &messages, &embedded);
    match embedded.files_beside() {
        beside if beside.is_empty() => Ok(download(format, &stem, body)),
        beside => Ok(bundle::download(format, &stem, &body, &beside)),
    }
}

async fn export_search(
    State(api): State<Api>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = export_format(&q.format)?;
    let query = q.q.unwrap_or_default();
    let hits = api.engine.search(&query, q.limit.unwrap_or(1000)).await?;
    let body =
        export::search(format, &query, &hits).map_err(|e| EngineError::Invalid(e.to_string()))?;
    Ok(download(format, "search", body))
}

async fn profile(State(api): State<Api>) -> Json<Profile> {
    Json(api.engine.profile())
}

async fn set_profile(State(api): State<Api>, Body(profile): Body<Profile>) -> ApiResult<Profile> {
    Ok(Json(api.engine.set_profile(profile).await?))
}

async fn profiles(State(api): State<Api>) -> ApiResult<Vec<Profile>> {
    Ok(Json(api.engine.profiles().await?))
}

async fn delete_profile(
    State(api): State<Api>,
    Path(name): Path<String>,
) -> ApiResult<Vec<Profile>> {
    api.engine.delete_profile(&name).await?;
    Ok(Json(api.engine.profiles().await?))
}

/// Engine events as SSE; a subscriber that falls behind gets a `lagged` event and reloads.
/// The stream ends when the engine stops, or a server could not finish its shutdown while
/// a page is open.
async fn events(State(api): State<Api>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stopping = api.engine.stopping();
    let stream = BroadcastStream::new(api.engine.subscribe())
        .take_until(stopping)
        .map(|item| {
            Ok(match item {
                Ok(event) => Event::default()
                    .event("engine")
                    .json_data(&*event)
                    .unwrap_or_default(),
                Err(_) => Event::default().event("lagged").data("reload"),
            })
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn faults(State(api): State<Api>) -> Json<Vec<ListenerFault>> {
    Json(api.engine.listener_faults())
}

async fn set_faults(
    State(api): State<Api>,
    Body(faults): Body<Vec<ListenerFault>>,
) -> ApiResult<Vec<ListenerFault>> {
    Ok(Json(api.engine.set_listener_faults(faults)?))
}

#[derive(Deserialize)]
struct RangeQuery {
    since: Option<i64>,
    until: Option<i64>,
}

/// The contract checker's report over the whole database or a time range.
async fn contract(
    State(api): State<Api>,
    Query(range): Query<RangeQuery>,
) -> ApiResult<ContractReport> {
    Ok(Json(
        api.engine.contract_report(range.since, range.until).await?,
    ))
}
