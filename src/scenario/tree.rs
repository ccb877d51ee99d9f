//! A TOML document as an owned tree that remembers where every key and value
//! stands, so that every error can name the file, line, column and key.

use std::fmt;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

/// A scenario error: where it is and what is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct ScenarioError {
    /// The file as the user named it (or `<bundled:NAME>`).
    pub file: String,
    /// 1-based line and column, when the error has a place.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The key's path (`optimizer[2].lr`), when the error is about a key.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The text being read and its name, to turn byte offsets into lines.
pub struct Source<'a> {
    pub file: String,
    pub text: &'a str,
}

impl Source<'_> {
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..self.text.floor_char_boundary(offset)];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }

    pub fn error(&self, span: &Range<usize>, key: Option<&str>, message: impl Into<String>) -> ScenarioError {
        let (line, column) = self.line_col(span.start);
        ScenarioError {
            file: self.file.clone(),
            line: Some(line),
            column: Some(column),
            // Keys and values quoted from the file may be megabytes long.
            key: key.map(|k| crate::text::clip(k, 2 * crate::text::MAX_NAME)),
            message: crate::text::clip(&message.into(), crate::text::MAX_MESSAGE),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Datetime,
    Array(Vec<Node>),
    Table(Vec<Entry>),
}

#[derive(Clone, Debug)]
pub struct Node {
    pub value: Value,
    pub span: Range<usize>,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub key: String,
    pub key_span: Range<usize>,
    pub node: Node,
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::Datetime => "a datetime",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// Parse a document; a syntax error names its line and column.
pub fn parse(source: &Source<'_>) -> Result<Node, ScenarioError> {
    match DeTable::parse(source.text) {
        Ok(table) => {
            let span = table.span();
            Ok(Node { value: Value::Table(convert_table(table.get_ref())), span })
        }
        Err(e) => {
            let message = e.message().trim();
            // The parser gives up on deep nesting without saying where: find it.
            let span = match e.span() {
                Some(span) if span.start > 0 || !message.contains("recursion") => span,
                _ => deepest_nesting(source.text).map_or(0..0, |at| at..at),
            };
            Err(source.error(&span, None, format!("invalid TOML: {message}")))
        }
    }
}

/// Nesting deeper than any scenario needs.
const DEEP: usize = 100;

/// Where nesting first goes deeper than [`DEEP`]: brackets and braces of
/// values, and the dots of keys and table headers (`[a.b.c]`), outside
/// strings and comments.
fn deepest_nesting(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut dots = 0usize;
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut escaped = false;
    let mut previous = ' ';
    for (i, c) in text.char_indices() {
        let before = std::mem::replace(&mut previous, c);
        if c == '\n' {
            comment = false;
            dots = 0;
            if quote == Some('"') || quote == Some('\'') {
                quote = None;
            }
            continue;
        }
        if comment {
            continue;
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '#' => comment = true,
            '"' | '\'' => quote = Some(c),
            '[' | '{' => depth += 1,
            ']' | '}' => depth = depth.saturating_sub(1),
            // Dots of keys, not of numbers.
            '.' if !before.is_ascii_digit() => dots += 1,
            '=' => dots = 0,
            _ => {}
        }
        if depth + dots > DEEP {
            return Some(i);
        }
    }
    None
}

fn convert_table(table: &DeTable<'_>) -> Vec<Entry> {
    table
        .iter()
        .map(|(k, v)| Entry { key: k.get_ref().to_string(), key_span: k.span(), node: convert(v.get_ref(), v.span()) })
        .collect()
}

fn convert(value: &DeValue<'_>, span: Range<usize>) -> Node {
    let value = match value {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Int(n),
            // Out of range for i64: keep it as text so the reader reports it.
            Err(_) => Value::Str(i.as_str().to_string()),
        },
        DeValue::Float(f) => Value::Float(f.as_str().parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(_) => Value::Datetime,
        DeValue::Array(a) => Value::Array(a.iter().map(|v| convert(v.get_ref(), v.span())).collect()),
        DeValue::Table(t) => Value::Table(convert_table(t)),
    };
    Node { value, span }
}

/// Reads a table key by key; keys never taken are reported as unknown.
pub struct TableReader<'t, 's> {
    pub source: &'t Source<'s>,
    /// The table's path ("" for the document, "objective", "optimizer[1]").
    pub path: String,
    pub span: Range<usize>,
    entries: &'t [Entry],
    used: Vec<bool>,
}

impl<'t, 's> TableReader<'t, 's> {
    pub fn new(source: &'t Source<'s>, path: &str, node: &'t Node) -> Result<Self, ScenarioError> {
        match &node.value {
            Value::Table(entries) => Ok(TableReader {
                source,
                path: path.to_string(),
                span: node.span.clone(),
                entries,
                used: vec![false; entries.len()],
            }),
            other => {
                Err(source.error(&node.span, Some(path), format!("expected a table, found {}", other.type_name())))
            }
        }
    }

    /// The full path of a key of this table.
    pub fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) }
    }

    pub fn error(&self, node: &Node, key: &str, message: impl Into<String>) -> ScenarioError {
        self.source.error(&node.span, Some(&self.key_path(key)), message)
    }

    /// An error about the table itself (a missing key).
    pub fn error_here(&self, key: &str, message: impl Into<String>) -> ScenarioError {
        self.source.error(&self.span, Some(&self.key_path(key)), message)
    }

    pub fn take(&mut self, key: &str) -> Option<&'t Node> {
        let i = self.entries.iter().position(|e| e.key == key)?;
        self.used[i] = true;
        Some(&self.entries[i].node)
    }

    /// Every key not yet taken, in file order (hyperparameters, event changes).
    pub fn take_rest(&mut self) -> Vec<&'t Entry> {
        let rest = self.entries.iter().zip(&self.used).filter(|(_, used)| !**used).map(|(e, _)| e).collect::<Vec<_>>();
        self.used.iter_mut().for_each(|u| *u = true);
        rest
    }

    pub fn required(&mut self, key: &str) -> Result<&'t Node, ScenarioError> {
        self.take(key).ok_or_else(|| self.error_here(key, "missing (it is required)"))
    }

    /// Fails on the first key not taken, listing the keys this table accepts.
    pub fn finish(self, accepted: &[&str]) -> Result<(), ScenarioError> {
        if let Some((entry, _)) = self.entries.iter().zip(&self.used).find(|(_, used)| !**used) {
            let mut message = "unknown key".to_string();
            if let Some(close) = closest(&entry.key, accepted) {
                message.push_str(&format!(" (did you mean `{close}`?)"));
            }
            if !accepted.is_empty() {
                message.push_str(&format!("; accepted here: {}", accepted.join(", ")));
            }
            return Err(self.source.error(&entry.key_span, Some(&self.key_path(&entry.key)), message));
        }
        Ok(())
    }

    pub fn str(&mut self, key: &str) -> Result<Option<(&'t str, &'t Node)>, ScenarioError> {
        match self.take(key) {
            None => Ok(None),
            Some(node) => match &node.value {
                Value::Str(s) => Ok(Some((s.as_str(), node))),
                other => Err(self.error(node, key, format!("expected a string, found {}", other.type_name()))),
            },
        }
    }

    pub fn f64(&mut self, key: &str) -> Result<Option<(f64, &'t Node)>, ScenarioError> {
        match self.take(key) {
            None => Ok(None),
            Some(node) => as_f64(node).map(|v| Some((v, node))).map_err(|m| self.error(node, key, m)),
        }
    }

    pub fn u64(&mut self, key: &str) -> Result<Option<(u64, &'t Node)>, ScenarioError> {
        match self.take(key) {
            None => Ok(None),
            Some(node) => as_u64(node).map(|v| Some((v, node))).map_err(|m| self.error(node, key, m)),
        }
    }

    pub fn bool(&mut self, key: &str) -> Result<Option<(bool, &'t Node)>, ScenarioError> {
        match self.take(key) {
            None => Ok(None),
            Some(node) => match node.value {
                Value::Bool(b) => Ok(Some((b, node))),
                ref other => Err(self.error(node, key, format!("expected true or false, found {}", other.type_name()))),
            },
        }
    }

    pub fn f64_array(&mut self, key: &str) -> Result<Option<(Vec<f64>, &'t Node)>, ScenarioError> {
        match self.take(key) {
            None => Ok(None),
            Some(node) => match &node.value {
                Value::Array(items) => {
                    let values = items
                        .iter()
                        .map(|n| as_f64(n).map_err(|m| self.error(n, key, m)))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(Some((values, node)))
                }
                other => {
                    Err(self.error(node, key, format!("expected an array of numbers, found {}", other.type_name())))
                }
            },
        }
    }
}

