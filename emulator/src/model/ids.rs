//! ARM resource ids and names: parsing, formatting and the case-insensitive key the store
//! orders everything by.
//!
//! ARM compares names case-insensitively but keeps the casing the client first used. A
//! [`ResourceId`] keeps the casing it was built with and compares, hashes and orders by its
//! [`ResourceId::key`] (the lower-cased canonical id); [`ArmName`] does the same for a single
//! name.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// The case-insensitive key of an id or name.
pub fn key(s: &str) -> String {
    s.to_lowercase()
}

/// Appends the lower-cased `s` (ASCII without a second allocation).
pub fn push_lower(buf: &mut String, s: &str) {
    if s.is_ascii() {
        let start = buf.len();
        buf.push_str(s);
        buf[start..].make_ascii_lowercase();
    } else {
        buf.push_str(&s.to_lowercase());
    }
}

/// A name compared case-insensitively and shown as given.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ArmName(String);

impl ArmName {
    pub fn new(s: impl Into<String>) -> ArmName {
        ArmName(s.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lower-cased form names are compared by.
    pub fn key(&self) -> String {
        key(&self.0)
    }
}

impl std::ops::Deref for ArmName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ArmName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for ArmName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq for ArmName {
    fn eq(&self, other: &ArmName) -> bool {
        self.0.to_lowercase() == other.0.to_lowercase()
    }
}

impl Eq for ArmName {}

impl PartialEq<str> for ArmName {
    fn eq(&self, other: &str) -> bool {
        self.0.to_lowercase() == other.to_lowercase()
    }
}

impl Hash for ArmName {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.key().hash(h)
    }
}

impl PartialOrd for ArmName {
    fn partial_cmp(&self, other: &ArmName) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ArmName {
    fn cmp(&self, other: &ArmName) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl From<&str> for ArmName {
    fn from(s: &str) -> ArmName {
        ArmName(s.to_string())
    }
}

impl From<String> for ArmName {
    fn from(s: String) -> ArmName {
        ArmName(s)
    }
}

/// Characters ARM refuses in a resource name (the RPC's list, plus `#`, which breaks URLs).
const RESERVED: &[char] = &['<', '>', '*', '%', '&', ':', '\\', '?', '/', '+', '#'];

/// ARM's generic resource-name rule: non-empty, none of `<>*%&:\?/+#`, no control characters,
/// not ending in `.` or a space. Types with their own rules (workspaces, groups) check more.
pub fn valid_resource_name(name: &str) -> bool {
    !name.is_empty()
        && !name.chars().any(|c| RESERVED.contains(&c) || c.is_control())
        && !name.ends_with('.')
        && !name.ends_with(' ')
}

/// Where a resource lives: a subscription, a resource group, or (for extension resources such
/// as role assignments on a workspace) another resource.
#[derive(Debug, Clone)]
pub enum Scope {
    Subscription(String),
    Group { subscription: String, group: String },
    Resource(Box<ResourceId>),
}

/// What a resource hangs from: the scope it lives in, or its parent resource (for children).
#[derive(Debug, Clone)]
pub enum Parent {
    Subscription(String),
    Group { subscription: String, group: String },
    Resource(ResourceId),
}

/// A provider resource id:
/// `{scope}/providers/{namespace}/{type}/{name}[/{type}/{name}]…`, where the scope is
/// `/subscriptions/{s}`, `/subscriptions/{s}/resourceGroups/{rg}` or another resource id.
#[derive(Debug, Clone)]
pub struct ResourceId {
    pub scope: Scope,
    pub namespace: String,
    /// `(type, name)` pairs from the outermost resource of this provider section to this one;
    /// never empty.
    pub types: Vec<(String, String)>,
}

impl ResourceId {
    /// A resource in a resource group.
    pub fn in_group(sub: &str, rg: &str, ns: &str, types: Vec<(String, String)>) -> ResourceId {
        ResourceId {
            scope: Scope::Group { subscription: sub.to_string(), group: rg.to_string() },
            namespace: ns.to_string(),
            types,
        }
    }

    /// Parses an id from its path segments (already split on `/`, empty segments removed).
    pub fn from_segments<S: AsRef<str>>(segs: &[S]) -> Option<ResourceId> {
        let seg = |i: usize| segs.get(i).map(|s| s.as_ref());
        if !seg(0)?.eq_ignore_ascii_case("subscriptions") {
            return None;
        }
        let sub = seg(1)?.to_string();
        let (mut scope, mut i) = match seg(2) {
            Some(s) if s.eq_ignore_ascii_case("resourceGroups") => {
                (Scope::Group { subscription: sub, group: seg(3)?.to_string() }, 4)
            }
            _ => (Scope::Subscription(sub), 2),
        };
        let mut current: Option<ResourceId> = None;
        while i < segs.len() {
            if !seg(i)?.eq_ignore_ascii_case("providers") {
                return None;
            }
            if let Some(r) = current.take() {
                scope = Scope::Resource(Box::new(r));
            }
            let namespace = seg(i + 1)?.to_string();
            i += 2;
            let mut types = Vec::new();
            while i < segs.len() && !seg(i)?.eq_ignore_ascii_case("providers") {
                types.push((seg(i)?.to_string(), seg(i + 1)?.to_string()));
                i += 2;
            }
            if types.is_empty() {
                return None;
            }
            current = Some(ResourceId { scope: scope.clone(), namespace, types });
        }
        current
    }

    /// Parses a string id (a dependent-resource reference in a request body, a stored id).
    pub fn parse(id: &str) -> Option<ResourceId> {
        let segs: Vec<&str> = id.split('/').filter(|s| !s.is_empty()).collect();
        Self::from_segments(&segs)
    }

    pub fn subscription(&self) -> &str {
        match &self.scope {
            Scope::Subscription(s) | Scope::Group { subscription: s, .. } => s,
            Scope::Resource(r) => r.subscription(),
        }
    }

    /// The resource group the resource lives in, if any (through its scope).
    pub fn resource_group(&self) -> Option<&str> {
        match &self.scope {
            Scope::Subscription(_) => None,
            Scope::Group { group, .. } => Some(group),
            Scope::Resource(r) => r.resource_group(),
        }
    }

    /// `type[/childType]…` below the namespace.
    pub fn type_path(&self) -> String {
        self.types.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>().join("/")
    }

    /// `Namespace/type[/childType]…`, as in the `type` field of the resource.
    pub fn full_type(&self) -> String {
        format!("{}/{}", self.namespace, self.type_path())
    }

    /// The resource's own name (the last name segment).
    pub fn name(&self) -> &str {
        self.types.last().map(|(_, n)| n.as_str()).unwrap_or("")
    }

    /// Every name segment of this resource (children have several).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.types.iter().map(|(_, n)| n.as_str())
    }

    /// True for `/subscriptions/s/resourceGroups/rg/providers/NS/type/name`.
    pub fn is_top_level(&self) -> bool {
        self.types.len() == 1 && matches!(self.scope, Scope::Group { .. })
    }

    /// What this resource hangs from.
    pub fn parent(&self) -> Parent {
        if self.types.len() > 1 {
            let mut p = self.clone();
            p.types.pop();
            return Parent::Resource(p);
        }
        match &self.scope {
            Scope::Subscription(s) => Parent::Subscription(s.clone()),
            Scope::Group { subscription, group } => {
                Parent::Group { subscription: subscription.clone(), group: group.clone() }
            }
            Scope::Resource(r) => Parent::Resource((**r).clone()),
        }
    }

    /// A child of this resource.
    pub fn child(&self, ty: &str, name: &str) -> ResourceId {
        let mut c = self.clone();
        c.types.push((ty.to_string(), name.to_string()));
        c
    }

    /// The same resource in another subscription and group (moves, canonical casing).
    pub fn relocated(&self, sub: &str, rg: &str) -> ResourceId {
        let scope = match &self.scope {
            Scope::Subscription(_) => Scope::Subscription(sub.to_string()),
            Scope::Group { .. } => Scope::Group { subscription: sub.to_string(), group: rg.to_string() },
            Scope::Resource(r) => Scope::Resource(Box::new(r.relocated(sub, rg))),
        };
        ResourceId { scope, namespace: self.namespace.clone(), types: self.types.clone() }
    }

    /// The canonical id: `resourceGroups` spelled as ARM returns it, names as given.
    pub fn to_id(&self) -> String {
        let mut s = match &self.scope {
            Scope::Subscription(sub) => format!("/subscriptions/{sub}"),
            Scope::Group { subscription, group } => format!("/subscriptions/{subscription}/resourceGroups/{group}"),
            Scope::Resource(r) => r.to_id(),
        };
        s.push_str("/providers/");
        s.push_str(&self.namespace);
        for (ty, name) in &self.types {
            s.push('/');
            s.push_str(ty);
            s.push('/');
            s.push_str(name);
        }
        s
    }

    /// The key the store orders by: the canonical id, lower-cased (written in one buffer).
    pub fn key(&self) -> String {
        let mut k = String::with_capacity(160);
        self.push_key(&mut k);
        k
    }

    fn push_key(&self, k: &mut String) {
        match &self.scope {
            Scope::Subscription(sub) => {
                k.push_str("/subscriptions/");
                push_lower(k, sub);
            }
            Scope::Group { subscription, group } => {
                k.push_str("/subscriptions/");
                push_lower(k, subscription);
                k.push_str("/resourcegroups/");
                push_lower(k, group);
            }
            Scope::Resource(r) => r.push_key(k),
        }
        k.push_str("/providers/");
        push_lower(k, &self.namespace);
        for (ty, name) in &self.types {
            k.push('/');
            push_lower(k, ty);
            k.push('/');
            push_lower(k, name);
        }
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_id())
    }
}

impl PartialEq for ResourceId {
    fn eq(&self, other: &ResourceId) -> bool {
        self.key() == other.key()
    }
}

impl Eq for ResourceId {}

impl Hash for ResourceId {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.key().hash(h)
    }
}

