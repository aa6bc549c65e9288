//! Rating options: `/ari/pushRating`'s `ratings` has no element shape in the spec, so each
//! deployment's is read here, once, and everyone (the engine's store, the UI, scenarios)
//! uses the result. The id keeps the type webchat gave it, for `ratesession.do`'s echo.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::id::WireId;

/// One option a rating prompt offers; options compare as their ids do (by text).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RatingOption {
    /// As webchat sent it: a number or a string.
    #[cfg_attr(feature = "ts", ts(type = "number | string"))]
    pub id: WireId,
    pub name: String,
}

impl RatingOption {
    /// Reads an element of `ratings`: an object with `id`, `ratingId` or `value` (and `name`,
    /// `label` or `text`), or a bare number or string that is both id and name. An element
    /// without any id takes its 1-based place in the list.
    pub fn read(raw: &Value, index: usize) -> RatingOption {
        let place = || WireId::Num(index as i64 + 1);
        let as_id = |v: &Value| match v {
            Value::Number(n) => n.as_i64().map(WireId::Num),
            Value::String(s) => Some(WireId::Text(s.clone())),
            _ => None,
        };
        let as_name = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match raw {
            Value::Object(o) => {
                let id = ["id", "ratingId", "value"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(as_id))
                    .unwrap_or_else(place);
                let name = ["name", "label", "text"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(as_name))
                    .unwrap_or_else(|| id.key());
                RatingOption { id, name }
            }
            other => {
                let id = as_id(other).unwrap_or_else(place);
                RatingOption { name: id.key(), id }
            }
        }
    }

    /// Every element of a `ratings` list.
    pub fn read_all(ratings: &[Value]) -> Vec<RatingOption> {
        ratings
            .iter()
            .enumerate()
            .map(|(i, raw)| RatingOption::read(raw, i))
            .collect()
    }

    /// The option whose id reads as `key`, so that an id chosen as text goes back on the
    /// wire in webchat's own type.
    pub fn find<'a>(options: &'a [RatingOption], key: &str) -> Option<&'a RatingOption> {
        options.iter().find(|o| o.id.key() == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_usual_shapes_are_read_with_their_id_types_kept() {
        let options = RatingOption::read_all(&[
            json!({"id": 5, "name": "Good"}),
            json!({"ratingId": "r2", "label": "Fine"}),
            json!({"value": 1, "text": "Bad"}),
            json!(3),
            json!("meh"),
            json!({"name": "no id"}),
            json!(null),
        ]);
        let read: Vec<Value> = options
            .iter()
            .map(|o| serde_json::to_value(o).unwrap())
            .collect();
        assert_eq!(
            read,
            vec![
                json!({"id": 5, "name": "Good"}),
                json!({"id": "r2", "name": "Fine"}),
                json!({"id": 1, "name": "Bad"}),
                json!({"id": 3, "name": "3"}),
                json!({"id": "meh", "name": "meh"}),
                json!({"id": 6, "name": "no id"}),
                json!({"id": 7, "name": "7"}),
            ]
        );
    }

    #[test]
    fn reading_a_read_option_again_changes_nothing() {
        let once = RatingOption::read(&json!({"ratingId": 9, "label": "Top"}), 0);
        let again = RatingOption::read(&serde_json::to_value(&once).unwrap(), 0);
        assert_eq!(
            serde_json::to_value(&once).unwrap(),
            serde_json::to_value(&again).unwrap()
        );
    }

    #[test]
    fn an_option_is_found_by_its_id_as_text() {
        let options = RatingOption::read_all(&[json!({"id": 5}), json!({"id": "x"})]);
        let found =
            |key| serde_json::to_value(&RatingOption::find(&options, key).unwrap().id).unwrap();
        assert_eq!(found("5"), json!(5));
        assert_eq!(found("x"), json!("x"));
        assert!(RatingOption::find(&options, "6").is_none());
    }
}
