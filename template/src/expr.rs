//! The expression language: a lexer and a recursive-descent parser to an [`Expr`] tree, and a
//! printer back to text (used when a nested template's expression is only partly evaluated).
//!
//! A JSON string is an expression only if it starts with `[` and ends with `]`; a string starting
//! with `[[` is the literal with one `[` removed. Positions are character offsets into the whole
//! JSON string, so the opening `[` is at 0.

use serde_json::Value;

/// An expression tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String),
    Int(i64),
    /// A function call; `pos` is the offset of the function name.
    Call {
        name: String,
        args: Vec<Expr>,
        pos: usize,
    },
    /// `.name`; `pos` is the offset of the dot.
    Member {
        target: Box<Expr>,
        name: String,
        pos: usize,
    },
    /// `[index]`; `pos` is the offset of the bracket.
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
        pos: usize,
    },
}

/// A parse failure, in ARM's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub pos: usize,
}

/// What a JSON string is: a plain literal or an expression to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Literal(String),
    Expr(Expr),
}

/// Classifies and parses a JSON string.
pub fn parse_string(s: &str) -> Result<Parsed, ParseError> {
    if let Some(rest) = s.strip_prefix("[[") {
        return Ok(Parsed::Literal(format!("[{rest}")));
    }
    if s.len() >= 2 && s.starts_with('[') && s.ends_with(']') {
        let inner = &s[1..s.len() - 1];
        return parse_expression(s, inner).map(Parsed::Expr);
    }
    Ok(Parsed::Literal(s.to_string()))
}

/// Whether a JSON string is an expression (and not a `[[` escape).
pub fn is_expression(s: &str) -> bool {
    !s.starts_with("[[") && s.len() >= 2 && s.starts_with('[') && s.ends_with(']')
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Ident(String),
    Str(String),
    Int(i64),
    End,
}

impl Tok {
    fn kind(&self) -> &'static str {
        match self {
            Tok::LParen => "LeftParenthesis",
            Tok::RParen => "RightParenthesis",
            Tok::LBracket => "LeftSquareBracket",
            Tok::RBracket => "RightSquareBracket",
            Tok::Comma => "Comma",
            Tok::Dot => "Dot",
            Tok::Ident(_) => "Identifier",
            Tok::Str(_) => "String",
            Tok::Int(_) => "Integer",
            Tok::End => "EndOfData",
        }
    }
}

fn lex(whole: &str, inner: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let chars: Vec<char> = inner.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    // Offsets count characters of the whole string; the inner text starts after the `[`.
    let at = |i: usize| i + 1;
    let invalid = |i: usize, c: char| ParseError {
        message: format!(
            "The language expression '{}' is not valid: the string character '{c}' at position '{}' is not expected.",
            strip_brackets(whole),
            i
        ),
        pos: at(i),
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let tok = match c {
            ' ' | '\t' | '\r' | '\n' => {
                i += 1;
                continue;
            }
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '[' => Tok::LBracket,
            ']' => Tok::RBracket,
            ',' => Tok::Comma,
            '.' => Tok::Dot,
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(ParseError {
                                message: format!(
                                    "The language expression '{}' is not valid: the string literal starting at position '{}' is not terminated.",
                                    strip_brackets(whole),
                                    start
                                ),
                                pos: at(start),
                            })
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => break,
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push((Tok::Str(s), at(start)));
                i += 1;
                continue;
            }
            '-' | '0'..='9' => {
                let mut j = i + 1;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                let text: String = chars[i..j].iter().collect();
                if text == "-" {
                    return Err(invalid(i, c));
                }
                if j < chars.len() && (chars[j].is_alphabetic() || chars[j] == '_') {
                    return Err(invalid(j, chars[j]));
                }
                let n = text.parse::<i64>().map_err(|_| ParseError {
                    message: format!(
                        "The language expression '{}' is not valid: the integer literal '{text}' at position '{i}' is out of range.",
                        strip_brackets(whole)
                    ),
                    pos: at(i),
                })?;
                out.push((Tok::Int(n), at(start)));
                i = j;
                continue;
            }
            c if c.is_alphabetic() || c == '_' || c == '$' => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_' || chars[j] == '$') {
                    j += 1;
                }
                let text: String = chars[i..j].iter().collect();
                out.push((Tok::Ident(text), at(start)));
                i = j;
                continue;
            }
            other => return Err(invalid(i, other)),
        };
        out.push((tok, at(start)));
        i += 1;
    }
    out.push((Tok::End, at(chars.len())));
    Ok(out)
}

fn strip_brackets(whole: &str) -> &str {
    whole.strip_prefix('[').and_then(|s| s.strip_suffix(']')).unwrap_or(whole)
}

