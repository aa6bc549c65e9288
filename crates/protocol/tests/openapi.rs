//! The OpenAPI document parses as OpenAPI 3.1, the shipped copy is current, and its schemas
//! (JSON Schema 2020-12) accept real traffic — the spec's examples and every body our own
//! serializers produce — and refuse malformed bodies, as the contract checker does.

mod common;
#[path = "common/schemas.rs"]
mod schemas;

use schemas::Schemas;
use serde_json::{json, Value};
use wxsim_protocol::content::{
    ImageContent, LinkContent, LocationContent, VideoContent, VoiceContent,
};
use wxsim_protocol::openapi::document;
use wxsim_protocol::*;

const SHIPPED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/interface.openapi.json"
);

#[test]
fn the_document_is_valid_openapi_3_1_with_fifteen_operations() {
    let text = serde_json::to_string_pretty(&document()).unwrap();
    let spec = oas3::from_json(&text).expect("an OpenAPI 3.1 parser accepts it");
    assert_eq!(spec.openapi, "3.1.0");
    let ops: Vec<_> = spec.operations().collect();
    assert_eq!(
        ops.iter().filter(|(_, m, _)| m.as_str() == "POST").count(),
        15
    );
    let mut ids: Vec<_> = ops
        .iter()
        .filter_map(|(_, _, op)| op.operation_id.clone())
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "operation ids are unique");
}

#[test]
fn the_shipped_copy_matches_the_code() {
    let text = serde_json::to_string_pretty(&document()).unwrap() + "\n";
    if std::env::var_os("WXSIM_BLESS").is_some() {
        std::fs::write(SHIPPED, &text).unwrap();
    }
    // Compared as JSON values: key order follows serde_json's `preserve_order`, which
    // feature unification turns on in some builds of the workspace and not in others.
    let shipped: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(SHIPPED).unwrap_or_default())
            .unwrap_or_default();
    assert!(shipped == document(), "docs/interface.openapi.json is stale: run `WXSIM_BLESS=1 cargo test -p wxsim-protocol --test openapi`");
}

fn endpoint(e: Endpoint) -> Operation {
    Operation::Endpoint(e)
}

fn callback(c: CallbackKind) -> Operation {
    Operation::Callback(c)
}

fn to_json(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap()
}

/// A body of each message type, with a media id or text in every field.
fn contents() -> Vec<MessageContent> {
    vec![
        MessageContent::Text("你好 <b>hi</b>".into()),
        MessageContent::Image(ImageContent {
            media_id: "m1".into(),
        }),
        MessageContent::Voice(VoiceContent {
            recognition: "你好".into(),
            format: "amr".into(),
            media_id: "m2".into(),
        }),
        MessageContent::Video(VideoContent {
            thumb_media_id: "t3".into(),
            media_id: "m3".into(),
        }),
        MessageContent::Link(LinkContent {
            url: "https://example.com/a".into(),
            title: "A".into(),
            description: "about A".into(),
        }),
        MessageContent::Location(LocationContent {
            x: 121.23,
            y: 34.213,
            scale: 15.0,
            label: "Shanghai".into(),
        }),
    ]
}