/// The canonical id of a resource group.
pub fn group_id(sub: &str, rg: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}")
}

/// The key of a resource group: its id, lower-cased.
pub fn group_key(sub: &str, rg: &str) -> String {
    let mut k = String::with_capacity(32 + sub.len() + rg.len());
    k.push_str("/subscriptions/");
    push_lower(&mut k, sub);
    k.push_str("/resourcegroups/");
    push_lower(&mut k, rg);
    k
}

/// The key of a resource in a group from its parts (what `ResourceId::key` gives for the same
/// id, without building the id): `types` are the (type, name) steps below the namespace.
pub fn resource_key(sub: &str, rg: &str, namespace: &str, types: &[(&str, &str)]) -> String {
    let mut k = String::with_capacity(160);
    k.push_str("/subscriptions/");
    push_lower(&mut k, sub);
    k.push_str("/resourcegroups/");
    push_lower(&mut k, rg);
    k.push_str("/providers/");
    push_lower(&mut k, namespace);
    for (ty, name) in types {
        k.push('/');
        push_lower(&mut k, ty);
        k.push('/');
        push_lower(&mut k, name);
    }
    k
}

/// The key under which everything in a group is stored (lower-cased, trailing `/`).
pub fn group_prefix(sub: &str, rg: &str) -> String {
    let mut k = group_key(sub, rg);
    k.push('/');
    k
}

