//! Resource ids: built the way `resourceId()` and its siblings build them, and parsed back to a
//! (type, name) pair to match `dependsOn` entries against the template's resources.

/// Splits `Microsoft.Network/virtualNetworks/subnets` into the namespace and the type segments.
pub(crate) fn split_type(full_type: &str) -> Result<(&str, Vec<&str>), String> {
    let mut parts = full_type.split('/');
    let ns = parts.next().unwrap_or_default();
    let types: Vec<&str> = parts.collect();
    if ns.is_empty() || types.is_empty() || types.iter().any(|t| t.is_empty()) {
        return Err(format!(
            "The resource type '{full_type}' is not valid: it must be of the form 'Namespace/type[/childType...]'."
        ));
    }
    Ok((ns, types))
}

/// `{ns}/{t1}/{n1}/{t2}/{n2}…`, or an error when the name segments do not match the type's.
pub(crate) fn provider_path(full_type: &str, names: &[&str]) -> Result<String, String> {
    let (ns, types) = split_type(full_type)?;
    if types.len() != names.len() {
        return Err(format!("the type '{full_type}' requires '{}' resource name argument(s).", types.len()));
    }
    let mut out = ns.to_string();
    for (t, n) in types.iter().zip(names) {
        out.push('/');
        out.push_str(t);
        out.push('/');
        out.push_str(n);
    }
    Ok(out)
}

/// The id of a resource under `prefix` (a scope id, or "" for the tenant).
pub(crate) fn resource_id(prefix: &str, full_type: &str, names: &[&str]) -> Result<String, String> {
    Ok(format!("{prefix}/providers/{}", provider_path(full_type, names)?))
}

/// The (full type, full name) an id points at.
pub(crate) fn parse_id(id: &str) -> Option<(String, String)> {
    let lower = id.to_ascii_lowercase();
    if let Some(at) = lower.rfind("/providers/") {
        let rest = &id[at + "/providers/".len()..];
        let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        if segs.len() < 3 || segs.len().is_multiple_of(2) {
            return None;
        }
        let mut types = vec![segs[0]];
        let mut names = Vec::new();
        for pair in segs[1..].chunks(2) {
            types.push(pair[0]);
            names.push(pair[1]);
        }
        return Some((types.join("/"), names.join("/")));
    }
    let segs: Vec<&str> = id.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        [s, sub, r, group] if s.eq_ignore_ascii_case("subscriptions") && r.eq_ignore_ascii_case("resourceGroups") => {
            let _ = sub;
            Some(("Microsoft.Resources/resourceGroups".into(), (*group).to_string()))
        }
        [s, sub] if s.eq_ignore_ascii_case("subscriptions") => {
            Some(("Microsoft.Resources/subscriptions".into(), (*sub).to_string()))
        }
        _ => None,
    }
}

/// The (full type, full name) of `{ns}/{t1}/{n1}…` or `{ns}/{t1}/{t2}/{n1}/{n2}` forms used in `dependsOn`.
pub(crate) fn parse_type_name(s: &str) -> Vec<(String, String)> {
    let segs: Vec<&str> = s.split('/').collect();
    let mut out = Vec::new();
    if segs.len() >= 3 && !segs.len().is_multiple_of(2) {
        // Interleaved: ns/t1/n1/t2/n2.
        let mut types = vec![segs[0]];
        let mut names = Vec::new();
        for pair in segs[1..].chunks(2) {
            types.push(pair[0]);
            names.push(pair[1]);
        }
        out.push((types.join("/"), names.join("/")));
    }
    if segs.len() >= 3 {
        // Grouped: ns/t1/t2/n1/n2 (type segments then name segments).
        let k = (segs.len() - 1) / 2;
        if segs.len() == 1 + 2 * k {
            out.push((segs[..=k].join("/"), segs[k + 1..].join("/")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_parses() {
        let id =
            resource_id("/subscriptions/s/resourceGroups/g", "Microsoft.Network/virtualNetworks/subnets", &["v", "s1"]);
        assert_eq!(
            id.as_deref(),
            Ok("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/s1")
        );
        assert_eq!(
            parse_id("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/s1"),
            Some(("Microsoft.Network/virtualNetworks/subnets".into(), "v/s1".into()))
        );
        assert_eq!(
            parse_id("/subscriptions/s/resourceGroups/g"),
            Some(("Microsoft.Resources/resourceGroups".into(), "g".into()))
        );
        assert!(resource_id("", "Microsoft.Storage/storageAccounts", &[]).is_err());
    }
}