/// Every body our own serializers produce: the engine's requests (all six message types in
/// both encodings), the simulator's callbacks and answers, the engine's callback answers.
fn our_bodies() -> Vec<(String, Operation, Side, Value)> {
    use CallbackKind as C;
    use Endpoint as P;
    use Side::{Answer as A, Request as R};
    let mut out: Vec<(String, Operation, Side, Value)> = vec![];
    let mut add = |what: String, op: Operation, side: Side, body: Value| {
        out.push((what, op, side, body));
    };
    for content in contents() {
        for encoding in [ContentEncoding::Object, ContentEncoding::String] {
            let request = GetMsgRequest {
                session_id: WireId::Num(1001).into(),
                epid: Some("wxsim-demo".into()),
                agent_id: WireId::Text("A001".into()).into(),
                open_id: WireId::Text("o-1".into()).into(),
                msg_type: content.msg_type(),
                content: content.to_wire(encoding),
            };
            add(
                format!("getmsg.do {} {encoding:?}", content.msg_type().as_str()),
                endpoint(P::GetMsg),
                R,
                to_json(request),
            );
        }
    }
    let now = 1_700_000_000_000;
    add(
        "createcon.do in full".into(),
        endpoint(P::CreateCon),
        R,
        to_json(CreateConRequest {
            open_id: "o-1".into(),
            skill_group: 1,
            nickname: Some("Chen".into()),
            head_img_url: Some("http://h/a.png".into()),
            request_time: now,
            epid: Some("wxsim-demo".into()),
            service_account: Some("Demo".into()),
            agent_id: Some("A001".into()),
            from: Some(RequestSource::Wechat),
            brand: Some("b".into()),
            tracks: Some("[]".into()),
        }),
    );
    add(
        "createcon.do, required only".into(),
        endpoint(P::CreateCon),
        R,
        to_json(CreateConRequest {
            open_id: "o-1".into(),
            skill_group: 2,
            nickname: None,
            head_img_url: None,
            request_time: now,
            epid: None,
            service_account: None,
            agent_id: None,
            from: None,
            brand: None,
            tracks: None,
        }),
    );
    add(
        "closecon.do".into(),
        endpoint(P::CloseCon),
        R,
        to_json(CloseConRequest {
            session_id: WireId::Num(1001).into(),
            epid: Some("wxsim-demo".into()),
        }),
    );
    add(
        "ratesession.do".into(),
        endpoint(P::RateSession),
        R,
        to_json(RateSessionRequest {
            chat_session_id: WireId::Num(1001).into(),
            rating_id: WireId::Num(5).into(),
            rating_comment: "good".into(),
            epid: Some("wxsim-demo".into()),
        }),
    );
    for create_time in [
        CreateTime::Text("2024-01-01 10:00:00".into()),
        CreateTime::Millis(now),
    ] {
        add(
            format!("transferCon.do {create_time:?}"),
            endpoint(P::TransferCon),
            R,
            to_json(TransferConRequest {
                session_id: Some(WireId::Num(1001).into()),
                open_id: "o-1".into(),
                create_time: create_time.clone(),
                transfer_info: "robot said".into(),
                epid: Some("wxsim-demo".into()),
            }),
        );
        add(
            format!("pulse.do {create_time:?}"),
            endpoint(P::Pulse),
            R,
            to_json(PulseRequest {
                session_id: WireId::Num(1001).into(),
                open_id: "o-1".into(),
                create_time: create_time.clone(),
                transfer_info: String::new(),
                epid: Some("wxsim-demo".into()),
            }),
        );
        for session_id in [None, Some(WireId::Num(0).into())] {
            add(
                format!("cancelRequest.do {create_time:?} {session_id:?}"),
                endpoint(P::CancelRequest),
                R,
                to_json(CancelRequestRequest {
                    session_id,
                    open_id: "o-1".into(),
                    request_id: "R-1".into(),
                    create_time: create_time.clone(),
                    epid: Some("wxsim-demo".into()),
                }),
            );
        }
    }
    add(
        "getQueueLength.do".into(),
        endpoint(P::GetQueueLength),
        R,
        to_json(GetQueueLengthRequest {
            request_id: "R-1".into(),
            epid: Some("wxsim-demo".into()),
        }),
    );

    // The simulator's answers.
    for (what, answer) in [("queued", None), ("persistent", Some(WireId::Num(1001)))] {
        let a = CreateConAnswer {
            result: ResultCode::Success,
            message: "ok".into(),
            queue_length: Some(1),
            session_id: answer.clone().map(Into::into),
            agent_id: answer.as_ref().map(|_| "A001".into()),
            agent_name: answer.as_ref().map(|_| "Alice".into()),
            request_id: Some("R-1".into()),
        };
        add(
            format!("createcon.do answer, {what}"),
            endpoint(P::CreateCon),
            A,
            to_json(&a),
        );
        add(
            format!("transferCon.do answer, {what}"),
            endpoint(P::TransferCon),
            A,
            to_json(&a),
        );
    }
    add(
        "getQueueLength.do answer".into(),
        endpoint(P::GetQueueLength),
        A,
        to_json(QueueLengthAnswer {
            result: ResultCode::Success,
            message: "ok".into(),
            order_in_queue: Some(0),
        }),
    );
    for e in Endpoint::ALL {
        if e != P::GetQueueLength {
            add(
                format!("{} ok", e.path()),
                endpoint(e),
                A,
                to_json(BasicAnswer::ok()),
            );
        }
        add(
            format!("{} refused", e.path()),
            endpoint(e),
            A,
            to_json(BasicAnswer::fail(
                ResultCode::NoServedAgentFound,
                "no such session",
            )),
        );
    }

    // The simulator's callbacks.
    add(
        "/ari/create routed".into(),
        callback(C::Create),
        R,
        to_json(CreateCallback {
            result: ResultCode::Success,
            message: "ok".into(),
            agent_id: Some("A001".into()),
            agent_name: Some("Alice".into()),
            session_id: Some(WireId::Num(1001).into()),
            response_time: Some(now),
            open_id: "o-1".into(),
            epid: Some("wxsim-demo".into()),
        }),
    );
    add(
        "/ari/create failed".into(),
        callback(C::Create),
        R,
        to_json(CreateCallback {
            result: ResultCode::NoAgentOnline,
            message: "no agent online".into(),
            agent_id: None,
            agent_name: None,
            session_id: None,
            response_time: None,
            open_id: "o-1".into(),
            epid: Some("wxsim-demo".into()),
        }),
    );
    add(
        "/ari/msg".into(),
        callback(C::Msg),
        R,
        to_json(MsgCallback {
            session_id: WireId::Num(1001).into(),
            agent_id: Some("A001".into()),
            open_id: Some("o-1".into()),
            epid: Some("wxsim-demo".into()),
            msg_time: Some(now),
            content: "<p>Hello <img src=\"/emoji/1.png\"></p>".into(),
        }),
    );
    add(
        "/ari/close".into(),
        callback(C::Close),
        R,
        to_json(CloseCallback {
            close_time: Some(now),
            agent_id: Some("A001".into()),
            session_id: WireId::Num(1001).into(),
            open_id: Some("o-1".into()),
            epid: Some("wxsim-demo".into()),
        }),
    );
    add(
        "/ari/sessionAgentsUpdate".into(),
        callback(C::SessionAgentsUpdate),
        R,
        to_json(SessionAgentsUpdateCallback {
            agent_id: Some("A001".into()),
            session_id: WireId::Num(1001).into(),
            open_id: Some("o-1".into()),
            agents: vec![
                AgentRef {
                    id: "A001".into(),
                    name: "Alice".into(),
                },
                AgentRef {
                    id: WireId::Num(169).into(),
                    name: String::new(),
                },
            ],
        }),
    );
    add(
        "/ari/pushRating".into(),
        callback(C::PushRating),
        R,
        to_json(PushRatingCallback {
            session_id: WireId::Num(1001).into(),
            open_id: Some("o-1".into()),
            ratings: vec![json!({"id": 1, "name": "good"}), json!(5)],
        }),
    );
    for status in RequestStatus::KNOWN {
        add(
            format!("/ari/updateRequestStatus {status}"),
            callback(C::UpdateRequestStatus),
            R,
            to_json(UpdateRequestStatusCallback {
                request_id: "R-1".into(),
                request_status: *status,
                open_id: "o-1".into(),
                queue_length: Some(2),
                message: status.label(Lang::En),
            }),
        );
    }
    add(
        "/ari/getMedia".into(),
        callback(C::GetMedia),
        R,
        to_json(GetMediaCallback {
            media_id: "m1".into(),
            agent_id: Some("A001".into()),
            session_id: WireId::Num(1001).into(),
            open_id: Some("o-1".into()),
            epid: Some("wxsim-demo".into()),
        }),
    );

    // The engine's answers to the callbacks: `{result|code, message}`.
    for c in CallbackKind::ALL {
        for code in [ResultCode::Success, ResultCode::NoServedAgentFound] {
            let body = if c == C::GetMedia {
                to_json(GetMediaAnswer {
                    code,
                    message: "m0123456789abcdef01234567.png".into(),
                })
            } else {
                to_json(BasicAnswer::fail(code, "ok"))
            };
            add(format!("{} answer {code}", c.path()), callback(c), A, body);
        }
    }
    out
}

