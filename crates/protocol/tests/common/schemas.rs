//! The published OpenAPI document's schemas as JSON Schema 2020-12 validators, for tests that
//! hold real bodies to them (the protocol's own, and the CLI's over a whole run's traffic).

use serde_json::{json, Value};
use wxsim_protocol::openapi::document;
use wxsim_protocol::{Endpoint, Operation, Side};

/// The document's schema of one body, as a JSON Schema 2020-12 validator over the whole
/// document (so that its `#/components/schemas/…` references resolve).
fn validator(doc: &Value, operation: Operation, side: Side) -> jsonschema::Validator {
    let path = match operation {
        Operation::Endpoint(e) => format!("/{}", e.path()),
        Operation::Callback(c) => c.path().to_owned(),
    };
    let at = match side {
        Side::Request => "post/requestBody/content/application~1json/schema",
        Side::Answer => "post/responses/200/content/application~1json/schema",
    };
    let pointer = format!(
        "#/paths/{}/{at}",
        path.replace('~', "~0").replace('/', "~1")
    );
    assert!(
        doc.pointer(&pointer[1..]).is_some(),
        "{pointer} is in the document"
    );
    let mut root = doc.clone();
    root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    root["$ref"] = json!(pointer);
    jsonschema::draft202012::new(&root).expect("the document's schemas compile")
}

/// Validates like a validator that also checks the content annotations of 2020-12: a
/// string with `contentMediaType: application/json` must be JSON, and what it holds must
/// validate against its `contentSchema`. Only `getmsg.do`'s content has them; it is
/// checked by validating the body again with the string replaced by what it holds.
pub struct Schemas {
    doc: Value,
}

impl Schemas {
    pub fn new() -> Schemas {
        Schemas { doc: document() }
    }

    /// Why `body` does not fit `operation`'s `side`; empty when it fits.
    pub fn errors(&self, operation: Operation, side: Side, body: &Value) -> Vec<String> {
        let v = validator(&self.doc, operation, side);
        let mut errors: Vec<String> = v
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        let get_msg = operation == Operation::Endpoint(Endpoint::GetMsg) && side == Side::Request;
        if let (true, Some(Value::String(text))) = (get_msg, body.get("content")) {
            if body["msgType"] != "text" {
                match serde_json::from_str::<Value>(text) {
                    Ok(held) => {
                        let mut decoded = body.clone();
                        decoded["content"] = held;
                        errors.extend(
                            v.iter_errors(&decoded).map(|e| {
                                format!("(the string's JSON) {e} at {}", e.instance_path())
                            }),
                        );
                    }
                    Err(e) => errors.push(format!("content is not application/json: {e}")),
                }
            }
        }
        errors
    }
}
