//! The grammar of typed objectives, read into a tree whose every node knows the
//! bytes of the text it came from (so errors can point at a character).
//!
//! ```text
//! expr    := term (('+' | '-') term)*
//! term    := unary (('*' | '/') unary)*
//! unary   := ('-' | '+') unary | power
//! power   := atom (('^' | '**') unary)?          right-associative: 2^3^2 = 2^9
//! atom    := number | name | name '(' expr (',' expr)* ')' | '(' expr ')'
//! ```
//!
//! As in mathematics (and Python's `**`), the power binds tighter than a
//! leading minus: `-x^2` is `-(x^2)`, while `x^-2` is `x^(-2)`.

use std::ops::Range;

/// A mistake in an expression: the bytes it concerns and what is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    /// Byte range within the expression (empty at the end of the text).
    pub span: Range<usize>,
    pub message: String,
}

impl ExprError {
    fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        ExprError { span, message: message.into() }
    }

    /// The expression on one line and a caret line under the offending
    /// characters, indented by `indent` columns (for messages and prompts).
    pub fn caret(&self, text: &str) -> String {
        let start = self.span.start.min(text.len());
        let end = self.span.end.clamp(start, text.len());
        let before = text[..text.floor_char_boundary(start)].chars().count();
        let width = text[text.floor_char_boundary(start)..text.floor_char_boundary(end)].chars().count().max(1);
        format!("{text}\n{}{}", " ".repeat(before), "^".repeat(width))
    }
}

/// The built-in functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Sin,
    Cos,
    Tan,
    Exp,
    Log,
    Sqrt,
    Abs,
    Tanh,
    Sigmoid,
    Min,
    Max,
}

impl Func {
    pub const ALL: [Func; 11] = [
        Func::Sin,
        Func::Cos,
        Func::Tan,
        Func::Exp,
        Func::Log,
        Func::Sqrt,
        Func::Abs,
        Func::Tanh,
        Func::Sigmoid,
        Func::Min,
        Func::Max,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Func::Sin => "sin",
            Func::Cos => "cos",
            Func::Tan => "tan",
            Func::Exp => "exp",
            Func::Log => "log",
            Func::Sqrt => "sqrt",
            Func::Abs => "abs",
            Func::Tanh => "tanh",
            Func::Sigmoid => "sigmoid",
            Func::Min => "min",
            Func::Max => "max",
        }
    }

    pub fn from_name(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn arity(self) -> usize {
        match self {
            Func::Min | Func::Max => 2,
            _ => 1,
        }
    }
}

/// The named constants.
pub const CONSTANTS: [(&str, f64); 2] = [("pi", std::f64::consts::PI), ("e", std::f64::consts::E)];

/// Names a variable may not take.
pub fn reserved(name: &str) -> bool {
    Func::from_name(name).is_some() || CONSTANTS.iter().any(|(c, _)| *c == name)
}

/// Whether `name` is a valid variable name (letters, digits, `_`, not starting with a digit).
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

impl BinOp {
    fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Num(f64),
    Var(usize),
    Neg(Box<Ast>),
    Binary(BinOp, Box<Ast>, Box<Ast>),
    Call(Func, Vec<Ast>),
}

/// A node of the tree and the bytes of the text it stands for. For an operator
/// or a call, `at` is the operator or the function's name: what an error about
/// this node points at.
#[derive(Clone, Debug, PartialEq)]
pub struct Ast {
    pub kind: Kind,
    pub at: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Op(BinOp),
    Open,
    Close,
    Comma,
    End,
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Num(_) => "a number".into(),
        Tok::Name(n) => format!("`{n}`"),
        Tok::Op(op) => format!("`{}`", op.symbol()),
        Tok::Open => "`(`".into(),
        Tok::Close => "`)`".into(),
        Tok::Comma => "`,`".into(),
        Tok::End => "the end of the expression".into(),
    }
}

