//! Writes the TypeScript types of the engine's API (and the spec's code tables) for the UI:
//! `npm --prefix ui run gen:types`. The output directory is `ui/src/lib/generated/`, or
//! `WXSIM_TS_OUT` when set (the UI suite regenerates into a temporary directory and
//! compares, so a stale committed copy fails CI).
#![cfg(feature = "ts")]

use std::path::PathBuf;

use serde_json::{json, Value};
use ts_rs::TS;
use wxsim_engine::contract::ContractReport;
use wxsim_engine::faults::ListenerFault;
use wxsim_engine::protocol::{
    CallbackKind, Endpoint, Lang, MessageContent, MsgType, RequestStatus, ResultCode,
};
use wxsim_engine::{
    ConversationFilter, EngineEvent, EventBatch, EventWatch, ExchangeFilter, Media, NewCustomer,
    Profile, SearchHit,
};

fn out_dir() -> PathBuf {
    std::env::var_os("WXSIM_TS_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../ui/src/lib/generated"
            ))
        })
}

fn table(entries: impl Iterator<Item = (i64, &'static str, String, String)>) -> Value {
    entries
        .map(|(code, name, en, zh)| json!({ "code": code, "name": name, "en": en, "zh": zh }))
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
    let pretty = |v: &Value| serde_json::to_string_pretty(v).expect("tables serialize");
    format!(
        "// Generated from crates/protocol/src/code.rs by crates/engine/tests/export_types.rs. Do not edit.\n\n\
         export interface CodeEntry {{\n  code: number;\n  name: string;\n  en: string;\n  zh: string;\n}}\n\n\
         /** `result` of every answer (and `code` of getMedia's). */\n\
         export const RESULT_CODES: readonly CodeEntry[] = {};\n\n\
         /** `requestStatus` of /ari/updateRequestStatus. */\n\
         export const REQUEST_STATUSES: readonly CodeEntry[] = {};\n\n\
         /** The interface's operations: webchat's endpoints, then the callbacks. */\n\
         export const OPERATIONS: readonly string[] = {};\n",
        pretty(&results),
        pretty(&statuses),
        pretty(&json!(operations))
    )
}

#[test]
fn export_types() {
    let dir = out_dir();
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("old generated types removed");
    }
    std::fs::create_dir_all(&dir).expect("output directory");
    EngineEvent::export_all_to(&dir).unwrap();
    EventBatch::export_all_to(&dir).unwrap();
    EventWatch::export_all_to(&dir).unwrap();
    NewCustomer::export_all_to(&dir).unwrap();
    SearchHit::export_all_to(&dir).unwrap();
    ExchangeFilter::export_all_to(&dir).unwrap();
    ConversationFilter::export_all_to(&dir).unwrap();
    Media::export_all_to(&dir).unwrap();
    MessageContent::export_all_to(&dir).unwrap();
    MsgType::export_all_to(&dir).unwrap();
    Profile::export_all_to(&dir).unwrap();
    ListenerFault::export_all_to(&dir).unwrap();
    ContractReport::export_all_to(&dir).unwrap();
    std::fs::write(dir.join("codes.ts"), codes_module()).expect("codes.ts written");
}
