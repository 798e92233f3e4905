//! A top-down operator precedence (Pratt) parser to [`Ast`], with the binding powers and the
//! leniencies of Python jmespath (az's): `f(a b)` and `{a: b c: d}` parse, and an index
//! after an index expression extends it (`a[0][1:2]` slices without projecting).

use serde_json::Value;

use super::lexer::{tokenize, Tok, Token};
use super::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
}

#[derive(Debug, Clone)]
pub enum Ast {
    /// `@`, and the implicit right-hand side of a projection.
    Identity,
    Field(String),
    Literal(Value),
    /// `a.b` and `a | b`: the right side evaluated against the left's result.
    Sub(Box<Ast>, Box<Ast>),
    /// `a[0]`, `a[0][1]`: each part evaluated against the previous one's result.
    IndexChain(Vec<Ast>),
    Index(i64),
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// A list projection: the right side over each element of the left (an array).
    Projection(Box<Ast>, Box<Ast>),
    /// `*`: the right side over each value of the left (an object).
    ValueProjection(Box<Ast>, Box<Ast>),
    /// `[?cond]`: left, right, condition.
    Filter(Box<Ast>, Box<Ast>, Box<Ast>),
    Flatten(Box<Ast>),
    MultiList(Vec<Ast>),
    MultiHash(Vec<(String, Ast)>),
    Or(Box<Ast>, Box<Ast>),
    And(Box<Ast>, Box<Ast>),
    Not(Box<Ast>),
    Compare(Cmp, Box<Ast>, Box<Ast>),
    Function(String, Vec<Ast>),
    Expref(Box<Ast>),
}

/// Binding powers: 0 ends any expression; below 10 a token ends a projection.
fn bp(t: &Tok) -> u8 {
    match t {
        Tok::Pipe => 1,
        Tok::Or => 2,
        Tok::And => 3,
        Tok::Eq | Tok::Ne | Tok::Lt | Tok::Lte | Tok::Gt | Tok::Gte => 5,
        Tok::Flatten => 9,
        Tok::Star => 20,
        Tok::Filter => 21,
        Tok::Dot => 40,
        Tok::Not => 45,
        Tok::LBrace => 50,
        Tok::LBracket => 55,
        Tok::LParen => 60,
        _ => 0,
    }
}

const PROJECTION_STOP: u8 = 10;

/// The deepest expression accepted: parsing and evaluation recurse once per level (on a
/// stack of their own, see `with_stack`). Python jmespath stops at its recursion limit, about
/// 330 nested parentheses; projections chain deeper there (the suite's benchmarks chain 104),
/// and up to this depth here.
pub const MAX_DEPTH: usize = 512;

pub fn parse(expr: &str) -> Result<Ast, Error> {
    let mut p = Parser { tokens: tokenize(expr)?, i: 0, depth: 0 };
    let ast = p.expression(0)?;
    if p.peek() != &Tok::Eof {
        let t = p.token(0);
        return Err(Error::syntax(format!("Unexpected token: {}", t.text), t.pos));
    }
    if depth(&ast) > MAX_DEPTH {
        return Err(Error::syntax(format!("Expression nested deeper than {MAX_DEPTH} levels"), 0));
    }
    Ok(ast)
}

/// The depth of the tree, found without recursion (a long `a.b.c…` chain nests to the left).
fn depth(ast: &Ast) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(&Ast, usize)> = vec![(ast, 1)];
    while let Some((node, d)) = stack.pop() {
        deepest = deepest.max(d);
        let children: Vec<&Ast> = match node {
            Ast::Identity | Ast::Field(_) | Ast::Literal(_) | Ast::Index(_) | Ast::Slice(..) => Vec::new(),
            Ast::Sub(a, b)
            | Ast::Projection(a, b)
            | Ast::ValueProjection(a, b)
            | Ast::Or(a, b)
            | Ast::And(a, b)
            | Ast::Compare(_, a, b) => vec![a, b],
            Ast::Filter(a, b, c) => vec![a, b, c],
            Ast::Flatten(a) | Ast::Not(a) | Ast::Expref(a) => vec![a],
            Ast::IndexChain(items) | Ast::MultiList(items) | Ast::Function(_, items) => items.iter().collect(),
            Ast::MultiHash(pairs) => pairs.iter().map(|(_, v)| v).collect(),
        };
        stack.extend(children.into_iter().map(|c| (c, d + 1)));
    }
    deepest
}

