//! The versioned export/import format (`GET/PUT /_emulator/state`, `armemu --load`,
//! `fixtures/states/`).
//!
//! Export writes straight from the state (bodies as their stored text). Import reads a
//! document as a stream, one record at a time (each record's text split off by
//! [`Scanner`] and parsed from a slice), and checks every record with the same
//! invariants as a write ([`State::check_group`], [`State::check_resource`]), refusing the
//! document with a message that names the first bad item. A document may be much larger than
//! a request, so nothing holds its text and its parsed form at once.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io::{BufRead, Read};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::body::Body;
use super::operations::Operation;
use super::records::{Registration, Resource, ResourceGroup, SoftDeleted};
use super::scan::Scanner;
use super::state::{group_key, State};
use crate::model::{DirectoryObject, Subscription, Tenant};

/// The version of the export format.
pub const STATE_FORMAT_VERSION: u32 = 1;
const FORMAT: &str = "armemu-state";

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// Not JSON, or not the document's shape (the scanner's or serde's message).
    Syntax(String),
    /// Well-formed but refused: a record breaks an invariant (the message names it).
    Invalid(String),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Syntax(m) | ImportError::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ImportError {}

// ------------------------------------------------------------------------------------------
// Export
// ------------------------------------------------------------------------------------------

/// The state as a document, serialised from references (bodies as their stored text).
pub struct Export<'a> {
    pub state: &'a State,
    pub clock: DateTime<Utc>,
}

struct Seq<I>(std::cell::RefCell<Option<I>>);

impl<I: Iterator<Item = T>, T: Serialize> Serialize for Seq<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.borrow_mut().take() {
            Some(it) => s.collect_seq(it),
            None => s.collect_seq(std::iter::empty::<T>()),
        }
    }
}

fn seq<I: Iterator<Item = T>, T: Serialize>(it: I) -> Seq<I> {
    Seq(std::cell::RefCell::new(Some(it)))
}

impl Serialize for Export<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let st = self.state;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("format", FORMAT)?;
        m.serialize_entry("version", &STATE_FORMAT_VERSION)?;
        m.serialize_entry("clock", &self.clock)?;
        m.serialize_entry("tenants", &seq(st.tenants_map().values()))?;
        // Only when there are any: documents of states without Graph objects stay as they were.
        if !st.directory_map().is_empty() {
            m.serialize_entry("directoryObjects", &seq(st.directory_map().values()))?;
        }
        m.serialize_entry("subscriptions", &seq(st.subscriptions_map().values()))?;
        m.serialize_entry("resourceGroups", &seq(st.groups_map().values()))?;
        m.serialize_entry("resources", &seq(st.resources_map().values().map(|r| &**r)))?;
        m.serialize_entry("providerRegistrations", &seq(st.registrations_map().values()))?;
        m.serialize_entry("operations", &seq(st.operations_map().values()))?;
        m.end()
    }
}

// ------------------------------------------------------------------------------------------
// Import
// ------------------------------------------------------------------------------------------

/// A document read and checked: the state it describes and the clock it was exported at.
pub struct Imported {
    pub state: State,
    pub clock: Option<DateTime<Utc>>,
}

/// A resource as the document spells it (the body as a JSON value).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceDoc {
    id: String,
    #[serde(rename = "type")]
    resource_type: String,
    name: String,
    subscription_id: String,
    #[serde(default)]
    resource_group: String,
    body: Value,
    created_time: DateTime<Utc>,
    changed_time: DateTime<Utc>,
    #[serde(default)]
    soft_deleted: Option<SoftDeleted>,
    #[serde(default)]
    secrets: Option<Box<Value>>,
}

/// What the reader collects before checking the whole.
#[derive(Default)]
struct Parts {
    format: Option<String>,
    version: Option<u32>,
    clock: Option<DateTime<Utc>>,
    tenants: Vec<Tenant>,
    directory: Vec<DirectoryObject>,
    subscriptions: Vec<Subscription>,
    groups: Vec<ResourceGroup>,
    resources: Vec<(String, Arc<Resource>)>,
    registrations: Vec<Registration>,
    operations: Vec<Operation>,
    /// The first record refused while reading (a body that is not an object).
    refused: Option<String>,
}

