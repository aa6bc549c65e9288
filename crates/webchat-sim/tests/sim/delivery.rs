//! Callback delivery like a real server: a timeout per try, retries with backoff, and a
//! state that follows the outcome — a refused `/ari/create` means no session.

use serde_json::json;
use wxsim_webchat::{AgentConfig, SessionState, SimConfig, SkillGroup};

use crate::rig::{quick_config, wait_until, Refusal, Rig};

/// One group (21) with one agent who serves one chat at a time; callbacks tried 3 times.
fn one_seat_three_tries() -> SimConfig {
    SimConfig {
        skill_groups: vec![SkillGroup::new(21, "One seat")],
        agents: vec![AgentConfig {
            capacity: Some(1),
            ..AgentConfig::new("S001", "Sam", &[21])
        }],
        callback_tries: 3,
        callback_backoff_ms: 20,
        callback_timeout_ms: 500,
        ..quick_config()
    }
}

fn creates_for(rig: &Rig, open_id: &str) -> usize {
    rig.received_by(&json!(open_id))
        .iter()
        .filter(|r| r.is("/ari/create"))
        .count()
}

#[tokio::test]
async fn a_create_refused_on_every_try_ends_the_session_and_frees_its_seat() {
    let rig = Rig::with_config(one_seat_three_tries()).await;
    rig.refuse("/ari/create", 2, Refusal::Result(-9));
    rig.refuse("/ari/create", 1, Refusal::Status(500));
    rig.request("cr", 21).await;
    rig.request("next", 21).await;
    let session = wait_until("the session ended on webchat's side", || {
        let state = rig.sim.control().state();
        state
            .sessions
            .into_iter()
            .find(|s| s.open_id.key() == "cr" && s.state == SessionState::NotEstablished)
    })
    .await;
    assert_eq!(creates_for(&rig, "cr"), 3, "tried three times, no more");
    let tries: Vec<(u32, bool)> = rig
        .sim
        .control()
        .state()
        .callbacks
        .iter()
        .filter(|c| c.path == "/ari/create" && c.open_id == "cr")
        .map(|c| (c.attempt, c.ok()))
        .collect();
    assert_eq!(tries, [(1, false), (2, false), (3, false)]);

    // The seat is free again: the next customer is served.
    let create = rig
        .wait_for(&json!("next"), "the next customer's chat", |l| {
            l.iter().any(|r| r.is("/ari/create"))
        })
        .await;
    assert_eq!(
        create.iter().find(|r| r.is("/ari/create")).unwrap().body["result"],
        1
    );

    // webchat no longer knows the session: pulse fails, and a message gets no reply.
    let pulse = json!({"sessionId": session.session_id, "openId": "cr", "createTime": "", "transferInfo": ""});
    assert_eq!(rig.call("pulse.do", pulse).await.1["result"], -10);
    let msg = json!({"sessionId": session.session_id, "agentId": "S001", "openId": "cr",
                     "msgType": "text", "content": "anyone?"});
    assert_eq!(rig.call("getmsg.do", msg).await.1["result"], -10);
    let state = rig.state().await;
    assert_eq!(
        state["groups"][0]["agents"][0]["load"], 1,
        "the next customer's chat only"
    );
    let replies = rig
        .received_by(&json!("cr"))
        .iter()
        .filter(|r| r.is("/ari/msg"))
        .count();
    assert!(
        replies <= 1,
        "at most the greeting sent with the create, no reply"
    );
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn a_create_accepted_on_a_retry_keeps_its_session() {
    let rig = Rig::with_config(one_seat_three_tries()).await;
    rig.refuse("/ari/create", 1, Refusal::Status(503));
    let session_id = rig.chat(json!("retry-ok"), 21).await;
    let pulse = json!({"sessionId": session_id, "openId": "retry-ok", "createTime": "", "transferInfo": ""});
    wait_until("the second try", || {
        (creates_for(&rig, "retry-ok") == 2).then_some(())
    })
    .await;
    assert_eq!(rig.call("pulse.do", pulse).await.1["result"], 1);
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn a_create_that_is_never_answered_times_out_and_ends_the_session() {
    let config = SimConfig {
        callback_tries: 2,
        callback_timeout_ms: 100,
        ..one_seat_three_tries()
    };
    let rig = Rig::with_config(config).await;
    rig.refuse("/ari/create", 2, Refusal::Stall(2000));
    rig.request("silent", 21).await;
    let outcome = wait_until("two timed-out tries", || {
        let state = rig.sim.control().state();
        let ended = state
            .sessions
            .iter()
            .any(|s| s.state == SessionState::NotEstablished);
        let tries: Vec<_> = state
            .callbacks
            .into_iter()
            .filter(|c| c.path == "/ari/create")
            .collect();
        (ended && tries.len() == 2).then_some(tries)
    })
    .await;
    assert!(outcome.iter().all(|c| c.status.is_none()), "{outcome:?}");
    assert_eq!(outcome[1].attempt, 2);

    // Without retries (the default), a refused create is tried once.
    let (_, settings) = rig.control("config", json!({"callbackTries": 1})).await;
    assert_eq!(settings["callbackTries"], 1);
    let (status, _) = rig.control("config", json!({"callbackTries": 0})).await;
    assert_eq!(status, 400);
    rig.refuse("/ari/create", 1, Refusal::Result(-9));
    rig.request("once", 21).await;
    wait_until("the session ended", || {
        let state = rig.sim.control().state();
        state
            .sessions
            .iter()
            .any(|s| s.open_id.key() == "once" && s.state == SessionState::NotEstablished)
            .then_some(())
    })
    .await;
    assert_eq!(creates_for(&rig, "once"), 1);
    rig.sim.shutdown().await;
}
