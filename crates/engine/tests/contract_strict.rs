//! Strict mode refuses a callback only for an Error of the contract checker, and a failed
//! routing (`/ari/create` with a non-1 `result`) is none: it carries no session or agent.

mod common;

use common::{post, quick_sim, Rig};
use serde_json::json;
use wxsim_engine::protocol::Severity;
use wxsim_engine::{ConversationState, ExchangeFilter, Profile};
use wxsim_webchat::SimConfig;

#[tokio::test(flavor = "multi_thread")]
async fn strict_mode_accepts_a_failed_routing() {
    // Agents that never accept, so the request stays queued until the test routes it.
    let rig = Rig::start_with(|ari| SimConfig {
        accept_delay_ms: 600_000,
        ..quick_sim(ari)
    })
    .await;
    let customer = rig.customer("Unrouted", 1).await;
    rig.engine.request_chat(customer.id).await.unwrap();
    rig.wait_state(&customer, ConversationState::Queued).await;
    let profile = rig
        .engine
        .set_profile(Profile {
            strict_contract: true,
            ..rig.engine.profile()
        })
        .await
        .unwrap();

    let failed = json!({"result": -5, "message": "no agent online", "openId": customer.open_id, "epid": profile.epid});
    let (status, answer) = post(
        &format!("{}/ari/create", rig.engine.callback_base()),
        failed.to_string(),
        None,
    )
    .await;
    assert_eq!(
        (status, answer["result"].as_i64()),
        (200, Some(1)),
        "{answer}"
    );
    let conversation = rig.wait_state(&customer, ConversationState::Failed).await;
    assert_eq!(conversation.result_code, Some(-5));

    let logged = rig
        .engine
        .exchanges(&ExchangeFilter {
            operation: Some("/ari/create".into()),
            limit: Some(1),
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    assert!(
        logged
            .findings
            .iter()
            .all(|f| f.severity != Severity::Error),
        "{:?}",
        logged.findings
    );
}