/// Reads a document from `reader` (a file or a request body) and checks it. `extra_tenants`
/// and `extra_subscriptions` (from the configuration) are added where the document lacks them.
pub fn read(
    reader: impl Read,
    extra_tenants: &[Tenant],
    extra_subscriptions: &[Subscription],
) -> Result<Imported, ImportError> {
    let mut sc = Scanner::new(std::io::BufReader::with_capacity(1 << 16, reader));
    let parts = read_parts(&mut sc)?;
    sc.end().map_err(ImportError::Syntax)?;
    assemble(parts, extra_tenants, extra_subscriptions)
}

/// One value of the document, parsed from its text (`what` names it in an error).
fn parse<T: DeserializeOwned>(sc: &mut Scanner<impl BufRead>, buf: &mut Vec<u8>, what: &str) -> Result<T, ImportError> {
    sc.value(buf).map_err(ImportError::Syntax)?;
    serde_json::from_slice(buf).map_err(|e| ImportError::Syntax(format!("{what}: {e}")))
}

/// Reads the document's fields: the `resources` array one record at a time, the rest whole.
fn read_parts(sc: &mut Scanner<impl BufRead>) -> Result<Parts, ImportError> {
    let syntax = ImportError::Syntax;
    let mut p = Parts::default();
    let mut buf = Vec::new();
    match sc.peek().map_err(syntax)? {
        Some(b'{') => sc.expect(b'{').map_err(syntax)?,
        _ => return Err(syntax("a state document is a JSON object".to_string())),
    }
    if sc.eat(b'}').map_err(syntax)? {
        return Ok(p);
    }
    loop {
        let key: String = parse(sc, &mut buf, "a field name of the document")?;
        sc.expect(b':').map_err(syntax)?;
        match key.as_str() {
            "format" => p.format = Some(parse(sc, &mut buf, "`format`")?),
            "version" => p.version = Some(parse(sc, &mut buf, "`version`")?),
            "clock" => p.clock = parse(sc, &mut buf, "`clock`")?,
            "tenants" => p.tenants = parse(sc, &mut buf, "`tenants`")?,
            "directoryObjects" => p.directory = parse(sc, &mut buf, "`directoryObjects`")?,
            "subscriptions" => p.subscriptions = parse(sc, &mut buf, "`subscriptions`")?,
            "resourceGroups" => p.groups = parse(sc, &mut buf, "`resourceGroups`")?,
            "providerRegistrations" => p.registrations = parse(sc, &mut buf, "`providerRegistrations`")?,
            "operations" => p.operations = parse(sc, &mut buf, "`operations`")?,
            "resources" => read_resources(sc, &mut buf, &mut p)?,
            _ => {
                parse::<IgnoredAny>(sc, &mut buf, &format!("`{key}`"))?;
            }
        }
        if sc.eat(b',').map_err(syntax)? {
            continue;
        }
        sc.expect(b'}').map_err(syntax)?;
        return Ok(p);
    }
}

/// Reads the `resources` array one record at a time, keeping the first refusal.
fn read_resources(sc: &mut Scanner<impl BufRead>, buf: &mut Vec<u8>, p: &mut Parts) -> Result<(), ImportError> {
    let syntax = ImportError::Syntax;
    sc.expect(b'[').map_err(syntax)?;
    if sc.eat(b']').map_err(syntax)? {
        return Ok(());
    }
    let mut strings = HashSet::new();
    for i in 0.. {
        let doc: ResourceDoc = parse(sc, buf, &format!("`resources[{i}]`"))?;
        if p.refused.is_none() {
            match resource_from(doc, &mut strings) {
                Ok(r) => p.resources.push(r),
                Err(e) => p.refused = Some(e),
            }
        }
        if !sc.eat(b',').map_err(syntax)? {
            break;
        }
    }
    sc.expect(b']').map_err(syntax)
}

/// As [`read`], from bytes in memory.
pub fn read_slice(text: &[u8]) -> Result<Imported, ImportError> {
    read(text, &[], &[])
}