pub fn as_f64(node: &Node) -> Result<f64, String> {
    match node.value {
        Value::Float(v) => Ok(v),
        // Integers are fine where a number is expected ("lr = 1").
        Value::Int(v) => Ok(v as f64),
        ref other => Err(format!("expected a number, found {}", other.type_name())),
    }
}

pub fn as_u64(node: &Node) -> Result<u64, String> {
    match node.value {
        Value::Int(v) if v >= 0 => Ok(v as u64),
        Value::Int(v) => Err(format!("must be >= 0, found {v}")),
        Value::Float(v) => Err(format!("expected an integer, found the float {v}")),
        Value::Str(ref s) if s.chars().all(|c| c.is_ascii_digit()) => Err(format!("{s} is too large")),
        ref other => Err(format!("expected an integer, found {}", other.type_name())),
    }
}

/// The accepted key closest to a misspelt one, if it is close enough.
pub fn closest<'a>(key: &str, accepted: &[&'a str]) -> Option<&'a str> {
    let by_distance = accepted
        .iter()
        .map(|a| (edit_distance(key, a), *a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a);
    // "target" for "target_loss": a prefix of a longer key.
    by_distance.or_else(|| accepted.iter().copied().find(|a| key.len() >= 3 && a.starts_with(key)))
}

fn edit_distance(a: &str, b: &str) -> usize {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based() {
        let s = Source { file: "f.toml".into(), text: "a = 1\nbb = 2\n" };
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(6), (2, 1));
        assert_eq!(s.line_col(11), (2, 6));
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let s = Source { file: "f.toml".into(), text: "a = 1\nb = = 2\n" };
        let e = parse(&s).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.to_string().starts_with("f.toml:2:"), "{e}");
    }

    #[test]
    fn deep_nesting_is_located() {
        let header = format!("name = \"t\"\n\n[{}]\n", vec!["a"; 5000].join("."));
        let arrays = format!("name = \"t\"\n\nx = {}{}\n", "[".repeat(5000), "]".repeat(5000));
        let tables = format!("name = \"t\"\n\nx = {}1{}\n", "{a=".repeat(5000), "}".repeat(5000));
        for text in [header, arrays, tables] {
            let e = parse(&Source { file: "f.toml".into(), text: &text }).unwrap_err();
            assert_eq!(e.line, Some(3), "{e}");
        }
        assert_eq!(deepest_nesting("a = [[1], {b = \"[[[[\"}] # [[[[\n"), None);
    }

    #[test]
    fn misspelt_keys_get_a_suggestion() {
        assert_eq!(closest("lrr", &["lr", "momentum"]), Some("lr"));
        assert_eq!(closest("zzzzzz", &["lr", "momentum"]), None);
    }
}
