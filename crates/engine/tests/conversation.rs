//! Whole conversations, engine ⇄ webchat simulator over loopback HTTP into SQLite.

mod common;

use common::{eventually, Rig};
use sha2::{Digest, Sha256};
use wxsim_engine::protocol::content::{
    ImageContent, LinkContent, LocationContent, VideoContent, VoiceContent,
};
use wxsim_engine::protocol::{MessageContent, RequestStatus, ResultCode};
use wxsim_engine::{
    ConversationState, Delivery, Direction, EngineError, ExchangeFilter, MediaKind,
};

#[tokio::test(flavor = "multi_thread")]
async fn a_conversation_with_every_message_type_and_media_fetched_back_intact() {
    let rig = Rig::start().await;
    let (customer, conversation) = rig.chatting("Mei", 1).await;
    assert_eq!(conversation.agent_name.as_deref(), Some("Alice"));
    assert!(
        conversation.request_id.is_some(),
        "request id learned from updateRequestStatus"
    );
    assert_eq!(
        conversation.request_status,
        Some(RequestStatus::Accepted.code())
    );

    let png = b"\x89PNG\r\n\x1a\nnot really an image but bytes all the same".to_vec();
    let voice = vec![7u8; 3000];
    let video = (0..20_000u32).map(|i| (i % 251) as u8).collect::<Vec<_>>();
    let image = rig
        .engine
        .upload_media(MediaKind::Image, "cat.png", png.clone())
        .await
        .unwrap();
    let audio = rig
        .engine
        .upload_media(MediaKind::Voice, "hello.amr", voice.clone())
        .await
        .unwrap();
    let clip = rig
        .engine
        .upload_media(MediaKind::Video, "clip.mp4", video.clone())
        .await
        .unwrap();
    let thumb = rig
        .engine
        .upload_media(MediaKind::Thumb, "clip.png", png.clone())
        .await
        .unwrap();

    let contents = vec![
        MessageContent::Text("你好, I need help".into()),
        MessageContent::Image(ImageContent {
            media_id: image.media_id.clone(),
        }),
        MessageContent::Voice(VoiceContent {
            recognition: "hello there".into(),
            format: "amr".into(),
            media_id: audio.media_id.clone(),
        }),
        MessageContent::Video(VideoContent {
            thumb_media_id: thumb.media_id.clone(),
            media_id: clip.media_id.clone(),
        }),
        MessageContent::Link(LinkContent {
            url: "https://example.com/p".into(),
            title: "Product".into(),
            description: "the one".into(),
        }),
        MessageContent::Location(LocationContent {
            x: 121.23,
            y: 34.213,
            scale: 1.0,
            label: "Office".into(),
        }),
    ];
    for content in contents {
        let sent = rig.engine.send_message(customer.id, content).await.unwrap();
        assert_eq!(sent.delivery, Delivery::Sent);
    }

    let expected = [
        (&image.media_id, &png),
        (&audio.media_id, &voice),
        (&clip.media_id, &video),
        (&thumb.media_id, &png),
    ];
    for (id, bytes) in expected {
        let record = eventually("the simulator to fetch the media", || async {
            rig.sim
                .control()
                .state()
                .media
                .get(id.as_str())
                .filter(|m| m.sha256.is_some())
                .cloned()
        })
        .await;
        assert_eq!(
            record.sha256.as_deref(),
            Some(hex::encode(Sha256::digest(bytes)).as_str()),
            "media {id} arrived intact"
        );
        assert_eq!(record.size, Some(bytes.len() as u64));
    }

    let received = eventually("agent replies to all six messages", || async {
        let messages = rig.engine.messages(conversation.id).await.unwrap();
        let replies: Vec<_> = messages
            .into_iter()
            .filter(|m| m.direction == Direction::In)
            .collect();
        (replies.len() >= 7).then_some(replies)
    })
    .await;
    assert!(received
        .iter()
        .all(|m| m.html.as_deref().is_some_and(|h| !h.contains("<script"))));

    let session = rig.sim_session(&customer).await;
    assert_eq!(
        session.messages.len(),
        6,
        "webchat got each of the six types once"
    );

    let log = rig
        .engine
        .exchanges(&ExchangeFilter {
            conversation_id: Some(conversation.id),
            ..Default::default()
        })
        .await
        .unwrap();
    for op in [
        "createcon.do",
        "getmsg.do",
        "/ari/updateRequestStatus",
        "/ari/create",
        "/ari/sessionAgentsUpdate",
        "/ari/msg",
        "/ari/getMedia",
    ] {
        assert!(
            log.iter().any(|e| e.operation.as_deref() == Some(op)),
            "{op} is in the exchange log"
        );
    }
    let downloads = rig
        .engine
        .exchanges(&ExchangeFilter {
            operation: Some("/wechat/".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        downloads.len(),
        4,
        "each media file was downloaded once through /wechat/"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_queued_request_can_be_cancelled() {
    let rig = Rig::start().await;
    rig.sim
        .control()
        .configure(wxsim_webchat::ConfigPatch {
            accept_delay_ms: Some(60_000),
            ..Default::default()
        })
        .unwrap();
    let customer = rig.customer("Lin", 2).await;
    rig.engine.request_chat(customer.id).await.unwrap();
    let queued = eventually("the request id to arrive", || async {
        let c = rig.conversation(&customer).await;
        (c.state == ConversationState::Queued && c.request_id.is_some()).then_some(c)
    })
    .await;
    assert!(queued.queue_position.is_some());
    assert_eq!(
        rig.engine.queue_position(customer.id).await.unwrap(),
        Some(0),
        "first in line: nobody ahead"
    );
    let canceled = rig.engine.cancel(customer.id).await.unwrap();
    assert_eq!(canceled.state, ConversationState::Canceled);
    let sent = rig
        .engine
        .exchanges(&wxsim_engine::ExchangeFilter {
            operation: Some("cancelRequest.do".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    let body: serde_json::Value = serde_json::from_str(&sent.request_body).unwrap();
    assert_eq!(body["sessionId"], 0, "required, and no session yet: {body}");
    let late = eventually("the simulator's status 7", || async {
        let c = rig.conversation(&customer).await;
        (c.request_status == Some(RequestStatus::CanceledByClient.code())).then_some(c)
    })
    .await;
    assert_eq!(
        late.state,
        ConversationState::Canceled,
        "a late status leaves it cancelled"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_robot_chat_is_transferred_to_a_human() {
    let rig = Rig::start().await;
    let (customer, robot) = rig.chatting("Tao", 9).await;
    assert_eq!(robot.agent_id.as_deref(), Some("BOT"));
    rig.engine
        .transfer(customer.id, "wants a person")
        .await
        .unwrap();
    let human = eventually("a human agent", || async {
        let c = rig.conversation(&customer).await;
        (c.state == ConversationState::Chatting && c.agent_id.as_deref() != Some("BOT"))
            .then_some(c)
    })
    .await;
    assert_eq!(human.id, robot.id, "the same conversation");
    assert_eq!(human.session_id, robot.session_id, "the same session");
    assert!(robot.handed_over_at.is_none());
    assert!(
        human.handed_over_at.is_some(),
        "handed over: a second transfer is not offered"
    );
    assert!(human
        .agents
        .iter()
        .any(|a| a.id == human.agent_id.clone().unwrap()));
    assert_eq!(
        human.finding_count, 0,
        "the new request's statuses start again: no status_backwards"
    );
    // Each agent line says who wrote it: the robot's greeting, then the human's.
    let writers = eventually("the human agent's greeting", || async {
        let writers: Vec<String> = rig
            .engine
            .messages(human.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.direction == wxsim_engine::Direction::In)
            .filter_map(|m| m.agent_name)
            .collect();
        (writers.len() >= 2).then_some(writers)
    })
    .await;
    assert_eq!(writers.first().map(String::as_str), Some("Robot"));
    assert_eq!(writers.last(), human.agent_name.as_ref(), "{writers:?}");
    assert_ne!(writers.first(), writers.last());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_close_brings_a_rating_prompt_that_can_be_answered() {
    let rig = Rig::start().await;
    let (customer, conversation) = rig.chatting("Hua", 1).await;
    let session: i64 = conversation.session_id.clone().unwrap().parse().unwrap();
    rig.sim.control().agent_close(session).unwrap();
    let closed = eventually("the close and the rating prompt", || async {
        let c = rig.conversation(&customer).await;
        (c.state == ConversationState::Closed && c.rating_options.is_some()).then_some(c)
    })
    .await;
    assert_eq!(closed.closed_by.as_deref(), Some("agent"));
    assert_eq!(closed.rating_options.unwrap().len(), 5);
    let rated = rig
        .engine
        .rate(customer.id, "1", "quick and kind")
        .await
        .unwrap();
    assert_eq!(rated.state, ConversationState::Rated);
    let sim_session = rig.sim_session(&customer).await;
    assert!(sim_session.rating.is_some(), "webchat recorded the rating");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_customer_closes_and_rates() {
    let rig = Rig::start().await;
    let (customer, _) = rig.chatting("Bo", 1).await;
    let closed = rig.engine.close(customer.id).await.unwrap();
    assert_eq!(closed.state, ConversationState::Closed);
    assert_eq!(closed.closed_by.as_deref(), Some("customer"));
    eventually("pushRating after closecon", || async {
        rig.conversation(&customer).await.rating_options
    })
    .await;
    assert_eq!(
        rig.engine.rate(customer.id, "5", "").await.unwrap().state,
        ConversationState::Rated
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn three_customers_chat_at_once() {
    let rig = Rig::start().await;
    let (a, b, c) = tokio::join!(
        rig.chatting("A", 1),
        rig.chatting("B", 2),
        rig.chatting("C", 1)
    );
    let sessions: std::collections::HashSet<_> = [&a.1, &b.1, &c.1]
        .iter()
        .map(|c| c.session_id.clone())
        .collect();
    assert_eq!(sessions.len(), 3);
    let (ra, rb, rc) = tokio::join!(
        rig.engine
            .send_message(a.0.id, MessageContent::Text("from A".into())),
        rig.engine
            .send_message(b.0.id, MessageContent::Text("from B".into())),
        rig.engine
            .send_message(c.0.id, MessageContent::Text("from C".into())),
    );
    for r in [ra, rb, rc] {
        assert_eq!(r.unwrap().delivery, Delivery::Sent);
    }
    for (customer, conversation) in [&a, &b, &c] {
        let messages = rig.engine.messages(conversation.id).await.unwrap();
        let mine: Vec<_> = messages
            .iter()
            .filter(|m| m.direction == Direction::Out)
            .collect();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].text, format!("from {}", customer.nickname));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_negative_result_code_reaches_the_caller_typed() {
    let rig = Rig::start().await;
    let codes = [-1, -2, -3, -4, -5, -9, -10, -100, -77];
    for code in codes {
        rig.sim.control().inject_fault(wxsim_webchat::FaultSpec {
            endpoint: wxsim_engine::protocol::Endpoint::CreateCon,
            result: ResultCode::from(code),
            count: 1,
            message: Some(format!("forced {code}")),
        });
        let customer = rig.customer(&format!("N{code}"), 1).await;
        match rig.engine.request_chat(customer.id).await {
            Err(EngineError::Rejected {
                code: got, message, ..
            }) => {
                assert_eq!(got, ResultCode::from(code));
                assert_eq!(message, format!("forced {code}"));
            }
            other => panic!("expected a rejection with {code}, got {other:?}"),
        }
        let c = rig.conversation(&customer).await;
        assert_eq!(
            (c.state, c.result_code),
            (ConversationState::Failed, Some(code))
        );
    }
    assert_eq!(ResultCode::from(-77), ResultCode::Unknown(-77));

    let (customer, _) = rig.chatting("Sends", 1).await;
    rig.sim.control().inject_fault(wxsim_webchat::FaultSpec {
        endpoint: wxsim_engine::protocol::Endpoint::GetMsg,
        result: ResultCode::NoServedAgentFound,
        count: 1,
        message: None,
    });
    let err = rig
        .engine
        .send_message(customer.id, MessageContent::Text("lost?".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            EngineError::Rejected {
                code: ResultCode::NoServedAgentFound,
                ..
            }
        ),
        "{err}"
    );
    let conversation = rig.conversation(&customer).await;
    let failed = rig
        .engine
        .messages(conversation.id)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|m| m.direction == Direction::Out)
        .unwrap();
    assert_eq!(
        (failed.delivery, failed.result_code),
        (Delivery::Failed, Some(-10))
    );
    assert_eq!(
        rig.engine.resend(failed.id).await.unwrap().delivery,
        Delivery::Sent
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn request_statuses_that_end_a_request_are_shown() {
    let rig = Rig::start().await;
    for status in [2, 3, 4, 5, 6] {
        rig.sim
            .control()
            .next_request_status(wxsim_webchat::NextRequestStatus {
                status: RequestStatus::from(status),
                skill_group: None,
            });
        let customer = rig.customer(&format!("S{status}"), 1).await;
        rig.engine.request_chat(customer.id).await.unwrap();
        let failed = rig.wait_state(&customer, ConversationState::Failed).await;
        assert_eq!(failed.request_status, Some(status));
    }
    rig.sim
        .control()
        .next_request_status(wxsim_webchat::NextRequestStatus {
            status: RequestStatus::EnterpriseWechatAccepted,
            skill_group: None,
        });
    let (_, c) = rig.chatting("Ent", 1).await;
    assert_eq!(c.state, ConversationState::Chatting);
}

#[tokio::test(flavor = "multi_thread")]
async fn our_own_robot_hands_a_customer_over_and_transfercon_opens_the_request() {
    let rig = Rig::start().await;
    rig.engine
        .set_profile(wxsim_engine::Profile {
            transfer_reading: wxsim_engine::TransferReading::HandOver,
            ..rig.engine.profile()
        })
        .await
        .unwrap();
    let customer = rig.customer("Yu", 1).await;
    let robot_said = "robot: how can I help?\ncustomer: a person, please";
    let opened = rig.engine.transfer(customer.id, robot_said).await.unwrap();
    assert_eq!(opened.state, ConversationState::Queued);
    let human = rig.wait_state(&customer, ConversationState::Chatting).await;
    assert_eq!(human.id, opened.id);
    assert!(human.session_id.is_some());

    let sent = rig
        .engine
        .exchanges(&wxsim_engine::ExchangeFilter {
            operation: Some("transferCon.do".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    let body: serde_json::Value = serde_json::from_str(&sent.request_body).unwrap();
    assert_eq!(body["sessionId"], 0, "no webchat session yet: {body}");
    assert_eq!(body["transferInfo"], robot_said);
    let answer: serde_json::Value =
        serde_json::from_str(sent.response_body.as_deref().unwrap()).unwrap();
    assert_eq!(answer["result"], 1, "createcon-shaped: {answer}");
    assert!(answer.get("queueLength").is_some(), "{answer}");

    // A hand-over needs a customer without a chat in progress.
    let refused = rig.engine.transfer(customer.id, "again").await.unwrap_err();
    assert_eq!(refused.kind(), "wrong_state", "{refused}");
}

/// The HTML export of a conversation, with what it carries inside itself.
async fn html_export(engine: &wxsim_engine::Engine, id: i64) -> String {
    let c = engine.conversation(id).await.unwrap();
    let messages = engine.messages(id).await.unwrap();
    let embedded = engine
        .embedded(&messages, wxsim_engine::export::Files::Pictures)
        .await
        .unwrap();
    wxsim_engine::export::conversation(
        wxsim_engine::export::ExportFormat::Html,
        &c,
        &messages,
        &embedded,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn an_html_export_carries_its_pictures_and_reads_the_same_after_webchat_is_gone() {
    let rig = Rig::start().await;
    let (customer, conversation) = rig.chatting("Pei", 1).await;
    let session: i64 = conversation.session_id.clone().unwrap().parse().unwrap();
    // No reply to the image: the transcript must stop changing before it is compared.
    rig.sim
        .control()
        .configure(wxsim_webchat::ConfigPatch {
            auto_reply: Some(false),
            ..Default::default()
        })
        .unwrap();
    rig.sim
        .control()
        .agent_say(
            session,
            r#"<p>hello <img src="emoji/smile.png" alt="[smile]"></p>"#,
        )
        .unwrap();
    let png = b"\x89PNG\r\n\x1a\nthe customer's own picture".to_vec();
    let image = rig
        .engine
        .upload_media(MediaKind::Image, "mine.png", png)
        .await
        .unwrap();
    rig.engine
        .send_message(
            customer.id,
            MessageContent::Image(wxsim_engine::protocol::content::ImageContent {
                media_id: image.media_id.clone(),
            }),
        )
        .await
        .unwrap();
    // The emoji is kept shortly after the message arrives, off the callback's answer.
    eventually("the emoji to be kept and embedded", || async {
        let html = html_export(&rig.engine, conversation.id).await;
        (html.contains("hello") && !html.contains("emoji/smile.png")).then_some(())
    })
    .await;
    // Read once everything has arrived: a read during the last arrival can see the message
    // before its conversation's count.
    let html = html_export(&rig.engine, conversation.id).await;
    assert!(
        !html.contains("src=\"http"),
        "no picture left at webchat: {html}"
    );
    assert!(
        html.contains(
            "src=\"data:image/png;base64,iVBORw0KGgp0aGUgY3VzdG9tZXIncyBvd24gcGljdHVyZQ==\""
        ),
        "the customer's image is inside: {html}"
    );

    let Rig {
        engine,
        sim,
        dir: _dir,
    } = rig;
    sim.shutdown().await;
    assert_eq!(
        html_export(&engine, conversation.id).await,
        html,
        "the same transcript with webchat gone"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_transcript_opens_with_the_request_before_any_status_webchat_sent() {
    let rig = Rig::start().await;
    for nickname in ["Ai", "Bo", "Cy"] {
        let (_, conversation) = rig.chatting(nickname, 1).await;
        let lines: Vec<String> = rig
            .engine
            .messages(conversation.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.direction == wxsim_engine::Direction::System)
            .map(|m| m.text)
            .collect();
        assert_eq!(
            lines.first().map(String::as_str),
            Some("chat requested"),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with("request status")),
            "{lines:?}"
        );
    }
}
