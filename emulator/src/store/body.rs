//! [`Body`]: a resource's GET body, kept as the compact JSON text a GET answers with.
//!
//! A workspace's body is about 2 KB of JSON; as a `serde_json::Value` (ordered maps) it took
//! five times that in dozens of heap objects, and every GET cloned and serialised it. The text
//! is one shared buffer: a GET or a list page copies (or refers to) it as it is, and the few
//! handlers that read or change fields parse it ([`Body::value`], [`Body::pointer`]) or edit it
//! ([`Body::edit`]: parse, change, write back). Writes are much rarer than reads.
//!
//! The text is always what `serde_json::to_vec` writes for the `Value` it was made from, so an
//! answer built from it is byte for byte the answer the `Value` would have given. In the state
//! document (`/_emulator/state`, `--load`) a body is still a JSON value.

use std::fmt;

use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// The compact JSON text of a resource's GET body (see the module documentation).
#[derive(Clone, PartialEq, Eq)]
pub struct Body(Bytes);

impl Body {
    /// The body for `v`, in serde_json's compact form.
    pub fn new(v: &Value) -> Body {
        // Serialising a `Value` cannot fail. The copy is one allocation of the exact size, where
        // shrinking the grown buffer would leave its tail as a hole among long-lived bodies.
        Body(Bytes::copy_from_slice(&serde_json::to_vec(v).unwrap_or_default()))
    }

    /// The body parsed (for handlers that read several fields or build on it).
    pub fn value(&self) -> Value {
        // The text was written by `Body::new`, so it parses.
        serde_json::from_slice(&self.0).unwrap_or(Value::Null)
    }

    /// One value inside the body, by JSON pointer (`/properties/provisioningState`).
    pub fn pointer(&self, pointer: &str) -> Option<Value> {
        self.value().pointer_mut(pointer).map(Value::take)
    }

    /// A string inside the body, by JSON pointer (`None` if absent or not a string).
    pub fn string(&self, pointer: &str) -> Option<String> {
        match self.pointer(pointer) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// Changes the body: parses it, runs `f` on the value and stores the result.
    pub fn edit<R>(&mut self, f: impl FnOnce(&mut Value) -> R) -> R {
        let mut v = self.value();
        let out = f(&mut v);
        *self = Body::new(&v);
        out
    }

    /// The JSON text.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The JSON text as a response body (shares the buffer, no copy).
    pub fn bytes(&self) -> Bytes {
        self.0.clone()
    }

    /// The `id`, `name` and `type` of the body, read without building the whole value; `Err`
    /// when the body is not a JSON object.
    pub fn head(&self) -> Result<Head, String> {
        // The text is compact, so an object starts with `{` (a derived struct would also
        // accept an array).
        if self.0.first() != Some(&b'{') {
            return Err("the body is not a JSON object".to_string());
        }
        serde_json::from_slice::<Head>(&self.0).map_err(|e| format!("the body is not a resource object: {e}"))
    }
}

/// The identifying fields of a body ([`Body::head`]).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Head {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "lenient_string")]
    pub resource_type: Option<String>,
}

/// A string field that may be absent, null or of another type (then `None`).
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        _ => None,
    })
}

impl From<Value> for Body {
    fn from(v: Value) -> Body {
        Body::new(&v)
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

/// In the state document a body is the JSON value itself, written from its text (no parse
/// into a value: an export of a large state writes every body).
impl Serialize for Body {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(&self.0)
            .ok()
            .and_then(|t| serde_json::from_str::<&serde_json::value::RawValue>(t).ok())
        {
            Some(raw) => raw.serialize(s),
            None => self.value().serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Body, D::Error> {
        Value::deserialize(d).map(Body::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_the_compact_text_of_the_value() {
        let v = json!({"name": "ws", "properties": {"b": 1, "a": [true, null, 1.5]}, "tags": {}});
        let b = Body::new(&v);
        assert_eq!(b.as_bytes(), serde_json::to_vec(&v).unwrap().as_slice());
        assert_eq!(b.value(), v);
        assert_eq!(b.string("/name").as_deref(), Some("ws"));
        assert_eq!(b.pointer("/properties/a/2"), Some(json!(1.5)));
        assert_eq!(b.string("/properties/b"), None);
        let h = Body::new(&json!({"id": "/x", "name": "n", "type": "T", "more": [1, {"id": 2}]})).head().unwrap();
        assert_eq!(
            (h.id.as_deref(), h.name.as_deref(), h.resource_type.as_deref()),
            (Some("/x"), Some("n"), Some("T"))
        );
        for not_an_object in [json!(5), json!("x"), json!([]), json!(null)] {
            assert_eq!(Body::new(&not_an_object).head().unwrap_err(), "the body is not a JSON object");
        }
    }

    #[test]
    fn edits_and_round_trips_through_the_state_document() {
        let mut b = Body::new(&json!({"z": 1, "a": {"x": 2}}));
        b.edit(|v| v["a"]["y"] = json!("new"));
        assert_eq!(b.as_bytes(), br#"{"z":1,"a":{"x":2,"y":"new"}}"#);
        let text = serde_json::to_string(&b).unwrap();
        assert_eq!(text, r#"{"z":1,"a":{"x":2,"y":"new"}}"#);
        let back: Body = serde_json::from_str("{ \"z\" : 1,\n \"a\": {\"x\": 2, \"y\": \"new\"} }").unwrap();
        assert_eq!(back, b);
    }
}
