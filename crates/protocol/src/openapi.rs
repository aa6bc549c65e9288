//! The interface as an OpenAPI 3.1 document, built from the contract table: the eight
//! endpoints webchat serves, the seven callbacks the hosting side serves, and the media
//! download address. `wxsim spec` prints it; `docs/interface.openapi.json` is its copy.

use serde_json::{json, Map, Value};

use crate::code::{Lang, RequestStatus, ResultCode};
use crate::content::MsgType;
use crate::contract::{Field, FieldType, Need, Operation, OperationSpec, CONTENT, OPERATIONS};
use crate::endpoint::RequestSource;

fn schema(ty: FieldType) -> Value {
    match ty {
        FieldType::String => json!({ "type": "string" }),
        FieldType::Integer => json!({ "type": "integer" }),
        FieldType::IntegerOrEmpty => {
            json!({ "oneOf": [{ "type": "integer" }, { "const": "" }] })
        }
        FieldType::Number => json!({ "type": "number" }),
        FieldType::Id => json!({ "$ref": "#/components/schemas/Id" }),
        FieldType::ResultCode => json!({ "$ref": "#/components/schemas/ResultCode" }),
        FieldType::RequestStatus => json!({ "$ref": "#/components/schemas/RequestStatus" }),
        FieldType::Millis => {
            json!({ "type": "integer", "format": "int64", "description": "epoch milliseconds" })
        }
        // Only `getmsg.do` has content, and its request is built by `msgType` (`get_msg`).
        FieldType::Content => json!({ "type": ["string", "object"] }),
        FieldType::Time => {
            json!({ "oneOf": [{ "type": "string" }, { "type": "integer" }], "description": "default yyyy-MM-dd HH:mm:ss; epoch ms by a profile switch" })
        }
        FieldType::Source => {
            json!({ "type": "string", "enum": RequestSource::ALL.map(RequestSource::as_str) })
        }
        FieldType::MsgType => {
            json!({ "type": "string", "enum": ["text", "image", "voice", "video", "link", "location"] })
        }
        FieldType::Agents => {
            json!({ "type": "array", "items": { "$ref": "#/components/schemas/Agent" } })
        }
        FieldType::Array => json!({ "type": "array", "items": {} }),
    }
}

/// `schema` with a description (beside a `$ref`, through `allOf`).
fn described(mut s: Value, doc: &str) -> Value {
    if s.get("$ref").is_some() {
        json!({ "allOf": [s], "description": doc })
    } else {
        s["description"] = json!(doc);
        s
    }
}

/// An object schema of `fields`. Fields needed only on success are required by an
/// `if`/`then` on the result code: a refusal needs its code (and message) alone.
fn object(fields: &[Field]) -> Value {
    let properties: Map<String, Value> = fields
        .iter()
        .map(|f| (f.name.to_owned(), described(schema(f.ty), f.doc)))
        .collect();
    let names = |need: Need| -> Vec<&str> {
        fields
            .iter()
            .filter(|f| f.need == need)
            .map(|f| f.name)
            .collect()
    };
    let mut object =
        json!({ "type": "object", "properties": properties, "required": names(Need::Always) });
    let on_success = names(Need::OnSuccess);
    if let (Some(code), false) = (
        fields.iter().find(|f| f.ty == FieldType::ResultCode),
        on_success.is_empty(),
    ) {
        object["if"] = json!({ "properties": { code.name: { "const": 1 } } });
        object["then"] = json!({ "required": on_success });
    }
    object
}

fn content_name(msg_type: MsgType) -> String {
    format!("{}Content", capitalize(msg_type.as_str()))
}

/// `getmsg.do`'s request, one schema per `msgType`: `msgType` is a constant in each, so
/// exactly one applies; its `content` is a plain string for text, and otherwise the
/// type's object, or that object serialized as a JSON string (`contentMediaType` +
/// `contentSchema`, which JSON Schema 2020-12 treats as annotations: a validator that
/// checks them decodes the string and validates it against the object's schema).
fn get_msg(spec: &OperationSpec, schemas: &mut Map<String, Value>) -> Value {
    let mut branches = vec![];
    let mut mapping = Map::new();
    for msg_type in MsgType::ALL {
        let name = format!("GetMsg{}Request", capitalize(msg_type.as_str()));
        let mut request = object(spec.request);
        let properties = request["properties"].as_object_mut().expect("an object");
        for field in spec.request {
            match field.ty {
                FieldType::MsgType => {
                    properties[field.name] =
                        json!({ "const": msg_type.as_str(), "description": field.doc });
                }
                FieldType::Content if msg_type == MsgType::Text => {
                    properties[field.name] = json!({ "type": "string", "description": "a text message: a plain string" });
                }
                FieldType::Content => {
                    let object = json!({ "$ref": format!("#/components/schemas/{}", content_name(msg_type)) });
                    properties[field.name] = json!({
                        "description": format!("a {} message: its object, or the object as a JSON string", msg_type.as_str()),
                        "oneOf": [
                            object,
                            {
                                "type": "string",
                                "contentMediaType": "application/json",
                                "contentSchema": object,
                                "description": "the object serialized as a JSON string (some servers)"
                            }
                        ]
                    });
                }
                _ => {}
            }
        }
        let reference = format!("#/components/schemas/{name}");
        mapping.insert(msg_type.as_str().into(), json!(reference));
        branches.push(json!({ "$ref": reference }));
        schemas.insert(name, request);
    }
    json!({
        "oneOf": branches,
        "discriminator": { "propertyName": "msgType", "mapping": mapping },
        "description": "by msgType: text is a plain string, the other types an object (or its JSON string)"
    })
}

/// The request schema of an operation (component schemas it needs go into `schemas`).
fn request(spec: &OperationSpec, schemas: &mut Map<String, Value>) -> Value {
    let has = |ty| spec.request.iter().any(|f| f.ty == ty);
    if has(FieldType::MsgType) && has(FieldType::Content) {
        get_msg(spec, schemas)
    } else {
        object(spec.request)
    }
}

fn code_table(codes: impl Iterator<Item = (i64, &'static str, String, String)>) -> String {
    codes
        .map(|(n, name, en, zh)| format!("{n} {name} — {en} ({zh})"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn components(requests: Map<String, Value>) -> Value {
    let mut named = Map::new();
    for (msg_type, fields) in CONTENT {
        named.insert(content_name(*msg_type), object(fields));
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
    schemas.extend(named);
    schemas.extend(requests);
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
    let mut requests = Map::new();
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
                    "requestBody": { "required": true, "content": { "application/json": { "schema": request(spec, &mut requests) } } },
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
        "components": components(requests)
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
