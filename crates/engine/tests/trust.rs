//! The contract checker's state rules, strict mode, repeats, the outbox, listener faults
//! and access guards, over loopback against the simulator.

mod common;

use std::time::Duration;

use common::{eventually, start_engine, Rig};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use wxsim_engine::faults::{FaultAction, ListenerFault};
use wxsim_engine::protocol::MessageContent;
use wxsim_engine::{Delivery, Direction, Exchange, ExchangeFilter, Profile, SystemLine};

async fn post(url: &str, body: Value, secret: Option<&str>) -> (u16, Value) {
    common::post(url, body.to_string(), secret).await
}

async fn last_exchange(rig: &Rig, operation: &str) -> Exchange {
    rig.engine
        .exchanges(&ExchangeFilter {
            operation: Some(operation.into()),
            limit: Some(1),
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0)
}

fn rules(e: &Exchange) -> Vec<&str> {
    e.findings.iter().map(|f| f.rule.as_str()).collect()
}

fn msg_body(session: &str, content: &str, msg_time: i64) -> Value {
    json!({"sessionId": session.parse::<i64>().unwrap(), "agentId": "A001", "openId": "o", "epid": "wxsim-demo", "msgTime": msg_time, "content": content})
}

#[tokio::test(flavor = "multi_thread")]
async fn the_embedded_simulator_breaks_no_rule() {
    let rig = Rig::start().await;
    let (customer, _) = rig.chatting("Clean", 1).await;
    rig.engine
        .send_message(customer.id, MessageContent::Text("hi".into()))
        .await
        .unwrap();
    rig.engine.close(customer.id).await.unwrap();
    eventually("the rating prompt", || async {
        rig.conversation(&customer).await.rating_options
    })
    .await;
    rig.engine.rate(customer.id, "1", "").await.unwrap();
    let report = rig.engine.contract_report(None, None).await.unwrap();
    assert!(report.exchanges >= 10, "{} exchanges", report.exchanges);
    assert_eq!(report.exchanges_with_findings, 0, "{}", report.markdown());
    assert!(report.markdown().contains("No findings"));
}

#[tokio::test(flavor = "multi_thread")]
async fn body_rules_flag_a_breach_and_pass_a_conforming_callback() {
    let rig = Rig::start().await;
    let (_, conversation) = rig.chatting("Rules", 1).await;
    let session = conversation.session_id.clone().unwrap();
    let url = format!("{}/ari/msg", rig.engine.callback_base());
    let now = wxsim_engine::protocol::clock::now_ms();

    post(&url, msg_body(&session, "fine", now), None).await;
    assert_eq!(
        rules(&last_exchange(&rig, "/ari/msg").await),
        Vec::<&str>::new()
    );

    let mut seconds = msg_body(&session, "in seconds", now / 1000);
    seconds["extra"] = json!(true);
    let (status, answer) = post(&url, seconds, None).await;
    assert_eq!(
        (status, answer["result"].as_i64()),
        (200, Some(1)),
        "lenient: accepted and flagged"
    );
    assert_eq!(
        rules(&last_exchange(&rig, "/ari/msg").await),
        vec!["timestamp", "unknown_field"]
    );

    let report = rig.engine.contract_report(None, None).await.unwrap();
    assert_eq!(report.exchanges_with_findings, 1);
    assert_eq!(report.conversations.len(), 1);
    assert_eq!(
        rig.engine
            .conversation(conversation.id)
            .await
            .unwrap()
            .finding_count,
        2,
        "summed per conversation"
    );
    assert!(
        report.markdown().contains("| timestamp | Warning | 1 |"),
        "{}",
        report.markdown()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn state_rules_unknown_session_duplicate_create_backwards_status_and_repeats() {
    let rig = Rig::start().await;
    let (customer, conversation) = rig.chatting("State", 1).await;
    let base = rig.engine.callback_base();
    let session = conversation.session_id.clone().unwrap();

    post(
        &format!("{base}/ari/close"),
        json!({"sessionId": 424242}),
        None,
    )
    .await;
    assert!(rules(&last_exchange(&rig, "/ari/close").await).contains(&"unknown_session"));

    let create = json!({"result": 1, "message": "ok", "agentId": "A001", "agentName": "Alice", "sessionId": session.parse::<i64>().unwrap(),
        "responseTime": wxsim_engine::protocol::clock::now_ms(), "openId": customer.open_id, "epid": "wxsim-demo"});
    let (_, answer) = post(&format!("{base}/ari/create"), create, None).await;
    assert_eq!(answer["result"], 1);
    assert_eq!(
        rules(&last_exchange(&rig, "/ari/create").await),
        vec!["duplicate_create"]
    );

    let status = json!({"requestId": conversation.request_id.clone().unwrap(), "requestStatus": 0, "openId": customer.open_id, "queueLength": 3, "message": ""});
    post(&format!("{base}/ari/updateRequestStatus"), status, None).await;
    assert_eq!(
        rules(&last_exchange(&rig, "/ari/updateRequestStatus").await),
        vec!["status_backwards"]
    );

    let url = format!("{base}/ari/msg");
    let body = msg_body(
        &session,
        "said twice",
        wxsim_engine::protocol::clock::now_ms(),
    );
    assert_eq!(post(&url, body.clone(), None).await.1["result"], 1);
    assert_eq!(
        post(&url, body, None).await.1["result"],
        1,
        "a repeat is acknowledged"
    );
    assert_eq!(
        rules(&last_exchange(&rig, "/ari/msg").await),
        vec!["repeat"]
    );
    let stored = rig.engine.messages(conversation.id).await.unwrap();
    assert_eq!(
        stored.iter().filter(|m| m.text == "said twice").count(),
        1,
        "stored once"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn strict_mode_refuses_a_breach_naming_the_field() {
    let rig = Rig::start().await;
    let (_, conversation) = rig.chatting("Strict", 1).await;
    rig.engine
        .set_profile(Profile {
            strict_contract: true,
            ..rig.engine.profile()
        })
        .await
        .unwrap();
    let session = conversation.session_id.unwrap();
    let mut body = msg_body(&session, "no time", 0);
    body.as_object_mut().unwrap().remove("msgTime");
    let (_, answer) = post(
        &format!("{}/ari/msg", rig.engine.callback_base()),
        body,
        None,
    )
    .await;
    assert_eq!(answer["result"], -100);
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("`msgTime` is required"),
        "{answer}"
    );
    let stored = rig.engine.messages(conversation.id).await.unwrap();
    assert!(
        !stored.iter().any(|m| m.text == "no time"),
        "a refused callback is not applied"
    );
    let (_, answer) = post(
        &format!("{}/ari/msg", rig.engine.callback_base()),
        msg_body(&session, "on time", wxsim_engine::protocol::clock::now_ms()),
        None,
    )
    .await;
    assert_eq!(answer["result"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn listener_faults_answer_as_told_then_disarm_and_the_chat_says_so() {
    let rig = Rig::start().await;
    let (_, conversation) = rig.chatting("Faulty", 1).await;
    let session = conversation.session_id.clone().unwrap();
    // The agent's greeting must not meet the faults armed for the test's own calls.
    eventually("the greeting", || async {
        let messages = rig.engine.messages(conversation.id).await.unwrap();
        messages
            .iter()
            .any(|m| m.direction == Direction::In)
            .then_some(())
    })
    .await;
    let url = format!("{}/ari/msg", rig.engine.callback_base());
    let fault = |action, remaining| ListenerFault {
        path: "/ari/msg".into(),
        action,
        remaining: Some(remaining),
        share: None,
    };
    rig.engine
        .set_listener_faults(vec![fault(FaultAction::Result { code: -100 }, 1)])
        .unwrap();
    assert_eq!(
        post(
            &url,
            msg_body(&session, "f1", wxsim_engine::protocol::clock::now_ms()),
            None
        )
        .await
        .1["result"],
        -100
    );
    assert!(
        rig.engine.listener_faults().is_empty(),
        "disarmed after one call"
    );

    rig.engine
        .set_listener_faults(vec![fault(FaultAction::Status { status: 503 }, 1)])
        .unwrap();
    assert_eq!(
        post(
            &url,
            msg_body(&session, "f2", wxsim_engine::protocol::clock::now_ms()),
            None
        )
        .await
        .0,
        503
    );

    rig.engine
        .set_listener_faults(vec![fault(FaultAction::Drop, 1)])
        .unwrap();
    let dropped = reqwest::Client::new()
        .post(&url)
        .json(&msg_body(
            &session,
            "f3",
            wxsim_engine::protocol::clock::now_ms(),
        ))
        .send()
        .await;
    let body = match dropped {
        Ok(resp) => resp.bytes().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(body.is_err(), "the connection was dropped mid-answer");

    rig.engine
        .set_listener_faults(vec![fault(FaultAction::Delay { ms: 50 }, 1)])
        .unwrap();
    assert_eq!(
        post(
            &url,
            msg_body(&session, "f4", wxsim_engine::protocol::clock::now_ms()),
            None
        )
        .await
        .1["result"],
        1
    );

    rig.engine
        .set_listener_faults(vec![ListenerFault {
            path: "*".into(),
            action: FaultAction::Result { code: -5 },
            remaining: None,
            share: Some(0.0),
        }])
        .unwrap();
    assert_eq!(
        post(
            &url,
            msg_body(&session, "f5", wxsim_engine::protocol::clock::now_ms()),
            None
        )
        .await
        .1["result"],
        1,
        "a share of 0 never fires"
    );

    let texts: Vec<String> = rig
        .engine
        .messages(conversation.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.direction == Direction::In)
        .map(|m| m.text)
        .collect();
    assert!(
        !texts.iter().any(|t| t == "f1" || t == "f2" || t == "f3"),
        "failed answers applied nothing"
    );
    assert!(texts.iter().any(|t| t == "f4") && texts.iter().any(|t| t == "f5"));
    // The chat says where a fault changed what happened (not for the delay: it was applied).
    let noted: Vec<SystemLine> = rig
        .engine
        .messages(conversation.id)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| m.line)
        .filter(|l| matches!(l, SystemLine::FaultInjected { .. }))
        .collect();
    let at = |action| SystemLine::FaultInjected {
        path: "/ari/msg".into(),
        action,
    };
    assert_eq!(
        noted,
        vec![
            at(FaultAction::Result { code: -100 }),
            at(FaultAction::Status { status: 503 }),
            at(FaultAction::Drop)
        ]
    );
    assert!(rig
        .engine
        .set_listener_faults(vec![ListenerFault {
            path: "/nope".into(),
            action: FaultAction::Drop,
            remaining: None,
            share: None
        }])
        .is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_allow_list_and_the_shared_secret_guard_the_listener() {
    let rig = Rig::start().await;
    let url = format!("{}/ari/close", rig.engine.callback_base());
    let good = rig.engine.profile();
    rig.engine
        .set_profile(Profile {
            allowed_sources: vec!["10.9.9.0/24".into()],
            ..good.clone()
        })
        .await
        .unwrap();
    let (status, body) = post(&url, json!({"sessionId": 1}), None).await;
    assert_eq!(status, 403);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("127.0.0.1 is not in the allowed sources"),
        "{body}"
    );

    rig.engine
        .set_profile(Profile {
            allowed_sources: vec!["127.0.0.1".into()],
            shared_secret: Some("s3cret-value".into()),
            ..good.clone()
        })
        .await
        .unwrap();
    assert_eq!(post(&url, json!({"sessionId": 1}), None).await.0, 401);
    assert_eq!(
        post(&url, json!({"sessionId": 1}), Some("wrong-value"))
            .await
            .0,
        401
    );
    let (status, body) = post(&url, json!({"sessionId": 1}), Some("s3cret-value")).await;
    assert_eq!(
        (status, body["result"].as_i64()),
        (200, Some(-10)),
        "let in, then judged: {body}"
    );
    let refused = rig
        .engine
        .exchanges(&ExchangeFilter {
            operation: None,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        refused.iter().any(|e| e.status == Some(403))
            && refused.iter().any(|e| e.status == Some(401)),
        "refusals are logged"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_outbox_keeps_unsent_messages_across_a_stop_and_sends_each_once() {
    let rig = Rig::start().await;
    let (customer, conversation) = rig.chatting("Outbox", 1).await;
    let good = rig.engine.profile();
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    rig.engine
        .set_profile(Profile {
            webchat_url: Some(format!("http://{}/webchat", silent.local_addr().unwrap())),
            request_timeout_ms: 60_000,
            ..good.clone()
        })
        .await
        .unwrap();
    // The send is cut off mid-flight, as a crash would cut it.
    let cut = tokio::time::timeout(
        Duration::from_millis(300),
        rig.engine
            .send_message(customer.id, MessageContent::Text("cut off".into())),
    )
    .await;
    assert!(cut.is_err());
    let pending = rig
        .engine
        .messages(conversation.id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.text == "cut off")
        .unwrap();
    assert_eq!(
        pending.delivery,
        Delivery::Pending,
        "stored before it was sent"
    );
    rig.engine.shutdown().await;

    let engine = start_engine(
        rig.dir.path(),
        Some(rig.sim.base_url()),
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
        Some(good),
    )
    .await;
    let unsent = engine
        .messages(conversation.id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.id == pending.id)
        .unwrap();
    assert_eq!(unsent.delivery, Delivery::Failed);
    assert!(unsent.error.unwrap().starts_with("unconfirmed"));
    let (first, second) = tokio::join!(engine.resend(pending.id), engine.resend(pending.id));
    assert!(
        first.is_ok() != second.is_ok(),
        "two re-sends at once: one goes, one is told to wait"
    );
    assert!(
        engine.resend(pending.id).await.is_err(),
        "a sent message is not sent again"
    );
    let session = rig.sim_session(&customer).await;
    assert_eq!(
        session
            .messages
            .iter()
            .filter(|m| format!("{:?}", m.message).contains("cut off"))
            .count(),
        1
    );
    drop(silent);
}

#[tokio::test(flavor = "multi_thread")]
async fn rating_ids_go_back_in_the_type_webchat_gave_them() {
    let rig = Rig::start().await;
    let (customer, conversation) = rig.chatting("Echo", 1).await;
    let session: serde_json::Value = serde_json::from_str::<serde_json::Value>(
        &last_exchange(&rig, "/ari/create").await.request_body,
    )
    .unwrap()["sessionId"]
        .clone();
    let url = format!("{}/ari/pushRating", rig.engine.callback_base());
    let (status, answer) = post(
        &url,
        json!({"sessionId": session, "ratings": [{"ratingId": "7", "label": "text seven"}, {"id": 5, "name": "number five"}]}),
        None,
    )
    .await;
    assert_eq!(
        (status, answer["result"].as_i64()),
        (200, Some(1)),
        "{answer}"
    );
    let offered = rig
        .engine
        .conversation(conversation.id)
        .await
        .unwrap()
        .rating_options
        .unwrap();
    assert_eq!(
        offered.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
        ["text seven", "number five"]
    );

    for (chosen, wire) in [("5", json!(5)), ("7", json!("7"))] {
        rig.engine.rate(customer.id, chosen, "").await.unwrap();
        let sent: serde_json::Value =
            serde_json::from_str(&last_exchange(&rig, "ratesession.do").await.request_body)
                .unwrap();
        assert_eq!(sent["ratingId"], wire, "{sent}");
        assert_eq!(sent["chatSessionId"], session, "{sent}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_agent_id_goes_back_in_the_type_webchat_gave_it() {
    let rig = Rig::start().await;
    let (customer, _) = rig.chatting("Agent", 1).await;
    let create: Value =
        serde_json::from_str(&last_exchange(&rig, "/ari/create").await.request_body).unwrap();
    rig.engine
        .send_message(customer.id, MessageContent::Text("one".into()))
        .await
        .unwrap();
    let sent: Value =
        serde_json::from_str(&last_exchange(&rig, "getmsg.do").await.request_body).unwrap();
    assert_eq!(sent["agentId"], create["agentId"], "{sent}");

    // A hand-over to an agent whose id is a number.
    let url = format!("{}/ari/sessionAgentsUpdate", rig.engine.callback_base());
    let (status, answer) = post(
        &url,
        json!({"sessionId": create["sessionId"], "agentId": 42,
               "agents": [{"id": 42, "name": "Numeric"}]}),
        None,
    )
    .await;
    assert_eq!(
        (status, answer["result"].as_i64()),
        (200, Some(1)),
        "{answer}"
    );
    let _ = rig
        .engine
        .send_message(customer.id, MessageContent::Text("two".into()))
        .await;
    let sent: Value =
        serde_json::from_str(&last_exchange(&rig, "getmsg.do").await.request_body).unwrap();
    assert_eq!(sent["agentId"], json!(42), "{sent}");
}
