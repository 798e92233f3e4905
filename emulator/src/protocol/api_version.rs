//! `api-version` validation.
//!
//! Real clients send a dozen different versions for the same type (see
//! `shared/reference/real-clients.md` §6.8), so any well-formed version is accepted for a known
//! type and every version gets the same JSON shape. Only a missing or malformed version is
//! refused. DIFFERENCES.md records this.

use super::error::{ArmError, ArmResult};

/// Suffixes ARM allows after the date.
const SUFFIXES: &[&str] = &["preview", "alpha", "beta", "rc", "privatepreview"];

/// True for `YYYY-MM-DD` optionally followed by `-preview`, `-alpha`, `-beta`, `-rc` or
/// `-privatepreview` (case-insensitive suffix).
pub fn is_well_formed(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() < 10 {
        return false;
    }
    let date_ok = b[..10].iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        _ => c.is_ascii_digit(),
    });
    if !date_ok {
        return false;
    }
    let month = (b[5] - b'0') * 10 + (b[6] - b'0');
    let day = (b[8] - b'0') * 10 + (b[9] - b'0');
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    match &v[10..] {
        "" => true,
        rest => rest.strip_prefix('-').map(|s| SUFFIXES.iter().any(|x| x.eq_ignore_ascii_case(s))).unwrap_or(false),
    }
}

/// Checks the `api-version` of an ARM request. `supported` is quoted in the error message.
pub fn check(given: Option<&str>, supported: &[&str]) -> ArmResult<()> {
    match given {
        None | Some("") => Err(ArmError::missing_api_version()),
        Some(v) if is_well_formed(v) => Ok(()),
        Some(v) => Err(ArmError::invalid_api_version(v, supported)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::stable("2025-04-01", true)]
    #[case::preview("2024-10-01-preview", true)]
    #[case::private("2020-01-01-privatepreview", true)]
    #[case::upper_suffix("2020-01-01-Preview", true)]
    #[case::bad_month("2020-13-01", false)]
    #[case::bad_suffix("2020-01-01-foo", false)]
    #[case::short("2020-01", false)]
    #[case::words("latest", false)]
    #[case::trailing_dash("2020-01-01-", false)]
    fn well_formedness(#[case] v: &str, #[case] ok: bool) {
        assert_eq!(is_well_formed(v), ok, "{v}");
    }
}
