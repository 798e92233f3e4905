//! [`Body`]: a resource's GET body, kept as the compact JSON text a GET answers with.
//!
//! A workspace's body is about 2 KB of JSON; as a `serde_json::Value` (ordered maps) it took
//! five times that in dozens of heap objects, and every GET cloned and serialised it. The text
//! is one shared buffer: a GET or a list page copies (or refers to) it as it is, and the few
//! handlers that read or change fields parse it ([`Body::value`], [`Body::pointer`]) or edit it
//! ([`Body::edit`]: parse, change, write back). Writes are much rarer than reads.
//!
//! Bodies of at least 256 bytes are kept LZ4-packed against a dictionary per resource type
//! (the first such body of the type): 100,000 workspaces took 298 MB as text and take 99 MB
//! packed, and unpacking a 2.2 KB workspace for a GET costs well under a microsecond.
//!
//! The text is always what `serde_json::to_vec` writes for the `Value` it was made from, so an
//! answer built from it is byte for byte the answer the `Value` would have given. In the state
//! document (`/_emulator/state`, `--load`) a body is still a JSON value.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock, RwLock};

use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// The compact JSON text of a resource's GET body (see the module documentation).
#[derive(Clone)]
pub struct Body(Repr);

#[derive(Clone)]
enum Repr {
    /// Short texts, and texts the dictionary does not shorten.
    Text(Bytes),
    /// LZ4 against the dictionary of the body's type: a large state holds many bodies of one
    /// type that differ in a few values (a 2.2 KB workspace packs to about 300 bytes).
    Packed { dict: Arc<[u8]>, len: u32, data: Box<[u8]> },
}

/// Texts shorter than this stay as they are.
const PACK_FROM: usize = 256;

/// At most this many types get a dictionary (the set of types is open-ended: generic resources).
const MAX_DICTIONARIES: usize = 512;

/// One dictionary per resource type: the first body of the type long enough to pack. A packed
/// body holds its dictionary, so a dictionary is never changed once used; the choice only
/// affects how small bodies get, never their text.
static DICTIONARIES: LazyLock<RwLock<HashMap<String, Arc<[u8]>>>> = LazyLock::new(Default::default);

fn dictionary(resource_type: &str, text: &[u8]) -> Option<Arc<[u8]>> {
    let key = resource_type.to_ascii_lowercase();
    if let Some(d) = DICTIONARIES.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Some(d.clone());
    }
    let mut all = DICTIONARIES.write().unwrap_or_else(|e| e.into_inner());
    if all.len() >= MAX_DICTIONARIES && !all.contains_key(&key) {
        return None;
    }
    Some(all.entry(key).or_insert_with(|| Arc::from(text)).clone())
}

impl Body {
    /// The body for `v`, in serde_json's compact form.
    pub fn new(v: &Value) -> Body {
        // Serialising a `Value` cannot fail.
        let text = serde_json::to_vec(v).unwrap_or_default();
        if text.len() >= PACK_FROM && text.len() <= u32::MAX as usize {
            if let Some(dict) = v.get("type").and_then(Value::as_str).and_then(|t| dictionary(t, &text)) {
                let data = lz4_flex::block::compress_with_dict(&text, &dict);
                if data.len() + 32 < text.len() {
                    return Body(Repr::Packed { dict, len: text.len() as u32, data: data.into_boxed_slice() });
                }
            }
        }
        // One allocation of the exact size, where shrinking the grown buffer would leave its
        // tail as a hole among long-lived bodies.
        Body(Repr::Text(Bytes::copy_from_slice(&text)))
    }

    /// The body parsed (for handlers that read several fields or build on it).
    pub fn value(&self) -> Value {
        // The text was written by `Body::new`, so it parses.
        serde_json::from_slice(&self.text()).unwrap_or(Value::Null)
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

    /// The JSON text (unpacked into a new buffer if the body is packed).
    pub fn text(&self) -> Cow<'_, [u8]> {
        match &self.0 {
            Repr::Text(b) => Cow::Borrowed(b),
            Repr::Packed { len, .. } => {
                let mut out = Vec::with_capacity(*len as usize);
                self.write_to(&mut out);
                Cow::Owned(out)
            }
        }
    }

