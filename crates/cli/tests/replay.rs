//! Save as scenario, end to end over real loopback HTTP: a conversation explored by hand
//! through the API of a running `wxsim serve` (all six message types with their media, a
//! transfer from the robot to a human agent, a close and a rating) is saved with
//! `wxsim history export --format scenario`, once with exact expectations and media files
//! beside it, once with "any reply" and the media inside it. `wxsim run` replays both
//! green against the embedded simulator. Against a simulator whose agent now introduces
//! herself by another name (its `/sim/agents` control), the exact replay fails at the
//! step that expected her greeting, and the any-reply one still passes.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

#[path = "support/serve.rs"]
mod support;

use support::{client, eventually, wxsim, Serve};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn media(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../scenarios/media")
            .join(name),
    )
    .unwrap()
}

/// `wxsim history export --format scenario` of a conversation with `more` arguments; what
/// it printed.
fn save(data: &str, conversation: &str, more: &[&str]) -> String {
    let export = [
        "history",
        "--data-dir",
        data,
        "export",
        "--format",
        "scenario",
    ];
    let out = wxsim(&[&export[..], &[conversation], more].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// `wxsim run ARGS`, which must exit with `code`; what it printed.
fn replay(args: &[&str], code: i32) -> String {
    let run = wxsim(&[&["run"], args].concat());
    let printed = text(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(code),
        "{printed}\n{}",
        text(&run.stderr)
    );
    printed
}

/// A customer played by hand through the API.
struct Explorer<'a> {
    serve: &'a Serve,
    customer: i64,
    conversation: i64,
}

impl Explorer<'_> {
    fn conversation(&self) -> Value {
        self.serve.call(
            "GET",
            &format!("/api/conversations/{}", self.conversation),
            None,
        )
    }

    fn agent_messages(&self) -> Vec<Value> {
        let all = self.serve.call(
            "GET",
            &format!("/api/conversations/{}/messages", self.conversation),
            None,
        );
        all.as_array()
            .unwrap()
            .iter()
            .filter(|m| m["direction"] == "in")
            .cloned()
            .collect()
    }

    fn act(&self, action: &str, body: Option<Value>) -> Value {
        self.serve.call(
            "POST",
            &format!("/api/customers/{}/{action}", self.customer),
            body,
        )
    }

    /// Sends a message and waits for the agent's answer to it.
    fn send(&self, content: Value) {
        let before = self.agent_messages().len();
        let sent = self.act("messages", Some(content.clone()));
        assert_eq!(sent["delivery"], "sent", "{content} → {sent}");
        eventually(&format!("the agent's answer to {content}"), || {
            (self.agent_messages().len() > before).then_some(())
        });
    }

    fn upload(&self, kind: &str, name: &str) -> String {
        let answer: Value = client()
            .post(format!(
                "{}/api/media?kind={kind}&name={name}",
                self.serve.api()
            ))
            .bearer_auth(&self.serve.token)
            .body(media(name))
            .send()
            .unwrap()
            .json()
            .unwrap();
        answer["mediaId"].as_str().unwrap().to_owned()
    }
}

/// A robot chat with every message type, handed over to Alice, closed and rated.
fn explore(serve: &Serve) -> i64 {
    let customer = serve.call(
        "POST",
        "/api/customers",
        Some(json!({"nickname": "Rita Replay", "skillGroup": 9})),
    );
    let customer = customer["id"].as_i64().unwrap();
    let conversation = serve.call(
        "POST",
        &format!("/api/customers/{customer}/request-chat"),
        None,
    );
    let me = Explorer {
        serve,
        customer,
        conversation: conversation["id"].as_i64().unwrap(),
    };
    eventually("the robot's greeting", || {
        (me.conversation()["state"] == "chatting" && !me.agent_messages().is_empty()).then_some(())
    });
    me.send(json!({"msgType": "text", "content": "I have a few things to show you"}));
    let image = me.upload("image", "cat.png");
    me.send(json!({"msgType": "image", "content": {"mediaId": image}}));
    let voice = me.upload("voice", "hello.amr");
    me.send(json!({"msgType": "voice", "content": {"mediaId": voice, "format": "amr", "recognition": "where is my parcel"}}));
    let (video, thumb) = (
        me.upload("video", "clip.mp4"),
        me.upload("thumb", "thumb.png"),
    );
    me.send(json!({"msgType": "video", "content": {"mediaId": video, "thumbMediaId": thumb}}));
    me.send(json!({"msgType": "location", "content": {"x": 114.0579, "y": 22.5431, "scale": 15, "label": "Futian, Shenzhen"}}));
    me.send(json!({"msgType": "link", "content": {"url": "https://example.com/order/42", "title": "Order 42", "description": "my order"}}));

    me.act("transfer", Some(json!({"info": "a person, please"})));
    eventually("Alice's greeting after the transfer", || {
        me.agent_messages()
            .iter()
            .any(|m| m["agentName"] == "Alice")
            .then_some(())
    });
    me.send(json!({"msgType": "text", "content": "thanks for taking over"}));
    me.act("close", None);
    eventually("the rating prompt", || {
        me.conversation()["ratingOptions"].is_array().then_some(())
    });
    me.act(
        "rate",
        Some(json!({"ratingId": "5", "comment": "quick and kind"})),
    );
    eventually("the rated state", || {
        (me.conversation()["state"] == "rated").then_some(())
    });
    me.conversation
}

