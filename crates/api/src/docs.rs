//! The API described from the table the router is built from: the README's API table
//! (`markdown`) and the OpenAPI document served at `/api/openapi.json` (`openapi`).

use serde_json::{json, Map, Value};

/// One route of the API: what it takes and what it gives, in words.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteDoc {
    pub method: &'static str,
    pub path: &'static str,
    pub takes: &'static str,
    pub gives: &'static str,
}

impl RouteDoc {
    pub(crate) fn new(
        method: &'static str,
        path: &'static str,
        takes: &'static str,
        gives: &'static str,
    ) -> RouteDoc {
        RouteDoc {
            method,
            path,
            takes,
            gives,
        }
    }
}

/// Every route behind the token, as the router has them.
pub fn routes() -> Vec<RouteDoc> {
    crate::table().into_iter().map(|(doc, _)| doc).collect()
}

/// The README's API table.
pub fn markdown() -> String {
    let mut table = String::from("| method | path | takes | gives |\n|---|---|---|---|\n");
    for r in routes() {
        let cell = |text: &str| text.replace('|', "\\|");
        table.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            r.method,
            r.path,
            cell(r.takes),
            cell(r.gives)
        ));
    }
    table
}

/// An OpenAPI 3.1 document of the API: its paths, methods and words, and the bearer token.
pub fn openapi() -> Value {
    let mut paths = Map::new();
    for r in routes() {
        let parameters: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        let operation = json!({
            "summary": r.gives,
            "description": if r.takes.is_empty() { "Takes nothing." } else { r.takes },
            "parameters": parameters,
            "responses": { "200": { "description": r.gives }, "default": { "description": "`{\"error\": {kind, message}}`" } },
        });
        let item = paths.entry(r.path.to_owned()).or_insert_with(|| json!({}));
        item[r.method.to_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "wxsim API", "version": env!("CARGO_PKG_VERSION") },
        "components": { "securitySchemes": { "token": { "type": "http", "scheme": "bearer" } } },
        "security": [{ "token": [] }],
        "paths": paths,
    })
}