    /// Appends the JSON text to `out` (a list page).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match &self.0 {
            Repr::Text(b) => out.extend_from_slice(b),
            Repr::Packed { dict, len, data } => {
                let start = out.len();
                out.resize(start + *len as usize, 0);
                // The data was packed from a text of `len` bytes with this dictionary; should it
                // not unpack, the page gets no partial text.
                match lz4_flex::block::decompress_into_with_dict(data, &mut out[start..], dict) {
                    Ok(n) if n == *len as usize => {}
                    _ => out.truncate(start),
                }
            }
        }
    }

    /// The JSON text as a response body (shares the buffer when the body is not packed).
    pub fn bytes(&self) -> Bytes {
        match &self.0 {
            Repr::Text(b) => b.clone(),
            Repr::Packed { .. } => Bytes::from(self.text().into_owned()),
        }
    }

    /// Whether the body is kept packed (for tests of the memory layout).
    #[cfg(test)]
    fn is_packed(&self) -> bool {
        matches!(self.0, Repr::Packed { .. })
    }

    /// The `id`, `name` and `type` of the body, read without building the whole value; `Err`
    /// when the body is not a JSON object.
    pub fn head(&self) -> Result<Head, String> {
        let text = self.text();
        // The text is compact, so an object starts with `{` (a derived struct would also
        // accept an array).
        if text.first() != Some(&b'{') {
            return Err("the body is not a JSON object".to_string());
        }
        serde_json::from_slice::<Head>(&text).map_err(|e| format!("the body is not a resource object: {e}"))
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Body) -> bool {
        self.text() == other.text()
    }
}

impl Eq for Body {}

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
        f.write_str(&String::from_utf8_lossy(&self.text()))
    }
}

/// In the state document a body is the JSON value itself, written from its text (no parse
/// into a value: an export of a large state writes every body).
impl Serialize for Body {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self.text();
        match std::str::from_utf8(&text).ok().and_then(|t| serde_json::from_str::<&serde_json::value::RawValue>(t).ok())
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
        assert_eq!(&*b.text(), serde_json::to_vec(&v).unwrap().as_slice());
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
        assert_eq!(&*b.text(), br#"{"z":1,"a":{"x":2,"y":"new"}}"#);
        let text = serde_json::to_string(&b).unwrap();
        assert_eq!(text, r#"{"z":1,"a":{"x":2,"y":"new"}}"#);
        let back: Body = serde_json::from_str("{ \"z\" : 1,\n \"a\": {\"x\": 2, \"y\": \"new\"} }").unwrap();
        assert_eq!(back, b);
    }

    #[test]
    fn long_bodies_of_a_type_pack_against_its_dictionary_and_keep_their_text() {
        let body = |name: &str, n: usize| {
            json!({
                "id": format!("/subscriptions/s/resourceGroups/rg/providers/Test.Pack/things/{name}"),
                "name": name,
                "type": "Test.Pack/things",
                "properties": {"description": "x".repeat(n), "items": (0..n).collect::<Vec<_>>()},
            })
        };
        let first = Body::new(&body("first", 100));
        for (name, n) in [("second", 100), ("third", 90), ("fourth", 300)] {
            let v = body(name, n);
            let b = Body::new(&v);
            assert!(b.is_packed(), "{name} is kept packed");
            assert_eq!(&*b.text(), serde_json::to_vec(&v).unwrap().as_slice());
            assert_eq!(b.bytes(), serde_json::to_vec(&v).unwrap());
            let mut page = b"[".to_vec();
            b.write_to(&mut page);
            assert_eq!(&page[1..], serde_json::to_vec(&v).unwrap().as_slice());
            assert_eq!(b.value(), v);
            assert_eq!(b.head().unwrap().name.as_deref(), Some(name));
            assert_eq!(serde_json::to_value(&b).unwrap(), v);
            assert_ne!(b, first);
            assert_eq!(b, Body::from(v));
        }
        let short = Body::new(&json!({"type": "Test.Pack/things", "name": "s"}));
        assert!(!short.is_packed());
        assert_eq!(&*short.text(), br#"{"type":"Test.Pack/things","name":"s"}"#);
    }
}
