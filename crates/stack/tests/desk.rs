//! The agent desk (`/api/simulator/desk/*`) over real loopback HTTP: `Stack::router` served
//! on a port and called with reqwest, over a real engine (SQLite in a temporary dir, its
//! callback listener) and the embedded simulator. The customer side is played through the
//! same API (`/api/customers/*`), so that every step crosses the wire both ways: a person
//! takes a seat, requests wait for them, they accept, refuse, write (emoji, pictures,
//! hostile HTML), ask for a rating, transfer and close, and the engine sees each of it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use wxsim_stack::{Stack, StackOptions};
use wxsim_webchat::SimConfig;

const TOKEN: &str = "desk-token";

struct Rig {
    stack: Stack,
    api: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Rig {
    async fn start() -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let stack = Stack::start(StackOptions {
            data_dir: dir.path().to_path_buf(),
            listener: TcpListener::bind("127.0.0.1:0").await.unwrap(),
            simulator: Some(SimConfig {
                accept_delay_ms: 0,
                reply_delay_ms: 0,
                ..SimConfig::default()
            }),
            profile: None,
        })
        .await
        .expect("the stack starts");
        let app = stack.router(TOKEN.into(), PathBuf::from("/nonexistent-ui"));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Rig {
            stack,
            api,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.api))
            .bearer_auth(TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{path} answered ({status}) no JSON ({e}): {text}"));
        (status, value)
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let (status, answer) = self.call(Method::POST, path, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        answer
    }

    async fn get(&self, path: &str) -> Value {
        let (status, answer) = self.call(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        answer
    }

    /// A desk action of `seat` that the simulator refuses: its status and error.
    async fn refused(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let (status, answer) = self.call(Method::POST, path, Some(body)).await;
        assert_ne!(status, StatusCode::OK, "{path} was taken: {answer}");
        (status, answer["error"].clone())
    }

    /// Follows the desk of `seat` (each read waits for a change) until `check` holds.
    async fn desk_until(&self, seat: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut view = self.get(&format!("/api/simulator/desk?seat={seat}")).await;
        loop {
            if check(&view) {
                return view;
            }
            assert!(Instant::now() < deadline, "{what}; the desk: {view}");
            let seen = view["revision"].as_str().unwrap().to_owned();
            view = self
                .get(&format!("/api/simulator/desk?seat={seat}&seen={seen}"))
                .await;
        }
    }

    /// A new customer of `group` whose chat is requested.
    async fn customer(&self, nickname: &str, group: i64) -> i64 {
        let customer = self
            .post(
                "/api/customers",
                json!({"nickname": nickname, "skillGroup": group}),
            )
            .await;
        let id = customer["id"].as_i64().unwrap();
        self.post(&format!("/api/customers/{id}/request-chat"), json!({}))
            .await;
        id
    }

    async fn state_of(&self, customer: i64) -> String {
        let c = self.get(&format!("/api/customers/{customer}")).await;
        c["state"].as_str().unwrap_or_default().to_owned()
    }

    async fn until_state(&self, customer: i64, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let state = self.state_of(customer).await;
            if state == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "customer {customer} is {state}, never {want}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn conversation(&self, customer: i64) -> Value {
        let c = self.get(&format!("/api/customers/{customer}")).await;
        let id = c["conversationId"].as_i64().expect("a conversation");
        self.get(&format!("/api/conversations/{id}")).await
    }

    /// The agent messages the customer's transcript holds, as stored (sanitized) HTML.
    async fn agent_lines(&self, customer: i64) -> Vec<String> {
        let id = self.conversation(customer).await["id"].as_i64().unwrap();
        let messages = self.get(&format!("/api/conversations/{id}/messages")).await;
        messages
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["direction"] == "in")
            .map(|m| m["html"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    async fn until_agent_line(
        &self,
        customer: i64,
        what: &str,
        check: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let lines = self.agent_lines(customer).await;
            if let Some(line) = lines.iter().find(|l| check(l)) {
                return line.clone();
            }
            assert!(
                Instant::now() < deadline,
                "{what}; the agent said: {lines:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Alice's seat taken, a customer of Sales whose request the person accepts: the
    /// customer's id and the session's.
    async fn accepted_by_alice(&self, nickname: &str) -> (i64, i64) {
        self.post("/api/simulator/desk/seat", json!({"agentId": "A001"}))
            .await;
        let customer = self.customer(nickname, 1).await;
        let view = self
            .desk_until("A001", "the request offered", |v| {
                place(v, nickname).is_some()
            })
            .await;
        let request = place(&view, nickname).unwrap()["requestId"].clone();
        let view = self
            .post(
                "/api/simulator/desk/accept",
                json!({"agentId": "A001", "requestId": request}),
            )
            .await;
        (customer, session_id(&view, nickname))
    }

    async fn stop(self) {
        self.stack.stop().await;
    }
}

/// The queued request of `nickname` in the desk view, if any.
fn place<'a>(view: &'a Value, nickname: &str) -> Option<&'a Value> {
    view["groups"]
        .as_array()?
        .iter()
        .flat_map(|g| g["queue"].as_array().into_iter().flatten())
        .find(|p| p["nickname"] == nickname)
}

/// The seat's session with `nickname`, if any.
fn session<'a>(view: &'a Value, nickname: &str) -> Option<&'a Value> {
    view["sessions"]
        .as_array()?
        .iter()
        .find(|s| s["nickname"] == nickname)
}

fn session_id(view: &Value, nickname: &str) -> i64 {
    session(view, nickname).unwrap()["sessionId"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_held_seat_waits_for_the_person_who_accepts_reads_and_writes() {
    let rig = Rig::start().await;
    let view = rig
        .post("/api/simulator/desk/seat", json!({"agentId": "A001"}))
        .await;
    assert_eq!(view["seat"], "A001");
    let alice = view["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "A001")
        .unwrap();
    assert_eq!(alice["held"], true);
    assert_eq!(
        view["emoji"][0]["html"],
        r#"<img src="/webchat/emoji/smile.png" alt="[smile]">"#
    );

    let ann = rig.customer("Ann", 1).await;
    let view = rig
        .desk_until("A001", "Ann's request offered to the seat", |v| {
            place(v, "Ann").is_some_and(|p| p["offeredTo"] == "A001")
        })
        .await;
    let request = place(&view, "Ann").unwrap().clone();
    assert_eq!(request["position"], 0);
    assert_eq!(request["origin"]["kind"], "newChat");
    // Bob is scripted and quick: his customer chats while Ann still waits for the person.
    let bo = rig.customer("Bo", 2).await;
    rig.until_state(bo, "chatting").await;
    assert_eq!(
        rig.state_of(ann).await,
        "queued",
        "the request waits for the person"
    );

    let view = rig
        .post(
            "/api/simulator/desk/accept",
            json!({"agentId": "A001", "requestId": request["requestId"]}),
        )
        .await;
    assert!(place(&view, "Ann").is_none(), "accepted: out of the queue");
    let accepted = session(&view, "Ann").expect("the seat's session");
    assert_eq!(accepted["state"], "chatting");
    assert_eq!(
        accepted["sent"],
        json!([]),
        "a person greets in their own words"
    );
    rig.until_state(ann, "chatting").await;
    assert_eq!(rig.conversation(ann).await["agentName"], "Alice");
    let id = session_id(&view, "Ann");

    rig.post(
        &format!("/api/customers/{ann}/messages"),
        json!({"msgType": "text", "content": "Where is my parcel?"}),
    )
    .await;
    let view = rig
        .desk_until("A001", "Ann's message unread at the desk", |v| {
            session(v, "Ann").is_some_and(|s| s["unread"] == 1)
        })
        .await;
    assert_eq!(
        session(&view, "Ann").unwrap()["messages"][0]["content"],
        "Where is my parcel?"
    );

    let smile = view["emoji"][0]["html"].as_str().unwrap().to_owned();
    let view = rig
        .post(
            "/api/simulator/desk/say",
            json!({"agentId": "A001", "sessionId": id, "html": format!("<p><b>Today</b> {smile}</p>")}),
        )
        .await;
    let sent = &session(&view, "Ann").unwrap();
    assert_eq!(sent["unread"], 0, "answering reads");
    assert_eq!(sent["sent"][0]["scripted"], false);
    let line = rig
        .until_agent_line(ann, "the person's words", |l| l.contains("Today"))
        .await;
    assert!(line.contains("<b>Today</b>"), "{line}");
    assert!(
        line.contains("/webchat/emoji/smile.png") && line.contains(r#"alt="[smile]""#),
        "{line}"
    );
    // The seat answered, the script did not: the person's line is the only agent line.
    assert_eq!(
        rig.agent_lines(ann).await.len(),
        1,
        "{:?}",
        rig.agent_lines(ann).await
    );
    rig.stop().await;
}

#[tokio::test]
async fn a_refused_request_goes_to_another_agent_or_stays_queued_until_taken() {
    let rig = Rig::start().await;
    rig.post(
        "/api/simulator/agents",
        json!({"id": "A003", "name": "Carol", "skillGroups": [1]}),
    )
    .await;
    rig.post("/api/simulator/desk/seat", json!({"agentId": "A001"}))
        .await;
    let ann = rig.customer("Ann", 1).await;
    let view = rig
        .desk_until("A001", "Ann offered to the seat", |v| {
            place(v, "Ann").is_some_and(|p| p["offeredTo"] == "A001")
        })
        .await;
    let request = place(&view, "Ann").unwrap()["requestId"].clone();
    rig.post(
        "/api/simulator/desk/refuse",
        json!({"agentId": "A001", "requestId": request}),
    )
    .await;
    rig.until_state(ann, "chatting").await;
    assert_eq!(
        rig.conversation(ann).await["agentName"],
        "Carol",
        "the next agent took it"
    );

    // With nobody else free, a refused request keeps its place.
    rig.post(
        "/api/simulator/agents",
        json!({"id": "A003", "online": false}),
    )
    .await;
    let bo = rig.customer("Bo", 1).await;
    let view = rig
        .desk_until("A001", "Bo offered to the seat", |v| {
            place(v, "Bo").is_some_and(|p| p["offeredTo"] == "A001")
        })
        .await;
    let request = place(&view, "Bo").unwrap()["requestId"].clone();
    let view = rig
        .post(
            "/api/simulator/desk/refuse",
            json!({"agentId": "A001", "requestId": request}),
        )
        .await;
    let waiting = place(&view, "Bo").expect("still queued");
    assert_eq!(waiting["offeredTo"], Value::Null);
    assert_eq!(waiting["declinedBy"], json!(["A001"]));
    assert_eq!(waiting["position"], 0);
    assert_eq!(rig.state_of(bo).await, "queued");
    // Refusing what is not offered is refused; taking it after all is not.
    let (status, error) = rig
        .refused(
            "/api/simulator/desk/refuse",
            json!({"agentId": "A001", "requestId": request}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert_eq!(error["kind"], "wrong_state");
    rig.post(
        "/api/simulator/desk/accept",
        json!({"agentId": "A001", "requestId": request}),
    )
    .await;
    rig.until_state(bo, "chatting").await;
    assert_eq!(rig.conversation(bo).await["agentName"], "Alice");
    rig.stop().await;
}

#[tokio::test]
async fn the_person_asks_for_a_rating_transfers_and_closes() {
    let rig = Rig::start().await;
    let (ann, id) = rig.accepted_by_alice("Ann").await;
    rig.until_state(ann, "chatting").await;

    rig.post(
        "/api/simulator/desk/push-rating",
        json!({"agentId": "A001", "sessionId": id}),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while rig.conversation(ann).await["ratingOptions"].is_null() {
        assert!(Instant::now() < deadline, "the rating prompt never came");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let (status, error) = rig
        .refused(
            "/api/simulator/desk/transfer",
            json!({"agentId": "A001", "sessionId": id, "skillGroup": 77}),
        )
        .await;
    assert_eq!(
        (status, error["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!(-4)),
        "{error}"
    );
    let view = rig
        .post(
            "/api/simulator/desk/transfer",
            json!({"agentId": "A001", "sessionId": id, "skillGroup": 2}),
        )
        .await;
    assert!(session(&view, "Ann").is_none(), "the session is Bob's now");
    rig.until_agent_line(ann, "Bob's greeting", |l| l.contains("this is <b>Bob</b>"))
        .await;
    assert_eq!(rig.conversation(ann).await["agentName"], "Bob");

    // Bob's seat, taken now, closes it; the ended session stays on his desk.
    let (status, error) = rig
        .refused(
            "/api/simulator/desk/close",
            json!({"agentId": "A002", "sessionId": id}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "not held yet: {error}");
    rig.post("/api/simulator/desk/seat", json!({"agentId": "A002"}))
        .await;
    let view = rig
        .post(
            "/api/simulator/desk/close",
            json!({"agentId": "A002", "sessionId": id}),
        )
        .await;
    assert_eq!(session(&view, "Ann").unwrap()["state"], "closedByAgent");
    rig.until_state(ann, "closed").await;
    let (status, error) = rig
        .refused(
            "/api/simulator/desk/say",
            json!({"agentId": "A002", "sessionId": id, "html": "still there?"}),
        )
        .await;
    assert_eq!(
        (status, error["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!(-10)),
        "{error}"
    );

    // Released, the seat is the script's again: Bob greets the next customer himself.
    let view = rig
        .post("/api/simulator/desk/release", json!({"agentId": "A002"}))
        .await;
    assert_eq!(view["seat"], Value::Null);
    let cy = rig.customer("Cy", 2).await;
    rig.until_agent_line(cy, "Bob's greeting", |l| l.contains("this is <b>Bob</b>"))
        .await;
    rig.stop().await;
}

#[tokio::test]
async fn pictures_are_kept_and_served_by_the_simulator_and_hostile_html_is_made_inert() {
    let rig = Rig::start().await;
    let (ann, id) = rig.accepted_by_alice("Ann").await;

    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR a small picture".to_vec();
    let answer = rig
        .http
        .post(format!("{}/api/simulator/desk/pictures", rig.api))
        .bearer_auth(TOKEN)
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let picture: Value = answer.json().await.unwrap();
    let src = picture["src"].as_str().unwrap();
    let webchat = rig.stack.engine.webchat_base();
    let origin = webchat.trim_end_matches("/webchat");
    let served = reqwest::get(format!("{origin}{src}")).await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().as_ref(), png.as_slice());
    let refused = rig
        .http
        .post(format!("{}/api/simulator/desk/pictures", rig.api))
        .bearer_auth(TOKEN)
        .body("<svg onload=alert(1)>")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["kind"], "invalid");

    rig.post(
        "/api/simulator/desk/say",
        json!({"agentId": "A001", "sessionId": id, "html": picture["html"]}),
    )
    .await;
    let line = rig
        .until_agent_line(ann, "the picture", |l| l.contains("/webchat/uploads/"))
        .await;
    assert!(
        line.contains(&format!("{origin}{src}")),
        "resolved against webchat: {line}"
    );

    let hostile = r#"<p>hi<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a><img src="http://evil.example/t.png"></p>"#;
    let view = rig
        .post(
            "/api/simulator/desk/say",
            json!({"agentId": "A001", "sessionId": id, "html": hostile}),
        )
        .await;
    let line = rig
        .until_agent_line(ann, "the hostile line", |l| l.contains("hi"))
        .await;
    // The desk shows it as the customer's side has it: sanitized alike.
    let shown = session(&view, "Ann").unwrap()["sent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["html"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(shown.last(), Some(&line), "{shown:?}");
    assert!(shown[0].contains(&format!("{origin}{src}")), "{shown:?}");
    for bad in ["<script", "onerror", "javascript:", "evil.example"] {
        assert!(!line.contains(bad), "{bad} survived: {line}");
    }

    let (status, error) = rig
        .refused(
            "/api/simulator/desk/say",
            json!({"agentId": "A001", "sessionId": id, "html": "  "}),
        )
        .await;
    assert_eq!(
        (status, error["kind"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("invalid"))
    );
    let (status, error) = rig
        .refused("/api/simulator/desk/seat", json!({"agentId": "NOBODY"}))
        .await;
    assert_eq!(
        (status, error["kind"].clone()),
        (StatusCode::NOT_FOUND, json!("not_found"))
    );
    rig.stop().await;
}

#[tokio::test]
async fn a_desk_read_waits_for_a_change_and_then_shows_it() {
    let rig = Rig::start().await;
    let first = rig.get("/api/simulator/desk").await;
    assert_eq!(first["seat"], Value::Null);
    let seen = first["revision"].as_str().unwrap().to_owned();
    let waiting = {
        let (api, http) = (rig.api.clone(), rig.http.clone());
        tokio::spawn(async move {
            http.get(format!("{api}/api/simulator/desk?seen={seen}"))
                .bearer_auth(TOKEN)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        })
    };
    rig.post("/api/simulator/desk/seat", json!({"agentId": "A002"}))
        .await;
    let changed = waiting.await.unwrap();
    assert_ne!(changed["revision"], first["revision"]);
    let bob = changed["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "A002")
        .unwrap();
    assert_eq!(bob["held"], true, "the change it waited for");
    rig.stop().await;
}
