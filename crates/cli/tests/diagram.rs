//! The integration, drawn: `wxsim history export --format svg` and the API's export route
//! draw a conversation's exchanges as a sequence diagram. The SVG is read back with a real
//! XML parser: one arrow per stored exchange with its operation, result and duration, the
//! customer's actions and the agent's messages just before the calls they belong to, and
//! hostile words (a nickname, a customer's and an agent's message) kept as text.

#[path = "support/serve.rs"]
mod support;

use std::path::Path;

use roxmltree::{Document, Node};
use serde_json::{json, Value};
use support::{client, eventually, wxsim, Serve};

/// `wxsim history --data-dir DIR ARGS`'s standard output; the command must succeed.
fn history(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["history", "--data-dir", dir.to_str().unwrap()];
    all.extend(args);
    let out = wxsim(&all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// An API route's body as text.
fn get_text(serve: &Serve, path: &str) -> String {
    let answer = client()
        .get(format!("{}{path}", serve.api()))
        .bearer_auth(&serve.token)
        .send()
        .unwrap();
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    answer.text().unwrap()
}

/// The rows of a diagram, top to bottom: exchanges and steps (the customer's, the agent's).
fn rows<'a>(doc: &'a Document<'a>) -> Vec<Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.attribute("data-exchange-id").is_some() || has_class(n, "sd-step"))
        .collect()
}

fn has_class(node: &Node, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|c| c == class))
}

