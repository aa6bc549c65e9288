//! `wxsim check` reports what a webchat did wrong; `wxsim spec` prints the interface.

use serde_json::{json, Value};

#[path = "support/serve.rs"]
mod support;

use support::{client, wxsim, Serve};

#[test]
fn check_reports_findings_of_a_database_as_markdown_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let serve = Serve::start(data, "t", &[]);
    let answer: Value = client()
        .post(format!("{}/ari/updateRequestStatus", serve.listener()))
        .json(&json!({"requestId": "R1", "requestStatus": 99, "openId": "nobody"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(answer["result"], -9);
    serve.kill();

    let md = wxsim(&["check", "--data-dir", data]);
    assert!(md.status.success());
    let text = String::from_utf8(md.stdout).unwrap();
    assert!(text.contains("| code | Warning | 1 |"), "{text}");
    assert!(text.contains("unknown_open_id"), "{text}");

    let json_out = wxsim(&["check", "--data-dir", data, "--format", "json"]);
    let report: Value = serde_json::from_slice(&json_out.stdout).unwrap();
    assert_eq!(report["exchangesWithFindings"], 1);
    assert_eq!(
        report["details"][0]["operation"],
        "/ari/updateRequestStatus"
    );

    let strict = wxsim(&["check", "--data-dir", data, "--fail-on-error"]);
    assert_eq!(
        strict.status.code(),
        Some(1),
        "an error-level finding fails the check"
    );
    let future = wxsim(&[
        "check",
        "--data-dir",
        data,
        "--since",
        "2999-01-01",
        "--fail-on-error",
    ]);
    assert!(
        future.status.success(),
        "an empty range has nothing to report"
    );
}

#[test]
fn spec_prints_the_shipped_openapi_document() {
    let out = wxsim(&["spec"]);
    assert!(out.status.success());
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let shipped: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/interface.openapi.json"
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(printed, shipped);
    assert_eq!(printed["openapi"], "3.1.0");
}
