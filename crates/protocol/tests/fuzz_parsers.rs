//! Hostile input for the parsers, found by machine: arbitrary bytes and arbitrary JSON
//! into every body type and into message content never panic, and whatever parses is
//! re-serialized and parsed again to the same value.
//!
//! CI runs the default case count; a longer run: `PROPTEST_CASES=200000 cargo test -p
//! wxsim-protocol --release --test fuzz_parsers`.

use proptest::prelude::*;
use serde_json::Value;
use wxsim_protocol::*;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-zA-Z0-9 _{}\":.-]{0,12}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("sessionId".to_owned()),
            Just("openId".to_owned()),
            Just("requestId".to_owned()),
            Just("result".to_owned()),
            Just("requestStatus".to_owned()),
            Just("content".to_owned()),
            Just("msgType".to_owned()),
            Just("mediaId".to_owned()),
            Just("agents".to_owned()),
            Just("queueLength".to_owned()),
            "[a-zA-Z]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Parses `body` as `T`; on success, the serialized value parses back to an equal `T`.
fn round_trip<T>(body: &[u8])
where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    if let Ok(parsed) = parse_json::<T>(body) {
        let again =
            parse_json::<T>(serde_json::to_string(&parsed).unwrap().as_bytes()).expect("re-parses");
        assert_eq!(parsed, again);
    }
}

fn every_body_type(body: &[u8]) {
    round_trip::<CreateConRequest>(body);
    round_trip::<CreateConAnswer>(body);
    round_trip::<GetMsgRequest>(body);
    round_trip::<CloseConRequest>(body);
    round_trip::<RateSessionRequest>(body);
    round_trip::<TransferConRequest>(body);
    round_trip::<CancelRequestRequest>(body);
    round_trip::<GetQueueLengthRequest>(body);
    round_trip::<QueueLengthAnswer>(body);
    round_trip::<PulseRequest>(body);
    round_trip::<BasicAnswer>(body);
    round_trip::<CreateCallback>(body);
    round_trip::<MsgCallback>(body);
    round_trip::<CloseCallback>(body);
    round_trip::<SessionAgentsUpdateCallback>(body);
    round_trip::<PushRatingCallback>(body);
    round_trip::<UpdateRequestStatusCallback>(body);
    round_trip::<GetMediaCallback>(body);
    round_trip::<GetMediaAnswer>(body);
    for spec in OPERATIONS {
        let text = String::from_utf8_lossy(body);
        check_body(spec.operation, Side::Request, &text, 1_700_000_000_000);
        check_body(spec.operation, Side::Answer, &text, 1_700_000_000_000);
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..256)) {
        every_body_type(&body);
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        every_body_type(value.to_string().as_bytes());
        for t in MsgType::ALL {
            if let Ok(c) = MessageContent::from_wire(t, &value) {
                for enc in [ContentEncoding::Object, ContentEncoding::String] {
                    prop_assert_eq!(MessageContent::from_wire(t, &c.to_wire(enc)).ok(), Some(c.clone()));
                }
            }
        }
    }
}

/// Found by `arbitrary_json_never_panics`: coordinates lost their last digit on a round
/// trip through text, and an array was taken for a location object.
#[test]
fn location_coordinates_survive_a_round_trip_and_arrays_are_refused() {
    let x = -1.7675673973903803e246;
    let c = MessageContent::Location(wxsim_protocol::content::LocationContent {
        x,
        y: 0.0,
        scale: 0.0,
        label: String::new(),
    });
    let wire = c.to_wire(ContentEncoding::String);
    assert_eq!(
        MessageContent::from_wire(MsgType::Location, &wire).unwrap(),
        c
    );
    assert!(MessageContent::from_wire(MsgType::Location, &serde_json::json!([x, 0])).is_err());
}

#[test]
fn deeply_nested_json_is_refused_not_a_crash() {
    let deep = format!(
        "{{\"sessionId\":{}1{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(parse_json::<MsgCallback>(deep.as_bytes()).is_err());
}
