//! `wxsim serve` and `wxsim webchat` run as a user runs them: real processes, real ports.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "support/serve.rs"]
mod support;

use support::{client, Serve};

#[test]
fn serve_runs_on_the_embedded_simulator_and_its_api_holds_a_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let p = Serve::start(data, "secret", &[]);
    assert!(
        p.get("webchat").ends_with("/webchat (embedded simulator)"),
        "{:?}",
        p.lines
    );
    assert!(p.get("listener").starts_with("http://127.0.0.1:"));
    assert_eq!(p.get("token"), "secret");
    assert_eq!(p.get("data"), data);
    let api = p.get("api").to_owned();
    let http = client();

    let denied = http.get(format!("{api}/api/customers")).send().unwrap();
    assert_eq!(denied.status().as_u16(), 401);
    let foreign = http
        .get(format!("{api}/api/customers"))
        .bearer_auth("secret")
        .header("origin", "http://evil.example")
        .send()
        .unwrap();
    assert_eq!(foreign.status().as_u16(), 403);

    let customer: Value = http
        .post(format!("{api}/api/customers"))
        .bearer_auth("secret")
        .json(&json!({"nickname": "Mei", "skillGroup": 1}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = customer["id"].as_i64().unwrap();
    let requested = http
        .post(format!("{api}/api/customers/{id}/request-chat"))
        .bearer_auth("secret")
        .send()
        .unwrap();
    assert_eq!(requested.status().as_u16(), 200);

    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let c: Value = http
            .get(format!("{api}/api/customers/{id}"))
            .bearer_auth("secret")
            .send()
            .unwrap()
            .json()
            .unwrap();
        if c["state"] == "chatting" {
            break;
        }
        assert!(Instant::now() < deadline, "never got chatting: {c}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let sent: Value = http
        .post(format!("{api}/api/customers/{id}/messages"))
        .bearer_auth("secret")
        .json(&json!({"msgType": "text", "content": "hello from the API"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(sent["delivery"], "sent");

    let wrong = http
        .post(format!("{api}/api/customers/{id}/request-chat"))
        .bearer_auth("secret")
        .send()
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 409);
    let body: Value = wrong.json().unwrap();
    assert_eq!(body["error"]["kind"], "wrong_state");

    let bad_profile = http
        .put(format!("{api}/api/profile"))
        .bearer_auth("secret")
        .json(&json!({"name": "x", "webchatUrl": "ftp://nope"}))
        .send()
        .unwrap();
    assert_eq!(bad_profile.status().as_u16(), 422);
    let body: Value = bad_profile.json().unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("webchatUrl"),
        "{body}"
    );
}

#[test]
fn the_event_stream_reports_changes() {
    let dir = tempfile::tempdir().unwrap();
    let p = Serve::start(dir.path().to_str().unwrap(), "t", &[]);
    let api = p.get("api").to_owned();
    let http = client();
    let mut stream = BufReader::new(
        http.get(format!("{api}/api/events?token=t"))
            .send()
            .unwrap(),
    );
    http.post(format!("{api}/api/customers"))
        .bearer_auth("t")
        .json(&json!({"nickname": "Evented", "skillGroup": 2}))
        .send()
        .unwrap();
    let mut line = String::new();
    loop {
        line.clear();
        assert!(stream.read_line(&mut line).unwrap() > 0, "stream ended");
        if let Some(data) = line.strip_prefix("data: ") {
            let event: Value = serde_json::from_str(data).unwrap();
            assert_eq!(event["type"], "customerChanged");
            assert_eq!(event["customer"]["nickname"], "Evented");
            break;
        }
    }
}

#[test]
fn webchat_runs_alone_and_answers_the_interface() {
    let mut sim = Command::new(env!("CARGO_BIN_EXE_wxsim"))
        .args([
            "webchat",
            "--listen",
            "127.0.0.1:0",
            "--ari",
            "http://127.0.0.1:9",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = BufReader::new(sim.stdout.take().unwrap())
        .lines()
        .map(Result::unwrap)
        .find_map(|l| l.strip_prefix("webchat").map(|v| v.trim().to_owned()))
        .expect("the simulator prints its address");
    let http = client();
    let answer: Value = http
        .post(format!("{base}/createcon.do"))
        .json(&json!({"openId": "o1", "skillGroup": 77, "requestTime": 1}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(answer["result"], -4, "unknown skill group: {answer}");
    let bad = http
        .post(format!("{base}/getmsg.do"))
        .body("{oops")
        .send()
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    let pulse: Value = http
        .post(format!("{base}/pulse.do"))
        .json(&json!({"sessionId": 5, "openId": "o1", "createTime": ""}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_ne!(pulse["result"], 1, "no such session: {pulse}");
    sim.kill().unwrap();
    sim.wait().unwrap();
}
