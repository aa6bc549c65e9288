//! Scenario files are TOML: comments for the reader, no significant indentation, arrays of
//! tables (`[[customer]]`, `[[customer.step]]`) that read as lists, and spans on every value
//! so that an error names its line and column. This module turns a file into a
//! [`Scenario`] or an [`InvalidScenario`]. Media are files beside the scenario, or carried
//! inside it in base64 (`[media]`, as a saved conversation downloaded from the UI has them).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;

use serde::Deserialize;

use crate::error::InvalidScenario;
use crate::spec::{Action, CustomerSpec, MediaFile, Scenario, Settings, SimulatorSettings, Step};

/// The files a scenario carries inside itself, by name.
type Carried = HashMap<String, Arc<[u8]>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    name: Option<String>,
    #[serde(default)]
    settings: Settings,
    simulator: Option<SimulatorSettings>,
    #[serde(default)]
    customer: Vec<toml::Spanned<CustomerSpec>>,
    /// File name → its bytes in base64.
    #[serde(default)]
    media: BTreeMap<String, toml::Spanned<String>>,
}

/// Reads and parses a scenario file.
pub fn load_scenario(file: &Path) -> Result<Scenario, InvalidScenario> {
    let source = std::fs::read_to_string(file).map_err(|e| InvalidScenario {
        file: file.to_path_buf(),
        line: 1,
        column: 1,
        reason: format!("cannot read the file: {e}"),
    })?;
    parse_scenario(file, &source)
}

/// Parses a scenario's text; `file` names it in errors and anchors relative media paths.
pub fn parse_scenario(file: &Path, source: &str) -> Result<Scenario, InvalidScenario> {
    let at = |offset: usize, reason: String| {
        let (line, column) = line_column(source, offset);
        InvalidScenario {
            file: file.to_path_buf(),
            line,
            column,
            reason,
        }
    };
    let document: Document = toml::from_str(source).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        at(offset, e.message().trim().to_owned())
    })?;
    if document.customer.is_empty() {
        return Err(at(0, "a scenario needs at least one [[customer]]".into()));
    }
    let mut carried = Carried::new();
    for (name, data) in document.media {
        let offset = data.span().start;
        let text: String = data.into_inner().split_ascii_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| at(offset, format!("[media] {name:?} is not base64: {e}")))?;
        carried.insert(name, bytes.into());
    }
    let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut customers = Vec::new();
    for spanned in document.customer {
        let offset = spanned.span().start;
        let mut customer = spanned.into_inner();
        if customer.nickname.trim().is_empty() {
            return Err(at(offset, "a customer needs a nickname".into()));
        }
        customer.line = line_column(source, offset).0;
        let raw = std::mem::take(&mut customer.raw_steps);
        if raw.is_empty() {
            return Err(at(
                offset,
                format!("customer {} has no [[customer.step]]", customer.nickname),
            ));
        }
        let count = raw.len();
        for (index, step) in raw.into_iter().enumerate() {
            let offset = step.span().start;
            let mut action: Action =
                toml::Value::Table(step.into_inner())
                    .try_into()
                    .map_err(|e| {
                        at(
                            offset,
                            format!("step {}: {}", index + 1, e.message().trim()),
                        )
                    })?;
            check(&mut action, &base, &carried, index + 1 == count)
                .map_err(|reason| at(offset, format!("step {}: {reason}", index + 1)))?;
            let (line, column) = line_column(source, offset);
            customer.steps.push(Step {
                number: index + 1,
                line,
                column,
                action,
            });
        }
        customers.push(customer);
    }
    check_signals(&customers).map_err(|(line, column, reason)| InvalidScenario {
        file: file.to_path_buf(),
        line,
        column,
        reason,
    })?;
    let name = document.name.unwrap_or_else(|| {
        file.file_stem()
            .map_or("scenario".into(), |s| s.to_string_lossy().into_owned())
    });
    Ok(Scenario {
        file: file.to_path_buf(),
        name,
        settings: document.settings,
        simulator: document.simulator,
        customers,
    })
}

/// What the types cannot say: media files exist (a name the scenario carries in `[media]`
/// is that file; other paths become relative to the scenario's folder), `expect_error` has
/// a step to apply to.
fn check(action: &mut Action, base: &Path, carried: &Carried, last: bool) -> Result<(), String> {
    match action {
        Action::Send(outgoing) => {
            for file in outgoing.files_mut() {
                let MediaFile::Path(path) = &*file else {
                    continue;
                };
                let name = path.to_string_lossy().into_owned();
                *file = match carried.get(&name) {
                    Some(bytes) => MediaFile::Embedded {
                        name,
                        bytes: Arc::clone(bytes),
                    },
                    None if base.join(path).is_file() => MediaFile::Path(base.join(path)),
                    None => {
                        return Err(format!(
                            "media file {} does not exist (nor is {name:?} in [media])",
                            base.join(path).display()
                        ))
                    }
                };
            }
            Ok(())
        }
        Action::ExpectError(_) if last => {
            Err("expect_error applies to the next step, and there is none".into())
        }
        _ => Ok(()),
    }
}

