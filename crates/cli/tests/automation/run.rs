//! `wxsim run`: every shipped scenario passes; a failing one exits 1 naming its step; an
//! invalid one exits 2 naming its line.

use crate::{shipped_scenarios, stderr, stdout, wxsim};

#[test]
fn every_shipped_scenario_passes_against_the_embedded_simulator() {
    let files = shipped_scenarios();
    assert!(files.len() >= 16, "scenarios/ holds {} files", files.len());
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let data = dir.path().join("data");
    let mut args = vec![
        "run",
        "--junit",
        junit.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ];
    args.extend(files.iter().map(String::as_str));
    let out = wxsim(&args);
    let printed = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{printed}\n{}", stderr(&out));
    assert!(
        printed.contains(&format!("{0} of {0} scenarios passed", files.len())),
        "{printed}"
    );
    assert!(!printed.contains('✗'), "{printed}");

    let xml = std::fs::read_to_string(junit).unwrap();
    assert_eq!(xml.matches("<testsuite ").count(), files.len(), "{xml}");
    assert!(!xml.contains("<failure"), "{xml}");
    assert!(xml.contains("failures=\"0\""), "{xml}");

    the_run_s_traffic_fits_the_published_schemas(&data);
}

/// Every JSON body the run put on the wire — the engine's requests and answers, the
/// simulator's callbacks and answers — validates against `wxsim spec`'s schemas.
fn the_run_s_traffic_fits_the_published_schemas(data: &std::path::Path) {
    use wxsim_protocol::{CallbackKind, Endpoint, Operation, Side};

    let exchanges = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = wxsim_engine::store::Store::open_read_only(&data.join("wxsim.db"))
            .await
            .unwrap();
        store
            .exchanges(&wxsim_engine::ExchangeFilter {
                limit: Some(i64::MAX),
                ..Default::default()
            })
            .await
            .unwrap()
    });
    let schemas = crate::schemas::Schemas::new();
    let mut checked = std::collections::BTreeMap::<String, usize>::new();
    for e in &exchanges {
        let Some(name) = e.operation.as_deref() else {
            continue;
        };
        let operation = match (Endpoint::from_path(name), CallbackKind::from_path(name)) {
            (Some(endpoint), _) if name.ends_with(".do") => Operation::Endpoint(endpoint),
            (_, Some(kind)) => Operation::Callback(kind),
            _ => continue,
        };
        // What was refused at the HTTP level (injected faults, bodies too large) has no
        // interface body to hold to the schemas.
        if e.status != Some(200) {
            continue;
        }
        for (side, body) in [
            (Side::Request, Some(e.request_body.as_str())),
            (Side::Answer, e.response_body.as_deref()),
        ] {
            let Some(Ok(body)) = body.map(serde_json::from_str::<serde_json::Value>) else {
                continue;
            };
            let errors = schemas.errors(operation, side, &body);
            assert!(
                errors.is_empty(),
                "{name} {side:?} of exchange {} does not fit the schema: {errors:?}\n{body}",
                e.id
            );
            *checked.entry(format!("{name} {side:?}")).or_default() += 1;
        }
    }
    // The run covers both directions of every operation.
    assert!(checked.len() >= 28, "{checked:?}");
}

#[test]
fn a_failing_scenario_exits_1_and_names_customer_step_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let out = wxsim(&[
        "run",
        "--junit",
        junit.to_str().unwrap(),
        "crates/cli/tests/fixtures/failing.toml",
    ]);
    let printed = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{printed}");
    let summary = printed
        .lines()
        .find(|l| l.starts_with("✗ "))
        .unwrap_or_else(|| panic!("no failure line in {printed}"));
    assert!(summary.contains("failing.toml:18:"), "{summary}");
    assert!(summary.contains("customer \"Doubter\""), "{summary}");
    assert!(summary.contains("step 4 (expect_agent"), "{summary}");
    assert!(summary.contains("timed out after 300 ms"), "{summary}");
    let xml = std::fs::read_to_string(junit).unwrap();
    assert!(xml.contains("<failure message=\"step 4 (line 18)"), "{xml}");
}

#[test]
fn an_invalid_scenario_exits_2_with_file_line_and_column() {
    let out = wxsim(&[
        "run",
        "crates/cli/tests/fixtures/invalid.toml",
        "scenarios/01-text-chat.toml",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let message = stderr(&out);
    assert!(
        message
            .contains("crates/cli/tests/fixtures/invalid.toml:8:1: step 2: unknown field `colour`"),
        "{message}"
    );
    assert!(
        !stdout(&out).contains('▶'),
        "nothing runs when a file is invalid"
    );
}