fn lex(text: &str) -> Result<Vec<(Tok, Range<usize>)>, ExprError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let single = |t: Tok| (t, start..start + 1);
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'+' => out.push(single(Tok::Op(BinOp::Add))),
            b'-' => out.push(single(Tok::Op(BinOp::Sub))),
            b'*' if bytes.get(i + 1) == Some(&b'*') => {
                out.push((Tok::Op(BinOp::Pow), i..i + 2));
                i += 2;
                continue;
            }
            b'*' => out.push(single(Tok::Op(BinOp::Mul))),
            b'/' => out.push(single(Tok::Op(BinOp::Div))),
            b'^' => out.push(single(Tok::Op(BinOp::Pow))),
            b'(' => out.push(single(Tok::Open)),
            b')' => out.push(single(Tok::Close)),
            b',' => out.push(single(Tok::Comma)),
            b'0'..=b'9' | b'.' => {
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                // An exponent only when digits follow: `2e` is 2 then the name `e`.
                if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
                    let mut j = i + 1;
                    if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
                        j += 1;
                    }
                    if j < bytes.len() && bytes[j].is_ascii_digit() {
                        while j < bytes.len() && bytes[j].is_ascii_digit() {
                            j += 1;
                        }
                        i = j;
                    }
                }
                let literal = &text[start..i];
                match literal.parse::<f64>() {
                    Ok(v) if v.is_finite() => out.push((Tok::Num(v), start..i)),
                    Ok(_) => return Err(ExprError::new(start..i, format!("the number `{literal}` is too large"))),
                    Err(_) => return Err(ExprError::new(start..i, format!("`{literal}` is not a number"))),
                }
                continue;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push((Tok::Name(text[start..i].to_string()), start..i));
                continue;
            }
            _ => {
                let ch = text[start..].chars().next().unwrap_or('?');
                let hint = match ch {
                    '×' | '·' => " (write `*` to multiply)",
                    '−' => " (write `-`, the ASCII minus)",
                    '²' => " (write `^2`)",
                    _ => "",
                };
                return Err(ExprError::new(start..start + ch.len_utf8(), format!("unexpected character `{ch}`{hint}")));
            }
        }
        i += 1;
    }
    out.push((Tok::End, text.len()..text.len()));
    Ok(out)
}

/// Parse `text` with the variables `vars` (their index is their position).
pub fn parse(text: &str, vars: &[String]) -> Result<Ast, ExprError> {
    let tokens = lex(text)?;
    if tokens.len() == 1 {
        return Err(ExprError::new(0..text.len(), "the expression is empty"));
    }
    let mut p = Parser { tokens, pos: 0, vars, opens: Vec::new() };
    let ast = p.expr()?;
    match p.peek() {
        Tok::End => Ok(ast),
        Tok::Close => Err(ExprError::new(p.span(), "this `)` closes nothing")),
        other => {
            let what = describe(other);
            Err(ExprError::new(p.span(), format!("expected an operator, found {what}")))
        }
    }
}

