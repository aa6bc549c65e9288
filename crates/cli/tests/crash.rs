//! Nothing acknowledged is lost: `wxsim serve` is killed (SIGKILL) again and again while
//! callbacks stream in; after each restart every callback that got `result: 1` is in the
//! database, and nothing is stored twice.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "support/serve.rs"]
mod support;

use support::{client, Serve};

const TOKEN: &str = "crash-test";

#[test]
fn acknowledged_callbacks_survive_repeated_sigkills_and_none_is_stored_twice() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    let mut serve = Serve::start(&data, TOKEN, &[]);
    let customer = serve.call(
        "POST",
        "/api/customers",
        Some(json!({"nickname": "Crash", "skillGroup": 1})),
    );
    let id = customer["id"].as_i64().unwrap();
    serve.call("POST", &format!("/api/customers/{id}/request-chat"), None);
    let deadline = Instant::now() + Duration::from_secs(15);
    let conversation = loop {
        let list = serve.call("GET", &format!("/api/conversations?customerId={id}"), None);
        if list[0]["state"] == "chatting" {
            break list[0].clone();
        }
        assert!(Instant::now() < deadline, "never chatting");
        std::thread::sleep(Duration::from_millis(50));
    };
    let session: i64 = conversation["sessionId"].as_str().unwrap().parse().unwrap();
    let conversation_id = conversation["id"].as_i64().unwrap();

    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let counter = Arc::new(AtomicUsize::new(0));
    for round in 0..4 {
        let listener = serve.listener().to_owned();
        let stop = Arc::new(AtomicBool::new(false));
        let round_start = acked.lock().unwrap().len();
        let senders: Vec<_> = (0..4)
            .map(|t| {
                let (listener, stop, acked, counter) = (listener.clone(), stop.clone(), acked.clone(), counter.clone());
                std::thread::spawn(move || {
                    let client = client();
                    while !stop.load(Ordering::Relaxed) {
                        let n = counter.fetch_add(1, Ordering::Relaxed);
                        let content = format!("r{round}-t{t}-n{n}");
                        let body = json!({"sessionId": session, "agentId": "A001", "openId": "o", "epid": "wxsim-demo",
                            "msgTime": 1_700_000_000_000i64 + n as i64, "content": content});
                        match client.post(format!("{listener}/ari/msg")).json(&body).send() {
                            Ok(resp) => {
                                let answer: Value = resp.json().unwrap_or(Value::Null);
                                if answer["result"] == 1 {
                                    acked.lock().unwrap().push(content);
                                }
                            }
                            Err(_) => return,
                        }
                    }
                })
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(20);
        while acked.lock().unwrap().len() < round_start + 40 {
            assert!(
                Instant::now() < deadline,
                "callbacks stopped being acknowledged"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        serve.kill();
        stop.store(true, Ordering::Relaxed);
        for s in senders {
            s.join().unwrap();
        }
        serve = Serve::start(&data, TOKEN, &[]);
    }

    let messages = serve.call(
        "GET",
        &format!("/api/conversations/{conversation_id}/messages"),
        None,
    );
    let mut stored: HashMap<String, usize> = HashMap::new();
    for m in messages
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "in")
    {
        *stored
            .entry(m["text"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let acked = acked.lock().unwrap();
    assert!(acked.len() >= 160);
    for content in acked.iter() {
        assert_eq!(
            stored.get(content),
            Some(&1),
            "acknowledged {content} is stored exactly once"
        );
    }
    assert!(stored.values().all(|&n| n == 1), "nothing is stored twice");
    serve.kill();
}