fn assemble(mut p: Parts, extra_tenants: &[Tenant], extra_subs: &[Subscription]) -> Result<Imported, ImportError> {
    let invalid = |m: String| Err(ImportError::Invalid(m));
    let version = p.version.ok_or_else(|| ImportError::Syntax("missing field `version`".into()))?;
    if version != STATE_FORMAT_VERSION {
        return invalid(format!(
            "state format version {version} is not supported (this emulator reads version {STATE_FORMAT_VERSION})"
        ));
    }
    if let Some(f) = p.format.as_deref().filter(|f| *f != FORMAT) {
        return invalid(format!("the document's format is '{f}', not '{FORMAT}'"));
    }
    if let Some(item) = p.refused.take() {
        return invalid(item);
    }
    let mut tenants = BTreeMap::new();
    for t in p.tenants.into_iter().chain(extra_tenants.iter().cloned()) {
        tenants.entry(t.tenant_id.to_lowercase()).or_insert(t);
    }
    let mut directory = BTreeMap::new();
    for d in p.directory {
        if !tenants.contains_key(&d.tenant_id.to_lowercase()) {
            return invalid(format!("directory object '{}' names unknown tenant '{}'", d.id, d.tenant_id));
        }
        directory.insert(d.id.to_lowercase(), d);
    }
    let mut subscriptions = BTreeMap::new();
    for s in p.subscriptions.into_iter().chain(extra_subs.iter().cloned()) {
        if !tenants.contains_key(&s.tenant_id.to_lowercase()) {
            return invalid(format!("subscription '{}' names unknown tenant '{}'", s.subscription_id, s.tenant_id));
        }
        if uuid::Uuid::try_parse(&s.subscription_id).is_err() {
            return invalid(format!("subscription '{}' is not a GUID", s.subscription_id));
        }
        subscriptions.entry(s.subscription_id.to_lowercase()).or_insert(s);
    }
    let mut groups = BTreeMap::new();
    for g in p.groups {
        if !subscriptions.contains_key(&g.subscription_id.to_lowercase()) {
            return invalid(format!("resource group '{}' names unknown subscription '{}'", g.name, g.subscription_id));
        }
        groups.insert(group_key(&g.subscription_id, &g.name), g);
    }
    let mut registrations = BTreeMap::new();
    for r in p.registrations {
        if !subscriptions.contains_key(&r.subscription_id.to_lowercase()) {
            return invalid(format!(
                "the registration of '{}' names unknown subscription '{}'",
                r.namespace, r.subscription_id
            ));
        }
        registrations.insert(r.key(), r);
    }
    let mut operations = BTreeMap::new();
    for o in p.operations {
        operations.insert(o.id.to_lowercase(), o);
    }
    p.resources.sort_by(|a, b| a.0.cmp(&b.0));
    let state = State::assemble(tenants, directory, subscriptions, groups, p.resources, registrations, operations);
    // Each group and resource passes the checks a write would make (resources in key order, so
    // a parent is checked before its children).
    for g in state.groups_map().values() {
        if let Err(e) = state.check_group(g) {
            return invalid(format!("resource group '{}': {e}", g.name));
        }
    }
    for r in state.resources_map().values() {
        if let Err(e) = state.check_resource(r, true) {
            return invalid(match e {
                super::Rejection::GroupNotFound { group } => {
                    format!("resource '{}' is in unknown resource group '{group}'", r.id)
                }
                super::Rejection::InvalidRecord { reason, .. } => format!("resource '{}': {reason}", r.id),
                other => format!("resource '{}': {other}", r.id),
            });
        }
    }
    Ok(Imported { state, clock: p.clock })
}

