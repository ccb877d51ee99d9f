//! `[objective] kind = "expr"`: a typed objective's keys, and its errors
//! located in the file with the offending character of the expression shown
//! under a caret, as the toml crate shows its own syntax errors.

use super::ObjectiveSpec;
use super::tree::{Node, ScenarioError, Source, TableReader, Value};
use crate::objective::Window;
use crate::objective::expr::{ExprBuildError, ExprFunction, ExprPart, ExprSpec, default_vars};

pub const EXPR_KEYS: &[&str] = &["kind", "f", "vars", "window", "minima", "start", "noise"];

/// Read the keys of a typed objective (`kind` already taken).
pub fn parse_expr_objective(source: &Source<'_>, mut t: TableReader<'_, '_>) -> Result<ObjectiveSpec, ScenarioError> {
    let Some((f, f_node)) = t.str("f")? else {
        return Err(t.error_here("f", "missing: the function, e.g. f = \"(1 - x)^2 + 100*(y - x^2)^2\""));
    };
    let (vars, vars_node) = match t.take("vars") {
        Some(node) => {
            let Value::Array(items) = &node.value else {
                return Err(t.error(node, "vars", "expected an array of names, e.g. [\"x\", \"y\"]"));
            };
            let mut vars = Vec::new();
            for item in items {
                match &item.value {
                    Value::Str(s) => vars.push(s.clone()),
                    other => {
                        return Err(t.error(item, "vars", format!("expected a name, found {}", other.type_name())));
                    }
                }
            }
            (vars, Some(node))
        }
        None => (default_vars(), None),
    };
    let dim = vars.len();
    let window = match t.take("window") {
        Some(node) => Some(parse_window(&t, node, dim)?),
        None => None,
    };
    let mut minima = Vec::new();
    let mut minima_nodes = Vec::new();
    if let Some(node) = t.take("minima") {
        let Value::Array(items) = &node.value else {
            return Err(t.error(node, "minima", "expected an array of points, e.g. [[1, 1]]"));
        };
        for item in items {
            let Value::Array(coords) = &item.value else {
                return Err(t.error(item, "minima", "expected a point (an array of numbers), e.g. [1, 1]"));
            };
            let point = coords
                .iter()
                .map(|c| super::tree::as_f64(c).map_err(|m| t.error(c, "minima", m)))
                .collect::<Result<Vec<f64>, _>>()?;
            if point.iter().any(|v| !v.is_finite()) {
                return Err(t.error(item, "minima", "values must be finite"));
            }
            minima.push(point);
            minima_nodes.push(item);
        }
    }
    let start = match t.f64_array("start")? {
        Some((s, node)) => {
            if s.len() != dim {
                return Err(t.error(node, "start", format!("has {} values but there are {dim} variables", s.len())));
            }
            if s.iter().any(|v| !v.is_finite()) {
                return Err(t.error(node, "start", "values must be finite"));
            }
            Some((s, node))
        }
        None => None,
    };
    let noise = match t.f64("noise")? {
        Some((v, node)) if !(v.is_finite() && v >= 0.0) => {
            return Err(t.error(node, "noise", "must be a finite number >= 0"));
        }
        Some((v, _)) => v,
        None => 0.0,
    };
    let spec = ExprSpec { f: f.to_string(), vars, window, minima };
    let function = ExprFunction::new(spec.clone(), start.as_ref().map(|(s, _)| s.as_slice())).map_err(|e| {
        let at_item = |node: Option<&Node>, index: Option<usize>| match (node.map(|n| &n.value), index) {
            (Some(Value::Array(items)), Some(i)) if i < items.len() => Some(items[i].clone()),
            _ => node.cloned(),
        };
        match e.part {
            // A start-point domain error is about `f` but shows where the start is too.
            ExprPart::F => expr_error(source, f, f_node, &e),
            ExprPart::Vars => match at_item(vars_node, e.index) {
                Some(node) => t.error(&node, "vars", e.error.message.clone()),
                None => t.error_here("vars", e.error.message.clone()),
            },
            ExprPart::Minima => match e.index.and_then(|i| minima_nodes.get(i)) {
                Some(node) => t.error(node, "minima", e.error.message.clone()),
                None => t.error_here("minima", e.error.message.clone()),
            },
        }
    })?;
    t.finish(EXPR_KEYS)?;
    use crate::objective::TestFunction;
    let start = start.map(|(s, _)| s).unwrap_or_else(|| function.default_start().to_vec());
    // The resolved form writes the window out, computed or given.
    let spec = ExprSpec { window: Some(function.window()), ..spec };
    Ok(ObjectiveSpec::Expr { spec, start, noise })
}

