//! Every result code and request status on demand, and malformed requests answered with a
//! JSON 4xx that names the problem while the server keeps serving.

use serde_json::{json, Value};
use wxsim_protocol::{Endpoint, RequestStatus, ResultCode};
use wxsim_webchat::{AgentConfig, FaultSpec, NextRequestStatus, SimConfig, SkillGroup};

use crate::rig::{quick_config, wait_until, Rig};

fn createcon(open_id: &str, group: i64) -> Value {
    json!({"openId": open_id, "skillGroup": group, "requestTime": 1512026448289i64})
}

#[tokio::test]
async fn every_result_code_is_answered_on_demand_then_service_resumes() {
    let rig = Rig::start().await;
    for code in [-1, -2, -3, -4, -5, -9, -10, -100, -77] {
        let fault = json!({"endpoint": "createcon.do", "result": code, "count": 1});
        assert_eq!(rig.control("faults", fault).await.0, 200);
        let (status, answer) = rig
            .call("createcon.do", createcon(&format!("f{code}"), 1))
            .await;
        assert_eq!((status, &answer["result"]), (200, &json!(code)), "{answer}");
        assert!(!answer["message"].as_str().unwrap().is_empty());
    }
    let (_, answer) = rig.call("createcon.do", createcon("after-faults", 1)).await;
    assert_eq!(answer["result"], 1);

    let control = rig.sim.control();
    control.inject_fault(FaultSpec {
        endpoint: Endpoint::GetQueueLength,
        result: ResultCode::NotInWorktime,
        count: 2,
        message: Some("closed for lunch".into()),
    });
    for _ in 0..2 {
        let (_, answer) = rig
            .call("getQueueLength.do", json!({"requestId": "R1"}))
            .await;
        assert_eq!(answer, json!({"result": -3, "message": "closed for lunch"}));
    }
    let (_, answer) = rig
        .call("getQueueLength.do", json!({"requestId": "R1"}))
        .await;
    assert_eq!(answer["result"], -10);
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn the_spec_outcomes_arise_from_the_state_itself() {
    let config = SimConfig {
        skill_groups: vec![SkillGroup::new(1, "Sales"), SkillGroup::new(3, "Night")],
        agents: vec![AgentConfig::new("A001", "Alice", &[1])],
        ..quick_config()
    };
    let rig = Rig::with_config(config).await;
    let (_, unknown_group) = rig.call("createcon.do", createcon("s1", 7)).await;
    assert_eq!(unknown_group["result"], -4);
    let (_, nobody) = rig.call("createcon.do", createcon("s1", 3)).await;
    assert_eq!(nobody["result"], -5);
    let mut pinned = createcon("s1", 1);
    pinned["agentId"] = json!("NOBODY");
    assert_eq!(rig.call("createcon.do", pinned).await.1["result"], -5);
    let msg = json!({"sessionId": 123, "agentId": "A001", "openId": "s1", "msgType": "text", "content": "hi"});
    let (_, no_session) = rig.call("getmsg.do", msg).await;
    assert_eq!(no_session["result"], -10);
    assert!(no_session["message"].as_str().unwrap().contains("123"));
    let pulse = json!({"sessionId": 123, "openId": "s1", "createTime": "", "transferInfo": ""});
    assert_eq!(rig.call("pulse.do", pulse).await.1["result"], -10);

    let session_id = rig.chat(json!("s2"), 1).await;
    let stranger = json!({"sessionId": session_id, "agentId": "A001", "openId": "s3", "msgType": "text", "content": "hi"});
    assert_eq!(rig.call("getmsg.do", stranger).await.1["result"], -9);
    let not_robot =
        json!({"sessionId": session_id, "openId": "s2", "createTime": "", "transferInfo": ""});
    assert_eq!(rig.call("transferCon.do", not_robot).await.1["result"], -2);
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn each_request_status_ends_the_next_request_on_demand() {
    let rig = Rig::start().await;
    for status in [2, 3, 4, 5, 6] {
        let (code, _) = rig
            .control(
                "next-request-status",
                json!({"status": status, "skillGroup": 1}),
            )
            .await;
        assert_eq!(code, 200);
        let open_id = format!("st{status}");
        let (_, answer) = rig.call("createcon.do", createcon(&open_id, 1)).await;
        assert_eq!(answer["result"], 1);
        let log = rig
            .wait_for(&json!(open_id), "the final status", |l| l.len() == 2)
            .await;
        assert_eq!(log[0].body["requestStatus"], 0);
        assert_eq!(log[1].path, "/ari/updateRequestStatus");
        assert_eq!(log[1].body["requestStatus"], status);
        assert!(!log[1].body["message"].as_str().unwrap().is_empty());
    }
    rig.sim.control().next_request_status(NextRequestStatus {
        status: RequestStatus::EnterpriseWechatAccepted,
        skill_group: None,
    });
    let open_id = json!("st11");
    rig.call("createcon.do", createcon("st11", 1)).await;
    let log = rig
        .wait_for(&open_id, "the create callback", |l| {
            l.iter().any(|r| r.is("/ari/create"))
        })
        .await;
    assert_eq!(log[1].body["requestStatus"], 11);

    // Only requests ended by a status were left without a chat.
    let state = rig.sim.control().state();
    assert_eq!(state.sessions.len(), 1);
    assert!(state.queue.is_empty());
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn malformed_requests_get_a_json_4xx_naming_the_problem() {
    let mut config = quick_config();
    config.max_body_bytes = 4096;
    let rig = Rig::with_config(config).await;
    let url = |path: &str| format!("http://{}{path}", rig.sim.addr());
    let post = |path: &str, body: &'static str| {
        rig.http
            .post(url(path))
            .header("content-type", "application/json")
            .body(body)
    };
    let cases = [
        (post("/webchat/createcon.do", "{not json"), 400, "JSON"),
        (post("/webchat/createcon.do", "[1, 2]"), 400, "object"),
        (
            post(
                "/webchat/createcon.do",
                r#"{"skillGroup": 1, "requestTime": 1}"#,
            ),
            400,
            "openId",
        ),
        (
            post(
                "/webchat/createcon.do",
                r#"{"openId": "x", "skillGroup": "abc", "requestTime": 1}"#,
            ),
            400,
            "skillGroup",
        ),
        (
            post(
                "/webchat/createcon.do",
                r#"{"openId": [1], "skillGroup": 1, "requestTime": 1}"#,
            ),
            400,
            "openId",
        ),
        (
            post(
                "/webchat/getmsg.do",
                r#"{"sessionId": 1, "agentId": "A", "openId": "x", "msgType": "image", "content": {"id": 1}}"#,
            ),
            400,
            "mediaId",
        ),
        (
            post(
                "/webchat/getmsg.do",
                r#"{"sessionId": 1, "agentId": "A", "openId": "x", "msgType": "sticker", "content": ""}"#,
            ),
            400,
            "msgType",
        ),
        (
            post("/webchat/nothing.do", "{}"),
            404,
            "/webchat/nothing.do",
        ),
        (rig.http.get(url("/webchat/createcon.do")), 405, "GET"),
        (
            post("/sim/faults", r#"{"endpoint": "nope.do", "result": -3}"#),
            400,
            "nope.do",
        ),
        (
            post("/sim/next-request-status", r#"{"status": "soon"}"#),
            400,
            "status",
        ),
        (
            post("/sim/config", r#"{"ariBase": "not a url"}"#),
            400,
            "ariBase",
        ),
        (
            rig.http
                .post(url("/webchat/createcon.do"))
                .body(vec![b' '; 8192]),
            413,
            "length limit",
        ),
    ];
    for (request, status, needle) in cases {
        let (code, answer) = rig.send(request).await;
        let message = answer["message"].as_str().unwrap_or_default();
        assert_eq!(code, status, "{answer}");
        assert_eq!(answer["result"], -100, "{answer}");
        assert!(
            message.contains(needle),
            "`{message}` should name `{needle}`"
        );
        let (_, ok) = rig
            .call("createcon.do", createcon("after-bad-input", 1))
            .await;
        assert!(
            ok["result"] == 1 || ok["result"] == -1 || ok["result"] == -2,
            "{ok}"
        );
    }
    let state = wait_until("acceptance", || {
        let state = rig.sim.control().state();
        (!state.sessions.is_empty()).then_some(state)
    })
    .await;
    assert_eq!(state.sessions[0].open_id.key(), "after-bad-input");
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn a_failing_hosting_side_is_recorded_and_never_fatal() {
    let mut config = quick_config();
    config.callback_timeout_ms = 300;
    let rig = Rig::with_config(config).await;
    let unreachable = "http://127.0.0.1:9".to_owned();
    rig.sim
        .control()
        .configure(wxsim_webchat::ConfigPatch {
            ari_base: Some(unreachable),
            ..Default::default()
        })
        .unwrap();
    let (_, answer) = rig.call("createcon.do", createcon("lost", 1)).await;
    assert_eq!(answer["result"], 1);
    let failures = wait_until("the failed callbacks", || {
        let state = rig.sim.control().state();
        let failed: Vec<_> = state.callbacks.into_iter().filter(|c| !c.ok()).collect();
        (failed.len() >= 5).then_some(failed)
    })
    .await;
    assert!(failures
        .iter()
        .all(|c| c.status.is_none() && c.error.is_some()));
    assert_eq!(rig.state().await["queue"], json!([]));
    rig.sim.shutdown().await;
}