/// The 1-based number of the first step that expects exactly words containing `name`.
fn step_expecting(scenario: &str, name: &str) -> usize {
    scenario
        .split("[[customer.step]]")
        .skip(1)
        .position(|step| {
            step.lines()
                .any(|l| l.starts_with("exact = ") && l.contains(name))
        })
        .unwrap_or_else(|| panic!("no step expects words with {name:?}:\n{scenario}"))
        + 1
}

/// `wxsim webchat` alone, calling the hosting service at `ari`; killed when dropped.
struct Webchat {
    child: Child,
    base: String,
    control: String,
}

impl Webchat {
    fn start(ari: &str) -> Webchat {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wxsim"))
            .args(["webchat", "--listen", "127.0.0.1:0", "--ari", ari])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (mut base, mut control) = (String::new(), String::new());
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            match line.split_whitespace().collect::<Vec<_>>()[..] {
                ["webchat", url] => base = url.to_owned(),
                ["control", url] => control = url.trim_end_matches("/state").to_owned(),
                ["ari", _] => break,
                _ => {}
            }
        }
        assert!(
            !base.is_empty() && !control.is_empty(),
            "webchat printed its addresses"
        );
        Webchat {
            child,
            base,
            control,
        }
    }
}

impl Drop for Webchat {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_conversation_explored_by_hand_replays_as_a_scenario_and_a_changed_reply_fails_its_step() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let serve = Serve::start(data, "t", &[]);
    let conversation = explore(&serve).to_string();

    let saved = dir.path().join("saved");
    std::fs::create_dir(&saved).unwrap();
    let exact = saved.join("replay.toml");
    save(
        data,
        &conversation,
        &["--expect", "exact", "-o", exact.to_str().unwrap()],
    );
    let scenario = std::fs::read_to_string(&exact).unwrap();
    let mut beside: Vec<String> = std::fs::read_dir(&saved)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "replay.toml")
        .collect();
    beside.sort();
    assert_eq!(
        beside,
        [
            "replay-1-cat.png",
            "replay-2-hello.amr",
            "replay-3-clip.mp4",
            "replay-4-thumb.png"
        ],
        "the media files go beside the scenario"
    );
    assert_eq!(
        std::fs::read(saved.join("replay-3-clip.mp4")).unwrap(),
        media("clip.mp4")
    );
    for step in ["request_chat", "transfer", "close", "rate"] {
        assert!(
            scenario.contains(&format!("do = \"{step}\"")),
            "{step}:\n{scenario}"
        );
    }
    assert_eq!(scenario.matches("do = \"send\"").count(), 7, "{scenario}");
    for kind in ["text", "image", "voice", "video", "location", "link"] {
        assert!(
            scenario.contains(&format!("\n{kind} = ")),
            "{kind}:\n{scenario}"
        );
    }
    assert!(scenario.contains("rating = \"5\""), "{scenario}");
    let greeting = step_expecting(&scenario, "Alice");

    let any = save(data, &conversation, &[]);
    assert!(
        any.contains("\n[media]"),
        "printed, the media go inside:\n{any}"
    );
    assert!(!any.contains("exact = "), "any reply by default:\n{any}");
    let elsewhere = dir.path().join("any.toml");
    std::fs::write(&elsewhere, &any).unwrap();

    let route = format!("{}/api/conversations/{conversation}/export", serve.api());
    let download = client()
        .get(format!("{route}?format=scenario"))
        .bearer_auth(&serve.token)
        .send()
        .unwrap();
    assert_eq!(
        download.headers()["content-disposition"],
        format!("attachment; filename=\"conversation-{conversation}.toml\"")
    );
    let downloaded = download.text().unwrap();
    assert_eq!(
        downloaded.replace(&format!("conversation-{conversation}"), "NAME"),
        any.replace(&format!("conversation-{conversation}"), "NAME"),
        "the API's download is the CLI's printed scenario"
    );
    let refused = client()
        .get(format!("{route}?format=scenario&expect=fuzzy"))
        .bearer_auth(&serve.token)
        .send()
        .unwrap();
    assert_eq!(refused.status(), 422);
    let refused: Value = refused.json().unwrap();
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("any, exact, regex"),
        "{refused}"
    );
    serve.kill();

    let printed = replay(&[exact.to_str().unwrap(), elsewhere.to_str().unwrap()], 0);
    assert!(printed.contains("2 of 2 scenarios passed"), "{printed}");

    let callbacks = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = callbacks.local_addr().unwrap().to_string();
    drop(callbacks);
    let webchat = Webchat::start(&format!("http://{listen}"));
    let renamed = client()
        .post(format!("{}/agents", webchat.control))
        .json(&json!({"id": "A001", "name": "Alicia"}))
        .send()
        .unwrap();
    assert!(renamed.status().is_success(), "{:?}", renamed.text());
    let printed = replay(
        &[
            "--webchat-url",
            &webchat.base,
            "--listen",
            &listen,
            exact.to_str().unwrap(),
            elsewhere.to_str().unwrap(),
        ],
        1,
    );
    assert!(printed.contains("1 of 2 scenarios passed"), "{printed}");
    let failure = printed
        .lines()
        .find(|l| l.starts_with('✗'))
        .unwrap_or_else(|| panic!("no failure line:\n{printed}"));
    assert!(
        failure.contains(&format!("step {greeting} (expect_agent saying exactly")),
        "the failure names the greeting's step {greeting}: {failure}"
    );
    assert!(
        failure.contains("Alicia"),
        "and what the agent said instead: {failure}"
    );
}
