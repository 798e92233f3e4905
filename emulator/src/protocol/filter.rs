//! The `$filter` subset ARM list operations accept: `field eq 'value'` terms joined by
//! `and`, and `substringof('value', name)` / `startswith(name, 'value')`. Fields and `eq`
//! are case-insensitive; a `''` inside a quoted value is one quote.

use super::error::{ArmError, ArmResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Eq { field: String, value: String },
    SubstringOf { field: String, value: String },
    StartsWith { field: String, value: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub terms: Vec<Term>,
}

impl Filter {
    /// The value of an `eq` term for `field`, if any.
    pub fn eq(&self, field: &str) -> Option<&str> {
        self.terms.iter().find_map(|t| match t {
            Term::Eq { field: f, value } if f.eq_ignore_ascii_case(field) => Some(value.as_str()),
            _ => None,
        })
    }
}

fn invalid(f: &str) -> ArmError {
    ArmError::invalid_filter(f)
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
}

#[derive(Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    LParen,
    RParen,
    Comma,
}

impl Lexer<'_> {
    fn next(&mut self) -> Result<Option<Tok>, ()> {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
        if self.i >= self.s.len() {
            return Ok(None);
        }
        let c = self.s[self.i];
        self.i += 1;
        Ok(Some(match c {
            b'(' => Tok::LParen,
            b')' => Tok::RParen,
            b',' => Tok::Comma,
            b'\'' => {
                let mut out = Vec::new();
                loop {
                    if self.i >= self.s.len() {
                        return Err(());
                    }
                    let c = self.s[self.i];
                    self.i += 1;
                    if c == b'\'' {
                        if self.s.get(self.i) == Some(&b'\'') {
                            out.push(b'\'');
                            self.i += 1;
                        } else {
                            break;
                        }
                    } else {
                        out.push(c);
                    }
                }
                Tok::Str(String::from_utf8(out).map_err(|_| ())?)
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'/' || c == b'.' => {
                let start = self.i - 1;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_alphanumeric() || b"_/.".contains(&self.s[self.i]))
                {
                    self.i += 1;
                }
                Tok::Ident(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
            }
            _ => return Err(()),
        }))
    }
}

/// Parses a `$filter`; fields outside `allowed` are refused.
pub fn parse(text: &str, allowed: &[&str]) -> ArmResult<Filter> {
    // An empty `$filter=` (what `az resource list` sends without --tag or a type) filters nothing.
    if text.trim().is_empty() {
        return Ok(Filter::default());
    }
    let mut lx = Lexer { s: text.as_bytes(), i: 0 };
    let mut toks = Vec::new();
    loop {
        match lx.next() {
            Ok(Some(t)) => toks.push(t),
            Ok(None) => break,
            Err(()) => return Err(invalid(text)),
        }
    }
    let field_ok = |f: &str| allowed.iter().any(|a| a.eq_ignore_ascii_case(f));
    let mut terms = Vec::new();
    let mut i = 0;
    loop {
        let term = match (toks.get(i), toks.get(i + 1), toks.get(i + 2)) {
            (Some(Tok::Ident(f)), Some(Tok::Ident(op)), Some(Tok::Str(v)))
                if op.eq_ignore_ascii_case("eq") && field_ok(f) =>
            {
                i += 3;
                Term::Eq { field: f.clone(), value: v.clone() }
            }
            (Some(Tok::Ident(func)), Some(Tok::LParen), _) if func.eq_ignore_ascii_case("substringof") => {
                match (toks.get(i + 2), toks.get(i + 3), toks.get(i + 4), toks.get(i + 5)) {
                    (Some(Tok::Str(v)), Some(Tok::Comma), Some(Tok::Ident(f)), Some(Tok::RParen)) if field_ok(f) => {
                        i += 6;
                        Term::SubstringOf { field: f.clone(), value: v.clone() }
                    }
                    _ => return Err(invalid(text)),
                }
            }
            (Some(Tok::Ident(func)), Some(Tok::LParen), _) if func.eq_ignore_ascii_case("startswith") => {
                match (toks.get(i + 2), toks.get(i + 3), toks.get(i + 4), toks.get(i + 5)) {
                    (Some(Tok::Ident(f)), Some(Tok::Comma), Some(Tok::Str(v)), Some(Tok::RParen)) if field_ok(f) => {
                        i += 6;
                        Term::StartsWith { field: f.clone(), value: v.clone() }
                    }
                    _ => return Err(invalid(text)),
                }
            }
            _ => return Err(invalid(text)),
        };
        terms.push(term);
        match toks.get(i) {
            None => break,
            Some(Tok::Ident(a)) if a.eq_ignore_ascii_case("and") => i += 1,
            _ => return Err(invalid(text)),
        }
    }
    Ok(Filter { terms })
}

/// True when `value` (a resource's field) satisfies a term on that field.
pub fn term_matches(term: &Term, value: &str) -> bool {
    match term {
        Term::Eq { value: v, .. } => v.eq_ignore_ascii_case(value),
        Term::SubstringOf { value: v, .. } => value.to_lowercase().contains(&v.to_lowercase()),
        Term::StartsWith { value: v, .. } => value.to_lowercase().starts_with(&v.to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_clients_send() {
        let f = parse("tagName eq 'env' and tagValue eq 'it''s'", &["tagName", "tagValue"]).unwrap();
        assert_eq!(f.eq("tagname"), Some("env"));
        assert_eq!(f.eq("tagValue"), Some("it's"));
        let f = parse(
            "resourceType eq 'Microsoft.Storage/storageAccounts' and substringof('ws', name)",
            &["resourceType", "name"],
        )
        .unwrap();
        assert_eq!(f.terms.len(), 2);
        assert!(parse("resourceGroup eq 'rg1'", &["resourceGroup"]).is_ok());
    }

    #[test]
    fn an_empty_filter_filters_nothing() {
        assert!(parse("", &["name"]).unwrap().terms.is_empty());
        assert!(parse("  ", &["name"]).unwrap().terms.is_empty());
    }

    #[test]
    fn refuses_garbage_and_unknown_fields() {
        for bad in ["name eq", "name ne 'x'", "color eq 'x'", "name eq 'x' or name eq 'y'", "name eq 'unterminated"] {
            assert!(parse(bad, &["name"]).is_err(), "{bad}");
        }
    }
}