struct Parser<'v> {
    tokens: Vec<(Tok, Range<usize>)>,
    pos: usize,
    vars: &'v [String],
    /// Where the parentheses still open began, innermost last.
    opens: Vec<Range<usize>>,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos].0
    }

    fn span(&self) -> Range<usize> {
        self.tokens[self.pos].1.clone()
    }

    fn bump(&mut self) -> (Tok, Range<usize>) {
        let t = self.tokens[self.pos].clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn expr(&mut self) -> Result<Ast, ExprError> {
        let mut left = self.term()?;
        while let Tok::Op(op @ (BinOp::Add | BinOp::Sub)) = *self.peek() {
            let (_, at) = self.bump();
            let right = self.term()?;
            left = Ast { kind: Kind::Binary(op, Box::new(left), Box::new(right)), at };
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Ast, ExprError> {
        let mut left = self.unary()?;
        while let Tok::Op(op @ (BinOp::Mul | BinOp::Div)) = *self.peek() {
            let (_, at) = self.bump();
            let right = self.unary()?;
            left = Ast { kind: Kind::Binary(op, Box::new(left), Box::new(right)), at };
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Ast, ExprError> {
        match *self.peek() {
            Tok::Op(BinOp::Sub) => {
                let (_, at) = self.bump();
                let inner = self.unary()?;
                Ok(Ast { kind: Kind::Neg(Box::new(inner)), at })
            }
            Tok::Op(BinOp::Add) => {
                self.bump();
                self.unary()
            }
            _ => self.power(),
        }
    }

    fn power(&mut self) -> Result<Ast, ExprError> {
        let base = self.atom()?;
        if let Tok::Op(BinOp::Pow) = self.peek() {
            let (_, at) = self.bump();
            let exponent = self.unary()?;
            return Ok(Ast { kind: Kind::Binary(BinOp::Pow, Box::new(base), Box::new(exponent)), at });
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Ast, ExprError> {
        let (tok, at) = self.bump();
        match tok {
            Tok::Num(v) => Ok(Ast { kind: Kind::Num(v), at }),
            Tok::Open => {
                self.opens.push(at.clone());
                let inner = self.expr()?;
                self.close(at)?;
                self.opens.pop();
                Ok(inner)
            }
            Tok::Name(name) => self.name(name, at),
            Tok::End => match self.opens.last() {
                Some(open) => Err(ExprError::new(open.clone(), "this `(` is never closed")),
                None => Err(ExprError::new(at, "the expression ends too early: a number, a name or `(` should follow")),
            },
            other => Err(ExprError::new(at, format!("expected a number, a name or `(`, found {}", describe(&other)))),
        }
    }

    /// Expect the `)` matching the `(` at `open`.
    fn close(&mut self, open: Range<usize>) -> Result<(), ExprError> {
        match self.peek() {
            Tok::Close => {
                self.bump();
                Ok(())
            }
            Tok::End => Err(ExprError::new(open, "this `(` is never closed")),
            other => {
                let what = describe(other);
                Err(ExprError::new(self.span(), format!("expected an operator or `)`, found {what}")))
            }
        }
    }

    fn name(&mut self, name: String, at: Range<usize>) -> Result<Ast, ExprError> {
        if let Some(func) = Func::from_name(&name) {
            if *self.peek() != Tok::Open {
                return Err(ExprError::new(at, format!("`{name}` is a function: write {name}(...)")));
            }
            let (_, open) = self.bump();
            self.opens.push(open.clone());
            let mut args = vec![self.expr()?];
            while *self.peek() == Tok::Comma {
                self.bump();
                args.push(self.expr()?);
            }
            self.close(open)?;
            self.opens.pop();
            if args.len() != func.arity() {
                let want = match func.arity() {
                    1 => "one argument".to_string(),
                    n => format!("{n} arguments"),
                };
                return Err(ExprError::new(at, format!("`{name}` takes {want}, found {}", args.len())));
            }
            return Ok(Ast { kind: Kind::Call(func, args), at });
        }
        if *self.peek() == Tok::Open {
            return Err(ExprError::new(at, format!("unknown function `{name}`{}", self.hint(&name, true))));
        }
        if let Some(i) = self.vars.iter().position(|v| *v == name) {
            return Ok(Ast { kind: Kind::Var(i), at });
        }
        if let Some((_, v)) = CONSTANTS.iter().find(|(c, _)| *c == name) {
            return Ok(Ast { kind: Kind::Num(*v), at });
        }
        Err(ExprError::new(at, format!("unknown name `{name}`{}", self.hint(&name, false))))
    }

    /// "; did you mean `sin`?" or the list of variables.
    fn hint(&self, name: &str, call: bool) -> String {
        let mut candidates: Vec<&str> = Func::ALL.iter().map(|f| f.name()).collect();
        if !call {
            candidates.extend(self.vars.iter().map(String::as_str));
            candidates.extend(CONSTANTS.iter().map(|(c, _)| *c));
        }
        if let Some(close) = closest(name, &candidates) {
            return format!(" (did you mean `{close}`?)");
        }
        if call {
            let names: Vec<&str> = Func::ALL.iter().map(|f| f.name()).collect();
            format!("; functions: {}", names.join(", "))
        } else {
            format!("; the variables are {} (`vars` names them)", self.vars.join(", "))
        }
    }
}

/// The candidate within one edit of `name` (two for longer names), if any.
fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let distance = |a: &str, b: &str| {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    };
    let limit = if name.len() > 4 { 2 } else { 1 };
    candidates
        .iter()
        .map(|c| (distance(name, c), *c))
        .filter(|(d, c)| *d <= limit && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
