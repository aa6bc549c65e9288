//! The automation commands as a QA engineer runs them: `wxsim run` on the shipped
//! scenarios and on fixtures that must fail, `wxsim history` on the database a run filled,
//! a small `wxsim load`, and the README's tables of crates and commands against the real
//! workspace and `wxsim --help`.

#[path = "../../../protocol/tests/common/schemas.rs"]
mod schemas;
#[path = "../support/serve.rs"]
mod support;

mod history;
mod load;
mod readme;
mod run;

use std::process::Output;

pub use support::{repo, wxsim};

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every `.toml` under `scenarios/`, sorted.
pub fn shipped_scenarios() -> Vec<String> {
    let mut files = Vec::new();
    let mut dirs = vec![repo().join("scenarios")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                files.push(path.to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    files
}
