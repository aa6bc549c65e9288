//! The OpenAPI document parses as OpenAPI 3.1 and the shipped copy is current.

use wxsim_protocol::openapi::document;

const SHIPPED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/interface.openapi.json"
);

#[test]
fn the_document_is_valid_openapi_3_1_with_fifteen_operations() {
    let text = serde_json::to_string_pretty(&document()).unwrap();
    let spec = oas3::from_json(&text).expect("an OpenAPI 3.1 parser accepts it");
    assert_eq!(spec.openapi, "3.1.0");
    let ops: Vec<_> = spec.operations().collect();
    assert_eq!(
        ops.iter().filter(|(_, m, _)| m.as_str() == "POST").count(),
        15
    );
    let mut ids: Vec<_> = ops
        .iter()
        .filter_map(|(_, _, op)| op.operation_id.clone())
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "operation ids are unique");
}

#[test]
fn the_shipped_copy_matches_the_code() {
    let text = serde_json::to_string_pretty(&document()).unwrap() + "\n";
    if std::env::var_os("WXSIM_BLESS").is_some() {
        std::fs::write(SHIPPED, &text).unwrap();
    }
    // Compared as JSON values: key order follows serde_json's `preserve_order`, which
    // feature unification turns on in some builds of the workspace and not in others.
    let shipped: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(SHIPPED).unwrap_or_default())
            .unwrap_or_default();
    assert!(shipped == document(), "docs/interface.openapi.json is stale: run `WXSIM_BLESS=1 cargo test -p wxsim-protocol --test openapi`");
}