struct Parser {
    tokens: Vec<Token>,
    i: usize,
    /// How deeply `expression` is nested now.
    depth: usize,
}

impl Parser {
    fn token(&self, ahead: usize) -> &Token {
        let last = self.tokens.len() - 1;
        &self.tokens[(self.i + ahead).min(last)]
    }

    fn peek(&self) -> &Tok {
        &self.token(0).tok
    }

    fn advance(&mut self) {
        if self.i < self.tokens.len() - 1 {
            self.i += 1;
        }
    }

    fn error_at(&self, t: &Token, reason: &str) -> Error {
        if t.tok == Tok::Eof {
            return Error::syntax("Invalid jmespath expression: Incomplete expression", t.pos);
        }
        Error::syntax(format!("{reason}: token \"{}\" ({})", t.text, t.tok.type_name().to_uppercase()), t.pos)
    }

    fn expect(&mut self, want: Tok) -> Result<(), Error> {
        if *self.peek() == want {
            self.advance();
            Ok(())
        } else {
            let t = self.token(0).clone();
            Err(self.error_at(&t, &format!("Expecting: {}, got: {}", want.type_name(), t.tok.type_name())))
        }
    }

    fn expression(&mut self, rbp: u8) -> Result<Ast, Error> {
        if self.depth >= MAX_DEPTH {
            let pos = self.token(0).pos;
            return Err(Error::syntax(format!("Expression nested deeper than {MAX_DEPTH} levels"), pos));
        }
        self.depth += 1;
        let left = self.expression_here(rbp);
        self.depth -= 1;
        left
    }

    fn expression_here(&mut self, rbp: u8) -> Result<Ast, Error> {
        let t = self.token(0).clone();
        self.advance();
        let mut left = self.nud(t)?;
        while rbp < bp(self.peek()) {
            let t = self.token(0).clone();
            self.advance();
            left = self.led(t, left)?;
        }
        Ok(left)
    }

    fn nud(&mut self, t: Token) -> Result<Ast, Error> {
        Ok(match t.tok {
            Tok::Literal(v) => Ast::Literal(v),
            Tok::Ident(name) => Ast::Field(name),
            Tok::Quoted(name) => {
                if *self.peek() == Tok::LParen {
                    let t = self.token(0).clone();
                    return Err(self.error_at(&t, "Quoted identifier not allowed for function names"));
                }
                Ast::Field(name)
            }
            Tok::Star => {
                let right =
                    if *self.peek() == Tok::RBracket { Ast::Identity } else { self.projection_rhs(bp(&Tok::Star))? };
                Ast::ValueProjection(Box::new(Ast::Identity), Box::new(right))
            }
            Tok::Filter => self.filter(Ast::Identity)?,
            Tok::LBrace => self.multi_hash()?,
            Tok::LParen => {
                let e = self.expression(0)?;
                self.expect(Tok::RParen)?;
                e
            }
            Tok::Flatten => {
                let right = self.projection_rhs(bp(&Tok::Flatten))?;
                Ast::Projection(Box::new(Ast::Flatten(Box::new(Ast::Identity))), Box::new(right))
            }
            Tok::Not => Ast::Not(Box::new(self.expression(bp(&Tok::Not))?)),
            Tok::LBracket => match self.peek() {
                Tok::Number(_) | Tok::Colon => {
                    let right = self.index_or_slice()?;
                    self.project_if_slice(Ast::Identity, right)?
                }
                Tok::Star if self.token(1).tok == Tok::RBracket => {
                    self.advance();
                    self.advance();
                    let right = self.projection_rhs(bp(&Tok::Star))?;
                    Ast::Projection(Box::new(Ast::Identity), Box::new(right))
                }
                _ => self.multi_list()?,
            },
            Tok::Current => Ast::Identity,
            Tok::Expref => Ast::Expref(Box::new(self.expression(0)?)),
            _ => return Err(self.error_at(&t, "Invalid token")),
        })
    }