/// Checks a resource's body while it is a value (so it need not be parsed again), then keeps
/// it as text.
fn resource_from(doc: ResourceDoc, strings: &mut HashSet<Arc<str>>) -> Result<(String, Arc<Resource>), String> {
    let body = match &doc.body {
        Value::Object(o) => {
            let field = |k: &str| o.get(k).and_then(Value::as_str);
            if field("id") != Some(doc.id.as_str()) {
                return Err(format!("resource '{}': the body's id does not match", doc.id));
            }
            if field("name") != Some(doc.name.as_str()) {
                return Err(format!("resource '{}': the body's name does not match", doc.id));
            }
            if !field("type").is_some_and(|t| t.eq_ignore_ascii_case(&doc.resource_type)) {
                return Err(format!("resource '{}': the body's type does not match", doc.id));
            }
            Body::new(&doc.body)
        }
        _ => return Err(format!("resource '{}': the body is not a JSON object", doc.id)),
    };
    let mut share = |s: &str| -> Arc<str> {
        match strings.get(s) {
            Some(x) => x.clone(),
            None => {
                let x: Arc<str> = s.into();
                strings.insert(x.clone());
                x
            }
        }
    };
    let r = Resource {
        resource_type: share(&doc.resource_type),
        subscription_id: share(&doc.subscription_id),
        resource_group: share(&doc.resource_group),
        name: doc.name,
        body,
        created_time: doc.created_time,
        changed_time: doc.changed_time,
        soft_deleted: doc.soft_deleted,
        secrets: doc.secrets,
        id: doc.id,
    };
    Ok((r.key(), Arc::new(r)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(resources: Value) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "version": 1,
            "x-note": "ignored",
            "tenants": [{"tenantId": "t", "displayName": "T", "defaultDomain": "d"}],
            "subscriptions": [{"subscriptionId": "9b3f7c52-0d8e-4e2b-8a41-5c6d7e8f9a01", "tenantId": "t", "displayName": "S"}],
            "resourceGroups": [{"subscriptionId": "9b3f7c52-0d8e-4e2b-8a41-5c6d7e8f9a01", "name": "G", "location": "eastus",
                                "provisioningState": "Succeeded", "createdTime": "2026-01-01T00:00:00Z", "changedTime": "2026-01-01T00:00:00Z"}],
            "resources": resources,
        }))
        .unwrap()
    }

    fn res(id: &str, body: Value) -> Value {
        let name = id.rsplit('/').next().unwrap();
        json!({"id": id, "type": "NS/t", "name": name, "subscriptionId": "9b3f7c52-0d8e-4e2b-8a41-5c6d7e8f9a01",
               "resourceGroup": "G", "body": body, "createdTime": "2026-01-01T00:00:00Z", "changedTime": "2026-01-01T00:00:00Z"})
    }

    const ID: &str = "/subscriptions/9b3f7c52-0d8e-4e2b-8a41-5c6d7e8f9a01/resourceGroups/G/providers/NS/t/a";

    #[test]
    fn a_good_document_round_trips() {
        let text = doc(json!([res(ID, json!({"id": ID, "name": "a", "type": "NS/t", "x": [1, 2]}))]));
        let imported = read_slice(&text).unwrap();
        assert_eq!(imported.state.counts(), (1, 1, 1));
        let out = serde_json::to_vec(&Export { state: &imported.state, clock: Utc::now() }).unwrap();
        let again = read_slice(&out).unwrap();
        assert_eq!(again.state, imported.state);
    }

    #[test]
    fn bad_records_are_refused_by_name() {
        let cases = [
            (json!([res(ID, json!(5))]), format!("resource '{ID}': the body is not a JSON object")),
            (
                json!([res(ID, json!({"id": "/other", "name": "a", "type": "NS/t"}))]),
                format!("resource '{ID}': the body's id does not match"),
            ),
            (
                json!([res(
                    &ID.replace("/G/", "/Ghost/"),
                    json!({"id": ID.replace("/G/", "/Ghost/"), "name": "a", "type": "NS/t"})
                )]),
                format!("resource '{}' is in unknown resource group 'Ghost'", ID.replace("/G/", "/Ghost/")),
            ),
            (
                json!([res(&format!("{ID}/c/x"), json!({"id": format!("{ID}/c/x"), "name": "x", "type": "NS/t"}))]),
                format!("resource '{ID}/c/x': the type 'NS/t' does not match the id"),
            ),
        ];
        for (resources, want) in cases {
            match read_slice(&doc(resources)) {
                Err(ImportError::Invalid(m)) => assert_eq!(m, want),
                other => panic!("{want}: {:?}", other.map(|_| ())),
            }
        }
        assert!(matches!(read_slice(b"{"), Err(ImportError::Syntax(_))));
        assert!(matches!(read_slice(b"[]"), Err(ImportError::Syntax(_))));
    }
}