/// The key prefix of everything in a subscription (lower-cased, trailing `/`).
pub fn subscription_prefix(sub: &str) -> String {
    key(&format!("/subscriptions/{sub}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_a_child_resource() {
        let id = ResourceId::parse("/subscriptions/S/resourcegroups/RG//providers/Microsoft.X/ws/a/envs/b/").unwrap();
        assert_eq!(id.full_type(), "Microsoft.X/ws/envs");
        assert_eq!(id.name(), "b");
        assert_eq!(id.to_id(), "/subscriptions/S/resourceGroups/RG/providers/Microsoft.X/ws/a/envs/b");
        assert_eq!(id.key(), "/subscriptions/s/resourcegroups/rg/providers/microsoft.x/ws/a/envs/b");
        assert_eq!(id.key(), id.to_id().to_lowercase());
        let unicode = ResourceId::in_group("S", "ÉTÉ", "NS", vec![("T".into(), "Ö".into())]);
        assert_eq!(unicode.key(), unicode.to_id().to_lowercase());
        assert_eq!(group_key("S", "RG"), "/subscriptions/s/resourcegroups/rg");
        assert!(!id.is_top_level());
        match id.parent() {
            Parent::Resource(p) => {
                assert_eq!(p.to_id(), "/subscriptions/S/resourceGroups/RG/providers/Microsoft.X/ws/a")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_extension_and_subscription_scope_resources() {
        let ra = ResourceId::parse(
            "/subscriptions/s/resourceGroups/g/providers/NS/ws/w1/providers/Microsoft.Authorization/roleAssignments/x",
        )
        .unwrap();
        assert_eq!(ra.full_type(), "Microsoft.Authorization/roleAssignments");
        assert_eq!(ra.resource_group(), Some("g"));
        assert!(!ra.is_top_level());
        match ra.parent() {
            Parent::Resource(p) => assert_eq!(p.to_id(), "/subscriptions/s/resourceGroups/g/providers/NS/ws/w1"),
            other => panic!("{other:?}"),
        }
        let sub = ResourceId::parse("/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/x").unwrap();
        assert_eq!(sub.resource_group(), None);
        assert!(matches!(sub.parent(), Parent::Subscription(s) if s == "s"));
        let group_scoped =
            ResourceId::parse("/subscriptions/s/resourceGroups/g/providers/Microsoft.Authorization/roleAssignments/x")
                .unwrap();
        assert!(matches!(group_scoped.parent(), Parent::Group { .. }));
    }

    #[test]
    fn rejects_odd_and_short_ids() {
        for bad in [
            "/subscriptions/S/resourceGroups/RG",
            "/subscriptions/S/resourceGroups/RG/providers/NS/t",
            "/subscriptions/S/resourceGroups/RG/providers/NS",
            "/foo/S/resourceGroups/RG/providers/NS/t/n",
            "/subscriptions/S/resourceGroups/RG/things/NS/t/n",
        ] {
            assert!(ResourceId::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ids_and_names_compare_case_insensitively_and_keep_their_casing() {
        let a = ResourceId::parse("/subscriptions/S/resourceGroups/RG/providers/NS/t/Name").unwrap();
        let b = ResourceId::parse("/SUBSCRIPTIONS/s/RESOURCEGROUPS/rg/PROVIDERS/ns/T/name").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.name(), "Name");
        assert_eq!(ArmName::from("MyRG"), ArmName::from("myrg"));
        assert_eq!(ArmName::from("MyRG").to_string(), "MyRG");
        let (a, b) = (ArmName::from("a"), ArmName::from("B"));
        assert!(a < b);
    }

    #[test]
    fn generic_name_rule() {
        for ok in ["sa1", "my-name_1.x", "ünïcode", "a b"] {
            assert!(valid_resource_name(ok), "{ok}");
        }
        for bad in
            ["", "a/b", "a\\b", "a\u{0}b", "a\r\nb", "x.", "x ", "a#b", "a?b", "a%b", "<x>", "a:b", "a+b", "a*b", "a&b"]
        {
            assert!(!valid_resource_name(bad), "{bad:?}");
        }
    }
}
