//! Every example body of the original spec passes the contract checker: no finding of
//! severity Error (Warnings are allowed: the examples use placeholder timestamps and an
//! unknown request status).

mod common;

use std::collections::BTreeSet;

use common::spec_examples;
use wxsim_protocol::{check_body, Severity, Side, OPERATIONS};

const NOW: i64 = 1_700_000_000_000;

#[test]
fn every_spec_example_passes_the_checker_without_an_error() {
    let examples = spec_examples();
    assert_eq!(
        examples.len(),
        35,
        "30 bodies and 5 more getmsg.do contents"
    );
    let mut breaches = vec![];
    for e in &examples {
        for f in check_body(e.operation, e.side, &e.text, NOW) {
            if f.severity == Severity::Error {
                breaches.push(format!(
                    "{}: {} {:?} {}",
                    e.file, f.rule, f.field, f.message
                ));
            }
        }
    }
    assert!(breaches.is_empty(), "{breaches:#?}");
}

#[test]
fn the_examples_cover_both_sides_of_all_fifteen_operations() {
    let covered: BTreeSet<(String, bool)> = spec_examples()
        .iter()
        .map(|e| (e.operation.name().to_owned(), e.side == Side::Request))
        .collect();
    for spec in OPERATIONS {
        for request in [true, false] {
            assert!(
                covered.contains(&(spec.operation.name().to_owned(), request)),
                "{} {}",
                spec.operation.name(),
                if request { "request" } else { "answer" }
            );
        }
    }
    let types: BTreeSet<String> = spec_examples()
        .iter()
        .filter(|e| e.operation.name() == "getmsg.do" && e.side == Side::Request)
        .map(|e| e.body["msgType"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types.len(), 6, "every msgType: {types:?}");
}

#[test]
fn what_the_checker_says_of_the_examples_is_only_what_the_spec_itself_does() {
    // The Warnings, spelled out: a timestamp that is a placeholder or years old, and the
    // request status 123 of the updateRequestStatus example.
    let mut warnings: Vec<(String, String, Option<String>)> = vec![];
    for e in spec_examples() {
        for f in check_body(e.operation, e.side, &e.text, NOW) {
            assert_ne!(f.severity, Severity::Error);
            warnings.push((e.file.clone(), f.rule, f.field));
        }
    }
    let expected = [
        ("ari.close.request.json", "timestamp", "request.closeTime"),
        (
            "ari.create.request.json",
            "timestamp",
            "request.responseTime",
        ),
        ("ari.msg.request.json", "timestamp", "request.msgTime"),
        (
            "ari.updateRequestStatus.request.json",
            "code",
            "request.requestStatus",
        ),
        (
            "createcon.do.request.json",
            "timestamp",
            "request.requestTime",
        ),
    ];
    let expected: Vec<(String, String, Option<String>)> = expected
        .iter()
        .map(|(f, r, p)| (f.to_string(), r.to_string(), Some(p.to_string())))
        .collect();
    assert_eq!(warnings, expected);
}