    fn led(&mut self, t: Token, left: Ast) -> Result<Ast, Error> {
        Ok(match t.tok {
            Tok::Dot => {
                if *self.peek() == Tok::Star {
                    self.advance();
                    let right = self.projection_rhs(bp(&Tok::Dot))?;
                    Ast::ValueProjection(Box::new(left), Box::new(right))
                } else {
                    let right = self.dot_rhs(bp(&Tok::Dot))?;
                    Ast::Sub(Box::new(left), Box::new(right))
                }
            }
            Tok::Pipe => Ast::Sub(Box::new(left), Box::new(self.expression(bp(&Tok::Pipe))?)),
            Tok::Or => Ast::Or(Box::new(left), Box::new(self.expression(bp(&Tok::Or))?)),
            Tok::And => Ast::And(Box::new(left), Box::new(self.expression(bp(&Tok::And))?)),
            Tok::LParen => {
                let Ast::Field(name) = left else {
                    let prev = self.tokens[self.i.saturating_sub(2)].clone();
                    return Err(self.error_at(&prev, &format!("Invalid function name '{}'", prev.text)));
                };
                let mut args = Vec::new();
                while *self.peek() != Tok::RParen {
                    if *self.peek() == Tok::Eof {
                        let t = self.token(0).clone();
                        return Err(self.error_at(&t, "Incomplete expression"));
                    }
                    args.push(self.expression(0)?);
                    if *self.peek() == Tok::Comma {
                        self.advance();
                    }
                }
                self.expect(Tok::RParen)?;
                Ast::Function(name, args)
            }
            Tok::Filter => self.filter(left)?,
            Tok::Eq | Tok::Ne | Tok::Lt | Tok::Lte | Tok::Gt | Tok::Gte => {
                let op = match t.tok {
                    Tok::Eq => Cmp::Eq,
                    Tok::Ne => Cmp::Ne,
                    Tok::Lt => Cmp::Lt,
                    Tok::Lte => Cmp::Lte,
                    Tok::Gt => Cmp::Gt,
                    _ => Cmp::Gte,
                };
                let right = self.expression(bp(&t.tok))?;
                Ast::Compare(op, Box::new(left), Box::new(right))
            }
            Tok::Flatten => {
                let right = self.projection_rhs(bp(&Tok::Flatten))?;
                Ast::Projection(Box::new(Ast::Flatten(Box::new(left))), Box::new(right))
            }
            Tok::LBracket => match self.peek() {
                Tok::Number(_) | Tok::Colon => {
                    let right = self.index_or_slice()?;
                    match left {
                        Ast::IndexChain(mut parts) => {
                            parts.push(right);
                            Ast::IndexChain(parts)
                        }
                        left => self.project_if_slice(left, right)?,
                    }
                }
                _ => {
                    self.expect(Tok::Star)?;
                    self.expect(Tok::RBracket)?;
                    let right = self.projection_rhs(bp(&Tok::Star))?;
                    Ast::Projection(Box::new(left), Box::new(right))
                }
            },
            _ => return Err(self.error_at(&t, "Invalid token")),
        })
    }

    fn filter(&mut self, left: Ast) -> Result<Ast, Error> {
        let cond = self.expression(0)?;
        self.expect(Tok::RBracket)?;
        let right = if *self.peek() == Tok::Flatten { Ast::Identity } else { self.projection_rhs(bp(&Tok::Filter))? };
        Ok(Ast::Filter(Box::new(left), Box::new(right), Box::new(cond)))
    }

