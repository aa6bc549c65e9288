//! `wxsim run`: every shipped scenario passes; a failing one exits 1 naming its step; an
//! invalid one exits 2 naming its line.

use crate::{shipped_scenarios, stderr, stdout, wxsim};

#[test]
fn every_shipped_scenario_passes_against_the_embedded_simulator() {
    let files = shipped_scenarios();
    assert!(files.len() >= 16, "scenarios/ holds {} files", files.len());
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let mut args = vec!["run", "--junit", junit.to_str().unwrap()];
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