/// Every `wait_signal` names a signal some customer's `signal` step raises.
fn check_signals(customers: &[CustomerSpec]) -> Result<(), (usize, usize, String)> {
    let steps = || customers.iter().flat_map(|c| &c.steps);
    let raised: Vec<&str> = steps()
        .filter_map(|s| match &s.action {
            Action::Signal { name } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    for step in steps() {
        if let Action::WaitSignal { name, .. } = &step.action {
            if !raised.contains(&name.as_str()) {
                return Err((
                    step.line,
                    step.column,
                    format!(
                        "step {}: no step signals `{name}` (add do = \"signal\", name = \"{name}\")",
                        step.number
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// 1-based line and column of a byte offset.
fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{ExpectedError, MediaFile, Outgoing, SimAction, TextMatch};
    use wxsim_engine::protocol::ResultCode;

    fn parse(text: &str) -> Result<Scenario, InvalidScenario> {
        parse_scenario(Path::new("t.toml"), text)
    }

    #[test]
    fn steps_keep_their_lines_and_types() {
        let s = parse(
            r#"
[[customer]]
nickname = "Ann"

[[customer.step]]
do = "sim"
fault = { endpoint = "createcon.do", result = -3 }

[[customer.step]]
do = "expect_error"
code = -3

[[customer.step]]
do = "request_chat"

[[customer.step]]
do = "send"
text = "hi"
"#,
        )
        .unwrap();
        assert_eq!(s.name, "t");
        let steps = &s.customers[0].steps;
        assert_eq!(s.customers[0].line, 2);
        assert_eq!(
            steps.iter().map(|s| s.line).collect::<Vec<_>>(),
            [5, 9, 13, 16]
        );
        assert!(matches!(&steps[0].action, Action::Sim(SimAction::Fault(f)) if f.count == 1));
        assert!(matches!(
            &steps[1].action,
            Action::ExpectError(ExpectedError::Code(ResultCode::NotInWorktime))
        ));
        assert!(matches!(&steps[3].action, Action::Send(Outgoing::Text(t)) if t == "hi"));
    }

    #[test]
    fn queue_steps_signals_and_simulator_rosters_parse() {
        let s = parse(
            r#"
[simulator]
callback_tries = 3
[[simulator.group]]
id = 21
name = "Office"
queue_timeout_ms = 60000
hours = { open = "09:00", close = "18:00", days = [1, 2, 3, 4, 5] }
[[simulator.agent]]
id = "F001"
name = "Fay"
skill_groups = [21]
capacity = 1

[[customer]]
nickname = "Ann"
skill_group = 21

[[customer.step]]
do = "listener_fault"
path = "/ari/create"
action = { kind = "result", code = -9 }
remaining = 3

[[customer.step]]
do = "sim"
set_agent = { id = "F001", online = false }

[[customer.step]]
do = "sim"
clock = { advance_ms = 60001 }

[[customer.step]]
do = "sim"
routing_failure = { result = -1, message = "no route" }

[[customer.step]]
do = "wait_queue_position"
order = 2

[[customer.step]]
do = "signal"
name = "ann-queued"

[[customer]]
nickname = "Ben"

[[customer.step]]
do = "wait_signal"
name = "ann-queued"
"#,
        )
        .unwrap();
        let sim = s.simulator.as_ref().unwrap();
        assert_eq!(sim.patch().callback_tries, Some(3));
        assert_eq!(sim.group[0].queue_timeout_ms, Some(Some(60_000)));
        assert_eq!(
            sim.group[0]
                .hours
                .as_ref()
                .unwrap()
                .as_ref()
                .unwrap()
                .days
                .len(),
            5
        );
        assert_eq!(sim.agent[0].capacity, Some(Some(1)));
        let steps = &s.customers[0].steps;
        assert!(matches!(&steps[0].action, Action::ListenerFault(f) if f.0.remaining == Some(3)));
        assert!(
            matches!(&steps[1].action, Action::Sim(SimAction::SetAgent(a)) if a.online == Some(false))
        );
        assert!(
            matches!(&steps[2].action, Action::Sim(SimAction::Clock(c)) if c.advance_ms == Some(60_001))
        );
        assert!(
            matches!(&steps[3].action, Action::Sim(SimAction::RoutingFailure(r)) if r.result == ResultCode::RequestAlreadyInRouting)
        );
        assert!(matches!(
            &steps[4].action,
            Action::WaitQueuePosition { order: 2, .. }
        ));

        let e = parse(
            "[[customer]]\nnickname = \"A\"\n[[customer.step]]\ndo = \"wait_signal\"\nname = \"never\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.contains("no step signals `never`"), "{}", e.reason);
        let e = parse(
            "[[customer]]\nnickname = \"A\"\n[[customer.step]]\ndo = \"listener_fault\"\npath = \"*\"\naction = { kind = \"drop\" }\ncolour = 1\n",
        )
        .unwrap_err();
        assert!(e.reason.contains("colour"), "{}", e.reason);
    }

    #[test]
    fn agent_expectations_take_at_most_one_match_and_none_means_any() {
        let s = parse(
            r#"
[[customer]]
nickname = "A"
[[customer.step]]
do = "expect_agent"
[[customer.step]]
do = "expect_agent"
exact = "Hello, Ann"
"#,
        )
        .unwrap();
        let expect = |i: usize| match &s.customers[0].steps[i].action {
            Action::ExpectAgent(e) => &e.text,
            other => panic!("{other:?}"),
        };
        assert!(matches!(expect(0), TextMatch::Any));
        assert!(expect(0).matches("anything", None));
        assert!(expect(1).matches("Hello, Ann", Some("<p>Hello, <b>Ann</b></p>")));
        assert!(!expect(1).matches("Hello, Ann!", None));
        assert!(
            !expect(1).matches("Hello", Some("Hello, Ann")),
            "exact reads the words alone"
        );

        let e = parse(
            "[[customer]]\nnickname = \"A\"\n[[customer.step]]\ndo = \"expect_agent\"\nexact = \"a\"\ncontains = \"a\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.contains("at most one"), "{}", e.reason);
    }

    #[test]
    fn media_come_from_beside_the_file_or_from_inside_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cat.png"), b"beside").unwrap();
        let file = dir.path().join("t.toml");
        let s = parse_scenario(
            &file,
            r#"
[[customer]]
nickname = "A"
[[customer.step]]
do = "send"
image = "cat.png"
[[customer.step]]
do = "send"
voice = { file = "t-1-hello.amr", recognition = "hi" }

[media]
"t-1-hello.amr" = "aGVs bG8="
"#,
        )
        .unwrap();
        let steps = &s.customers[0].steps;
        assert!(
            matches!(&steps[0].action, Action::Send(Outgoing::Image(MediaFile::Path(p))) if *p == dir.path().join("cat.png"))
        );
        match &steps[1].action {
            Action::Send(Outgoing::Voice { file, format, .. }) => {
                assert_eq!(format, "amr", "the format comes from the carried name");
                assert_eq!(
                    file,
                    &MediaFile::Embedded {
                        name: "t-1-hello.amr".into(),
                        bytes: b"hello".to_vec().into()
                    }
                );
            }
            other => panic!("{other:?}"),
        }

        let e = parse_scenario(
            &file,
            "[[customer]]\nnickname = \"A\"\n[[customer.step]]\ndo = \"send\"\nimage = \"x.png\"\n\n[media]\n\"x.png\" = \"%%%\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 8, "{e}");
        assert!(e.reason.contains("not base64"), "{}", e.reason);
        let e = parse_scenario(
            &file,
            "[[customer]]\nnickname = \"A\"\n[[customer.step]]\ndo = \"send\"\nimage = \"gone.png\"\n",
        )
        .unwrap_err();
        assert!(e.reason.contains("gone.png"), "{}", e.reason);
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("[[customer]]\nnickname = \"A\"\n[[customer.step]]\ndo = \"dance\"\n")
            .unwrap_err();
        assert_eq!(
            (e.line, e.column, e.file.to_str().unwrap()),
            (3, 1, "t.toml")
        );
        assert!(e.reason.contains("dance"), "{}", e.reason);

        let e = parse("[[customer]]\nnickname = \"A\"\n\n[[customer.step]]\ndo = \"send\"\ntext = \"a\"\nimage = \"b.png\"\n")
            .unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.reason.contains("exactly one"), "{}", e.reason);

        let e = parse(
            "[[customer]]\nnickname = \"A\"\n[[customer.step]]\ndo = \"expect_error\"\ncode = -1\n",
        )
        .unwrap_err();
        assert!(e.reason.contains("next step"), "{}", e.reason);

        let e = parse("name = 3\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 8));
    }
}
