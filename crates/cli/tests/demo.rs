//! `wxsim demo --headless` as a real process: the shipped demo (built into the binary) plays
//! to its end through a running wxsim (the API and UI served meanwhile), printing every step
//! of every customer and exiting 0; a scenario that fails exits 1 naming its failing step;
//! without `--headless`, each Enter plays it (again) until Ctrl+C.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn demo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wxsim"))
        .args(["demo", "--headless", "--pause-ms", "20"])
        .args(["--listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0"])
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("wxsim runs")
}

/// Each customer's nickname and number of steps in a scenario file.
fn customers(source: &str) -> Vec<(String, usize)> {
    let mut found: Vec<(String, usize)> = Vec::new();
    for line in source.lines() {
        if let Some(name) = line.strip_prefix("nickname = ") {
            found.push((name.trim_matches('"').to_owned(), 0));
        } else if line.trim() == "[[customer.step]]" {
            found.last_mut().expect("a step belongs to a customer").1 += 1;
        }
    }
    found
}

#[test]
fn the_shipped_demo_plays_to_its_end_printing_every_step() {
    let out = demo(&[]);
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}\n{printed}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let page = printed
        .lines()
        .find_map(|l| l.strip_prefix("demo     "))
        .expect("the demo layout's address is printed");
    assert!(page.contains("/#/demo&token="), "{page}");
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo.toml"),
    )
    .unwrap();
    let customers = customers(&shipped);
    assert_eq!(customers.len(), 2, "{customers:?}");
    for (nickname, steps) in &customers {
        for number in 1..=*steps {
            let step = format!("✓ #{number} ");
            assert!(
                printed
                    .lines()
                    .any(|l| l.trim_start().starts_with(nickname.as_str()) && l.contains(&step)),
                "{nickname}'s step {number} of {steps} is not printed as passed:\n{printed}"
            );
        }
    }
    // Every message type, the rich reply, the transfer, the queue, the rating and the close.
    for shown in [
        "send text",
        "send image",
        "send voice",
        "send video",
        "send link",
        "send location",
        "sim agent_say",
        "transfer",
        "wait_queue_position 0",
        "rated 1",
        "close",
    ] {
        assert!(
            printed.contains(shown),
            "{shown} is not printed:\n{printed}"
        );
    }
    assert!(
        printed.lines().any(|l| l.starts_with("  passed in ")),
        "{printed}"
    );
}

#[test]
fn a_failing_step_exits_non_zero_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("short.toml");
    std::fs::write(
        &file,
        r#"name = "an answer that never comes"

[simulator]
auto_reply = false

[[customer]]
nickname = "Ivy"

[[customer.step]]
do = "request_chat"

[[customer.step]]
do = "wait_state"
state = "chatting"

[[customer.step]]
do = "send"
text = "anyone there?"

[[customer.step]]
do = "expect_agent"
contains = "never said"
within_ms = 300
"#,
    )
    .unwrap();
    let out = demo(&[file.to_str().unwrap()]);
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{printed}");
    assert!(printed.contains("✓ #3 send text"), "{printed}");
    let failed = printed
        .lines()
        .find(|l| l.starts_with('✗'))
        .unwrap_or_else(|| panic!("no failing step named:\n{printed}"));
    assert!(
        failed.contains("short.toml:20")
            && failed.contains("step 4 (expect_agent containing \"never said\")"),
        "{failed}"
    );
}

/// The next line printed that satisfies `wanted`, within a minute; the failure shows what
/// was printed instead.
fn next_line(lines: &mpsc::Receiver<String>, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut other = vec![];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if wanted(&line) => return line,
            Ok(line) => other.push(line),
            Err(e) => panic!(
                "wxsim demo printed no such line ({e}); it printed:\n{}",
                other.join("\n")
            ),
        }
    }
}

#[test]
fn each_enter_plays_the_demo_again_for_the_same_customers_until_ctrl_c() {
    let token = "demo-replay-token";
    let mut child = Command::new(env!("CARGO_BIN_EXE_wxsim"))
        .args(["demo", "--no-open", "--pause-ms", "20", "--token", token])
        .args(["--listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("wxsim starts");
    let (tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut stdin = child.stdin.take().unwrap();
    let api = next_line(&lines, |l| l.starts_with("api "))
        .trim_start_matches("api")
        .trim()
        .to_owned();
    next_line(&lines, |l| l.starts_with("press Enter to play the demo"));
    for _ in 0..2 {
        writeln!(stdin).unwrap();
        next_line(&lines, |l| l.starts_with("  passed in "));
        next_line(&lines, |l| l.contains("press Enter to play it again"));
    }
    let get = |path: &str| -> Vec<serde_json::Value> {
        reqwest::blocking::Client::new()
            .get(format!("{api}{path}"))
            .bearer_auth(token)
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let customers = get("/api/customers");
    let mut names: Vec<&str> = customers
        .iter()
        .map(|c| c["nickname"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Lily Wang", "Tom Liu"], "the same two customers");
    assert_eq!(get("/api/conversations").len(), 4, "two chats each");

    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}
