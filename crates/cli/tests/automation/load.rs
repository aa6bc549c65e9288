//! `wxsim load`: a small run completes every conversation with sane figures; limits hold.

use serde_json::Value;

use crate::{stderr, stdout, wxsim};

#[test]
fn a_small_load_completes_every_conversation_and_reports_ordered_percentiles() {
    let out = wxsim(&["load", "--customers", "5", "--messages", "3", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s: Value = serde_json::from_str(&stdout(&out)).expect("a JSON summary");
    assert_eq!(s["conversationsStarted"], 5);
    assert_eq!(s["conversationsCompleted"], 5);
    assert_eq!(s["messagesSent"], 15);
    assert_eq!(s["repliesReceived"], 15);
    assert_eq!(s["errors"], serde_json::json!({}));
    assert!(s["messagesPerSec"].as_f64().unwrap() > 0.0);
    assert!(s["conversationsPerSec"].as_f64().unwrap() > 0.0);
    for (what, count) in [
        ("createcon.do", 5),
        ("getmsg.do", 15),
        ("closecon.do", 5),
        ("ratesession.do", 5),
        ("reply round trip", 15),
        ("accept", 5),
    ] {
        let l = &s["latencyMs"][what];
        assert_eq!(l["count"], count, "{what}: {l}");
        let (p50, p90, p99, max) = (
            l["p50"].as_f64().unwrap(),
            l["p90"].as_f64().unwrap(),
            l["p99"].as_f64().unwrap(),
            l["max"].as_f64().unwrap(),
        );
        assert!(
            0.0 < p50 && p50 <= p90 && p90 <= p99 && p99 <= max,
            "{what}: {l}"
        );
    }
}

#[test]
fn load_refuses_oversized_runs_and_remote_targets() {
    let out = wxsim(&["load", "--customers", "10001"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("above the limit of 10000"),
        "{}",
        stderr(&out)
    );
    let out = wxsim(&["load", "--duration", "3601"]);
    assert!(
        stderr(&out).contains("above the limit of 3600"),
        "{}",
        stderr(&out)
    );
    let out = wxsim(&["load", "--webchat-url", "http://203.0.113.9:8080/webchat"]);
    assert!(stderr(&out).contains("--allow-remote"), "{}", stderr(&out));
}

#[test]
fn a_short_soak_with_faults_on_has_only_the_errors_it_asked_for() {
    let out = wxsim(&[
        "load",
        "--customers",
        "3",
        "--messages",
        "2",
        "--duration",
        "7",
        "--faults",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s: Value = serde_json::from_str(&stdout(&out)).expect("a JSON summary");
    assert!(
        s["faultsInjected"].as_u64().unwrap() >= 1,
        "a refusal was armed: {s}"
    );
    assert_eq!(s["unexpectedErrors"], 0, "{s}");
    assert!(s["conversationsCompleted"].as_u64().unwrap() >= 3, "{s}");
    assert!(s["rssStartKb"].as_u64().unwrap() > 0 && s["rssEndKb"].as_u64().unwrap() > 0);
}
