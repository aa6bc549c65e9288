//! The queue as a webchat keeps it: agents with a capacity, one first-in-first-out line
//! per skill group, exact places, `WAITING` re-sent as places change, working hours on a
//! settable clock, agents coming and going, queue timeouts, refusals and failed routings.

use serde_json::{json, Value};
use wxsim_webchat::{AgentConfig, AgentPatch, ClockPatch, SimConfig, SkillGroup, WorkingHours};

use crate::rig::{paths, quick_config, wait_until, Rig};

const STATUS: &str = "/ari/updateRequestStatus";

/// One skill group served by the given agents.
fn config_with(group: SkillGroup, agents: Vec<AgentConfig>) -> SimConfig {
    SimConfig {
        skill_groups: vec![group],
        agents,
        ..quick_config()
    }
}

/// An agent of group `group` with room for `capacity` chats.
fn agent(id: &str, group: i64, capacity: u32) -> AgentConfig {
    AgentConfig {
        capacity: Some(capacity),
        ..AgentConfig::new(id, id, &[group])
    }
}

async fn wait_created(rig: &Rig, open_id: &str) -> Value {
    let log = rig
        .wait_for(&json!(open_id), "the create callback", |l| {
            l.iter().any(|r| r.is("/ari/create"))
        })
        .await;
    log.iter()
        .find(|r| r.is("/ari/create"))
        .unwrap()
        .body
        .clone()
}

