//! Whole conversations: routing, messages and media, transfer, cancel, close and rating,
//! and the agent side driven through the control endpoints.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use wxsim_webchat::{AgentConfig, SimConfig, SkillGroup, StateSnapshot};

use crate::rig::{paths, quick_config, Received, Rig, MEDIA};

const STATUS: &str = "/ari/updateRequestStatus";

#[tokio::test]
async fn createcon_is_waiting_then_accepted_created_announced_and_greeted() {
    let rig = Rig::start().await;
    let open_id = json!("o-create");
    let (status, answer) = rig
        .call(
            "createcon.do",
            json!({"openId": "o-create", "skillGroup": 1, "requestTime": 1512026448289i64,
                   "epid": "sa1", "nickname": "Tester", "from": "WECHAT"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(answer["result"], 1);
    assert_eq!(answer["queueLength"], 1);
    assert!(answer.get("requestId").is_none(), "{answer}");

    let log = rig
        .wait_for(&open_id, "the greeting", |l| {
            l.iter().any(|r| r.is("/ari/msg"))
        })
        .await;
    assert_eq!(
        paths(&log),
        [
            STATUS,
            STATUS,
            "/ari/create",
            "/ari/sessionAgentsUpdate",
            "/ari/msg"
        ]
    );
    assert_eq!(log[0].body["requestStatus"], 0);
    assert_eq!(log[1].body["requestStatus"], 1);
    let request_id = &log[0].body["requestId"];
    assert!(request_id.as_str().is_some_and(|r| r.starts_with('R')));
    assert_eq!(&log[1].body["requestId"], request_id);
    let create = &log[2].body;
    assert_eq!(create["result"], 1);
    assert_eq!(create["agentId"], "A001");
    assert_eq!(create["agentName"], "Alice");
    assert_eq!(create["epid"], "sa1");
    assert!(create["sessionId"].is_i64());
    assert!(create["responseTime"].is_i64());
    assert_eq!(
        log[3].body["agents"],
        json!([{"id": "A001", "name": "Alice"}])
    );
    assert_eq!(log[3].body["sessionId"], create["sessionId"]);
    assert!(log[4].body["content"].as_str().unwrap().contains("<img"));

    let session_id = create["sessionId"].clone();
    let pulse = json!({"sessionId": session_id, "openId": "o-create", "createTime": "", "transferInfo": ""});
    assert_eq!(rig.call("pulse.do", pulse).await.1["result"], 1);
    let (_, again) = rig
        .call(
            "createcon.do",
            json!({"openId": "o-create", "skillGroup": 1, "requestTime": 1}),
        )
        .await;
    assert_eq!(again["result"], -2, "{again}");
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn ids_are_echoed_in_the_type_the_client_sent_and_request_ids_can_be_answered() {
    let rig = Rig::start().await;
    rig.sim
        .control()
        .configure(wxsim_webchat::ConfigPatch {
            answer_request_id: Some(true),
            ..Default::default()
        })
        .unwrap();
    let (_, answer) = rig
        .call(
            "createcon.do",
            json!({"openId": 42, "skillGroup": "2", "requestTime": "1512026448289"}),
        )
        .await;
    assert_eq!(answer["result"], 1, "{answer}");
    let log = rig
        .wait_for(&json!(42), "the create callback", |l| {
            l.iter().any(|r| r.is("/ari/create"))
        })
        .await;
    assert_eq!(log[0].body["requestId"], answer["requestId"]);
    let create = log.iter().find(|r| r.is("/ari/create")).unwrap();
    assert_eq!(create.body["openId"], json!(42));
    assert_eq!(create.body["agentName"], "Bob");
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn media_messages_are_fetched_through_get_media_and_downloaded() {
    let rig = Rig::start().await;
    let open_id = json!("o-media");
    let session_id = rig.chat(open_id.clone(), 1).await;
    let msg = |msg_type: &str, content: Value| {
        json!({"sessionId": session_id, "agentId": "A001", "openId": "o-media",
               "msgType": msg_type, "content": content, "epid": "sa1"})
    };
    let (status, answer) = rig
        .call("getmsg.do", msg("image", json!({"mediaId": "m-img"})))
        .await;
    assert_eq!((status, &answer["result"]), (200, &json!(1)), "{answer}");
    let replied =
        |n: usize| move |l: &[Received]| l.iter().filter(|r| r.is("/ari/msg")).count() > n;
    let log = rig.wait_for(&open_id, "the image reply", replied(1)).await;
    let get_media = log.iter().find(|r| r.is("/ari/getMedia")).unwrap();
    assert_eq!(get_media.body["mediaId"], "m-img");
    assert_eq!(get_media.body["agentId"], "A001");
    assert_eq!(get_media.body["sessionId"], session_id);
    assert_eq!(get_media.body["epid"], "sa1");
    // The agent says it got the picture; what it fetched is in the state (and the hosting
    // side's wire log), not in the chat.
    let reply = log.iter().rfind(|r| r.is("/ari/msg")).unwrap();
    let text = reply.body["content"].as_str().unwrap();
    assert!(text.contains("received your picture"), "{text}");
    let download = rig
        .received()
        .into_iter()
        .find(|r| r.method == "GET")
        .unwrap();
    assert_eq!(
        (download.path.as_str(), download.query.as_str()),
        ("/wechat/sa1/image", "file=file.bin")
    );
    let state = rig.state().await;
    let record = &state["media"]["m-img"];
    assert_eq!(record["ok"], true);
    assert_eq!(record["size"], MEDIA.len());
    assert_eq!(record["type"], "image");
    assert_eq!(record["sha256"], hex::encode(Sha256::digest(MEDIA)));

    let video = msg(
        "video",
        json!("{\"mediaId\":\"m-vid\",\"thumbMediaId\":\"m-thumb\"}"),
    );
    assert_eq!(rig.call("getmsg.do", video).await.1["result"], 1);
    rig.wait_for(&open_id, "the video reply", replied(2)).await;
    let downloads: Vec<String> = rig
        .received()
        .into_iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.path)
        .collect();
    assert_eq!(
        downloads,
        [
            "/wechat/sa1/image",
            "/wechat/sa1/video",
            "/wechat/sa1/thumb"
        ]
    );
    let state = rig.state().await;
    assert_eq!(state["media"]["m-thumb"]["type"], "thumb");

    let text = msg("text", json!("<b>size</b> & colour"));
    assert_eq!(rig.call("getmsg.do", text).await.1["result"], 1);
    let log = rig.wait_for(&open_id, "the text reply", replied(3)).await;
    let reply = log.iter().rfind(|r| r.is("/ari/msg")).unwrap();
    let html = reply.body["content"].as_str().unwrap();
    assert!(
        html.contains("“&lt;b&gt;size&lt;/b&gt; &amp; colour”"),
        "the agent quotes the customer, escaped: {html}"
    );
    assert!(
        html.contains("/webchat/pictures/sample.png"),
        "third reply has a picture: {html}"
    );

    let state = rig.state().await;
    let typed: StateSnapshot = serde_json::from_value(state.clone()).unwrap();
    assert_eq!(typed.sessions[0].messages.len(), 3);
    let messages = &state["sessions"][0]["messages"];
    assert_eq!(messages[0]["msgType"], "image");
    assert_eq!(messages[2]["content"], "<b>size</b> & colour");

    for image in ["emoji/smile.png", "pictures/sample.png"] {
        let url = format!("{}/{image}", rig.sim.base_url());
        let bytes = rig
            .http
            .get(url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{image}");
    }
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn a_queued_request_has_a_place_and_can_be_cancelled() {
    let rig = Rig::start().await;
    let (status, _) = rig
        .control("next-request-status", json!({"status": 0}))
        .await;
    assert_eq!(status, 200);
    let open_id = json!("o-cancel");
    let (_, answer) = rig
        .call(
            "createcon.do",
            json!({"openId": "o-cancel", "skillGroup": 1, "requestTime": 1}),
        )
        .await;
    assert_eq!(answer["result"], 1);
    let log = rig
        .wait_for(&open_id, "status 0", |l| l.iter().any(|r| r.is(STATUS)))
        .await;
    let request_id = log[0].body["requestId"].clone();
    let (_, place) = rig
        .call("getQueueLength.do", json!({"requestId": request_id}))
        .await;
    assert_eq!(
        (&place["result"], &place["orderInQueue"]),
        (&json!(1), &json!(0))
    );
    let (_, again) = rig
        .call(
            "createcon.do",
            json!({"openId": "o-cancel", "skillGroup": 1, "requestTime": 1}),
        )
        .await;
    assert_eq!(again["result"], -1, "{again}");

    let cancel =
        json!({"openId": "o-cancel", "requestId": request_id, "createTime": "2024-01-01 10:00:00"});
    assert_eq!(
        rig.call("cancelRequest.do", cancel.clone()).await.1["result"],
        1
    );
    let log = rig.wait_for(&open_id, "status 7", |l| l.len() == 2).await;
    assert_eq!(log[1].body["requestStatus"], 7);
    assert_eq!(rig.call("cancelRequest.do", cancel).await.1["result"], -10);
    let (_, gone) = rig
        .call("getQueueLength.do", json!({"requestId": request_id}))
        .await;
    assert_eq!(gone["result"], -10);
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn a_robot_session_transfers_to_a_human_keeping_its_session_id() {
    let rig = Rig::start().await;
    let open_id = json!("o-robot");
    let session_id = rig.chat(open_id.clone(), 9).await;
    let before = rig.received_by(&open_id);
    let create = before.iter().find(|r| r.is("/ari/create")).unwrap();
    assert_eq!(create.body["agentId"], "BOT");

    let transfer = json!({"sessionId": session_id, "openId": "o-robot",
                          "createTime": "2024-01-01 10:00:00", "transferInfo": "a human, please"});
    let (_, answer) = rig.call("transferCon.do", transfer.clone()).await;
    assert_eq!(
        (&answer["result"], &answer["queueLength"]),
        (&json!(1), &json!(1)),
        "{answer}"
    );
    let log = rig
        .wait_for(&open_id, "the hand-over", |l| {
            l.iter()
                .filter(|r| r.is("/ari/sessionAgentsUpdate"))
                .count()
                == 2
        })
        .await;
    let after = &log[before.len()..];
    assert_eq!(
        paths(&after[..4]),
        [STATUS, STATUS, "/ari/create", "/ari/sessionAgentsUpdate"]
    );
    assert_eq!(after[0].body["requestStatus"], 0);
    assert_ne!(after[0].body["requestId"], before[0].body["requestId"]);
    assert_eq!(after[1].body["requestStatus"], 1);
    assert_eq!(after[2].body["agentName"], "Alice");
    assert_eq!(after[2].body["sessionId"], session_id);
    assert_eq!(
        after[3].body["agents"],
        json!([{"id": "A001", "name": "Alice"}])
    );

    let (_, again) = rig.call("transferCon.do", transfer).await;
    assert_eq!(again["result"], -2, "{again}");
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn closing_pushes_the_rating_on_the_double_slash_path_and_ends_the_session() {
    let rig = Rig::start().await;
    let open_id = json!("o-close");
    let session_id = rig.chat(open_id.clone(), 1).await;
    let (_, answer) = rig
        .call("closecon.do", json!({"sessionId": session_id}))
        .await;
    assert_eq!(answer["result"], 1);
    let log = rig
        .wait_for(&open_id, "pushRating", |l| {
            l.iter().any(|r| r.path.ends_with("pushRating"))
        })
        .await;
    let push = log.last().unwrap();
    assert_eq!(push.path, "/ari//pushRating");
    assert_eq!(push.body["sessionId"], session_id);
    assert_eq!(push.body["ratings"].as_array().unwrap().len(), 5);

    let rate =
        json!({"chatSessionId": session_id.to_string(), "ratingId": 1, "ratingComment": "great"});
    assert_eq!(rig.call("ratesession.do", rate).await.1["result"], 1);
    let state = rig.state().await;
    assert_eq!(state["sessions"][0]["state"], "closedByCustomer");
    assert_eq!(state["sessions"][0]["rating"]["ratingComment"], "great");

    let msg = json!({"sessionId": session_id, "agentId": "A001", "openId": "o-close", "msgType": "text", "content": "hello?"});
    let (_, late) = rig.call("getmsg.do", msg).await;
    assert_eq!(late["result"], -10);
    assert!(
        late["message"]
            .as_str()
            .unwrap()
            .contains(&session_id.to_string()),
        "{late}"
    );
    let (_, closed) = rig
        .call("closecon.do", json!({"sessionId": session_id}))
        .await;
    assert_eq!(closed["result"], -10);
    let unknown = json!({"chatSessionId": 999, "ratingId": 1, "ratingComment": ""});
    assert_eq!(rig.call("ratesession.do", unknown).await.1["result"], -10);
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn the_agent_side_speaks_changes_agents_and_closes_through_the_control_endpoints() {
    let mut config = quick_config();
    config.auto_reply = false;
    config.double_slash_push_rating = false;
    let rig = Rig::with_config(config).await;
    let open_id = json!("o-agent");
    let session_id = rig.chat(open_id.clone(), 2).await;

    let say = json!({"sessionId": session_id, "html": "<p>Hi from <b>Bob</b></p>"});
    assert_eq!(rig.control("agent/say", say).await.1["result"], 1);
    let agents = json!({"sessionId": session_id, "agents": [{"id": "A002", "name": "Bob"}, {"id": "A001", "name": "Alice"}]});
    assert_eq!(rig.control("agent/agents", agents).await.1["result"], 1);
    assert_eq!(
        rig.control("agent/push-rating", json!({"sessionId": session_id}))
            .await
            .1["result"],
        1
    );
    assert_eq!(
        rig.control("agent/close", json!({"sessionId": session_id}))
            .await
            .1["result"],
        1
    );
    let log = rig
        .wait_for(&open_id, "the close", |l| {
            l.iter().filter(|r| r.path.ends_with("pushRating")).count() == 2
        })
        .await;
    let tail: Vec<&str> = paths(&log).into_iter().skip(5).collect();
    assert_eq!(
        tail,
        [
            "/ari/msg",
            "/ari/sessionAgentsUpdate",
            "/ari/pushRating",
            "/ari/close",
            "/ari/pushRating"
        ]
    );
    assert_eq!(log[5].body["content"], "<p>Hi from <b>Bob</b></p>");
    assert_eq!(log[6].body["agents"][1]["name"], "Alice");
    assert!(log[8].body["closeTime"].is_i64());

    let (_, closed) = rig
        .control("agent/say", json!({"sessionId": session_id, "html": "x"}))
        .await;
    assert_eq!(closed["result"], -10);
    assert!(rig
        .sim
        .control()
        .agent_close(session_id.as_i64().unwrap())
        .is_err());
    let state = rig.state().await;
    let callbacks = state["callbacks"].as_array().unwrap();
    assert!(callbacks
        .iter()
        .all(|c| c["error"].is_null() && c["status"] == 200));
    rig.sim.shutdown().await;
}

#[tokio::test]
async fn a_persistent_group_answers_with_its_session_at_once() {
    let config = SimConfig {
        skill_groups: vec![SkillGroup {
            persistent: true,
            ..SkillGroup::new(5, "VIP")
        }],
        agents: vec![AgentConfig::new("SELITE", "伊力特", &[5])],
        ..quick_config()
    };
    let rig = Rig::with_config(config).await;
    let create = json!({"openId": "o-vip", "skillGroup": 5, "requestTime": 1});
    let (_, answer) = rig.call("createcon.do", create.clone()).await;
    assert_eq!(answer["result"], 1);
    assert_eq!(answer["agentId"], "SELITE");
    assert_eq!(answer["agentName"], "伊力特");
    let session_id = answer["sessionId"].clone();
    assert!(session_id.is_i64());
    let (_, again) = rig.call("createcon.do", create).await;
    assert_eq!(
        (&again["result"], &again["sessionId"]),
        (&json!(1), &session_id)
    );
    let log = rig
        .wait_for(&json!("o-vip"), "the greeting", |l| {
            l.iter().any(|r| r.is("/ari/msg"))
        })
        .await;
    assert_eq!(paths(&log), ["/ari/sessionAgentsUpdate", "/ari/msg"]);
    assert_eq!(rig.sim.control().state().sessions.len(), 1);
    rig.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_transfer_with_no_session_opens_a_request_like_createcon() {
    let rig = Rig::start().await;
    for body in [
        json!({"openId": "o-handover", "createTime": "2026-11-29 10:00:00", "transferInfo": "robot chat"}),
        json!({"sessionId": 0, "openId": "o-handover-2", "createTime": "2026-11-29 10:00:00", "transferInfo": "robot chat"}),
    ] {
        let (status, answer) = rig.call("transferCon.do", body).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["result"], 1, "{answer}");
        assert!(answer["queueLength"].is_i64(), "createcon-shaped: {answer}");
    }
}
