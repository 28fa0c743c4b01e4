//! Strict JSON for JOSE headers and claim sets.
//!
//! `serde_json` keeps the last of two members with the same name; RFC 7515
//! section 5.2 lets a parser reject such input, and we must, because two
//! parsers that pick different duplicates see different tokens (the classic
//! `alg` smuggling trick). This module builds a [`Value`] while checking every
//! object, at every depth, for repeated names. Nesting is bounded by
//! `serde_json`'s recursion limit (128), so deep input fails instead of
//! exhausting the stack.

use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Value};

use crate::error::excerpt;

/// Why a JSON document was refused.
#[derive(Debug)]
pub(crate) enum JsonError {
    /// Not JSON, trailing data, or nested too deeply.
    Syntax(serde_json::Error),
    /// Valid JSON whose top level is not an object.
    NotAnObject,
    /// An object (at any depth) repeats a member name.
    DuplicateMember(String),
}

/// Parses `bytes` as a JSON object, rejecting duplicate member names anywhere.
pub(crate) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, JsonError> {
    let duplicate = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = StrictValue {
        duplicate: &duplicate,
    }
    .deserialize(&mut de)
    .and_then(|value| de.end().map(|()| value));
    match (parsed, duplicate.into_inner()) {
        (_, Some(name)) => Err(JsonError::DuplicateMember(name)),
        (Err(e), None) => Err(JsonError::Syntax(e)),
        (Ok(Value::Object(map)), None) => Ok(map),
        (Ok(_), None) => Err(JsonError::NotAnObject),
    }
}

/// A seed that deserializes any JSON value, recording the first duplicate
/// member name it meets (the error itself only aborts the parse).
#[derive(Clone, Copy)]
struct StrictValue<'a> {
    duplicate: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // serde_json never produces a non-finite float, so `from_f64` succeeds.
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            // One lookup finds both the duplicate and the insertion point.
            match map.entry(key) {
                Entry::Occupied(taken) => {
                    *self.duplicate.borrow_mut() = Some(excerpt(taken.key()));
                    return Err(A::Error::custom("duplicate member"));
                }
                Entry::Vacant(slot) => {
                    slot.insert(access.next_value_seed(self)?);
                }
            }
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_objects_and_keeps_members() {
        let map = parse_object(br#"{"a":1,"b":{"c":[true,null,"x",-2,1.5]}}"#).unwrap();
        assert_eq!(map["b"]["c"][4], 1.5);
        assert_eq!(map["a"], 1);
    }

    #[test]
    fn rejects_duplicates_at_any_depth() {
        for input in [
            &br#"{"alg":"RS256","alg":"none"}"#[..],
            br#"{"a":{"b":1,"b":2}}"#,
            br#"{"a":[{"x":1,"x":1}]}"#,
        ] {
            assert!(matches!(
                parse_object(input),
                Err(JsonError::DuplicateMember(_))
            ));
        }
    }

    #[test]
    fn rejects_non_objects_trailing_data_and_deep_nesting() {
        assert!(matches!(parse_object(b"[1]"), Err(JsonError::NotAnObject)));
        assert!(matches!(
            parse_object(b"\"s\""),
            Err(JsonError::NotAnObject)
        ));
        assert!(matches!(parse_object(b"{} x"), Err(JsonError::Syntax(_))));
        assert!(matches!(parse_object(b""), Err(JsonError::Syntax(_))));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let deep = format!("{{\"a\":{deep}}}");
        assert!(matches!(
            parse_object(deep.as_bytes()),
            Err(JsonError::Syntax(_))
        ));
    }
}
