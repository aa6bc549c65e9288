//! `/api/simulator/*` driven in-process with `tower::ServiceExt::oneshot` through
//! `Stack::router`, as the browser and the desktop window reach it: over a real engine
//! (SQLite in a temporary dir, its callback listener on a loopback port) and the real
//! embedded simulator, or a stack against a real webchat where there is none. Covers the
//! guard (token, `Origin`), reading the state, settings and roster changes taking effect
//! on real requests, the agent's actions on a live session, and the error answers.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tower::ServiceExt;
use wxsim_engine::{ConversationState, Customer, NewCustomer, Profile};
use wxsim_stack::{Stack, StackOptions};
use wxsim_webchat::SimConfig;

const TOKEN: &str = "sim-api-token";
const HOST: &str = "127.0.0.1:7080";

struct Rig {
    stack: Stack,
    app: Router,
    _dir: tempfile::TempDir,
}

impl Rig {
    async fn start(simulator: Option<SimConfig>, profile: Option<Profile>) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let stack = Stack::start(StackOptions {
            data_dir: dir.path().to_path_buf(),
            listener: TcpListener::bind("127.0.0.1:0").await.unwrap(),
            simulator,
            profile,
        })
        .await
        .expect("the stack starts");
        let app = stack.router(TOKEN.into(), PathBuf::from("/nonexistent-ui"));
        Rig {
            stack,
            app,
            _dir: dir,
        }
    }

    async fn embedded() -> Rig {
        Rig::start(Some(SimConfig::default()), None).await
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("answer ({status}) is not JSON ({e}): {text}"));
        (status, value)
    }

    /// A request with the token and an optional JSON body.
    async fn call(&self, method: Method, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        let builder = request(method, uri).header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
        let request = match body {
            Some(json) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json.to_string())),
            None => builder.body(Body::empty()),
        };
        self.send(request.unwrap()).await
    }

    /// POSTs and asserts a 200.
    async fn post(&self, path: &str, body: Value) -> Value {
        let (status, answer) = self.call(Method::POST, path, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        answer
    }

    async fn state(&self) -> Value {
        let (status, state) = self
            .call(Method::GET, "/api/simulator/state?live=true", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{state}");
        state
    }

    async fn customer(&self, nickname: &str, skill_group: i64) -> Customer {
        self.stack
            .engine
            .create_customer(NewCustomer {
                open_id: None,
                nickname: nickname.into(),
                head_img_url: None,
                source: None,
                brand: None,
                skill_group,
                agent_id: None,
                tracks: None,
            })
            .await
            .unwrap()
    }

    /// Waits until `check` holds of the simulator's live state.
    async fn until_state(&self, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let state = self.state().await;
            if check(&state) {
                return state;
            }
            assert!(Instant::now() < deadline, "{what}; the state: {state}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until the customer's conversation is in `want`.
    async fn until_customer(&self, customer: &Customer, want: ConversationState) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let now = self.stack.engine.customer(customer.id).await.unwrap();
            if now.state == Some(want) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} never reached {want:?}: {:?}",
                customer.nickname,
                now.state
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn stop(self) {
        self.stack.stop().await;
    }
}

/// A request as the browser on `HOST` sends it (no token).
fn request(method: Method, uri: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, HOST)
}

/// The places of a group's queue, as `[nickname, position]`.
fn places(state: &Value, group: i64) -> Vec<(String, i64)> {
    let group = state["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == group)
        .unwrap();
    group["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["nickname"].as_str().unwrap_or_default().to_owned(),
                p["position"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_token_and_the_origin_guard_the_simulator_as_the_rest_of_the_api() {
    let rig = Rig::embedded().await;
    let (status, body) = rig
        .send(
            request(Method::GET, "/api/simulator/state")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["kind"], "unauthorized");

    let (status, body) = rig
        .send(
            request(Method::POST, "/api/simulator/config")
                .header(header::AUTHORIZATION, "Bearer wrong")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"autoReply": false}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(
        rig.stack.simulator().unwrap().state().settings.auto_reply,
        "a refused request changes nothing"
    );

    let (status, body) = rig
        .send(
            request(Method::GET, "/api/simulator/state")
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .header(header::ORIGIN, "http://evil.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["kind"], "forbidden");

    let (status, body) = rig
        .send(
            request(Method::GET, &format!("/api/simulator/state?token={TOKEN}"))
                .header(header::ORIGIN, format!("http://{HOST}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The engine's routes are still there beside it.
    let (status, body) = rig.call(Method::GET, "/api/customers", None).await;
    assert_eq!((status, body), (StatusCode::OK, json!([])));
    rig.stop().await;
}

#[tokio::test]
async fn the_state_shows_groups_agents_clock_and_settings() {
    let rig = Rig::embedded().await;
    let (status, state) = rig.call(Method::GET, "/api/simulator/state", None).await;
    assert_eq!(status, StatusCode::OK, "{state}");
    let ids: Vec<i64> = state["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 9]);
    let sales = &state["groups"][0];
    assert_eq!(sales["open"], true);
    assert_eq!(sales["agents"][0]["id"], "A001");
    assert_eq!(sales["agents"][0]["online"], true);
    assert_eq!(sales["agents"][0]["load"], 0);
    assert!(state["clock"]["nowMs"].is_i64(), "{state}");
    assert_eq!(state["clock"]["timeZoneOffsetMinutes"], 480);
    assert_eq!(state["settings"]["autoReply"], true);
    // It is the simulator's own state, typed.
    let typed: wxsim_webchat::StateSnapshot = serde_json::from_value(state).unwrap();
    assert_eq!(typed.groups.len(), 3);
    rig.stop().await;
}

#[tokio::test]
async fn a_config_change_takes_effect_on_the_next_request() {
    let rig = Rig::embedded().await;
    let settings = rig
        .post(
            "/api/simulator/config",
            json!({"acceptDelayMs": 600_000, "autoReply": false}),
        )
        .await;
    assert_eq!(settings["acceptDelayMs"], 600_000);
    assert_eq!(settings["autoReply"], false);
    assert_eq!(rig.state().await["settings"]["acceptDelayMs"], 600_000);

    // An agent now looks at a request for ten minutes: it stays first in line.
    let ann = rig.customer("Ann", 1).await;
    rig.stack.engine.request_chat(ann.id).await.unwrap();
    let state = rig
        .until_state("Ann is queued", |s| !places(s, 1).is_empty())
        .await;
    assert_eq!(places(&state, 1), [("Ann".to_owned(), 0)]);
    rig.until_customer(&ann, ConversationState::Queued).await;

    // Back to a quick agent: the next request is accepted at once.
    rig.post("/api/simulator/config", json!({"acceptDelayMs": 0}))
        .await;
    let bo = rig.customer("Bo", 2).await;
    rig.stack.engine.request_chat(bo.id).await.unwrap();
    rig.until_customer(&bo, ConversationState::Chatting).await;

    // ariBase is not this API's to change.
    let (status, body) = rig
        .call(
            Method::POST,
            "/api/simulator/config",
            Some(json!({"ariBase": "http://127.0.0.1:9"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["kind"], "invalid");
    rig.stop().await;
}

#[tokio::test]
async fn a_held_request_keeps_its_place_until_the_last_agent_leaves() {
    let rig = Rig::embedded().await;
    let state = rig
        .post(
            "/api/simulator/next-request-status",
            json!({"status": 0, "skillGroup": 1}),
        )
        .await;
    assert_eq!(state["nextRequestStatuses"][0]["status"], 0);
    let ann = rig.customer("Ann", 1).await;
    let bo = rig.customer("Bo", 1).await;
    rig.stack.engine.request_chat(ann.id).await.unwrap();
    rig.stack.engine.request_chat(bo.id).await.unwrap();
    let state = rig
        .until_state("both queued", |s| places(s, 1).len() == 2)
        .await;
    assert_eq!(
        places(&state, 1),
        [("Ann".to_owned(), 0), ("Bo".to_owned(), 1)]
    );
    assert_eq!(state["groups"][0]["queue"][0]["held"], true);

    let agent = rig
        .post(
            "/api/simulator/agents",
            json!({"id": "A001", "online": false}),
        )
        .await;
    assert_eq!(
        (agent["online"].clone(), agent["load"].clone()),
        (json!(false), json!(0))
    );
    rig.until_state("the queue emptied", |s| places(s, 1).is_empty())
        .await;
    rig.until_customer(&ann, ConversationState::Failed).await;
    rig.until_customer(&bo, ConversationState::Failed).await;
    let conversation = rig
        .stack
        .engine
        .conversation(
            rig.stack
                .engine
                .customer(ann.id)
                .await
                .unwrap()
                .conversation_id
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(conversation.request_status, Some(5), "NO_AGENT_ONLINE");
    rig.stop().await;
}

#[tokio::test]
async fn groups_clock_and_routing_failures_change_through_the_api() {
    let rig = Rig::embedded().await;
    let group = rig
        .post(
            "/api/simulator/groups",
            json!({"id": 2, "hours": {"open": "09:00", "close": "18:00", "days": [1, 2, 3, 4, 5]}, "queueTimeoutMs": 30000, "refuseNext": 1}),
        )
        .await;
    assert_eq!(group["queueTimeoutMs"], 30000);
    assert_eq!(group["refuseNext"], 1);
    let clock = rig
        .post(
            "/api/simulator/clock",
            json!({"now": "2025-01-11 10:00:00", "frozen": true}),
        )
        .await;
    assert_eq!(clock["local"], "2025-01-11 10:00:00");
    assert_eq!(clock["frozen"], true);
    assert_eq!(rig.state().await["groups"][1]["open"], false, "a Saturday");

    let (status, body) = rig
        .call(
            Method::POST,
            "/api/simulator/groups",
            Some(json!({"id": 2, "refuseShare": 2})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["kind"], "invalid");

    let state = rig
        .post(
            "/api/simulator/routing-failure",
            json!({"result": -1, "skillGroup": 1, "count": 2}),
        )
        .await;
    assert_eq!(state["routingFailures"][0]["count"], 2);
    let (status, body) = rig
        .call(
            Method::POST,
            "/api/simulator/routing-failure",
            Some(json!({"result": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let state = rig.post("/api/simulator/restore", json!({})).await;
    assert_eq!(state["routingFailures"], json!([]));
    assert_eq!(state["groups"][1]["hours"], Value::Null);
    assert_eq!(state["clock"]["frozen"], false);
    rig.stop().await;
}

#[tokio::test]
async fn the_agent_speaks_closes_and_asks_for_a_rating_on_a_live_session() {
    let rig = Rig::embedded().await;
    let ann = rig.customer("Ann", 1).await;
    rig.stack.engine.request_chat(ann.id).await.unwrap();
    rig.until_customer(&ann, ConversationState::Chatting).await;
    let state = rig
        .until_state("a live session", |s| {
            s["sessions"].as_array().is_some_and(|a| a.len() == 1)
        })
        .await;
    let session_id = state["sessions"][0]["sessionId"].as_i64().unwrap();
    assert_eq!(
        state["callbacks"],
        json!([]),
        "the live state leaves the log out"
    );

    rig.post(
        "/api/simulator/agent/say",
        json!({"sessionId": session_id, "html": "<p>One moment, please.</p>"}),
    )
    .await;
    let conversation = ann_conversation(&rig, &ann).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let messages = rig.stack.engine.messages(conversation).await.unwrap();
        if messages
            .iter()
            .any(|m| m.html.as_deref().is_some_and(|h| h.contains("One moment")))
        {
            break;
        }
        assert!(Instant::now() < deadline, "the agent's words never arrived");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let (status, body) = rig
        .call(
            Method::POST,
            "/api/simulator/agent/say",
            Some(json!({"sessionId": 1, "html": "hi"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["kind"], "rejected");
    assert_eq!(body["error"]["code"], -10);

    let (status, body) = rig
        .call(
            Method::POST,
            "/api/simulator/agent/say",
            Some(json!({"session": session_id})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["kind"], "invalid");

    rig.post(
        "/api/simulator/agent/close",
        json!({"sessionId": session_id}),
    )
    .await;
    rig.until_customer(&ann, ConversationState::Closed).await;
    let state = rig
        .post(
            "/api/simulator/agent/push-rating",
            json!({"sessionId": session_id}),
        )
        .await;
    assert_eq!(state["sessions"], json!([]), "no live session is left");
    rig.stop().await;
}

async fn ann_conversation(rig: &Rig, ann: &Customer) -> i64 {
    rig.stack
        .engine
        .customer(ann.id)
        .await
        .unwrap()
        .conversation_id
        .unwrap()
}

#[tokio::test]
async fn unknown_routes_and_a_stack_without_a_simulator_answer_404() {
    let rig = Rig::embedded().await;
    let (status, body) = rig
        .call(Method::GET, "/api/simulator/nothing-here", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["kind"], "not_found");
    rig.stop().await;

    let rig = Rig::start(
        None,
        Some(Profile {
            webchat_url: Some("http://127.0.0.1:9/webchat".into()),
            ..Profile::default()
        }),
    )
    .await;
    for (method, path) in [
        (Method::GET, "/api/simulator/state"),
        (Method::POST, "/api/simulator/config"),
        (Method::POST, "/api/simulator/agent/say"),
    ] {
        let (status, body) = rig.call(method, path, Some(json!({}))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_eq!(body["error"]["kind"], "not_found");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("no embedded simulator"), "{message}");
    }
    let (status, body) = rig
        .send(
            request(Method::GET, "/api/simulator/state")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "guarded too: {body}");
    rig.stop().await;
}