#[test]
fn the_schemas_accept_every_spec_example() {
    let schemas = Schemas::new();
    let examples = common::spec_examples();
    assert_eq!(examples.len(), 35);
    for e in examples {
        let errors = schemas.errors(e.operation, e.side, &e.body);
        assert!(errors.is_empty(), "{}: {errors:#?}", e.file);
    }
}

#[test]
fn the_schemas_accept_every_body_our_serializers_produce() {
    let schemas = Schemas::new();
    let bodies = our_bodies();
    assert!(bodies.len() > 60, "{} bodies", bodies.len());
    for (what, op, side, body) in bodies {
        let errors = schemas.errors(op, side, &body);
        assert!(errors.is_empty(), "{what}: {body}\n{errors:#?}");
        // The contract checker agrees: no Error.
        let findings = check_body(op, side, &body.to_string(), 1_700_000_000_000);
        assert!(
            findings.iter().all(|f| f.severity != Severity::Error),
            "{what}: {findings:?}"
        );
    }
}

#[test]
fn the_schemas_refuse_malformed_bodies_as_the_checker_does() {
    use CallbackKind as C;
    use Endpoint as P;
    use Side::{Answer as A, Request as R};
    let get_msg = |msg_type: &str, content: Value| json!({"sessionId": 1, "epid": "e", "agentId": "A", "openId": "o", "msgType": msg_type, "content": content});
    let without = |mut body: Value, key: &str| {
        body.as_object_mut().unwrap().remove(key);
        body
    };
    let with = |mut body: Value, key: &str, value: Value| {
        body[key] = value;
        body
    };
    let msg = json!({"sessionId": 1, "agentId": "A", "openId": "o", "epid": "e", "msgTime": 1_700_000_000_000i64, "content": "hi"});
    let create = json!({"result": 1, "message": "ok", "agentId": "A", "agentName": "Ann", "sessionId": 7, "responseTime": 1_700_000_000_000i64, "openId": "o", "epid": "e"});
    let createcon = json!({"openId": "o", "skillGroup": 1, "requestTime": 1_700_000_000_000i64});
    let malformed: Vec<(&str, Operation, Side, Value)> = vec![
        (
            "a text whose content is an object",
            endpoint(P::GetMsg),
            R,
            get_msg("text", json!({"mediaId": "m"})),
        ),
        (
            "a text whose content is a number",
            endpoint(P::GetMsg),
            R,
            get_msg("text", json!(5)),
        ),
        (
            "a video whose content is empty",
            endpoint(P::GetMsg),
            R,
            get_msg("video", json!({})),
        ),
        (
            "a video with the image's content",
            endpoint(P::GetMsg),
            R,
            get_msg("video", json!({"mediaId": "m"})),
        ),
        (
            "a video whose string holds an empty object",
            endpoint(P::GetMsg),
            R,
            get_msg("video", json!("{}")),
        ),
        (
            "an image whose string is not JSON",
            endpoint(P::GetMsg),
            R,
            get_msg("image", json!("a picture")),
        ),
        (
            "an image whose content is an array",
            endpoint(P::GetMsg),
            R,
            get_msg("image", json!(["m"])),
        ),
        (
            "a location with a string coordinate",
            endpoint(P::GetMsg),
            R,
            get_msg(
                "location",
                json!({"x": "121.2", "y": 34.2, "scale": 1, "label": ""}),
            ),
        ),
        (
            "a voice without its recognition",
            endpoint(P::GetMsg),
            R,
            get_msg("voice", json!({"format": "amr", "mediaId": "m"})),
        ),
        (
            "an unknown message type",
            endpoint(P::GetMsg),
            R,
            get_msg("sticker", json!("hi")),
        ),
        (
            "no message type",
            endpoint(P::GetMsg),
            R,
            without(get_msg("text", json!("hi")), "msgType"),
        ),
        (
            "no session",
            endpoint(P::GetMsg),
            R,
            without(get_msg("text", json!("hi")), "sessionId"),
        ),
        (
            "a session id as an array",
            endpoint(P::GetMsg),
            R,
            with(get_msg("text", json!("hi")), "sessionId", json!([1])),
        ),
        (
            "createcon.do without its time",
            endpoint(P::CreateCon),
            R,
            without(createcon.clone(), "requestTime"),
        ),
        (
            "createcon.do from a fax",
            endpoint(P::CreateCon),
            R,
            with(createcon.clone(), "from", json!("FAX")),
        ),
        (
            "createcon.do with a word for a skill group",
            endpoint(P::CreateCon),
            R,
            with(createcon, "skillGroup", json!("one")),
        ),
        (
            "/ari/msg without its time",
            callback(C::Msg),
            R,
            without(msg.clone(), "msgTime"),
        ),
        (
            "/ari/msg with HTML as an object",
            callback(C::Msg),
            R,
            with(msg.clone(), "content", json!({"html": "x"})),
        ),
        (
            "/ari/msg with a word for a time",
            callback(C::Msg),
            R,
            with(msg, "msgTime", json!("soon")),
        ),
        (
            "a routed /ari/create without its session",
            callback(C::Create),
            R,
            without(create.clone(), "sessionId"),
        ),
        (
            "a routed /ari/create without its agent",
            callback(C::Create),
            R,
            without(create.clone(), "agentName"),
        ),
        (
            "a failed /ari/create without its customer",
            callback(C::Create),
            R,
            json!({"result": -5, "message": "x", "epid": "e"}),
        ),
        (
            "an agent without an id",
            callback(C::SessionAgentsUpdate),
            R,
            json!({"agentId": "A", "sessionId": 1, "openId": "o", "agents": [{"name": "Ann"}]}),
        ),
        (
            "ratings as an object",
            callback(C::PushRating),
            R,
            json!({"sessionId": 1, "openId": "o", "ratings": {}}),
        ),
        (
            "a queue length as a word",
            callback(C::UpdateRequestStatus),
            R,
            json!({"requestId": "R", "requestStatus": 0, "openId": "o", "queueLength": "many"}),
        ),
        (
            "a queue answer without its place",
            endpoint(P::GetQueueLength),
            A,
            json!({"result": 1, "message": "ok"}),
        ),
        (
            "a getMedia answer with result for code",
            callback(C::GetMedia),
            A,
            json!({"result": 1, "message": "a.png"}),
        ),
        (
            "a getMedia answer without its file",
            callback(C::GetMedia),
            A,
            json!({"code": 1}),
        ),
        (
            "a result as a word",
            callback(C::Close),
            A,
            json!({"result": "ok"}),
        ),
        (
            "an answer that is not an object",
            endpoint(P::Pulse),
            A,
            json!([1]),
        ),
    ];
    let schemas = Schemas::new();
    for (what, op, side, body) in malformed {
        assert!(
            !schemas.errors(op, side, &body).is_empty(),
            "the document accepts {what}: {body}"
        );
        let findings = check_body(op, side, &body.to_string(), 1_700_000_000_000);
        assert!(
            findings.iter().any(|f| f.severity == Severity::Error),
            "the checker has no Error for {what}: {findings:?}"
        );
    }
    // Refusals need their code alone, in the document as in the checker.
    for (op, side, body) in [
        (
            callback(C::Create),
            R,
            json!({"result": -5, "message": "no agent online", "openId": "o", "epid": "e"}),
        ),
        (
            endpoint(P::GetQueueLength),
            A,
            json!({"result": -10, "message": "no such request"}),
        ),
        (callback(C::GetMedia), A, json!({"code": -10})),
    ] {
        assert_eq!(
            schemas.errors(op, side, &body),
            Vec::<String>::new(),
            "{body}"
        );
    }
}

#[test]
fn get_msg_has_exactly_one_schema_per_message_type() {
    let doc = document();
    let schema =
        &doc["paths"]["/getmsg.do"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(schema["discriminator"]["propertyName"], "msgType");
    assert_eq!(schema["oneOf"].as_array().unwrap().len(), 6);
    assert!(doc["components"]["schemas"].get("MessageContent").is_none());
}