/// `window = { x = [lo, hi], y = [lo, hi] }` (`y` only with two variables or more).
fn parse_window(t: &TableReader<'_, '_>, node: &Node, dim: usize) -> Result<Window, ScenarioError> {
    let Value::Table(entries) = &node.value else {
        return Err(t.error(node, "window", "expected a table, e.g. { x = [-2, 2], y = [-1, 3] }"));
    };
    let mut x = None;
    let mut y = None;
    for e in entries {
        let slot = match e.key.as_str() {
            "x" => &mut x,
            "y" => &mut y,
            _ => {
                return Err(t.source.error(
                    &e.key_span,
                    Some(&t.key_path(&format!("window.{}", e.key))),
                    "unknown key; accepted here: x, y",
                ));
            }
        };
        let key = format!("window.{}", e.key);
        let range = match &e.node.value {
            Value::Array(items) if items.len() == 2 => {
                let lo = super::tree::as_f64(&items[0]).map_err(|m| t.error(&items[0], &key, m))?;
                let hi = super::tree::as_f64(&items[1]).map_err(|m| t.error(&items[1], &key, m))?;
                if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                    return Err(t.error(&e.node, &key, "expected [low, high] with finite low < high"));
                }
                (lo, hi)
            }
            _ => return Err(t.error(&e.node, &key, "expected [low, high]")),
        };
        *slot = Some(range);
    }
    let Some(x) = x else {
        return Err(t.error(node, "window.x", "missing: the range of the first variable, e.g. x = [-2, 2]"));
    };
    let y = match (y, dim) {
        (Some(y), _) => y,
        (None, 1) => (-1.0, 1.0),
        (None, _) => {
            return Err(t.error(node, "window.y", "missing: the range of the second variable, e.g. y = [-1, 3]"));
        }
    };
    Ok(Window { x, y })
}

/// An error in the expression, located at its character in the file, with the
/// file's line and a caret under that character.
fn expr_error(source: &Source<'_>, f: &str, node: &Node, e: &ExprBuildError) -> ScenarioError {
    let span = &e.error.span;
    let (offset, end) = match string_offsets(&source.text[node.span.clone()], f) {
        Some(map) => {
            let at = |i: usize| node.span.start + map[i.min(f.len())];
            (at(span.start), at(span.end.max(span.start)))
        }
        None => (node.span.start, node.span.start),
    };
    let (line, column) = source.line_col(offset);
    let line_text = source.text.lines().nth(line - 1).unwrap_or("");
    let (_, end_column) = source.line_col(end);
    let width = if source.line_col(end).0 == line { end_column.saturating_sub(column).max(1) } else { 1 };
    let gutter = " ".repeat(line.to_string().len());
    let message = format!(
        "{}\n{gutter} |\n{line} | {line_text}\n{gutter} | {}{}",
        e.error.message,
        " ".repeat(column - 1),
        "^".repeat(width)
    );
    let mut err = source.error(&(offset..offset), Some("objective.f"), message);
    err.line = Some(line);
    err.column = Some(column);
    err
}

/// For each byte of the decoded string `decoded` (and one past its end), the
/// offset of the raw TOML text it came from, within `raw` (the string as
/// written, quotes included). `None` if `raw` does not decode to `decoded`.
fn string_offsets(raw: &str, decoded: &str) -> Option<Vec<usize>> {
    let (delim, basic) = if raw.starts_with("\"\"\"") {
        (3, true)
    } else if raw.starts_with("'''") {
        (3, false)
    } else if raw.starts_with('"') {
        (1, true)
    } else if raw.starts_with('\'') {
        (1, false)
    } else {
        return None;
    };
    let body_end = raw.len().checked_sub(delim)?;
    let mut i = delim;
    // A newline right after the opening delimiter of a multi-line string is trimmed.
    if delim == 3 {
        if raw[i..].starts_with("\r\n") {
            i += 2;
        } else if raw[i..].starts_with('\n') {
            i += 1;
        }
    }
    let mut out = String::new();
    let mut map = Vec::new();
    while i < body_end {
        let rest = &raw[i..body_end];
        let c = rest.chars().next()?;
        if basic && c == '\\' {
            let next = rest[1..].chars().next()?;
            let (decoded_char, len): (Option<char>, usize) = match next {
                'b' => (Some('\u{8}'), 2),
                't' => (Some('\t'), 2),
                'n' => (Some('\n'), 2),
                'f' => (Some('\u{c}'), 2),
                'r' => (Some('\r'), 2),
                'e' => (Some('\u{1b}'), 2),
                '"' => (Some('"'), 2),
                '\\' => (Some('\\'), 2),
                'u' => (char::from_u32(u32::from_str_radix(rest.get(2..6)?, 16).ok()?), 6),
                'U' => (char::from_u32(u32::from_str_radix(rest.get(2..10)?, 16).ok()?), 10),
                w if w.is_whitespace() && delim == 3 => {
                    // A line-ending backslash: the whitespace up to the next text is dropped.
                    let skip = rest[1..].find(|ch: char| !ch.is_whitespace()).map_or(rest.len(), |k| k + 1);
                    (None, skip)
                }
                _ => return None,
            };
            if let Some(ch) = decoded_char {
                for _ in 0..ch.len_utf8() {
                    map.push(i);
                }
                out.push(ch);
            }
            i += len;
            continue;
        }
        for _ in 0..c.len_utf8() {
            map.push(i);
        }
        out.push(c);
        i += c.len_utf8();
    }
    map.push(body_end);
    (out == decoded).then_some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_escapes_and_multiline_strings() {
        let m = string_offsets(r#""a\tb""#, "a\tb").unwrap();
        assert_eq!(m, vec![1, 2, 4, 5]);
        let m = string_offsets("'x^2'", "x^2").unwrap();
        assert_eq!(m, vec![1, 2, 3, 4]);
        let m = string_offsets("\"\"\"\nx +\\\n   y\"\"\"", "x +y").unwrap();
        assert_eq!(m[3], 12);
        assert_eq!(string_offsets("\"\\u00e9\"", "é").unwrap(), vec![1, 1, 7]);
        assert_eq!(string_offsets("\"ab\"", "abc"), None);
    }
}
