//! Numbers as a report shows them: a few significant digits, exponent form for
//! very small and very large magnitudes, ∞ for a diverged value.

/// `x` with `digits` significant digits: `0.1235`, `12.35`, `1.235e-7`;
/// trailing zeros dropped; `∞`/`−∞` for infinities and `—` for NaN.
pub fn sig(x: f64, digits: usize) -> String {
    if x.is_nan() {
        return "—".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞".into() } else { "−∞".into() };
    }
    if x == 0.0 {
        return "0".into();
    }
    let digits = digits.max(1);
    let a = x.abs();
    if (1e-3..1e5).contains(&a) {
        let magnitude = a.log10().floor() as i64;
        let decimals = (digits as i64 - 1 - magnitude).max(0) as usize;
        let s = format!("{x:.decimals$}");
        // Rounding may carry into a new digit (99.996 → "100.00"); trimming handles it.
        trim_decimal(&s)
    } else {
        let s = format!("{:.*e}", digits - 1, x);
        match s.split_once('e') {
            Some((mantissa, exp)) => format!("{}e{exp}", trim_decimal(mantissa)),
            None => s,
        }
    }
}

fn trim_decimal(s: &str) -> String {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s.to_string() }
}

/// An axis tick label: three significant digits.
pub fn tick(x: f64) -> String {
    sig(x, 3)
}

/// A fraction as a percentage: `75%`, `33.3%`.
pub fn percent(x: f64) -> String {
    format!("{}%", sig(100.0 * x, 3))
}

/// A duration in milliseconds as a person reads it: `850 µs`, `12.3 ms`, `4.56 s`.
pub fn duration_ms(ms: f64) -> String {
    if !ms.is_finite() {
        return "—".into();
    }
    if ms < 1.0 {
        format!("{} µs", sig(ms * 1e3, 3))
    } else if ms < 1e3 {
        format!("{} ms", sig(ms, 3))
    } else {
        format!("{} s", sig(ms / 1e3, 3))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits() {
        assert_eq!(sig(0.123456, 4), "0.1235");
        assert_eq!(sig(12.3456, 4), "12.35");
        assert_eq!(sig(1234.56, 4), "1235");
        assert_eq!(sig(123456.0, 4), "1.235e5");
        assert_eq!(sig(1.23456e-7, 4), "1.235e-7");
        assert_eq!(sig(1e-7, 4), "1e-7");
        assert_eq!(sig(0.5, 4), "0.5");
        assert_eq!(sig(-2.0, 4), "-2");
        assert_eq!(sig(99.996, 4), "100");
        assert_eq!(sig(f64::INFINITY, 4), "∞");
        assert_eq!(sig(f64::NAN, 4), "—");
        assert_eq!(sig(0.0, 4), "0");
        assert_eq!(percent(2.0 / 3.0), "66.7%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(duration_ms(0.25), "250 µs");
        assert_eq!(duration_ms(1234.0), "1.23 s");
    }
}