/// All the text under `node`, its tooltip included.
fn text(node: &Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

/// A row's tooltip: the full words of a step.
fn title(node: &Node) -> String {
    node.children()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_owned()
}

/// The operation of the row after `row` (what a step is tied to).
fn next_operation<'a>(rows: &[Node<'a, 'a>], row: &Node) -> Option<&'a str> {
    let at = rows.iter().position(|r| r == row)?;
    rows.get(at + 1)?.attribute("data-operation")
}

/// Asserts that every step of `kind` (`sd-user`, `sd-agent`) whose tooltip `matches` comes
/// right before an exchange of `operation`; answers how many there were.
fn steps_before(
    rows: &[Node],
    kind: &str,
    matches: impl Fn(&str) -> bool,
    operation: &str,
) -> usize {
    let steps: Vec<_> = rows
        .iter()
        .filter(|r| has_class(r, kind) && matches(&title(r)))
        .collect();
    for step in &steps {
        assert_eq!(
            next_operation(rows, step),
            Some(operation),
            "{kind} step `{}` is not followed by {operation}",
            title(step)
        );
    }
    steps.len()
}

/// The text an exchange's result pill shows.
fn result_text(e: &Value) -> String {
    match (e["resultCode"].as_i64(), e["status"].as_i64()) {
        (Some(code), _) => {
            let name = wxsim_protocol::ResultCode::from(code);
            if name.is_known() {
                format!("{code} {}", name.name())
            } else {
                code.to_string()
            }
        }
        (None, Some(status)) => format!("HTTP {status}"),
        (None, None) => "no answer".into(),
    }
}

#[test]
fn a_runs_conversation_exports_as_a_diagram_with_an_arrow_per_exchange() {
    let dir = tempfile::tempdir().unwrap();
    let run = wxsim(&[
        "run",
        "--data-dir",
        dir.path().to_str().unwrap(),
        "scenarios/01-text-chat.toml",
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    let list: Value = serde_json::from_str(&history(dir.path(), &["list", "--json"])).unwrap();
    let id = list[0]["id"].as_i64().unwrap().to_string();

    // The id positionally, or as --conversation into a file: the same drawing.
    let svg = history(dir.path(), &["export", &id, "--format", "svg"]);
    let file = dir.path().join("diagram.svg");
    history(
        dir.path(),
        &[
            "export",
            "--conversation",
            &id,
            "--format",
            "svg",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), svg);
    let shown: Value =
        serde_json::from_str(&history(dir.path(), &["show", &id, "--json"])).unwrap();

    // The API draws it the same, from the same database.
    let serve = Serve::start(dir.path().to_str().unwrap(), "diagram-token", &[]);
    assert_eq!(
        get_text(
            &serve,
            &format!("/api/conversations/{id}/export?format=svg")
        ),
        svg
    );
    let exchanges = serve.call(
        "GET",
        &format!("/api/exchanges?conversationId={id}&limit=1000"),
        None,
    );
    let exchanges = exchanges.as_array().unwrap();
    drop(serve);

    let doc = Document::parse(&svg).expect("the diagram is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let rows = rows(&doc);
    let arrows: Vec<_> = rows
        .iter()
        .filter(|r| r.attribute("data-exchange-id").is_some())
        .collect();
    assert_eq!(arrows.len(), exchanges.len(), "one arrow per exchange");
    for e in exchanges {
        let arrow = arrows
            .iter()
            .find(|a| a.attribute("data-exchange-id") == Some(e["id"].to_string().as_str()))
            .unwrap_or_else(|| panic!("no arrow for exchange {e}"));
        let label = e["operation"].as_str().unwrap();
        let shown = text(arrow);
        assert_eq!(arrow.attribute("data-operation"), Some(label));
        assert_eq!(arrow.attribute("data-outcome"), e["outcome"].as_str());
        assert!(shown.contains(label), "{label} in {shown}");
        assert!(
            shown.contains(&result_text(e)),
            "{} in {shown}",
            result_text(e)
        );
        let ms = format!("{:.1} ms", e["durationUs"].as_f64().unwrap() / 1000.0);
        assert!(shown.contains(&ms), "{ms} in {shown}");
    }
    // Arrows go down in the order the exchanges started.
    let started: Vec<i64> = arrows
        .iter()
        .map(|a| a.attribute("data-started-at").unwrap().parse().unwrap())
        .collect();
    assert!(started.windows(2).all(|w| w[0] <= w[1]), "{started:?}");

    // The customer's actions, each just before the call it caused.
    let said = "Hello, do you ship to Shenzhen? 你好";
    for (action, operation) in [
        ("requests a chat", "createcon.do"),
        (said, "getmsg.do"),
        ("closes the chat", "closecon.do"),
        ("rates 1", "ratesession.do"),
    ] {
        let n = steps_before(&rows, "sd-user", |t| t == action, operation);
        assert_eq!(n, 1, "one `{action}` step");
    }
    // Every agent message, just before the /ari/msg that brought it.
    let agent_messages = shown["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "in")
        .count();
    assert!(agent_messages >= 2, "the greeting and the answer");
    assert_eq!(
        steps_before(&rows, "sd-agent", |_| true, "/ari/msg"),
        agent_messages
    );
    assert_eq!(
        rows.len(),
        exchanges.len() + 4 + agent_messages,
        "nothing drawn that the data does not say"
    );
}

#[test]
fn hostile_words_stay_text_in_the_diagram() {
    let dir = tempfile::tempdir().unwrap();
    let serve = Serve::start(dir.path().to_str().unwrap(), "diagram-token", &[]);
    let nickname = "</text><script>alert('nick')</script>";
    let customer = serve.call(
        "POST",
        "/api/customers",
        Some(json!({ "nickname": nickname, "skillGroup": 1 })),
    );
    let customer_id = customer["id"].as_i64().unwrap();
    serve.call(
        "POST",
        &format!("/api/customers/{customer_id}/request-chat"),
        None,
    );
    let conversation = eventually("the chat", || {
        let c = serve.call("GET", &format!("/api/customers/{customer_id}"), None);
        let id = c["conversationId"].as_i64()?;
        let c = serve.call("GET", &format!("/api/conversations/{id}"), None);
        (c["state"] == "chatting").then_some(c)
    });
    let id = conversation["id"].as_i64().unwrap();
    let typed = "<script>alert(\"customer\")</script>]]><![CDATA[ & \u{1}";
    serve.call(
        "POST",
        &format!("/api/customers/{customer_id}/messages"),
        Some(json!({ "msgType": "text", "content": typed })),
    );
    serve.call(
        "POST",
        "/api/simulator/agent/say",
        Some(json!({
            "sessionId": conversation["sessionId"].as_str().unwrap().parse::<i64>().unwrap(),
            "html": "&lt;/text&gt;&lt;script&gt;alert('agent')&lt;/script&gt;",
        })),
    );
    let agent_said = "</text><script>alert('agent')</script>";
    eventually("the agent's words stored", || {
        let messages = serve.call("GET", &format!("/api/conversations/{id}/messages"), None);
        messages
            .as_array()?
            .iter()
            .any(|m| m["text"] == agent_said)
            .then_some(())
    });

    let from_api = get_text(
        &serve,
        &format!("/api/conversations/{id}/export?format=svg&lang=zh"),
    );
    let from_cli = history(
        dir.path(),
        &["export", &id.to_string(), "--format", "svg", "--lang", "zh"],
    );
    for svg in [&from_api, &from_cli] {
        let doc = Document::parse(svg).expect("well-formed XML whatever the words");
        assert!(
            doc.descendants().all(|n| !n.has_tag_name("script")),
            "no script element"
        );
        assert!(
            doc.descendants()
                .flat_map(|n| n.attributes())
                .all(|a| !a.name().starts_with("on")),
            "no event handler attribute"
        );
        let everything = text(&doc.root());
        assert!(everything.contains("微信用户"), "the labels in Chinese");
        assert!(everything.contains(nickname), "the nickname as text");
        let rows = rows(&doc);
        // XML cannot hold U+0001: dropped, the rest kept as typed.
        let kept = typed.replace('\u{1}', "");
        assert_eq!(
            steps_before(&rows, "sd-user", |t| t == kept, "getmsg.do"),
            1,
            "the customer's words"
        );
        assert_eq!(
            steps_before(&rows, "sd-agent", |t| t.contains(agent_said), "/ari/msg"),
            1,
            "the agent's words"
        );
    }
}
