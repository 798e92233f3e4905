//! Tokens of a JMESPath expression, as Python jmespath's lexer cuts them (az's evaluator):
//! positions count characters, identifiers are ASCII, and a backtick literal that is not JSON
//! is read as a JSON string (the legacy form JEP-12 deprecated but az still accepts).

use serde_json::Value;

use super::{Error, ErrorKind};

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Dot,
    Star,
    LBracket,
    RBracket,
    Flatten,
    Filter,
    Comma,
    Colon,
    Current,
    LParen,
    RParen,
    LBrace,
    RBrace,
    Pipe,
    Or,
    And,
    Expref,
    Not,
    Lt,
    Lte,
    Gt,
    Gte,
    Eq,
    Ne,
    Ident(String),
    Quoted(String),
    Number(i64),
    Literal(Value),
    Eof,
}

impl Tok {
    /// The token's type as Python jmespath names it in its messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Tok::Dot => "dot",
            Tok::Star => "star",
            Tok::LBracket => "lbracket",
            Tok::RBracket => "rbracket",
            Tok::Flatten => "flatten",
            Tok::Filter => "filter",
            Tok::Comma => "comma",
            Tok::Colon => "colon",
            Tok::Current => "current",
            Tok::LParen => "lparen",
            Tok::RParen => "rparen",
            Tok::LBrace => "lbrace",
            Tok::RBrace => "rbrace",
            Tok::Pipe => "pipe",
            Tok::Or => "or",
            Tok::And => "and",
            Tok::Expref => "expref",
            Tok::Not => "not",
            Tok::Lt => "lt",
            Tok::Lte => "lte",
            Tok::Gt => "gt",
            Tok::Gte => "gte",
            Tok::Eq => "eq",
            Tok::Ne => "ne",
            Tok::Ident(_) => "unquoted_identifier",
            Tok::Quoted(_) => "quoted_identifier",
            Tok::Number(_) => "number",
            Tok::Literal(_) => "literal",
            Tok::Eof => "eof",
        }
    }
}

/// A token and the character position where it starts.
#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub pos: usize,
    /// The source text of the token (for messages).
    pub text: String,
}

pub fn tokenize(expr: &str) -> Result<Vec<Token>, Error> {
    if expr.is_empty() {
        return Err(Error::new(ErrorKind::Syntax, "Invalid JMESPath expression: cannot be empty."));
    }
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let simple = |c: char| match c {
        '.' => Some(Tok::Dot),
        '*' => Some(Tok::Star),
        ']' => Some(Tok::RBracket),
        ',' => Some(Tok::Comma),
        ':' => Some(Tok::Colon),
        '@' => Some(Tok::Current),
        '(' => Some(Tok::LParen),
        ')' => Some(Tok::RParen),
        '{' => Some(Tok::LBrace),
        '}' => Some(Tok::RBrace),
        _ => None,
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let push = |out: &mut Vec<Token>, tok: Tok, end: usize| {
            out.push(Token { tok, pos: start, text: chars[start..end].iter().collect() });
        };
        if let Some(t) = simple(c) {
            push(&mut out, t, i + 1);
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            push(&mut out, Tok::Ident(chars[start..i].iter().collect()), i);
        } else if matches!(c, ' ' | '\t' | '\n' | '\r') {
            i += 1;
        } else if c == '[' {
            match chars.get(i + 1) {
                Some(']') => {
                    push(&mut out, Tok::Flatten, i + 2);
                    i += 2;
                }
                Some('?') => {
                    push(&mut out, Tok::Filter, i + 2);
                    i += 2;
                }
                _ => {
                    push(&mut out, Tok::LBracket, i + 1);
                    i += 1;
                }
            }
        } else if c == '\'' {
            let (body, end) = until(&chars, i, '\'')?;
            i = end;
            push(&mut out, Tok::Literal(Value::String(body.replace("\\'", "'"))), i);
        } else if c == '`' {
            let (body, end) = until(&chars, i, '`')?;
            i = end;
            push(&mut out, Tok::Literal(literal(&body.replace("\\`", "`"), start)?), i);
        } else if c == '"' {
            let (body, end) = until(&chars, i, '"')?;
            i = end;
            let name: String = serde_json::from_str(&format!("\"{body}\""))
                .map_err(|e| Error::syntax(format!("Bad jmespath expression: {}", json_error_text(&e)), start))?;
            push(&mut out, Tok::Quoted(name), i);
        } else if c.is_ascii_digit() || c == '-' {
            i += 1;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            if text == "-" {
                return Err(Error::syntax("Bad jmespath expression: Unknown token '-'", start));
            }
            // Python's integers are unbounded; beyond i64 an index misses and a slice clamps either way.
            let n = text.parse::<i64>().unwrap_or(if text.starts_with('-') { i64::MIN } else { i64::MAX });
            push(&mut out, Tok::Number(n), i);
        } else if c == '|' || c == '&' || c == '<' || c == '>' || c == '!' || c == '=' {
            let next = chars.get(i + 1).copied();
            let (tok, len) = match (c, next) {
                ('|', Some('|')) => (Tok::Or, 2),
                ('|', _) => (Tok::Pipe, 1),
                ('&', Some('&')) => (Tok::And, 2),
                ('&', _) => (Tok::Expref, 1),
                ('<', Some('=')) => (Tok::Lte, 2),
                ('<', _) => (Tok::Lt, 1),
                ('>', Some('=')) => (Tok::Gte, 2),
                ('>', _) => (Tok::Gt, 1),
                ('!', Some('=')) => (Tok::Ne, 2),
                ('!', _) => (Tok::Not, 1),
                ('=', Some('=')) => (Tok::Eq, 2),
                _ => return Err(Error::syntax("Bad jmespath expression: Unknown token '='", start)),
            };
            push(&mut out, tok, i + len);
            i += len;
        } else {
            return Err(Error::syntax(format!("Bad jmespath expression: Unknown token {c}"), start));
        }
    }
    out.push(Token { tok: Tok::Eof, pos: chars.len(), text: String::new() });
    Ok(out)
}

/// The text between `chars[start]` and the next unescaped `delim`; a backslash keeps itself
/// and the character after it. Returns the text and the position after the closing delimiter.
fn until(chars: &[char], start: usize, delim: char) -> Result<(String, usize), Error> {
    let mut buf = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err(Error::syntax(format!("Bad jmespath expression: Unclosed {delim} delimiter"), start)),
            Some(&c) if c == delim => return Ok((buf, i + 1)),
            Some('\\') => {
                buf.push('\\');
                i += 1;
                match chars.get(i) {
                    Some(&c) => buf.push(c),
                    None => {
                        return Err(Error::syntax(
                            format!("Bad jmespath expression: Unclosed {delim} delimiter"),
                            start,
                        ))
                    }
                }
                i += 1;
            }
            Some(&c) => {
                buf.push(c);
                i += 1;
            }
        }
    }
}

/// A backtick literal: JSON, else (the legacy form) the text as a JSON string's contents.
fn literal(body: &str, pos: usize) -> Result<Value, Error> {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        return Ok(v);
    }
    serde_json::from_str::<Value>(&format!("\"{}\"", body.trim_start()))
        .map_err(|_| Error::syntax(format!("Bad jmespath expression: Bad token {body}"), pos))
}

fn json_error_text(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
