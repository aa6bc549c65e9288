//! `wxsim report` over a database real traffic filled through a running `wxsim serve`: a
//! chat, a `getmsg.do` the simulator was told to answer with an unknown result code (its
//! fault injection) and a callback with a field of the wrong type. The JSON form counts
//! every rule, timing and result code as the wire log holds them; the HTML form is one
//! page with no script and no external asset, its quoted text escaped.

use std::process::Output;

use serde_json::{json, Value};

#[path = "support/serve.rs"]
mod support;

use support::{client, eventually, Serve};

fn wxsim(args: &[&str]) -> Output {
    let out = support::wxsim(args);
    assert!(
        out.status.success(),
        "wxsim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

const HOSTILE: &str = "<img src=x onerror=\"window.__pwned=1\">";

#[test]
fn the_report_counts_rules_timings_and_codes_of_real_traffic() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let serve = Serve::start(data, "t", &[]);
    let customer = serve.call(
        "POST",
        "/api/customers",
        Some(json!({"nickname": "Rae Report", "skillGroup": 1})),
    )["id"]
        .as_i64()
        .unwrap();
    serve.call(
        "POST",
        &format!("/api/customers/{customer}/request-chat"),
        None,
    );
    eventually("chatting", || {
        (serve.call("GET", &format!("/api/customers/{customer}"), None)["state"] == "chatting")
            .then_some(())
    });
    let send = |text: &str| {
        serve.call(
            "POST",
            &format!("/api/customers/{customer}/messages"),
            Some(json!({"msgType": "text", "content": text})),
        )
    };
    assert_eq!(send("hello there")["delivery"], "sent");
    serve.call(
        "POST",
        "/api/simulator/faults",
        Some(json!({"endpoint": "getmsg.do", "result": 42})),
    );
    assert_eq!(
        send("and again")["error"]["code"],
        42,
        "webchat answered 42"
    );
    let refused: Value = client()
        .post(format!("{}/ari/updateRequestStatus", serve.listener()))
        .json(&json!({"requestId": "R1", "requestStatus": 0, "openId": "nobody", "queueLength": HOSTILE}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_ne!(refused["result"], 1);
    let logged = serve.call("GET", "/api/exchanges?limit=10000", None);
    let logged = logged.as_array().unwrap().clone();
    serve.kill();

    let report: Value =
        serde_json::from_slice(&wxsim(&["report", "--data-dir", data, "--format", "json"]).stdout)
            .unwrap();
    assert_eq!(report["exchanges"], logged.len());
    let with_findings = logged
        .iter()
        .filter(|e| !e["findings"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(report["exchangesWithFindings"], with_findings);
    assert_eq!(report["details"].as_array().unwrap().len(), with_findings);

    let checks = report["checks"].as_array().unwrap();
    assert_eq!(
        checks.len(),
        wxsim_protocol::RULES.len(),
        "every rule, broken or not"
    );
    let check = |rule: &str| {
        checks
            .iter()
            .find(|c| c["rule"] == rule)
            .unwrap_or_else(|| panic!("no rule {rule}: {checks:?}"))
    };
    let interface = logged
        .iter()
        .filter(|e| {
            e["operation"]
                .as_str()
                .and_then(wxsim_protocol::Operation::from_name)
                .is_some()
        })
        .count();
    assert_eq!(
        check("shape")["checked"],
        interface,
        "body rules check every interface exchange"
    );
    assert_eq!(check("shape")["failed"], 0);
    assert_eq!(check("code")["failed"], 1, "the unknown result 42");
    assert_eq!(check("code")["worst"], "warning");
    assert_eq!(check("type")["failed"], 1, "queueLength is not an integer");
    assert_eq!(check("type")["worst"], "error");
    let getmsgs = logged
        .iter()
        .filter(|e| e["operation"] == "getmsg.do")
        .count();
    assert_eq!(
        check("content")["checked"],
        getmsgs,
        "content is checked on getmsg.do only"
    );
    for c in checks {
        assert_eq!(
            c["passed"].as_u64().unwrap() + c["failed"].as_u64().unwrap(),
            c["checked"].as_u64().unwrap(),
            "{c}"
        );
    }

    let timings = report["timings"].as_array().unwrap();
    let getmsg = timings
        .iter()
        .find(|t| t["operation"] == "getmsg.do" && t["direction"] == "out")
        .unwrap();
    assert_eq!(getmsg["count"], 2);
    let ms = |k: &str| getmsg[k].as_f64().unwrap();
    assert!(ms("p50Ms") <= ms("p95Ms") && ms("p95Ms") <= ms("p99Ms") && ms("p99Ms") <= ms("maxMs"));
    let counted: u64 = timings.iter().map(|t| t["count"].as_u64().unwrap()).sum();
    assert_eq!(
        counted as usize,
        logged.iter().filter(|e| e["operation"].is_string()).count()
    );

    let codes = report["resultCodes"].as_array().unwrap();
    let code = |op: &str, code: i64| {
        codes
            .iter()
            .find(|c| c["operation"] == op && c["code"] == code)
            .map_or(0, |c| c["count"].as_u64().unwrap())
    };
    assert_eq!((code("getmsg.do", 1), code("getmsg.do", 42)), (1, 1));
    assert_eq!(code("createcon.do", 1), 1);

    let page = dir.path().join("report.html");
    wxsim(&[
        "report",
        "--data-dir",
        data,
        "--out",
        page.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(page).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    assert!(!html.contains("<script") && !html.contains("<img"));
    assert!(
        html.contains("&lt;img src=x onerror="),
        "the hostile text is quoted, escaped"
    );
    assert!(html.contains(&format!(
        "data-rule=\"code\" data-checked=\"{}\" data-passed=\"{}\" data-failed=\"1\"",
        check("code")["checked"],
        check("code")["passed"]
    )));
}
