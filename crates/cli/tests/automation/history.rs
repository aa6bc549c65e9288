//! `wxsim history` over the database a scenario run filled: filters, show, search, and
//! exports that read back (JSON parses, CSV has a row per message, HTML runs no script),
//! also through the API while `wxsim serve` holds the same database.

use serde_json::Value;

use crate::support::{client, Serve};
use crate::{stderr, stdout, wxsim};

/// A data dir holding the conversations of three shipped scenarios.
fn filled_data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = wxsim(&[
        "run",
        "--data-dir",
        dir.path().to_str().unwrap(),
        "scenarios/01-text-chat.toml",
        "scenarios/02-message-types.toml",
        "scenarios/03-agent-side.toml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    dir
}

fn history(dir: &tempfile::TempDir, args: &[&str]) -> String {
    let mut all = vec!["history", "--data-dir", dir.path().to_str().unwrap()];
    all.extend(args);
    let out = wxsim(&all);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

fn json(dir: &tempfile::TempDir, args: &[&str]) -> Value {
    serde_json::from_str(&history(dir, args)).expect("JSON output")
}

/// CSV records, honouring quoted fields that hold commas, quotes and line breaks.
fn csv_records(text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field, mut quoted) = (vec![], vec![], String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => record.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (c, _) => field.push(c),
        }
    }
    records
}

fn conversation_of(list: &Value, nickname: &str) -> i64 {
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["nickname"] == nickname)
        .unwrap_or_else(|| panic!("no conversation of {nickname} in {list}"))["id"]
        .as_i64()
        .unwrap()
}

#[test]
fn history_lists_filters_shows_searches_and_exports_a_runs_conversations() {
    let dir = filled_data_dir();
    let all = json(&dir, &["list", "--json"]);
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
    let alice = json(&dir, &["list", "--customer", "Alice Wang", "--json"]);
    assert_eq!(alice.as_array().unwrap().len(), 1);
    assert_eq!(alice[0]["state"], "rated");
    let rated = json(&dir, &["list", "--state", "rated", "--json"]);
    assert_eq!(rated.as_array().unwrap().len(), 2, "{rated}");
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    assert_eq!(
        json(&dir, &["list", "--since", &today, "--json"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        json(&dir, &["list", "--until", "2000-01-01", "--json"]),
        serde_json::json!([])
    );
    let table = history(&dir, &["list"]);
    assert!(
        table.contains("Alice Wang") && table.contains("3 conversation(s)"),
        "{table}"
    );

    let bo = conversation_of(&all, "Bo Chen");
    let shown = json(&dir, &["show", &bo.to_string(), "--json"]);
    let messages = shown["messages"].as_array().unwrap();
    for kind in ["text", "image", "voice", "video", "link", "location"] {
        assert!(
            messages.iter().any(|m| m["kind"] == kind),
            "no {kind} message in {shown}"
        );
    }

    let hits = json(&dir, &["search", "Shenzhen", "--json"]);
    let hits = hits.as_array().unwrap();
    assert!(
        hits.len() >= 2,
        "the customer's message and the agent's echo: {hits:?}"
    );
    assert!(hits.iter().all(|h| h["snippet"]
        .as_str()
        .unwrap()
        .contains("<mark>Shenzhen</mark>")));
    let none = json(
        &dir,
        &["search", "Shenzhen", "--customer", "Chloe Li", "--json"],
    );
    assert_eq!(none, serde_json::json!([]));

    let exported = json(
        &dir,
        &[
            "export",
            "--conversation",
            &bo.to_string(),
            "--format",
            "json",
        ],
    );
    assert_eq!(
        exported, shown,
        "the JSON export reads back as the conversation"
    );

    let csv = history(
        &dir,
        &[
            "export",
            "--conversation",
            &bo.to_string(),
            "--format",
            "csv",
        ],
    );
    let records = csv_records(&csv);
    assert_eq!(records.len(), messages.len() + 1, "{csv}");
    assert!(records.iter().all(|r| r.len() == 8), "{records:?}");

    let file = dir.path().join("hits.csv");
    history(
        &dir,
        &[
            "export",
            "--search",
            "Shenzhen",
            "--format",
            "csv",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(
        csv_records(&std::fs::read_to_string(file).unwrap()).len(),
        hits.len() + 1
    );

    let chloe = conversation_of(&all, "Chloe Li");
    let html = history(
        &dir,
        &[
            "export",
            "--conversation",
            &chloe.to_string(),
            "--format",
            "html",
        ],
    );
    assert!(html.contains("Your parcel left <b>today</b>"), "{html}");
    assert!(!html.to_lowercase().contains("<script"), "{html}");
    let md = history(
        &dir,
        &[
            "export",
            "--conversation",
            &chloe.to_string(),
            "--format",
            "md",
        ],
    );
    assert!(md.starts_with("# Conversation "), "{md}");
}

#[test]
fn history_reads_while_serve_holds_the_database_and_the_api_exports_too() {
    let dir = filled_data_dir();
    let serve = Serve::start(dir.path().to_str().unwrap(), "t0k", &[]);
    let api = serve.api().to_owned();
    let list = json(&dir, &["list", "--json"]);
    let id = conversation_of(&list, "Alice Wang");

    let client = client();
    let answer = client
        .get(format!("{api}/api/conversations/{id}/export?format=csv"))
        .bearer_auth("t0k")
        .send()
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.headers()["content-disposition"],
        format!("attachment; filename=\"conversation-{id}.csv\"").as_str()
    );
    assert!(answer
        .text()
        .unwrap()
        .starts_with("conversationId,messageId,"));
    let answer = client
        .get(format!("{api}/api/search/export?q=Shenzhen&format=pdf"))
        .bearer_auth("t0k")
        .send()
        .unwrap();
    assert_eq!(answer.status(), 422, "an unknown format is refused");

    // Markdown of a conversation with media: one zip, the export and its folder beside it.
    let bo = conversation_of(&list, "Bo Chen");
    let answer = client
        .get(format!("{api}/api/conversations/{bo}/export?format=md"))
        .bearer_auth("t0k")
        .send()
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "application/zip");
    assert_eq!(
        answer.headers()["content-disposition"],
        format!("attachment; filename=\"conversation-{bo}.zip\"").as_str()
    );
    let zip = answer.bytes().unwrap();
    assert!(zip.starts_with(b"PK\x03\x04"), "a zip");
    let names = String::from_utf8_lossy(&zip);
    assert!(names.contains(&format!("conversation-{bo}.md")));
    assert!(names.contains(&format!("conversation-{bo}-media/")));
    serve.kill();
}

/// The `](path)` targets of a Markdown text.
fn md_targets(md: &str) -> Vec<String> {
    md.split("](")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once(')')
                .map(|(target, _)| target.replace("%20", " "))
        })
        .collect()
}

