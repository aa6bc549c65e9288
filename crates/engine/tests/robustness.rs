//! Bad input on the listener, a webchat that is down or slow, and a restart: clear
//! answers, nothing lost.

mod common;

use common::{post, quick_profile, start_engine, Rig};
use serde_json::json;
use tokio::net::TcpListener;
use wxsim_engine::protocol::MessageContent;
use wxsim_engine::{
    ConversationState, Delivery, Direction, EngineError, ExchangeFilter, ExchangeOutcome, Profile,
};

#[tokio::test(flavor = "multi_thread")]
async fn bad_callbacks_get_clear_answers_are_logged_and_the_next_one_works() {
    let rig = Rig::start().await;
    let (customer, conversation) = rig.chatting("Ana", 1).await;
    let base = rig.engine.callback_base();
    let session: i64 = conversation.session_id.clone().unwrap().parse().unwrap();
    let msg = format!("{base}/ari/msg");

    let (status, body) = post(&msg, "{not json", None).await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("not valid JSON"),
        "{body}"
    );
    assert_ne!(body["result"], 1);

    let (status, body) = post(
        &msg,
        json!({"sessionId": [1], "content": "x"}).to_string(),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("sessionId"),
        "{body}"
    );

    let (status, body) = post(
        &msg,
        json!({"sessionId": session, "content": 5}).to_string(),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("content"),
        "{body}"
    );

    let (status, body) = post(&msg, json!({"sessionId": session}).to_string(), None).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "field `content`: required field is missing"
    );

    let (status, body) = post(
        &msg,
        json!({"sessionId": 999999, "content": "hi"}).to_string(),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["result"], -10);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("unknown sessionId 999999"),
        "{body}"
    );

    let (status, body) = post(
        &format!("{base}/ari/getMedia"),
        json!({"mediaId": "nope", "sessionId": 42}).to_string(),
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (200, Some(-10)),
        "getMedia answers with `code`: {body}"
    );

    let huge = format!(
        "{{\"sessionId\":{session},\"content\":\"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    let (status, body) = post(&msg, huge, None).await;
    assert_eq!(status, 413);
    assert!(
        body["message"].as_str().unwrap().contains("larger than"),
        "{body}"
    );

    let (status, _) = post(&format!("{base}/ari/nothing"), "{}", None).await;
    assert_eq!(status, 404);
    let get = reqwest::get(&msg).await.unwrap();
    assert_eq!(get.status().as_u16(), 405);

    let refused = rig
        .engine
        .exchanges(&ExchangeFilter {
            outcome: Some(ExchangeOutcome::Rejected),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        refused.len() >= 8,
        "every refusal is in the exchange log, got {}",
        refused.len()
    );
    assert!(refused.iter().any(|e| e.path == "/ari/nothing"));
    assert!(refused.iter().any(|e| e.status == Some(413)));

    let (status, body) = post(
        &msg,
        json!({"sessionId": session, "content": "<b>still here</b>", "msgTime": 1}).to_string(),
        None,
    )
    .await;
    assert_eq!((status, body["result"].as_i64()), (200, Some(1)));

    // Large but within the limit: parsed and sanitized off the async workers, then stored.
    let long = format!(
        "<p>{}</p><script>alert(1)</script>",
        "long words ".repeat(30_000)
    );
    let (status, body) = post(
        &msg,
        json!({"sessionId": session, "content": long, "msgTime": 2}).to_string(),
        None,
    )
    .await;
    assert_eq!((status, body["result"].as_i64()), (200, Some(1)), "{body}");

    let stored = rig.engine.messages(conversation.id).await.unwrap();
    assert!(stored
        .iter()
        .any(|m| m.direction == Direction::In && m.text == "still here"));
    let large = stored
        .iter()
        .find(|m| m.text.starts_with("long words"))
        .expect("the large message is stored");
    let html = large.html.as_deref().unwrap_or_default();
    assert!(
        html.len() > 300_000 && !html.contains("script"),
        "kept whole and sanitized"
    );
    let _ = customer;
}

#[tokio::test(flavor = "multi_thread")]
async fn media_is_served_only_by_plain_name_for_its_own_account() {
    let rig = Rig::start().await;
    let media = rig
        .engine
        .upload_media(wxsim_engine::MediaKind::Image, "a.png", &b"PNGDATA"[..])
        .await
        .unwrap();
    let base = rig.engine.callback_base();
    let epid = rig.engine.profile().epid;
    let ok = reqwest::get(format!(
        "{base}/wechat/{epid}/image?file={}",
        media.file_name
    ))
    .await
    .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(ok.bytes().await.unwrap().as_ref(), b"PNGDATA");
    for bad in ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", ".hidden"] {
        let r = reqwest::get(format!("{base}/wechat/{epid}/image?file={bad}"))
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400, "{bad}");
    }
    let other = reqwest::get(format!(
        "{base}/wechat/another-account/image?file={}",
        media.file_name
    ))
    .await
    .unwrap();
    assert_eq!(other.status().as_u16(), 404);

    let as_voice = reqwest::get(format!(
        "{base}/wechat/{epid}/voice?file={}",
        media.file_name
    ))
    .await
    .unwrap();
    assert_eq!(
        as_voice.status().as_u16(),
        404,
        "an image is not served as voice"
    );
    let unknown = reqwest::get(format!(
        "{base}/wechat/{epid}/file?file={}",
        media.file_name
    ))
    .await
    .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);

    // After the account's epid changes, what was sent before is still served under the new one.
    rig.engine
        .set_profile(Profile {
            epid: "renamed-account".into(),
            ..rig.engine.profile()
        })
        .await
        .unwrap();
    let renamed = reqwest::get(format!(
        "{base}/wechat/renamed-account/image?file={}",
        media.file_name
    ))
    .await
    .unwrap();
    assert_eq!(renamed.status().as_u16(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn get_media_gives_only_what_the_sessions_customer_sent() {
    let rig = Rig::start().await;
    let (ann, _) = rig.chatting("Ann", 1).await;
    let (_, bob_chat) = rig.chatting("Bob", 1).await;
    let media = rig
        .engine
        .upload_media(wxsim_engine::MediaKind::Image, "ann.png", &b"ANN"[..])
        .await
        .unwrap();
    rig.engine
        .send_message(
            ann.id,
            MessageContent::Image(wxsim_engine::protocol::content::ImageContent {
                media_id: media.media_id.clone(),
            }),
        )
        .await
        .unwrap();
    let url = format!("{}/ari/getMedia", rig.engine.callback_base());
    let ask = |session: &str| {
        json!({"sessionId": session, "mediaId": media.media_id, "epid": rig.engine.profile().epid})
            .to_string()
    };
    let ann_session = rig.conversation(&ann).await.session_id.unwrap();
    let (_, body) = post(&url, ask(&ann_session), None).await;
    assert_eq!(body["code"], 1, "{body}");
    assert_eq!(body["message"], media.file_name.as_str());

    let (_, body) = post(&url, ask(bob_chat.session_id.as_deref().unwrap()), None).await;
    assert_eq!(body["code"], -10, "another customer's file: {body}");
    assert!(
        body["message"].as_str().unwrap().contains("not sent by"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_down_or_slow_webchat_fails_the_send_clearly_and_the_message_can_be_resent() {
    let rig = Rig::start().await;
    let (customer, conversation) = rig.chatting("Dan", 1).await;
    let good = rig.engine.profile();

    let closed_port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    rig.engine
        .set_profile(Profile {
            webchat_url: Some(format!("http://{closed_port}/webchat")),
            ..good.clone()
        })
        .await
        .unwrap();
    let err = rig
        .engine
        .send_message(customer.id, MessageContent::Text("anyone?".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            EngineError::Webchat(wxsim_engine::client::CallError::Unreachable { .. })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("unreachable"), "{err}");

    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    rig.engine
        .set_profile(Profile {
            webchat_url: Some(format!("http://{}/webchat", silent.local_addr().unwrap())),
            request_timeout_ms: 300,
            ..good.clone()
        })
        .await
        .unwrap();
    let err = rig
        .engine
        .send_message(customer.id, MessageContent::Text("hello?".into()))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("did not answer within 300 ms"),
        "{err}"
    );

    let failed: Vec<_> = rig
        .engine
        .messages(conversation.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.direction == Direction::Out)
        .collect();
    assert_eq!(failed.len(), 2);
    assert!(failed
        .iter()
        .all(|m| m.delivery == Delivery::Failed && m.error.is_some()));

    rig.engine.set_profile(good).await.unwrap();
    for m in failed {
        assert_eq!(
            rig.engine.resend(m.id).await.unwrap().delivery,
            Delivery::Sent
        );
    }
    let session = rig.sim_session(&customer).await;
    assert_eq!(
        session.messages.len(),
        2,
        "each message reached webchat exactly once"
    );
    drop(silent);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_reopens_the_database_and_finds_everything() {
    let rig = Rig::start().await;
    let (customer, conversation) = rig.chatting("Rui", 1).await;
    let sent = rig
        .engine
        .send_message(customer.id, MessageContent::Text("remember me".into()))
        .await
        .unwrap();
    // The agent's reply, so that nothing is still on its way when the engine stops.
    let before = common::eventually("the agent's reply", || async {
        let messages = rig.engine.messages(conversation.id).await.unwrap();
        messages
            .iter()
            .any(|m| m.direction == Direction::In && m.id > sent.id)
            .then_some(messages)
    })
    .await;
    let exchanges_before = rig
        .engine
        .exchanges(&ExchangeFilter::default())
        .await
        .unwrap()
        .len();
    rig.engine.shutdown().await;

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let engine = start_engine(rig.dir.path(), Some(rig.sim.base_url()), listener, None).await;
    assert_eq!(
        engine.profile(),
        quick_profile(),
        "the active profile was kept"
    );
    let customers = engine.customers().await.unwrap();
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0].open_id, customer.open_id);
    let again = engine.conversation(conversation.id).await.unwrap();
    assert_eq!(again.state, ConversationState::Chatting);
    assert_eq!(again.session_id, conversation.session_id);
    let after = engine.messages(conversation.id).await.unwrap();
    assert_eq!(after.len(), before.len());
    assert!(
        engine
            .exchanges(&ExchangeFilter::default())
            .await
            .unwrap()
            .len()
            >= exchanges_before
    );
    let hits = engine.search("remember", 10).await.unwrap();
    let own = hits
        .iter()
        .find(|h| h.message.id == sent.id)
        .expect("the customer's message is found again");
    assert!(own.snippet.contains("<mark>remember</mark>"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reused_request_id_reaches_the_customers_new_request_not_an_old_one() {
    let rig = Rig::start().await;
    let (customer, first) = rig.chatting("Again", 1).await;
    let old_request = first.request_id.clone().unwrap();
    rig.engine.close(customer.id).await.unwrap();
    // A webchat that restarted: it takes the request (result 1) and, later, names it with an
    // id it already used for this customer's earlier request.
    rig.sim.control().inject_fault(wxsim_webchat::FaultSpec {
        endpoint: wxsim_engine::protocol::Endpoint::CreateCon,
        result: wxsim_engine::protocol::ResultCode::Success,
        count: 1,
        message: None,
    });
    let second = rig.engine.request_chat(customer.id).await.unwrap();
    assert_eq!(
        (second.state, second.request_id.clone()),
        (ConversationState::Queued, None)
    );
    let status = json!({"requestId": old_request, "requestStatus": 0, "openId": customer.open_id, "queueLength": 4, "message": ""});
    let (_, answer) = post(
        &format!("{}/ari/updateRequestStatus", rig.engine.callback_base()),
        status.to_string(),
        None,
    )
    .await;
    assert_eq!(answer["result"], 1);
    let second = rig.engine.conversation(second.id).await.unwrap();
    assert_eq!(
        second.request_id,
        Some(old_request),
        "the status reached the new request"
    );
    assert_eq!(second.request_status, Some(0));
    let first = rig.engine.conversation(first.id).await.unwrap();
    assert_eq!(
        (first.state, first.request_status),
        (ConversationState::Closed, Some(1)),
        "the old one is untouched"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_are_stored_switchable_and_removable_but_not_the_active_one() {
    let rig = Rig::start().await;
    let first = rig.engine.profile();
    let staging = Profile {
        name: "staging".into(),
        webchat_url: Some("http://127.0.0.1:9/webchat".into()),
        ..first.clone()
    };
    rig.engine.set_profile(staging.clone()).await.unwrap();
    let names: Vec<String> = rig
        .engine
        .profiles()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, vec![first.name.clone(), "staging".to_owned()]);
    assert_eq!(rig.engine.webchat_base(), "http://127.0.0.1:9/webchat");
    assert!(
        rig.engine.delete_profile("staging").await.is_err(),
        "the active profile stays"
    );
    rig.engine.set_profile(first.clone()).await.unwrap();
    assert_eq!(
        rig.engine.webchat_base(),
        rig.sim.base_url(),
        "back on the simulator"
    );
    rig.engine.delete_profile("staging").await.unwrap();
    assert_eq!(rig.engine.profiles().await.unwrap(), vec![first]);
    assert!(rig.engine.delete_profile("staging").await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn unread_and_message_counts_follow_the_conversation() {
    let rig = Rig::start().await;
    let (customer, conversation) = rig.chatting("Counts", 1).await;
    assert_eq!(
        rig.engine.customer(customer.id).await.unwrap().unread,
        1,
        "the greeting is unread"
    );
    assert_eq!(rig.engine.mark_read(customer.id).await.unwrap().unread, 0);
    rig.engine
        .send_message(customer.id, MessageContent::Text("one".into()))
        .await
        .unwrap();
    let reply = common::eventually("the agent's reply", || async {
        let c = rig.engine.customer(customer.id).await.unwrap();
        (c.unread == 1).then_some(c)
    })
    .await;
    assert_eq!(reply.unread, 1);
    let c = rig.engine.conversation(conversation.id).await.unwrap();
    let stored = rig.engine.messages(conversation.id).await.unwrap();
    let counted = stored
        .iter()
        .filter(|m| m.direction != Direction::System)
        .count() as i64;
    assert_eq!(
        (c.message_count, counted),
        (3, 3),
        "greeting, message, reply; system lines not counted"
    );
}

/// A webchat that takes connections and never answers; each accepted connection is
/// announced on the channel and held open until the test ends.
async fn silent_webchat() -> (String, tokio::sync::mpsc::UnboundedReceiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webchat", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
            let _ = tx.send(());
        }
    });
    (url, rx)
}

fn pointed_at(url: Option<String>, timeout_ms: u64) -> Profile {
    Profile {
        webchat_url: url,
        request_timeout_ms: timeout_ms,
        ..quick_profile()
    }
}

/// What hyper does to a handler whose client hangs up: the command's future is dropped
/// once webchat has the request in hand.
async fn drop_caller_once_webchat_has_it<T: Send + 'static>(
    command: impl std::future::Future<Output = T> + Send + 'static,
    arrived: &mut tokio::sync::mpsc::UnboundedReceiver<()>,
) {
    let caller = tokio::spawn(command);
    arrived.recv().await.expect("webchat got the request");
    caller.abort();
    assert!(matches!(caller.await, Err(e) if e.is_cancelled()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_whose_caller_goes_away_still_ends_and_can_be_sent_again() {
    let rig = Rig::start().await;
    let (customer, conversation) = rig.chatting("Ana", 1).await;
    let (silent, mut arrived) = silent_webchat().await;
    rig.engine
        .set_profile(pointed_at(Some(silent), 1_500))
        .await
        .unwrap();

    let engine = rig.engine.clone();
    drop_caller_once_webchat_has_it(
        async move {
            engine
                .send_message(customer.id, MessageContent::Text("left behind".into()))
                .await
        },
        &mut arrived,
    )
    .await;

    let failed = common::eventually("the abandoned send to end", || async {
        rig.engine
            .messages(conversation.id)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.direction == Direction::Out && m.delivery == Delivery::Failed)
    })
    .await;
    assert!(
        failed
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("did not answer within"),
        "{failed:?}"
    );

    rig.engine
        .set_profile(pointed_at(None, 2_000))
        .await
        .unwrap();
    assert_eq!(
        rig.engine.resend(failed.id).await.unwrap().delivery,
        Delivery::Sent
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chat_request_whose_caller_goes_away_ends_and_the_next_one_works() {
    let rig = Rig::start().await;
    let customer = rig.customer("Bo", 1).await;
    let (silent, mut arrived) = silent_webchat().await;
    rig.engine
        .set_profile(pointed_at(Some(silent), 1_500))
        .await
        .unwrap();

    let engine = rig.engine.clone();
    let id = customer.id;
    drop_caller_once_webchat_has_it(async move { engine.request_chat(id).await }, &mut arrived)
        .await;

    let failed = rig.wait_state(&customer, ConversationState::Failed).await;
    assert!(
        failed
            .status_message
            .as_deref()
            .unwrap_or_default()
            .contains("did not answer within"),
        "{failed:?}"
    );

    rig.engine
        .set_profile(pointed_at(None, 2_000))
        .await
        .unwrap();
    rig.engine.request_chat(customer.id).await.unwrap();
    rig.wait_state(&customer, ConversationState::Chatting).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_callback_whose_sender_hangs_up_is_still_stored_and_announced() {
    use tokio::io::AsyncWriteExt;

    let rig = Rig::start().await;
    let (_, conversation) = rig.chatting("Cy", 1).await;
    let session: i64 = conversation.session_id.clone().unwrap().parse().unwrap();
    rig.engine
        .set_listener_faults(vec![wxsim_engine::faults::ListenerFault {
            path: "/ari/msg".into(),
            action: wxsim_engine::faults::FaultAction::Delay { ms: 1_000 },
            remaining: Some(1),
            share: None,
        }])
        .unwrap();
    let mut events = rig.engine.subscribe();

    let body =
        json!({"sessionId": session, "content": "after the hang-up", "msgTime": 7}).to_string();
    let mut socket = tokio::net::TcpStream::connect(rig.engine.listen_addr())
        .await
        .unwrap();
    let request = format!(
        "POST /ari/msg HTTP/1.1\r\nhost: wxsim\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    // The delay is taken once the handler runs: hang up while it waits.
    common::eventually("the listener to take the request", || async {
        rig.engine.listener_faults().is_empty().then_some(())
    })
    .await;
    drop(socket);

    let announced = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            if let wxsim_engine::EngineEvent::MessageAdded { message } =
                &*events.recv().await.unwrap()
            {
                if message.text.contains("after the hang-up") {
                    return message.clone();
                }
            }
        }
    })
    .await
    .expect("the stored message is announced");
    let stored = rig.engine.messages(conversation.id).await.unwrap();
    assert!(stored.iter().any(|m| m.id == announced.id));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_with_a_non_2xx_status_is_read_for_its_result() {
    // A webchat that refuses every call with HTTP 400 and a body that says why.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webchat", listener.local_addr().unwrap());
    let refusing = axum::Router::new().fallback(|| async {
        (
            axum::http::StatusCode::BAD_REQUEST,
            axum::Json(json!({"result": -100, "message": "field `skillGroup`: out of range"})),
        )
    });
    tokio::spawn(async move { axum::serve(listener, refusing).await });
    let rig = Rig::start().await;
    rig.engine
        .set_profile(pointed_at(Some(url), 2_000))
        .await
        .unwrap();
    let customer = rig.customer("Di", 1).await;

    let err = rig.engine.request_chat(customer.id).await.unwrap_err();
    assert!(
        matches!(&err, EngineError::Rejected { code, message, .. }
            if code.code() == -100 && message.contains("out of range")),
        "{err}"
    );
    let failed = rig.wait_state(&customer, ConversationState::Failed).await;
    assert_eq!(failed.result_code, Some(-100));
    let exchange = rig
        .engine
        .exchanges(&ExchangeFilter {
            operation: Some("createcon.do".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        (exchange.status, exchange.result_code, exchange.outcome),
        (Some(400), Some(-100), ExchangeOutcome::Rejected)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_restart_a_chat_webchat_forgot_is_marked_lost_and_can_be_requested_again() {
    let rig = Rig::start().await;
    let (customer, conversation) = rig.chatting("Lu", 1).await;
    rig.engine.shutdown().await;

    // webchat restarted too, and forgot every session.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let fresh = wxsim_webchat::spawn(
        common::quick_sim(format!("http://{}", listener.local_addr().unwrap())),
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
    )
    .await
    .unwrap();
    let engine = start_engine(rig.dir.path(), Some(fresh.base_url()), listener, None).await;
    let lost = common::eventually("the forgotten chat to be marked lost", || async {
        let c = engine.conversation(conversation.id).await.unwrap();
        (c.state == ConversationState::Lost).then_some(c)
    })
    .await;
    assert!(lost.closed_at.is_some());
    let lines = engine.messages(conversation.id).await.unwrap();
    assert!(
        lines
            .iter()
            .any(|m| m.direction == Direction::System && m.text.contains("no longer knows")),
        "the transcript says why"
    );
    engine.request_chat(customer.id).await.unwrap();
    common::eventually("a new chat", || async {
        let c = engine
            .conversations(&wxsim_engine::ConversationFilter {
                customer_id: Some(customer.id),
                limit: Some(1),
                ..Default::default()
            })
            .await
            .unwrap()
            .remove(0);
        (c.state == ConversationState::Chatting && c.id != conversation.id).then_some(())
    })
    .await;
}

/// One of the commands that call webchat, by name.
async fn command(
    name: &'static str,
    engine: wxsim_engine::Engine,
    customer: i64,
) -> Result<(), EngineError> {
    match name {
        "pulse" => {
            let conversation = engine.customer(customer).await?.conversation_id.unwrap();
            engine.pulse_now(conversation).await.map(|_| ())
        }
        "rate" => engine.rate(customer, "1", "").await.map(|_| ()),
        "close" => engine.close(customer).await.map(|_| ()),
        other => unreachable!("no command {other}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_whose_caller_goes_away_leaves_the_next_one_working() {
    let rig = Rig::start().await;
    let (customer, _) = rig.chatting("Mo", 1).await;
    let (silent, mut arrived) = silent_webchat().await;
    for name in ["pulse", "rate", "close"] {
        rig.engine
            .set_profile(pointed_at(Some(silent.clone()), 1_500))
            .await
            .unwrap();
        drop_caller_once_webchat_has_it(
            command(name, rig.engine.clone(), customer.id),
            &mut arrived,
        )
        .await;
        rig.engine
            .set_profile(pointed_at(None, 2_000))
            .await
            .unwrap();
        // The abandoned call ends on its own (timed out); the same command works meanwhile.
        command(name, rig.engine.clone(), customer.id)
            .await
            .unwrap_or_else(|e| panic!("{name} after an abandoned {name}: {e}"));
    }
    assert_eq!(
        rig.conversation(&customer).await.state,
        ConversationState::Closed
    );
}
