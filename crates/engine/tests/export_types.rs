//! The TypeScript types of the engine's API (and the spec's code tables) for the UI, in
//! `ui/src/lib/generated/`, and those of the embedded simulator's controls
//! (`/api/simulator/*`, named `Sim…`). The test generates them and fails when the committed
//! copy is stale; `npm --prefix ui run gen:types` (`WXSIM_TS_WRITE=1`) writes them there
//! instead.
#![cfg(feature = "ts")]

use std::path::{Path, PathBuf};

use ts_rs::TS;
use wxsim_engine::contract::ContractReport;
use wxsim_engine::faults::ListenerFault;
use wxsim_engine::protocol::{
    CallbackKind, Endpoint, Lang, MessageContent, MsgType, RequestSource, RequestStatus,
    ResultCode, RULES,
};
use wxsim_engine::{
    ConversationFilter, EngineEvent, EventBatch, EventWatch, ExchangeFilter, Media, NewCustomer,
    Profile, SearchHit,
};
use wxsim_webchat::{
    AgentPatch, ClockPatch, ConfigPatch, DeskView, FaultSpec, GroupPatch, NextRequestStatus,
    PictureView, RoutingFailure, StateSnapshot,
};

fn committed_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../ui/src/lib/generated"
    ))
}

/// The file names in `dir` and their contents, sorted.
fn contents(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("a directory of types")
        .map(|entry| {
            let path = entry.expect("a directory entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).expect("a text file"))
        })
        .collect();
    files.sort();
    files
}

/// One row of a code table; a struct, so that its keys keep this order in every build
/// (serde_json's `preserve_order`, on in some workspace builds, would otherwise decide).
#[derive(serde::Serialize)]
struct CodeEntry {
    code: i64,
    name: &'static str,
    en: String,
    zh: String,
}

/// A rule as codes.ts lists it; a struct for the reason [`CodeEntry`] is one.
#[derive(serde::Serialize)]
struct RuleEntry {
    name: &'static str,
    en: &'static str,
    zh: &'static str,
}

fn table(entries: impl Iterator<Item = (i64, &'static str, String, String)>) -> Vec<CodeEntry> {
    entries
        .map(|(code, name, en, zh)| CodeEntry { code, name, en, zh })
        .collect()
}

fn codes_module() -> String {
    let results = table(
        ResultCode::KNOWN
            .iter()
            .map(|c| (c.code(), c.name(), c.label(Lang::En), c.label(Lang::Zh))),
    );
    let statuses = table(
        RequestStatus::KNOWN
            .iter()
            .map(|c| (c.code(), c.name(), c.label(Lang::En), c.label(Lang::Zh))),
    );
    let operations: Vec<&str> = Endpoint::ALL
        .iter()
        .map(|e| e.path())
        .chain(CallbackKind::ALL.iter().map(|c| c.path()))
        .collect();
    let sources = RequestSource::ALL.map(RequestSource::as_str);
    let rules: Vec<RuleEntry> = RULES
        .iter()
        .map(|r| RuleEntry {
            name: r.name,
            en: r.checks,
            zh: r.checks_zh,
        })
        .collect();
    fn pretty(v: &impl serde::Serialize) -> String {
        serde_json::to_string_pretty(v).expect("tables serialize")
    }
    format!(
        "// Generated from crates/protocol/src/code.rs by crates/engine/tests/export_types.rs. Do not edit.\n\n\
         import type {{ RequestSource }} from \"./RequestSource\";\n\n\
         export interface CodeEntry {{\n  code: number;\n  name: string;\n  en: string;\n  zh: string;\n}}\n\n\
         /** `result` of every answer (and `code` of getMedia's). */\n\
         export const RESULT_CODES: readonly CodeEntry[] = {};\n\n\
         /** `requestStatus` of /ari/updateRequestStatus. */\n\
         export const REQUEST_STATUSES: readonly CodeEntry[] = {};\n\n\
         /** The interface's operations: webchat's endpoints, then the callbacks. */\n\
         export const OPERATIONS: readonly string[] = {};\n\n\
         /** `createcon.do`'s `from`: where a chat request comes from. */\n\
         export const REQUEST_SOURCES: readonly RequestSource[] = {};\n\n\
         /** The contract checker's rules: a finding's `rule`, and what it checks. */\n\
         export const RULES: readonly {{ name: string; en: string; zh: string }}[] = {};\n",
        pretty(&results),
        pretty(&statuses),
        pretty(&operations),
        pretty(&sources),
        pretty(&rules)
    )
}

fn generate(dir: &Path) {
    EngineEvent::export_all_to(dir).unwrap();
    EventBatch::export_all_to(dir).unwrap();
    EventWatch::export_all_to(dir).unwrap();
    NewCustomer::export_all_to(dir).unwrap();
    SearchHit::export_all_to(dir).unwrap();
    ExchangeFilter::export_all_to(dir).unwrap();
    ConversationFilter::export_all_to(dir).unwrap();
    Media::export_all_to(dir).unwrap();
    MessageContent::export_all_to(dir).unwrap();
    MsgType::export_all_to(dir).unwrap();
    RequestSource::export_all_to(dir).unwrap();
    Profile::export_all_to(dir).unwrap();
    ListenerFault::export_all_to(dir).unwrap();
    ContractReport::export_all_to(dir).unwrap();
    StateSnapshot::export_all_to(dir).unwrap();
    ConfigPatch::export_all_to(dir).unwrap();
    AgentPatch::export_all_to(dir).unwrap();
    GroupPatch::export_all_to(dir).unwrap();
    ClockPatch::export_all_to(dir).unwrap();
    NextRequestStatus::export_all_to(dir).unwrap();
    RoutingFailure::export_all_to(dir).unwrap();
    FaultSpec::export_all_to(dir).unwrap();
    DeskView::export_all_to(dir).unwrap();
    PictureView::export_all_to(dir).unwrap();
    std::fs::write(dir.join("codes.ts"), codes_module()).expect("codes.ts written");
}

#[test]
fn the_committed_types_are_what_the_rust_types_generate() {
    let fresh = tempfile::tempdir().expect("a temporary directory");
    generate(fresh.path());
    let committed = committed_dir();
    if std::env::var_os("WXSIM_TS_WRITE").is_some() {
        if committed.exists() {
            std::fs::remove_dir_all(&committed).expect("old generated types removed");
        }
        std::fs::create_dir_all(&committed).expect("output directory");
        for (name, text) in contents(fresh.path()) {
            std::fs::write(committed.join(name), text).expect("a type written");
        }
        return;
    }
    let (want, have) = (contents(fresh.path()), contents(&committed));
    let names = |files: &[(String, String)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&have),
        names(&want),
        "ui/src/lib/generated has other files than the Rust types make: run `npm --prefix ui run gen:types`"
    );
    for ((name, text), (_, committed_text)) in want.iter().zip(&have) {
        assert!(
            text == committed_text,
            "ui/src/lib/generated/{name} is stale: run `npm --prefix ui run gen:types`"
        );
    }
}