#[test]
fn markdown_and_json_exports_carry_their_media_files_beside_them() {
    let dir = filled_data_dir();
    let bo = conversation_of(&json(&dir, &["list", "--json"]), "Bo Chen");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();

    let md_file = out.join("bo.md");
    history(
        &dir,
        &[
            "export",
            &bo.to_string(),
            "--format",
            "md",
            "-o",
            md_file.to_str().unwrap(),
        ],
    );
    let md = std::fs::read_to_string(&md_file).unwrap();
    let targets = md_targets(&md);
    // The customer's image, voice, video and its thumbnail, and the emoji the agent showed.
    for kind in [
        "![image](",
        "[voice](",
        "[video](",
        "![thumb](",
        "![picture](",
    ] {
        assert!(md.contains(kind), "{kind} in {md}");
    }
    for target in &targets {
        assert!(target.starts_with("bo-media/"), "{target}");
        let file = out.join(target);
        assert!(
            std::fs::metadata(&file).is_ok_and(|m| m.len() > 0),
            "{} is written",
            file.display()
        );
    }
    let cat = std::fs::read(crate::repo().join("scenarios/media/cat.png")).unwrap();
    assert!(
        targets
            .iter()
            .any(|t| std::fs::read(out.join(t)).unwrap() == cat),
        "the customer's picture is beside the export, byte for byte"
    );

    let json_file = out.join("bo.json");
    history(
        &dir,
        &[
            "export",
            &bo.to_string(),
            "--format",
            "json",
            "-o",
            json_file.to_str().unwrap(),
        ],
    );
    let exported: Value = serde_json::from_slice(&std::fs::read(&json_file).unwrap()).unwrap();
    let files = exported["files"].as_object().expect("a files map");
    assert!(files.len() >= 5, "{files:?}");
    for path in files.values() {
        let path = path.as_str().unwrap();
        assert!(
            path.starts_with("bo-media/") && out.join(path).is_file(),
            "{path}"
        );
    }
}
