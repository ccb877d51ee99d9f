//! Numbers as the screen shows them: short, aligned, never wider than asked.

/// A count or a rate: 200, 1.5k, 20k, 1M.
pub fn count(x: f64) -> String {
    let a = x.abs();
    if !x.is_finite() {
        return format!("{x}");
    }
    let (v, unit) = if a < 1e3 {
        (x, "")
    } else if a < 1e6 {
        (x / 1e3, "k")
    } else if a < 1e9 {
        (x / 1e6, "M")
    } else {
        (x / 1e9, "G")
    };
    let s = if unit.is_empty() || v.abs() >= 10.0 || v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") };
    format!("{s}{unit}")
}

/// A measurement with four significant digits, at most 9 characters:
/// 0.001234, 12.34, 1.23e-7, 4.5e12.
pub fn num(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return format!("{x}");
    }
    let a = x.abs();
    if (1e-3..1e5).contains(&a) {
        let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{x:.decimals$}");
        // Four significant digits, without trailing zeros: 0.0005, 2, 12.35.
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
    } else {
        let s = format!("{x:.2e}");
        // 1.00e-7 → 1e-7, 1.50e3 → 1.5e3
        match s.split_once('e') {
            Some((m, e)) => format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.')),
            None => s,
        }
    }
}

/// A hyperparameter as the screen shows it, in the one number format: 0.001, 2.5e-5, 0.9, true.
pub fn hyper(h: crate::optim::Hyper) -> String {
    match h {
        crate::optim::Hyper::Float(x) => num(x),
        other => crate::scenario::fmt_hyper(other),
    }
}

/// Shorten to `width` characters by cutting the middle (labels differ at
/// their ends: "SGD momentum lr=0.001" → "SGD mo…lr=0.001").
pub fn elide(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        return s.to_string();
    }
    if width < 5 {
        return fit(s, width);
    }
    let tail = (width - 1) / 2;
    let head = width - 1 - tail;
    let chars: Vec<char> = s.chars().collect();
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[n - tail..]);
    out
}

/// A hyperparameter found by a search, shortened for the eye: numbers to
/// four significant digits (0.01235, 4.024), switches as they are.
pub fn found(h: crate::optim::Hyper) -> String {
    match h {
        crate::optim::Hyper::Float(x) => crate::report::format::sig(x, 4),
        other => hyper(other),
    }
}

/// Truncate to `width` characters, with an ellipsis when cut.
pub fn fit(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_short() {
        assert_eq!(num(0.001234), "0.001234");
        assert_eq!(num(12.3456), "12.35");
        assert_eq!(num(12345.6), "12346");
        assert_eq!(num(1e-7), "1e-7");
        assert_eq!(num(-1.5e12), "-1.5e12");
        assert_eq!(num(f64::NAN), "NaN");
        assert_eq!(count(200.0), "200");
        assert_eq!(count(1500.0), "1.5k");
        assert_eq!(count(20000.0), "20k");
        assert_eq!(count(1e6), "1M");
        assert_eq!(fit("Adam lr=0.01", 6), "Adam …");
        for x in [1.234567e-300, 9.99999e4, 1e5, 0.000999, -0.00123, 123.0] {
            assert!(num(x).len() <= 9, "{x}: {}", num(x));
        }
    }
}