    /// After `[` when a number or a colon follows: `[n]` or `[a:b:c]`.
    fn index_or_slice(&mut self) -> Result<Ast, Error> {
        if *self.peek() == Tok::Colon || self.token(1).tok == Tok::Colon {
            let mut parts = [None, None, None];
            let mut index = 0;
            while *self.peek() != Tok::RBracket && index < 3 {
                match self.peek().clone() {
                    Tok::Colon => {
                        index += 1;
                        if index == 3 {
                            let t = self.token(0).clone();
                            return Err(self.error_at(&t, "Syntax error"));
                        }
                        self.advance();
                    }
                    Tok::Number(n) => {
                        parts[index] = Some(n);
                        self.advance();
                    }
                    _ => {
                        let t = self.token(0).clone();
                        return Err(self.error_at(&t, "Syntax error"));
                    }
                }
            }
            self.expect(Tok::RBracket)?;
            Ok(Ast::Slice(parts[0], parts[1], parts[2]))
        } else {
            let Tok::Number(n) = *self.peek() else {
                let t = self.token(0).clone();
                return Err(self.error_at(&t, "Syntax error"));
            };
            self.advance();
            self.expect(Tok::RBracket)?;
            Ok(Ast::Index(n))
        }
    }

    fn project_if_slice(&mut self, left: Ast, right: Ast) -> Result<Ast, Error> {
        let slice = matches!(right, Ast::Slice(..));
        let chain = Ast::IndexChain(vec![left, right]);
        if slice {
            let rhs = self.projection_rhs(bp(&Tok::Star))?;
            Ok(Ast::Projection(Box::new(chain), Box::new(rhs)))
        } else {
            Ok(chain)
        }
    }

    fn multi_list(&mut self) -> Result<Ast, Error> {
        let mut items = Vec::new();
        loop {
            items.push(self.expression(0)?);
            if *self.peek() == Tok::RBracket {
                break;
            }
            self.expect(Tok::Comma)?;
        }
        self.expect(Tok::RBracket)?;
        Ok(Ast::MultiList(items))
    }

    fn multi_hash(&mut self) -> Result<Ast, Error> {
        let mut pairs = Vec::new();
        loop {
            let key = match self.peek().clone() {
                Tok::Ident(k) | Tok::Quoted(k) => k,
                other => {
                    let t = self.token(0).clone();
                    return Err(self.error_at(
                        &t,
                        &format!("Expecting: ['quoted_identifier', 'unquoted_identifier'], got: {}", other.type_name()),
                    ));
                }
            };
            self.advance();
            self.expect(Tok::Colon)?;
            let value = self.expression(0)?;
            pairs.push((key, value));
            match self.peek() {
                Tok::Comma => self.advance(),
                Tok::RBrace => {
                    self.advance();
                    break;
                }
                _ => {}
            }
        }
        Ok(Ast::MultiHash(pairs))
    }

    fn projection_rhs(&mut self, rbp: u8) -> Result<Ast, Error> {
        let next = self.peek().clone();
        if bp(&next) < PROJECTION_STOP {
            Ok(Ast::Identity)
        } else if matches!(next, Tok::LBracket | Tok::Filter) {
            self.expression(rbp)
        } else if next == Tok::Dot {
            self.advance();
            self.dot_rhs(rbp)
        } else {
            let t = self.token(0).clone();
            Err(self.error_at(&t, "Syntax error"))
        }
    }

    fn dot_rhs(&mut self, rbp: u8) -> Result<Ast, Error> {
        match self.peek() {
            Tok::Ident(_) | Tok::Quoted(_) | Tok::Star => self.expression(rbp),
            Tok::LBracket => {
                self.advance();
                self.multi_list()
            }
            Tok::LBrace => {
                self.advance();
                self.multi_hash()
            }
            other => {
                let msg = format!(
                    "Expecting: ['quoted_identifier', 'unquoted_identifier', 'lbracket', 'lbrace'], got: {}",
                    other.type_name()
                );
                let t = self.token(0).clone();
                Err(self.error_at(&t, &msg))
            }
        }
    }
}
