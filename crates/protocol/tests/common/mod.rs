//! The spec's example bodies, committed under `tests/spec_examples/` (see its README).

#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::Value;
use wxsim_protocol::{Operation, Side};

/// One example: its file name, what it is a body of, and the body.
pub struct Example {
    pub file: String,
    pub operation: Operation,
    pub side: Side,
    pub text: String,
    pub body: Value,
}

/// Every JSON file of `tests/spec_examples/`, by name.
pub fn spec_examples() -> Vec<Example> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/spec_examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/spec_examples exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let (operation, side) = parse_name(&file);
            let text = std::fs::read_to_string(&path).unwrap();
            let body =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is JSON: {e}"));
            Example {
                file,
                operation,
                side,
                text,
                body,
            }
        })
        .collect()
}

/// `getmsg.do.request.image.json` → (getmsg.do, request); `ari.create.answer.json` →
/// (/ari/create, answer).
fn parse_name(file: &str) -> (Operation, Side) {
    let parts: Vec<&str> = file.trim_end_matches(".json").split('.').collect();
    let (name, side) = match parts.as_slice() {
        ["ari", callback, side, ..] => (format!("/ari/{callback}"), *side),
        [endpoint, "do", side, ..] => (format!("{endpoint}.do"), *side),
        _ => panic!("{file}: not <operation>.<side>[.<variant>].json"),
    };
    let operation =
        Operation::from_name(&name).unwrap_or_else(|| panic!("{file}: no operation {name}"));
    let side = match side {
        "request" => Side::Request,
        "answer" => Side::Answer,
        other => panic!("{file}: side {other} is neither request nor answer"),
    };
    (operation, side)
}