struct Parser<'a> {
    whole: &'a str,
    toks: Vec<(Tok, usize)>,
    i: usize,
    depth: usize,
}

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 200;

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.i.min(self.toks.len() - 1)].0
    }
    fn pos(&self) -> usize {
        self.toks[self.i.min(self.toks.len() - 1)].1
    }
    fn bump(&mut self) -> (Tok, usize) {
        let t = self.toks[self.i.min(self.toks.len() - 1)].clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }
    fn expected(&self, what: &str) -> ParseError {
        ParseError {
            message: format!(
                "Unable to parse language expression '{}': expected token '{what}' and actual '{}'.",
                strip_brackets(self.whole),
                self.peek().kind()
            ),
            pos: self.pos(),
        }
    }
    fn expect(&mut self, tok: Tok) -> Result<(), ParseError> {
        if *self.peek() == tok {
            self.bump();
            Ok(())
        } else {
            Err(self.expected(tok.kind()))
        }
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError {
                message: format!(
                    "The language expression '{}' is not valid: it is nested more than {MAX_DEPTH} levels deep.",
                    strip_brackets(self.whole)
                ),
                pos: self.pos(),
            });
        }
        let mut e = self.primary()?;
        loop {
            match self.peek() {
                Tok::Dot => {
                    let (_, pos) = self.bump();
                    match self.bump() {
                        (Tok::Ident(name), _) => e = Expr::Member { target: Box::new(e), name, pos },
                        _ => {
                            self.i -= 1;
                            return Err(self.expected("Identifier"));
                        }
                    }
                }
                Tok::LBracket => {
                    let (_, pos) = self.bump();
                    let index = self.expr()?;
                    self.expect(Tok::RBracket)?;
                    e = Expr::Index { target: Box::new(e), index: Box::new(index), pos };
                }
                _ => break,
            }
        }
        self.depth -= 1;
        Ok(e)
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        match self.peek().clone() {
            Tok::Str(s) => {
                self.bump();
                Ok(Expr::Str(s))
            }
            Tok::Int(n) => {
                self.bump();
                Ok(Expr::Int(n))
            }
            Tok::Ident(name) => {
                let (_, pos) = self.bump();
                // A user-defined function is `namespace.name(...)`.
                let name = if *self.peek() == Tok::Dot
                    && matches!(self.toks.get(self.i + 1), Some((Tok::Ident(_), _)))
                    && matches!(self.toks.get(self.i + 2), Some((Tok::LParen, _)))
                {
                    self.bump();
                    match self.bump() {
                        (Tok::Ident(member), _) => format!("{name}.{member}"),
                        _ => name,
                    }
                } else {
                    name
                };
                self.expect(Tok::LParen)?;
                let mut args = Vec::new();
                if *self.peek() != Tok::RParen {
                    loop {
                        args.push(self.expr()?);
                        match self.peek() {
                            Tok::Comma => {
                                self.bump();
                            }
                            Tok::RParen => break,
                            _ => return Err(self.expected("RightParenthesis")),
                        }
                    }
                }
                self.expect(Tok::RParen)?;
                Ok(Expr::Call { name, args, pos })
            }
            _ => Err(self.expected("Identifier")),
        }
    }
}

/// Parses the text between the outer brackets of `whole`.
fn parse_expression(whole: &str, inner: &str) -> Result<Expr, ParseError> {
    let toks = lex(whole, inner)?;
    let mut p = Parser { whole, toks, i: 0, depth: 0 };
    let e = p.expr()?;
    if *p.peek() != Tok::End {
        return Err(p.expected("EndOfData"));
    }
    Ok(e)
}

/// Prints a value as an expression that evaluates to it.
pub fn literal(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        Value::Number(n) if n.is_i64() => n.to_string(),
        Value::Bool(true) => "true()".into(),
        Value::Bool(false) => "false()".into(),
        Value::Null => "null()".into(),
        other => format!("json({})", quote(&other.to_string())),
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Prints an expression back to text (without the outer brackets).
pub fn print(e: &Expr) -> String {
    match e {
        Expr::Str(s) => quote(s),
        Expr::Int(n) => n.to_string(),
        Expr::Call { name, args, .. } => {
            format!("{name}({})", args.iter().map(print).collect::<Vec<_>>().join(", "))
        }
        Expr::Member { target, name, .. } => format!("{}.{name}", print(target)),
        Expr::Index { target, index, .. } => format!("{}[{}]", print(target), print(index)),
    }
}

/// Calls every function call of the tree, outermost first.
pub fn visit_calls<'e>(e: &'e Expr, f: &mut dyn FnMut(&'e str, &'e [Expr], usize)) {
    match e {
        Expr::Call { name, args, pos } => {
            f(name, args, *pos);
            for a in args {
                visit_calls(a, f);
            }
        }
        Expr::Member { target, .. } => visit_calls(target, f),
        Expr::Index { target, index, .. } => {
            visit_calls(target, f);
            visit_calls(index, f);
        }
        Expr::Str(_) | Expr::Int(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Expr {
        match parse_string(s) {
            Ok(Parsed::Expr(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn escapes_and_literals() {
        assert_eq!(parse_string("[[x]").ok(), Some(Parsed::Literal("[x]".into())));
        assert_eq!(parse_string("[x").ok(), Some(Parsed::Literal("[x".into())));
        assert_eq!(parse_string("a]").ok(), Some(Parsed::Literal("a]".into())));
    }

    #[test]
    fn round_trips() {
        for s in ["[concat('a''b', -1, f().x[0])]", "[ns.fn(1)]", "[a()[b()]]"] {
            let e = p(s);
            let printed = format!("[{}]", print(&e));
            assert_eq!(p(&printed), e, "{printed}");
        }
    }

    #[test]
    fn positions() {
        let err = parse_string("[concat('a',]").unwrap_err();
        assert_eq!(err.pos, 12);
        assert!(err.message.contains("expected token"), "{}", err.message);
        let err = parse_string("[concat('a')) ]").unwrap_err();
        assert_eq!(err.pos, 12);
    }
}