fn creates(rig: &Rig) -> Vec<String> {
    rig.received()
        .iter()
        .filter(|r| r.is("/ari/create"))
        .map(|r| r.body["openId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn one_seat_serves_three_customers_in_arrival_order_with_exact_places() {
    // The only agent is online but busy (capacity 0) while three customers arrive.
    let rig = Rig::with_config(config_with(
        SkillGroup::new(21, "Fifo"),
        vec![agent("F001", 21, 0)],
    ))
    .await;
    let mut ids = Vec::new();
    for (n, who) in ["fa", "fb", "fc"].into_iter().enumerate() {
        let answer = rig.request(who, 21).await;
        assert_eq!(
            (&answer["result"], &answer["queueLength"]),
            (&json!(1), &json!(n + 1))
        );
        ids.push(rig.request_id_of(who).await);
    }
    let mut seen_by_c = vec![rig.order_of(&ids[2]).await];
    assert_eq!(rig.order_of(&ids[0]).await, 0);
    assert_eq!(rig.order_of(&ids[1]).await, 1);

    // The agent has room for one: the first in line is accepted, the others move up.
    let view = rig.sim.control().set_agent(AgentPatch {
        id: "F001".into(),
        capacity: Some(Some(1)),
        ..Default::default()
    });
    assert_eq!((view.capacity, view.online), (Some(1), true));
    let session_a = wait_created(&rig, "fa").await["sessionId"].clone();
    assert_eq!(rig.order_of(&ids[1]).await, 0);
    seen_by_c.push(rig.order_of(&ids[2]).await);
    let state = rig.state().await;
    let group = &state["groups"][0];
    assert_eq!(group["agents"][0]["load"], 1, "{group}");
    assert_eq!(
        group["queue"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["openId"].clone(), p["position"].clone()))
            .collect::<Vec<_>>(),
        [(json!("fb"), json!(0)), (json!("fc"), json!(1))]
    );
    assert!(group["queue"][0]["waitedMs"].as_i64().unwrap() >= 0);
    assert_eq!(
        creates(&rig),
        ["fa"],
        "no second chat while the seat is taken"
    );

    // A closed chat frees the seat for the next in line.
    rig.call("closecon.do", json!({"sessionId": session_a}))
        .await;
    let session_b = wait_created(&rig, "fb").await["sessionId"].clone();
    seen_by_c.push(rig.order_of(&ids[2]).await);
    rig.call("closecon.do", json!({"sessionId": session_b}))
        .await;
    wait_created(&rig, "fc").await;
    assert_eq!(seen_by_c, [2, 1, 0]);
    assert_eq!(creates(&rig), ["fa", "fb", "fc"]);
    // Each place change was announced: queueLength counts the customer's place from 1.
    assert_eq!(rig.statuses_of("fc"), [(0, 3), (0, 2), (0, 1), (1, 0)]);
    assert_eq!(rig.statuses_of("fb"), [(0, 2), (0, 1), (1, 1)]);
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn waiting_is_resent_when_a_place_changes_unless_switched_off() {
    let rig = Rig::with_config(config_with(
        SkillGroup::new(21, "Fifo"),
        vec![agent("F001", 21, 0)],
    ))
    .await;
    let mut ids = Vec::new();
    for who in ["wa", "wb", "wc"] {
        rig.request(who, 21).await;
        ids.push(rig.request_id_of(who).await);
    }
    let cancel = |who: &str, id: &Value| json!({"sessionId": 0, "openId": who, "requestId": id, "createTime": "2024-01-01 10:00:00"});
    assert_eq!(
        rig.call("cancelRequest.do", cancel("wa", &ids[0])).await.1["result"],
        1
    );
    rig.wait_status("wa", 7).await;
    rig.wait_for(&json!("wc"), "the new place", |l| l.len() == 2)
        .await;
    assert_eq!(rig.statuses_of("wb"), [(0, 2), (0, 1)]);
    assert_eq!(rig.statuses_of("wc"), [(0, 3), (0, 2)]);
    assert_eq!(rig.order_of(&ids[2]).await, 1);

    let (_, settings) = rig.control("config", json!({"resendWaiting": false})).await;
    assert_eq!(settings["resendWaiting"], false);
    rig.call("cancelRequest.do", cancel("wb", &ids[1])).await;
    rig.wait_status("wb", 7).await;
    assert_eq!(
        rig.order_of(&ids[2]).await,
        0,
        "the place is exact all the same"
    );
    rig.call("cancelRequest.do", cancel("wc", &ids[2])).await;
    assert_eq!(
        rig.wait_status("wc", 7).await,
        [(0, 3), (0, 2), (7, 0)],
        "no WAITING while switched off"
    );
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn out_of_hours_is_minus_3_and_closing_time_ends_the_queue_with_6() {
    let office = SkillGroup {
        hours: Some(WorkingHours {
            open: "09:00".into(),
            close: "18:00".into(),
            days: vec![1, 2, 3, 4, 5],
        }),
        ..SkillGroup::new(22, "Office")
    };
    let rig = Rig::with_config(config_with(office, vec![agent("O001", 22, 0)])).await;
    let (_, clock) = rig
        .control(
            "clock",
            json!({"now": "2025-01-06 08:30:00", "frozen": true}),
        )
        .await;
    assert_eq!(
        (&clock["local"], &clock["frozen"]),
        (&json!("2025-01-06 08:30:00"), &json!(true))
    );
    let early = rig.request("oh-early", 22).await;
    assert_eq!(early["result"], -3, "{early}");
    assert!(
        early["message"].as_str().unwrap().contains("closed"),
        "{early}"
    );
    assert!(rig.received().is_empty(), "a refused request is not queued");

    rig.control("clock", json!({"now": "2025-01-06 17:59:00"}))
        .await;
    assert_eq!(rig.request("oh-late", 22).await["result"], 1);
    rig.wait_status("oh-late", 0).await;
    let state = rig.state().await;
    assert_eq!(state["groups"][0]["open"], true);
    assert_eq!(state["clock"]["local"], "2025-01-06 17:59:00");
    assert_eq!(state["groups"][0]["hours"]["close"], "18:00");

    rig.sim
        .control()
        .set_clock(ClockPatch {
            advance_ms: Some(60_000),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(rig.wait_status("oh-late", 6).await, [(0, 1), (6, 0)]);
    let state = rig.state().await;
    assert_eq!(state["groups"][0]["open"], false);
    assert_eq!(state["groups"][0]["queue"], json!([]));
    assert_eq!(rig.request("oh-later", 22).await["result"], -3);
    // Saturday morning is closed too; Monday morning opens again.
    rig.control("clock", json!({"now": "2025-01-11 10:00:00"}))
        .await;
    assert_eq!(rig.request("oh-saturday", 22).await["result"], -3);
    rig.control("clock", json!({"now": "2025-01-13 09:00:00"}))
        .await;
    assert_eq!(rig.request("oh-monday", 22).await["result"], 1);
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn when_the_last_agent_leaves_the_queue_ends_with_5_and_requests_get_minus_5() {
    let rig = Rig::with_config(config_with(
        SkillGroup::new(23, "Pair"),
        vec![agent("L001", 23, 0), agent("L002", 23, 0)],
    ))
    .await;
    rig.request("la", 23).await;
    rig.wait_status("la", 0).await;
    let (_, left) = rig
        .control("agents", json!({"id": "L001", "online": false}))
        .await;
    assert_eq!(left["online"], false);
    let state = rig.sim.control().state();
    assert_eq!(state.queue.len(), 1, "one agent is still online");
    assert_eq!(rig.statuses_of("la"), [(0, 1)]);

    rig.control("agents", json!({"id": "L002", "online": false}))
        .await;
    assert_eq!(rig.wait_status("la", 5).await, [(0, 1), (5, 0)]);
    let refused = rig.request("lb", 23).await;
    assert_eq!(refused["result"], -5, "{refused}");

    // An agent coming online takes requests again, and its free seat serves the queue.
    rig.control(
        "agents",
        json!({"id": "L002", "online": true, "capacity": null}),
    )
    .await;
    assert_eq!(rig.request("lc", 23).await["result"], 1);
    wait_created(&rig, "lc").await;
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn an_agent_coming_online_takes_the_first_in_line() {
    let rig = Rig::with_config(config_with(
        SkillGroup::new(23, "Pair"),
        vec![
            agent("M001", 23, 0),
            AgentConfig {
                online: false,
                ..agent("M002", 23, 1)
            },
        ],
    ))
    .await;
    rig.request("ma", 23).await;
    rig.request("mb", 23).await;
    rig.wait_status("mb", 0).await;
    rig.control("agents", json!({"id": "M002", "online": true}))
        .await;
    let create = wait_created(&rig, "ma").await;
    assert_eq!(create["agentId"], "M002");
    assert_eq!(rig.wait_status("mb", 0).await, [(0, 2), (0, 1)]);
    assert_eq!(creates(&rig), ["ma"]);
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn a_request_queued_longer_than_the_timeout_ends_with_3() {
    let rig = Rig::with_config(config_with(
        SkillGroup::new(24, "Slow"),
        vec![agent("T001", 24, 0)],
    ))
    .await;
    let (status, group) = rig
        .control("groups", json!({"id": 24, "queueTimeoutMs": 60000}))
        .await;
    assert_eq!(
        (status, &group["queueTimeoutMs"]),
        (200, &json!(60000)),
        "{group}"
    );
    rig.control("clock", json!({"frozen": true})).await;
    rig.request("ta", 24).await;
    rig.request("tb", 24).await;
    rig.wait_status("tb", 0).await;
    rig.control("clock", json!({"advanceMs": 59000})).await;
    let state = rig.state().await;
    assert_eq!(state["groups"][0]["queue"][0]["waitedMs"], 59000);
    assert_eq!(rig.statuses_of("ta"), [(0, 1)]);
    rig.control("clock", json!({"advanceMs": 1000})).await;
    assert_eq!(rig.wait_status("ta", 3).await, [(0, 1), (3, 1)]);
    assert_eq!(rig.wait_status("tb", 3).await, [(0, 2), (3, 0)]);
    assert_eq!(rig.sim.control().state().queue.len(), 0);

    let (status, bad) = rig
        .control("groups", json!({"id": 24, "refuseShare": 1.5}))
        .await;
    assert_eq!((status, &bad["result"]), (400, &json!(-100)), "{bad}");
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn an_agent_refuses_the_next_n_requests_with_2_and_then_serves() {
    let rig = Rig::start().await;
    let (_, group) = rig
        .control("groups", json!({"id": 1, "refuseNext": 1}))
        .await;
    assert_eq!(group["refuseNext"], 1);
    rig.request("ra", 1).await;
    assert_eq!(rig.wait_status("ra", 2).await, [(0, 1), (2, 0)]);
    let log = rig.received_by(&json!("ra"));
    assert_eq!(log[1].body["message"], "refused by the agent");
    assert_eq!(rig.state().await["groups"][0]["refuseNext"], 0);
    rig.request("rb", 1).await;
    wait_created(&rig, "rb").await;

    rig.control("groups", json!({"id": 1, "refuseShare": 1.0}))
        .await;
    rig.request("rc", 1).await;
    rig.wait_status("rc", 2).await;
    assert!(rig.sim.control().state().queue.is_empty());
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn a_failed_routing_answers_with_a_non_1_create_instead_of_a_session() {
    let rig = Rig::start().await;
    let (status, bad) = rig.control("routing-failure", json!({"result": 1})).await;
    assert_eq!((status, &bad["result"]), (400, &json!(-100)), "{bad}");
    let (status, _) = rig
        .control(
            "routing-failure",
            json!({"result": -1, "message": "no route to an agent", "skillGroup": 1}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(rig.state().await["routingFailures"][0]["result"], -1);
    rig.request("fr", 1).await;
    let create = wait_created(&rig, "fr").await;
    assert_eq!(create["result"], -1);
    assert_eq!(create["message"], "no route to an agent");
    assert!(create.get("sessionId").is_none(), "{create}");
    assert!(create["responseTime"].is_i64());
    assert_eq!(
        paths(&rig.received_by(&json!("fr"))),
        [STATUS, "/ari/create"]
    );
    let state = rig.sim.control().state();
    assert!(state.sessions.is_empty() && state.queue.is_empty());
    assert!(state.routing_failures.is_empty(), "used up");

    rig.request("fr2", 1).await;
    assert_eq!(wait_created(&rig, "fr2").await["result"], 1);
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn a_planned_waiting_request_holds_the_line_behind_it() {
    let rig = Rig::start().await;
    rig.control("next-request-status", json!({"status": 0}))
        .await;
    rig.request("ha", 1).await;
    let held = rig.request_id_of("ha").await;
    rig.request("hb", 1).await;
    let behind = rig.request_id_of("hb").await;
    assert_eq!(rig.order_of(&behind).await, 1);
    let state = rig.state().await;
    assert_eq!(state["groups"][0]["queue"][0]["held"], true);
    let cancel = json!({"sessionId": 0, "openId": "ha", "requestId": held, "createTime": ""});
    rig.call("cancelRequest.do", cancel).await;
    wait_created(&rig, "hb").await;
    assert_eq!(rig.statuses_of("hb"), [(0, 2), (0, 1), (1, 0)]);
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn restore_brings_back_the_configured_roster_and_clock() {
    let rig = Rig::start().await;
    rig.control(
        "agents",
        json!({"id": "X001", "name": "Xia", "skillGroups": [7], "capacity": 0}),
    )
    .await;
    rig.control("groups", json!({"id": 7, "name": "Extra"}))
        .await;
    rig.control("clock", json!({"offsetMs": 3600000})).await;
    rig.request("rx", 7).await;
    rig.wait_status("rx", 0).await;
    assert_eq!(rig.control("restore", json!({})).await.1["result"], 1);
    assert_eq!(
        rig.wait_status("rx", 5).await,
        [(0, 1), (5, 0)],
        "its group is gone"
    );
    let state = rig.sim.control().state();
    assert_eq!(state.groups.len(), 3);
    assert!(state
        .groups
        .iter()
        .all(|g| g.agents.iter().all(|a| a.online && a.capacity.is_none())));
    assert!(state.clock.unwrap().offset_ms.abs() < 1000);
    wait_until("nothing queued", || {
        rig.sim.control().state().queue.is_empty().then_some(())
    })
    .await;
    rig.sim.shutdown().await;
}
