//! The documented rule of the type: a name of 3 to 128 characters, letters, digits, hyphens
//! and underscores, starting with a letter or a digit.

/// What the rule allows, as the refusal says it.
pub const NAME_RULE: &str = "The name of a user-assigned identity must be 3 to 128 characters long, start with a letter or a number, and contain only letters, numbers, hyphens and underscores.";

pub fn valid_name(n: &str) -> bool {
    let ok_len = (3..=128).contains(&n.chars().count());
    let ok_first = n.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    ok_len && ok_first && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::valid_name;

    #[test]
    fn identity_name_rule() {
        assert!(valid_name("uai-1_a"));
        assert!(valid_name("abc"));
        assert!(!valid_name("ab"));
        assert!(!valid_name("-abc"));
        assert!(!valid_name("a.bc"));
        assert!(!valid_name(&"a".repeat(129)));
    }
}
