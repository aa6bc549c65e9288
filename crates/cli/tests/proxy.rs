//! `wxsim proxy` between a real pair, every part a process on loopback: the simulator
//! (`wxsim webchat`) as webchat, a second `wxsim serve --webchat-url` as the hosting
//! service. Whole conversations pass through the proxy, and what it recorded is held
//! against each side's own view: the hosting service's wire log and the simulator's.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "support/serve.rs"]
mod support;

use support::{client, Serve};

/// A 1×1 PNG: the customer's picture, which webchat downloads through the proxy.
const PIXEL: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x56, 0xc7, 0x2f, 0x0d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Whether an exchange is one of the interface's: the eight calls, the seven callbacks, a
/// media download.
fn of_the_interface(operation: &str) -> bool {
    use wxsim_engine::protocol::{CallbackKind, Endpoint};
    Endpoint::ALL.iter().any(|e| e.path() == operation)
        || CallbackKind::ALL.iter().any(|k| k.path() == operation)
        || operation == "/wechat/"
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls `probe` until it gives a value; fails naming `what` after `secs`.
fn wait<T>(what: &str, secs: u64, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: not within {secs} s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `wxsim proxy` between webchat and the hosting service's listener, on the ports `listen`
/// and `callback`, recording into `data_dir`.
fn start_proxy(
    webchat: &str,
    hosting: &str,
    (listen, callback): (u16, u16),
    data_dir: &str,
) -> Serve {
    // Its ports were chosen free, then let go: until it binds them, a connection elsewhere
    // on the machine may hold one for a moment (its local end). Then it exits, and a new
    // try a moment later finds the port free again.
    let mut tries = 0;
    loop {
        match try_proxy(webchat, hosting, (listen, callback), data_dir) {
            Ok(proxy) => return proxy,
            Err(_) if tries < 40 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("{e}"),
        }
    }
}

fn try_proxy(
    webchat: &str,
    hosting: &str,
    (listen, callback): (u16, u16),
    data_dir: &str,
) -> Result<Serve, String> {
    Serve::try_spawn(
        &[
            "proxy",
            "--webchat",
            webchat,
            "--hosting",
            hosting,
            "--listen",
            &format!("127.0.0.1:{listen}"),
            "--callback-listen",
            &format!("127.0.0.1:{callback}"),
            "--api-listen",
            "127.0.0.1:0",
            "--data-dir",
            data_dir,
            "--token",
            "proxy",
        ],
        "proxy",
        "open",
    )
}

/// The simulator, the hosting service and the proxy between them.
struct Pair {
    webchat: Option<Serve>,
    /// The simulator's webchat URL, and the callback URL it was given (the proxy's).
    webchat_url: String,
    ari: String,
    /// The proxy's two addresses, each side's in place of the other.
    listen: u16,
    callback: u16,
    hosting: Serve,
    /// Taken while one proxy gives way to another.
    proxy: Option<Serve>,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

impl Pair {
    fn start() -> Pair {
        let (listen, callback) = (free_port(), free_port());
        let webchat = Serve::spawn(
            &[
                "webchat",
                "--listen",
                "127.0.0.1:0",
                "--ari",
                &format!("http://127.0.0.1:{callback}"),
            ],
            "",
            "ari",
        );
        let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let hosting = Serve::start(
            dirs.0.path().to_str().unwrap(),
            "hosting",
            &[
                "--webchat-url",
                &format!("http://127.0.0.1:{listen}/webchat"),
            ],
        );
        let webchat_url = webchat.get("webchat").to_owned();
        let proxy = start_proxy(
            &webchat_url,
            hosting.listener(),
            (listen, callback),
            dirs.1.path().to_str().unwrap(),
        );
        assert_eq!(
            proxy.get("listen"),
            format!("http://127.0.0.1:{listen}/webchat"),
            "the proxy names the webchat URL to give the hosting service"
        );
        Pair {
            webchat_url,
            ari: format!("http://127.0.0.1:{callback}"),
            webchat: Some(webchat),
            listen,
            callback,
            hosting,
            proxy: Some(proxy),
            _dirs: dirs,
        }
    }

    fn proxy(&self) -> &Serve {
        self.proxy.as_ref().expect("a proxy runs")
    }

    /// Another proxy in the same place (the first one gone), recording into `data_dir`.
    fn restart_proxy(&mut self, data_dir: &str) {
        if let Some(old) = self.proxy.take() {
            old.kill();
        }
        self.proxy = Some(start_proxy(
            &self.webchat_url,
            self.hosting.listener(),
            (self.listen, self.callback),
            data_dir,
        ));
    }

    fn webchat_state(&self) -> Value {
        let control = self.webchat.as_ref().unwrap().get("control");
        client().get(control).send().unwrap().json().unwrap()
    }
}

/// The exchanges of the interface a side's API holds, oldest first.
fn exchanges(side: &Serve) -> Vec<Value> {
    let mut all = side.call("GET", "/api/exchanges?limit=100000", None);
    let list = all.as_array_mut().expect("exchanges are a list");
    list.retain(|e| of_the_interface(e["operation"].as_str().unwrap_or_default()));
    list.reverse();
    list.clone()
}

fn customer_state(side: &Serve, id: i64) -> String {
    side.call("GET", &format!("/api/customers/{id}"), None)["state"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The messages of a customer's conversation, as the API gives them.
fn transcript_messages(side: &Serve, customer: i64) -> Vec<Value> {
    let id =
        side.call("GET", &format!("/api/customers/{customer}"), None)["conversationId"].clone();
    let messages = side.call("GET", &format!("/api/conversations/{id}/messages"), None);
    messages.as_array().expect("a transcript").clone()
}

/// A transcript as comparable lines: who, what kind, the words, how it went.
fn transcript(side: &Serve, conversation: i64) -> Vec<Value> {
    let messages = side.call(
        "GET",
        &format!("/api/conversations/{conversation}/messages"),
        None,
    );
    let mut lines: Vec<Value> = messages
        .as_array()
        .expect("a transcript")
        .iter()
        .map(|m| json!([m["direction"], m["kind"], m["text"], m["delivery"]]))
        .collect();
    lines.sort_by_key(|l| l.to_string());
    lines
}

/// The proxy's customer of the hosting service's `customer` (the same `openId`).
fn seen_customer(proxy: &Serve, customer: &Value) -> Value {
    proxy
        .call("GET", "/api/customers", None)
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["openId"] == customer["openId"])
        .unwrap_or_else(|| panic!("the proxy knows {customer:#}"))
        .clone()
}

/// A new customer of the hosting service in skill group `group`, who asks for a chat.
fn requesting(hosting: &Serve, nickname: &str, group: i64) -> i64 {
    let customer = hosting.call(
        "POST",
        "/api/customers",
        Some(json!({"nickname": nickname, "skillGroup": group})),
    );
    let id = customer["id"].as_i64().expect("a customer");
    hosting.call("POST", &format!("/api/customers/{id}/request-chat"), None);
    id
}

/// [`requesting`], once an agent has taken the chat.
fn chatting(hosting: &Serve, nickname: &str, group: i64) -> i64 {
    let id = requesting(hosting, nickname, group);
    wait(&format!("{nickname}'s chat is accepted"), 20, || {
        (customer_state(hosting, id) == "chatting").then_some(())
    });
    id
}

/// A customer of the hosting service through a whole conversation: request, a text and an
/// image (webchat downloads it), the agent's reply, close, rating. Returns its id.
fn converse(pair: &Pair) -> i64 {
    let hosting = &pair.hosting;
    let id = chatting(hosting, "Lin", 1);
    let sent = hosting.call(
        "POST",
        &format!("/api/customers/{id}/messages"),
        Some(json!({"msgType": "text", "content": "Where is my order 4711?"})),
    );
    assert_eq!(sent["delivery"], "sent", "{sent}");
    let media: Value = client()
        .post(format!(
            "{}/api/media?kind=image&name=pixel.png",
            hosting.api()
        ))
        .bearer_auth(&hosting.token)
        .body(PIXEL.to_vec())
        .send()
        .unwrap()
        .json()
        .unwrap();
    let media_id = media["mediaId"].as_str().expect("a media id").to_owned();
    let sent = hosting.call(
        "POST",
        &format!("/api/customers/{id}/messages"),
        Some(json!({"msgType": "image", "content": {"mediaId": media_id}})),
    );
    assert_eq!(sent["delivery"], "sent", "{sent}");
    let conversation = sent["conversationId"].as_i64().unwrap();
    wait(
        "webchat downloads the picture and the agent answers both",
        20,
        || {
            let downloaded = pair.webchat_state()["media"]
                .as_object()
                .is_some_and(|m| m.values().any(|r| r["ok"] == true));
            let replies = transcript(hosting, conversation)
                .iter()
                .filter(|l| l[0] == "in")
                .count();
            (downloaded && replies >= 3).then_some(())
        },
    );
    hosting.call("POST", &format!("/api/customers/{id}/close"), None);
    let rated = hosting.call(
        "POST",
        &format!("/api/customers/{id}/rate"),
        Some(json!({"ratingId": 5, "comment": "quick"})),
    );
    assert_eq!(rated["state"], "rated", "{rated}");
    id
}

/// The exchanges in `ours` that are `theirs`: the same way, operation, method, bodies and
/// status.
fn same_as<'a>(ours: &'a [Value], theirs: &Value) -> Vec<&'a Value> {
    ours.iter()
        .filter(|o| {
            [
                "direction",
                "operation",
                "method",
                "requestBody",
                "status",
                "responseBody",
            ]
            .iter()
            .all(|field| o[field] == theirs[field])
        })
        .collect()
}

/// The hosting service's conversation of a customer.
fn conversation_of(side: &Serve, customer: i64) -> Value {
    let id =
        side.call("GET", &format!("/api/customers/{customer}"), None)["conversationId"].clone();
    side.call("GET", &format!("/api/conversations/{id}"), None)
}

/// A customer of the robot group, handed over to a human (`transferCon.do`), then closed.
fn transfer(pair: &Pair) -> i64 {
    let hosting = &pair.hosting;
    let id = chatting(hosting, "Bo", 9);
    let moved = hosting.call(
        "POST",
        &format!("/api/customers/{id}/transfer"),
        Some(json!({"info": "asked for a person"})),
    );
    assert!(moved["id"].is_i64(), "{moved}");
    wait("a human agent takes over", 20, || {
        (conversation_of(hosting, id)["agentName"] == "Alice"
            && customer_state(hosting, id) == "chatting")
            .then_some(())
    });
    hosting.call("POST", &format!("/api/customers/{id}/close"), None);
    id
}

/// A customer whose request webchat holds in the queue (`getQueueLength.do`), cancelled
/// (`cancelRequest.do`).
fn queue_and_cancel(pair: &Pair) -> i64 {
    let hosting = &pair.hosting;
    let control = pair.webchat.as_ref().unwrap().get("control");
    let hold = control.replace("/sim/state", "/sim/next-request-status");
    client()
        .post(hold)
        .json(&json!({"status": 0}))
        .send()
        .unwrap();
    let id = requesting(hosting, "Qi", 1);
    wait("the request waits with its id known", 20, || {
        let c = conversation_of(hosting, id);
        (c["state"] == "queued" && c["requestId"].is_string()).then_some(())
    });
    let place = hosting.call("POST", &format!("/api/customers/{id}/queue-position"), None);
    assert!(place["orderInQueue"].is_i64(), "{place}");
    let cancelled = hosting.call("POST", &format!("/api/customers/{id}/cancel"), None);
    assert_eq!(cancelled["state"], "canceled", "{cancelled}");
    id
}

#[test]
fn a_real_pair_talks_through_the_proxy_unchanged_and_recorded() {
    let mut pair = Pair::start();
    let id = converse(&pair);
    let others = [transfer(&pair), queue_and_cancel(&pair)];
    let hosting = &pair.hosting;
    let proxy = pair.proxy();

    // Every exchange the hosting service logged, the proxy recorded once, with the same
    // bytes both ways and the same contract findings.
    // Both logs are read until they hold as many (a callback may still be on its way).
    let (theirs, ours) = wait("the proxy records every exchange", 20, || {
        let theirs = exchanges(hosting);
        let ours = exchanges(proxy);
        (ours.len() == theirs.len()).then_some((theirs, ours))
    });
    let operations: Vec<&str> = theirs
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    for needed in [
        "createcon.do",
        "getmsg.do",
        "closecon.do",
        "ratesession.do",
        "transferCon.do",
        "getQueueLength.do",
        "cancelRequest.do",
        "/ari/create",
        "/ari/msg",
        "/ari/getMedia",
        "/wechat/",
    ] {
        assert!(operations.contains(&needed), "{needed} in {operations:?}");
    }
    for theirs in &theirs {
        let same = same_as(&ours, theirs);
        assert_eq!(
            same.len(),
            1,
            "the proxy recorded {} of {theirs:#}",
            same.len()
        );
        assert_eq!(
            same[0]["findings"], theirs["findings"],
            "findings of {}",
            theirs["operation"]
        );
        assert_eq!(same[0]["resultCode"], theirs["resultCode"]);
        if theirs["direction"] == "in" {
            // The hosting service's listener keeps every header it got: those webchat sent
            // the proxy, `Host` aside (it names whom the connection is to).
            let headers = |e: &Value| {
                let mut h = e["requestHeaders"].as_object().unwrap().clone();
                h.remove("host");
                h
            };
            assert_eq!(headers(same[0]), headers(theirs), "{}", theirs["operation"]);
        }
        assert_eq!(same[0]["outcome"], theirs["outcome"]);
    }

    // What webchat sent and heard back is what the proxy recorded, and the checker says
    // of webchat's view what the proxy's record says.
    let state = pair.webchat_state();
    let callbacks = state["callbacks"].as_array().expect("the callback log");
    assert!(!callbacks.is_empty());
    for sent in callbacks {
        let path = sent["path"].as_str().unwrap();
        let recorded = ours
            .iter()
            .find(|o| {
                o["path"] == path
                    && serde_json::from_str::<Value>(o["requestBody"].as_str().unwrap()).ok()
                        == Some(sent["request"].clone())
            })
            .unwrap_or_else(|| panic!("the proxy recorded {sent:#}"));
        let answer: Value =
            serde_json::from_str(recorded["responseBody"].as_str().unwrap()).unwrap();
        assert_eq!(answer, sent["answer"], "the answer webchat heard to {path}");
        let operation = recorded["operation"].as_str();
        let body_findings = wxsim_engine::contract::body_findings(
            operation,
            &sent["request"].to_string(),
            sent["status"].as_u64().map(|s| s as u16),
            Some(&sent["answer"].to_string()),
        );
        let findings: Vec<wxsim_engine::protocol::Finding> =
            serde_json::from_value(recorded["findings"].clone()).unwrap();
        for finding in body_findings {
            assert!(findings.contains(&finding), "{finding:?} of {path}");
        }
    }
    let download = state["media"]
        .as_object()
        .unwrap()
        .values()
        .find(|m| m["ok"] == true)
        .expect("a downloaded file");
    let sha256 = download["sha256"].as_str().unwrap();
    assert!(ours.iter().any(|o| o["operation"] == "/wechat/"
        && o["responseBody"].as_str().unwrap().contains(&format!(
            "{} bytes of image/png, sha256 {sha256}",
            PIXEL.len()
        ))));

    // The conversation is rebuilt from the ids: the customer, the state, the transcript,
    // the picture.
    let customer = hosting.call("GET", &format!("/api/customers/{id}"), None);
    let seen = seen_customer(proxy, &customer);
    assert_eq!(seen["nickname"], "Lin");
    assert_eq!(seen["state"], "rated");
    let conversation =
        |side: &Serve, c: &Value| transcript(side, c["conversationId"].as_i64().unwrap());
    assert_eq!(
        conversation(proxy, &seen),
        conversation(hosting, &customer),
        "the transcripts"
    );
    for other in others {
        let theirs = hosting.call("GET", &format!("/api/customers/{other}"), None);
        let ours = seen_customer(proxy, &theirs);
        assert_eq!(ours["state"], theirs["state"], "{}", theirs["nickname"]);
        assert_eq!(
            conversation(proxy, &ours),
            conversation(hosting, &theirs),
            "the transcripts of {}",
            theirs["nickname"]
        );
    }
    let media_id = download["mediaId"].as_str().unwrap();
    let picture = client()
        .get(format!("{}/api/media/{media_id}", proxy.api()))
        .bearer_auth("proxy")
        .send()
        .unwrap();
    assert_eq!(picture.status().as_u16(), 200);
    assert_eq!(picture.bytes().unwrap().as_ref(), PIXEL);

    // The proxy only watches: it plays no customer of its own.
    let refused = client()
        .post(format!(
            "{}/api/customers/{}/request-chat",
            proxy.api(),
            seen["id"]
        ))
        .bearer_auth("proxy")
        .send()
        .unwrap();
    assert_eq!(refused.status().as_u16(), 409);
    let refused: Value = refused.json().unwrap();
    assert_eq!(refused["error"]["kind"], "observing");
    assert_eq!(proxy.call("GET", "/api/info", None)["observing"], true);

    // Webchat goes away mid-conversation: the hosting service hears a gateway's 502 with a
    // JSON body, and the proxy records it and keeps running.
    let second = chatting(hosting, "Mo", 1);
    pair.webchat.take().unwrap().kill();
    let hosting = &pair.hosting;
    let proxy = pair.proxy();
    let failed = client()
        .post(format!("{}/api/customers/{second}/messages", hosting.api()))
        .bearer_auth("hosting")
        .json(&json!({"msgType": "text", "content": "hello?"}))
        .send()
        .unwrap();
    assert_eq!(failed.status().as_u16(), 502, "the hosting API's answer");
    let last = exchanges(hosting)
        .into_iter()
        .rev()
        .find(|e| e["operation"] == "getmsg.do")
        .unwrap();
    assert_eq!(last["status"], 502, "{last:#}");
    let gateway: Value = serde_json::from_str(last["responseBody"].as_str().unwrap())
        .expect("the 502 has a JSON body");
    assert_eq!(gateway["error"]["kind"], "bad_gateway");
    assert_eq!(gateway["error"]["side"], "webchat");
    assert!(gateway["error"]["message"]
        .as_str()
        .unwrap()
        .contains("gave no answer"));
    let recorded = wait("the proxy records the 502", 20, || {
        exchanges(proxy)
            .into_iter()
            .find(|e| e["operation"] == "getmsg.do" && e["status"] == 502)
    });
    assert_eq!(recorded["responseBody"], last["responseBody"]);
    assert_eq!(recorded["outcome"], "failed");

    // Webchat comes back (without the session): the hosting service re-sends the message,
    // webchat refuses it, and the proxy's transcript keeps one line for it, as the hosting
    // service's does.
    let address = pair
        .webchat_url
        .trim_start_matches("http://")
        .trim_end_matches("/webchat");
    let back = Serve::spawn(
        &["webchat", "--listen", address, "--ari", &pair.ari],
        "",
        "ari",
    );
    let lost = transcript_messages(hosting, second)
        .into_iter()
        .find(|m| m["text"] == "hello?")
        .unwrap();
    let resent = client()
        .post(format!(
            "{}/api/messages/{}/resend",
            hosting.api(),
            lost["id"]
        ))
        .bearer_auth("hosting")
        .send()
        .unwrap();
    assert_eq!(
        resent.status().as_u16(),
        422,
        "webchat no longer knows the session"
    );
    let theirs = hosting.call("GET", &format!("/api/customers/{second}"), None);
    wait("the proxy records the re-send", 20, || {
        (exchanges(proxy).len() == exchanges(hosting).len()).then_some(())
    });
    let ours = seen_customer(proxy, &theirs);
    let lines = |side: &Serve, c: &Value| transcript(side, c["conversationId"].as_i64().unwrap());
    assert_eq!(
        lines(proxy, &ours),
        lines(hosting, &theirs),
        "one line for the re-sent message"
    );
    drop(back);
    let info = client()
        .get(format!("{}/api/info", proxy.api()))
        .bearer_auth("proxy")
        .send()
        .unwrap();
    assert_eq!(info.status().as_u16(), 200, "the proxy keeps running");
}

#[test]
fn a_chat_that_began_before_the_proxy_started_is_taken_up() {
    let mut pair = Pair::start();
    let hosting = &pair.hosting;
    let id = chatting(hosting, "Ann", 1);
    // What the hosting service logged so far went past another proxy, now gone; a new one
    // with an empty history takes its place, in the middle of the chat.
    wait("the greeting arrives", 20, || {
        transcript(
            hosting,
            conversation_of(hosting, id)["id"].as_i64().unwrap(),
        )
        .iter()
        .any(|l| l[0] == "in")
        .then_some(())
    });
    let before = exchanges(&pair.hosting).len();
    let fresh = tempfile::tempdir().unwrap();
    pair.restart_proxy(fresh.path().to_str().unwrap());
    let (hosting, proxy) = (&pair.hosting, pair.proxy());
    let sent = hosting.call(
        "POST",
        &format!("/api/customers/{id}/messages"),
        Some(json!({"msgType": "text", "content": "Are you still there?"})),
    );
    assert_eq!(sent["delivery"], "sent", "{sent}");
    let conversation = sent["conversationId"].as_i64().unwrap();
    wait("the agent answers", 20, || {
        (transcript(hosting, conversation)
            .iter()
            .filter(|l| l[0] == "in")
            .count()
            >= 2)
            .then_some(())
    });
    hosting.call("POST", &format!("/api/customers/{id}/close"), None);

    let (theirs, ours) = wait("the new proxy records what passed it", 20, || {
        let theirs = exchanges(hosting).split_off(before);
        let ours = exchanges(proxy);
        (ours.len() == theirs.len()).then_some((theirs, ours))
    });
    for theirs in &theirs {
        let same = same_as(&ours, theirs);
        assert_eq!(same.len(), 1, "the new proxy recorded {theirs:#}");
        assert_eq!(
            same[0]["findings"], theirs["findings"],
            "no unknown session: {}",
            theirs["operation"]
        );
    }
    let customer = hosting.call("GET", &format!("/api/customers/{id}"), None);
    let taken_up = seen_customer(proxy, &customer);
    assert_eq!(taken_up["state"], "closed");
    let lines = transcript(proxy, taken_up["conversationId"].as_i64().unwrap());
    assert!(
        lines
            .iter()
            .any(|l| l[0] == "out" && l[2] == "Are you still there?" && l[3] == "sent"),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l[0] == "in"),
        "the agent's answer: {lines:?}"
    );
}
