//! ARM resource ids: parsing, formatting and the case-insensitive key used by the store.
//!
//! ARM compares names case-insensitively but keeps the casing the client supplied. The store
//! keys everything by [`key`] (lower-cased) and keeps the original id inside the record.

use super::error::{ArmError, ArmResult};

/// The case-insensitive key of an id or name.
pub fn key(s: &str) -> String {
    s.to_lowercase()
}

/// A parsed provider resource id:
/// `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{type}/{name}]…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceId {
    pub subscription: String,
    pub resource_group: String,
    pub namespace: String,
    /// (type, name) pairs from the outermost resource to this one.
    pub types: Vec<(String, String)>,
}

impl ResourceId {
    pub fn new(sub: &str, rg: &str, ns: &str, types: Vec<(String, String)>) -> Self {
        ResourceId { subscription: sub.to_string(), resource_group: rg.to_string(), namespace: ns.to_string(), types }
    }

    /// Parses an id from its segments (already split on `/`, empty segments removed).
    pub fn from_segments(segs: &[String]) -> ArmResult<ResourceId> {
        let bad = || {
            ArmError::bad_request("LinkedInvalidPropertyId", format!("Property id '/{}' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{{subscriptionId}}' or '/providers/{{resourceProviderNamespace}}/'.", segs.join("/")))
        };
        if segs.len() < 8 || !segs.len().is_multiple_of(2) {
            return Err(bad());
        }
        if !segs[0].eq_ignore_ascii_case("subscriptions")
            || !segs[2].eq_ignore_ascii_case("resourceGroups")
            || !segs[4].eq_ignore_ascii_case("providers")
        {
            return Err(bad());
        }
        let types = segs[6..].chunks(2).map(|c| (c[0].clone(), c[1].clone())).collect();
        Ok(ResourceId::new(&segs[1], &segs[3], &segs[5], types))
    }

    /// Parses a string id such as a dependent-resource reference in a request body.
    pub fn parse(id: &str) -> ArmResult<ResourceId> {
        let segs: Vec<String> = id.split('/').filter(|s| !s.is_empty()).map(String::from).collect();
        Self::from_segments(&segs)
    }

    /// `Namespace/type[/childType]…`, as in the `type` field of the resource.
    pub fn full_type(&self) -> String {
        let mut t = self.namespace.clone();
        for (ty, _) in &self.types {
            t.push('/');
            t.push_str(ty);
        }
        t
    }

    /// The resource's own name (the last name segment).
    pub fn name(&self) -> &str {
        self.types.last().map(|(_, n)| n.as_str()).unwrap_or("")
    }

    /// The ARM `name` field: for child resources ARM returns only the last segment too.
    pub fn top_level(&self) -> bool {
        self.types.len() == 1
    }

    pub fn group_id(&self) -> String {
        format!("/subscriptions/{}/resourceGroups/{}", self.subscription, self.resource_group)
    }

    pub fn to_id(&self) -> String {
        let mut s = format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{}",
            self.subscription, self.resource_group, self.namespace
        );
        for (ty, name) in &self.types {
            s.push('/');
            s.push_str(ty);
            s.push('/');
            s.push_str(name);
        }
        s
    }

    pub fn key(&self) -> String {
        key(&self.to_id())
    }
}

/// The canonical id of a resource group.
pub fn group_id(sub: &str, rg: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}")
}

/// The store prefix under which everything in a group is keyed (lower-cased, trailing `/`).
pub fn group_prefix(sub: &str, rg: &str) -> String {
    key(&format!("/subscriptions/{sub}/resourceGroups/{rg}/"))
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
    }

    #[test]
    fn rejects_odd_and_short_ids() {
        assert!(ResourceId::parse("/subscriptions/S/resourceGroups/RG").is_err());
        assert!(ResourceId::parse("/subscriptions/S/resourceGroups/RG/providers/NS/t").is_err());
        assert!(ResourceId::parse("/foo/S/resourceGroups/RG/providers/NS/t/n").is_err());
    }
}
