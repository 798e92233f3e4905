//! The documented rules of deployments: names, and how many a scope keeps.

use chrono::{DateTime, Utc};

use crate::protocol::{ArmError, ArmResult};

use super::model::MAX_PER_SCOPE;

/// ARM's deployment-name rule: 1–64 of letters, digits, `-`, `_`, `.`, `(`, `)`; no trailing `.`.
pub fn check_name(name: &str) -> ArmResult<()> {
    let n = name.chars().count();
    let ok = (1..=64).contains(&n)
        && !name.ends_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.()".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ArmError::invalid_deployment_name(name))
    }
}

/// The deployments to delete so that a new one fits: the oldest beyond `MAX_PER_SCOPE - 1`.
/// `existing` is every deployment of the scope as (id, created time).
pub fn evictions(mut existing: Vec<(String, DateTime<Utc>)>) -> Vec<String> {
    if existing.len() < MAX_PER_SCOPE {
        return Vec::new();
    }
    existing.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let excess = existing.len() + 1 - MAX_PER_SCOPE;
    existing.into_iter().take(excess).map(|(id, _)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("d1", true)]
    #[case("Microsoft.MachineLearningServices_1234", true)]
    #[case("dep(1)-x_y", true)]
    #[case("", false)]
    #[case("ends.", false)]
    #[case("has space", false)]
    #[case("slash/x", false)]
    fn names(#[case] name: &str, #[case] ok: bool) {
        assert_eq!(check_name(name).is_ok(), ok);
    }

    #[test]
    fn names_are_at_most_64_characters() {
        assert!(check_name(&"a".repeat(64)).is_ok());
        assert!(check_name(&"a".repeat(65)).is_err());
    }

    #[test]
    fn the_oldest_go_when_a_scope_is_full() {
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        let at = |s: i64| t0 + chrono::Duration::seconds(s);
        let few: Vec<_> = (0..MAX_PER_SCOPE as i64 - 1).map(|i| (format!("d{i}"), at(i))).collect();
        assert!(evictions(few).is_empty());
        let full: Vec<_> = (0..MAX_PER_SCOPE as i64).rev().map(|i| (format!("d{i}"), at(i))).collect();
        assert_eq!(evictions(full), vec!["d0".to_string()]);
        let over: Vec<_> = (0..MAX_PER_SCOPE as i64 + 1).map(|i| (format!("d{i}"), at(i))).collect();
        assert_eq!(evictions(over), vec!["d0".to_string(), "d1".to_string()]);
    }
}
