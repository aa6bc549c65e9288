//! The interface as an OpenAPI 3.1 document, built from the contract table: the eight
//! endpoints webchat serves, the seven callbacks the hosting side serves, and the media
//! download address. `wxsim spec` prints it; `docs/interface.openapi.json` is its copy.

use serde_json::{json, Map, Value};

use crate::code::{Lang, RequestStatus, ResultCode};
use crate::contract::{Field, FieldType, Operation, CONTENT, OPERATIONS};

fn schema(ty: FieldType) -> Value {
    match ty {
        FieldType::String => json!({ "type": "string" }),
        FieldType::Integer => json!({ "type": "integer" }),
        FieldType::Number => json!({ "type": "number" }),
        FieldType::Id => json!({ "$ref": "#/components/schemas/Id" }),
        FieldType::ResultCode => json!({ "$ref": "#/components/schemas/ResultCode" }),
        FieldType::RequestStatus => json!({ "$ref": "#/components/schemas/RequestStatus" }),
        FieldType::Millis => {
            json!({ "type": "integer", "format": "int64", "description": "epoch milliseconds" })
        }
        FieldType::Content => json!({ "$ref": "#/components/schemas/MessageContent" }),
        FieldType::Time => {
            json!({ "oneOf": [{ "type": "string" }, { "type": "integer" }], "description": "default yyyy-MM-dd HH:mm:ss; epoch ms by a profile switch" })
        }
        FieldType::Source => json!({ "type": "string", "enum": ["PC", "MOBILE", "WECHAT", "APP"] }),
        FieldType::MsgType => {
            json!({ "type": "string", "enum": ["text", "image", "voice", "video", "link", "location"] })
        }
        FieldType::Agents => {
            json!({ "type": "array", "items": { "$ref": "#/components/schemas/Agent" } })
        }
        FieldType::Array => json!({ "type": "array", "items": {} }),
    }
}

/// An object schema of `fields`.
fn object(fields: &[Field]) -> Value {
    let properties: Map<String, Value> = fields
        .iter()
        .map(|f| {
            let mut s = schema(f.ty);
            let described = if s.get("$ref").is_some() {
                json!({ "allOf": [s], "description": f.doc })
            } else {
                s["description"] = json!(f.doc);
                s
            };
            (f.name.to_owned(), described)
        })
        .collect();
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name)
        .collect();
    json!({ "type": "object", "properties": properties, "required": required })
}

fn code_table(codes: impl Iterator<Item = (i64, &'static str, String, String)>) -> String {
    codes
        .map(|(n, name, en, zh)| format!("{n} {name} — {en} ({zh})"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn components() -> Value {
    let mut contents: Vec<Value> = vec![json!({ "type": "string", "description": "text" })];
    let mut named = Map::new();
    for (msg_type, fields) in CONTENT {
        let name = format!("{}Content", capitalize(msg_type.as_str()));
        contents.push(json!({ "$ref": format!("#/components/schemas/{name}") }));
        named.insert(name, object(fields));
    }
    let mut schemas = Map::new();
    schemas.insert("Id".into(), json!({ "oneOf": [{ "type": "integer" }, { "type": "string" }], "description": "ids arrive as numbers or strings" }));
    schemas.insert(
        "ResultCode".into(),
        json!({ "type": "integer", "description": code_table(ResultCode::KNOWN.iter().map(|c| (c.code(), c.name(), c.label(Lang::En), c.label(Lang::Zh)))) }),
    );
    schemas.insert(
        "RequestStatus".into(),
        json!({ "type": "integer", "description": code_table(RequestStatus::KNOWN.iter().map(|c| (c.code(), c.name(), c.label(Lang::En), c.label(Lang::Zh)))) }),
    );
    schemas.insert("Agent".into(), json!({ "type": "object", "properties": { "id": { "$ref": "#/components/schemas/Id" }, "name": { "type": "string" } }, "required": ["id"] }));
    contents.push(json!({ "type": "string", "description": "the object serialized as a JSON string (some servers)" }));
    schemas.insert("MessageContent".into(), json!({ "oneOf": contents, "description": "a string for text; an object by msgType otherwise" }));
    schemas.extend(named);
    json!({ "schemas": schemas })
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn operation_id(op: Operation) -> String {
    match op {
        Operation::Endpoint(e) => e.path().trim_end_matches(".do").to_owned(),
        Operation::Callback(c) => {
            format!("ari{}", capitalize(c.path().trim_start_matches("/ari/")))
        }
    }
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for spec in OPERATIONS {
        let (path, server, tag) = match spec.operation {
            Operation::Endpoint(e) => (format!("/{}", e.path()), "{webchatBase}", "webchat"),
            Operation::Callback(c) => (c.path().to_owned(), "{livebotWanAddr}", "hosting service"),
        };
        let variable = server.trim_matches(['{', '}']);
        paths.insert(
            path,
            json!({
                "servers": [{ "url": server, "variables": { variable: { "default": if tag == "webchat" { "http://127.0.0.1:7090/webchat" } else { "http://127.0.0.1:7081" } } } }],
                "post": {
                    "operationId": operation_id(spec.operation),
                    "tags": [tag],
                    "summary": spec.summary,
                    "requestBody": { "required": true, "content": { "application/json": { "schema": object(spec.request) } } },
                    "responses": { "200": { "description": "answer", "content": { "application/json": { "schema": object(spec.answer) } } } }
                }
            }),
        );
    }
    paths.insert(
        "/wechat/{serviceAccountId}/{type}".into(),
        json!({
            "servers": [{ "url": "{livebotWanAddr}", "variables": { "livebotWanAddr": { "default": "http://127.0.0.1:7081" } } }],
            "get": {
                "operationId": "wechatMedia",
                "tags": ["hosting service"],
                "summary": "The media file behind a getMedia answer: LIVEBOT_WANADDR/wechat/{serviceAccountId}/{type}?file={message}.",
                "parameters": [
                    { "name": "serviceAccountId", "in": "path", "required": true, "schema": { "type": "string" } },
                    { "name": "type", "in": "path", "required": true, "schema": { "type": "string", "enum": ["image", "voice", "video", "thumb"] } },
                    { "name": "file", "in": "query", "required": true, "schema": { "type": "string" } }
                ],
                "responses": { "200": { "description": "the file", "content": { "application/octet-stream": { "schema": { "type": "string", "contentMediaType": "application/octet-stream" } } } }, "404": { "description": "no such file for this account" } }
            }
        }),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "webchat ⇄ WeChat hosting-service interface",
            "version": "1.0.0",
            "description": "Both directions of the interface in shared/spec/interface.md. All calls are POST with a JSON object body; result 1 means success (getMedia answers with `code`)."
        },
        "paths": paths,
        "components": components()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_all_fifteen_operations_and_every_ref_resolves() {
        let doc = document();
        let posts = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .filter(|p| p.get("post").is_some())
            .count();
        assert_eq!(posts, 15);
        let text = doc.to_string();
        for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = part.split('"').next().unwrap();
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "$ref {name} resolves"
            );
        }
    }
}
