//! Search spaces: where a hyperparameter's values are drawn from.
//!
//! Every space maps the unit interval onto values, so one sampler serves all:
//!
//! ```text
//! log [a, b]            x = a · (b/a)^u                 (learning rates, eps)
//! uniform [a, b]        x = a + u · (b − a)             (betas near the middle)
//! one_minus_log [a, b]  x = 1 − a · (b/a)^(1−u)         (1 − x log-uniform in [a, b]: beta2 = 0.999…0.9)
//! choice [v₀ … vₙ₋₁]    x = v_⌊u·n⌋                     (switches, a few momenta)
//! ```
//!
//! `u = 0` gives the low end (`a` for log and uniform; `1 − b` for
//! one_minus_log, the value farthest from 1) and `u = 1` the high end, so a
//! grid of `u` includes both ends.

use crate::optim::{Domain, Hyper, HyperSpec, OptimizerKind};
use crate::scenario::fmt_hyper;

/// One hyperparameter's space.
#[derive(Clone, Debug, PartialEq)]
pub enum Space {
    /// Log-uniform in [low, high], 0 < low < high.
    Log { low: f64, high: f64 },
    /// Uniform in [low, high], low < high.
    Uniform { low: f64, high: f64 },
    /// 1 − x log-uniform in [low, high], 0 < low < high ≤ 1.
    OneMinusLog { low: f64, high: f64 },
    /// One of the values, each equally likely.
    Choice(Vec<Hyper>),
}

/// The spaces of an entry's tuned hyperparameters, in file order.
pub type SearchSpace = Vec<(String, Space)>;

/// The learning-rate range of the default space: six decades, from far too
/// small for any catalog optimizer to past where most diverge.
pub const DEFAULT_LR: (f64, f64) = (1e-5, 10.0);

/// The space an entry gets when it declares none: its learning rate,
/// log-uniform over [`DEFAULT_LR`].
pub fn default_space(kind: OptimizerKind) -> SearchSpace {
    if kind.specs().iter().any(|s| s.name == "lr") {
        vec![("lr".to_string(), Space::Log { low: DEFAULT_LR.0, high: DEFAULT_LR.1 })]
    } else {
        Vec::new()
    }
}

impl Space {
    /// The keyword of the scenario file.
    pub fn keyword(&self) -> &'static str {
        match self {
            Space::Log { .. } => "log",
            Space::Uniform { .. } => "uniform",
            Space::OneMinusLog { .. } => "one_minus_log",
            Space::Choice(_) => "choice",
        }
    }

    /// The value at `u` in [0, 1] (values outside are clamped).
    pub fn value(&self, u: f64) -> Hyper {
        let u = if u.is_nan() { 0.0 } else { u.clamp(0.0, 1.0) };
        match self {
            Space::Log { low, high } => Hyper::Float(log_point(*low, *high, u)),
            Space::Uniform { low, high } => Hyper::Float((low + u * (high - low)).clamp(*low, *high)),
            Space::OneMinusLog { low, high } => Hyper::Float(1.0 - log_point(*low, *high, 1.0 - u)),
            Space::Choice(values) => values[self.index(u)],
        }
    }

    /// For a choice, the index `u` falls on.
    fn index(&self, u: f64) -> usize {
        match self {
            Space::Choice(values) => ((u * values.len() as f64) as usize).min(values.len().saturating_sub(1)),
            _ => 0,
        }
    }

    /// How many values a choice has; `None` for continuous spaces.
    pub fn levels(&self) -> Option<usize> {
        match self {
            Space::Choice(values) => Some(values.len()),
            _ => None,
        }
    }

    /// Whether values are best shown on a log axis (of the value, or of 1 − value).
    pub fn is_log(&self) -> bool {
        matches!(self, Space::Log { .. } | Space::OneMinusLog { .. })
    }

    /// Checks the space against the hyperparameter it tunes: every value it can
    /// produce must be in the hyperparameter's domain.
    pub fn check(&self, spec: &HyperSpec) -> Result<(), String> {
        // Switches and named modes take only a choice.
        let discrete = !matches!(spec.default, Hyper::Float(_));
        match self {
            Space::Choice(values) => {
                if values.is_empty() {
                    return Err("a choice needs at least one value".into());
                }
                for (i, v) in values.iter().enumerate() {
                    spec.domain.check(*v).map_err(|m| format!("{} {m}", fmt_hyper(*v)))?;
                    if values[..i].contains(v) {
                        return Err(format!("{} appears twice", fmt_hyper(*v)));
                    }
                }
                Ok(())
            }
            _ if discrete && spec.domain == Domain::Bool => {
                Err(format!("`{}` is a switch: use {{ choice = [false, true] }}", spec.name))
            }
            _ if discrete => Err(format!("`{}` takes named values: use {{ choice = [...] }}", spec.name)),
            Space::Log { low, high } | Space::Uniform { low, high } | Space::OneMinusLog { low, high } => {
                if !(low.is_finite() && high.is_finite() && low < high) {
                    return Err(format!("needs two finite bounds, low < high (got [{low}, {high}])"));
                }
                if matches!(self, Space::Log { .. }) && *low <= 0.0 {
                    return Err(format!("a log range needs low > 0 (got {low})"));
                }
                if matches!(self, Space::OneMinusLog { .. }) && !(*low > 0.0 && *high <= 1.0) {
                    return Err(format!("bounds of 1 − x, so 0 < low < high <= 1 (got [{low}, {high}])"));
                }
                for end in [0.0, 1.0] {
                    let v = self.value(end);
                    spec.domain.check(v).map_err(|m| format!("reaches {}, but `{}` {m}", fmt_hyper(v), spec.name))?;
                }
                Ok(())
            }
        }
    }

    /// The space as TOML's inline table would write it: `{ log = [1e-5, 1] }`.
    pub fn describe(&self) -> String {
        match self {
            Space::Log { low, high } | Space::Uniform { low, high } | Space::OneMinusLog { low, high } => {
                format!("{} [{}, {}]", self.keyword(), fmt_num(*low), fmt_num(*high))
            }
            Space::Choice(values) => {
                format!("choice [{}]", values.iter().map(|v| fmt_hyper(*v)).collect::<Vec<_>>().join(", "))
            }
        }
    }
}

fn fmt_num(x: f64) -> String {
    crate::scenario::fmt_num(x)
}

fn log_point(low: f64, high: f64, u: f64) -> f64 {
    // exp/ln round-trips: pin the ends so a grid includes the bounds exactly.
    if u <= 0.0 {
        low
    } else if u >= 1.0 {
        high
    } else {
        (low.ln() + u * (high.ln() - low.ln())).exp().clamp(low, high)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lr_spec() -> HyperSpec {
        *OptimizerKind::Adam.specs().iter().find(|s| s.name == "lr").unwrap()
    }

    #[test]
    fn log_spaces_are_uniform_in_the_exponent_and_include_both_ends() {
        let s = Space::Log { low: 1e-4, high: 1.0 };
        assert_eq!(s.value(0.0), Hyper::Float(1e-4));
        assert_eq!(s.value(1.0), Hyper::Float(1.0));
        let mid = s.value(0.5).as_f64().unwrap();
        assert!((mid - 1e-2).abs() < 1e-15, "{mid}");
        let quarter = s.value(0.25).as_f64().unwrap();
        assert!((quarter - 1e-3).abs() < 1e-16, "{quarter}");
    }

    #[test]
    fn one_minus_log_is_log_uniform_in_one_minus_the_value() {
        let s = Space::OneMinusLog { low: 1e-4, high: 1e-1 };
        assert!((s.value(0.0).as_f64().unwrap() - 0.9).abs() < 1e-15);
        assert!((s.value(1.0).as_f64().unwrap() - 0.9999).abs() < 1e-15);
        let mid = 1.0 - s.value(0.5).as_f64().unwrap();
        assert!((mid.log10() - (-2.5)).abs() < 1e-9, "{mid}");
    }

    #[test]
    fn choices_split_the_unit_interval_evenly() {
        let s = Space::Choice(vec![Hyper::Float(0.0), Hyper::Float(0.9), Hyper::Float(0.99)]);
        assert_eq!(s.value(0.0), Hyper::Float(0.0));
        assert_eq!(s.value(0.34), Hyper::Float(0.9));
        assert_eq!(s.value(0.999), Hyper::Float(0.99));
        assert_eq!(s.value(1.0), Hyper::Float(0.99));
    }

    #[test]
    fn spaces_outside_the_domain_are_refused() {
        assert!(Space::Log { low: 0.0, high: 1.0 }.check(&lr_spec()).unwrap_err().contains("low > 0"));
        assert!(Space::Uniform { low: -1.0, high: 1.0 }.check(&lr_spec()).unwrap_err().contains("reaches -1"));
        assert!(Space::Log { low: 1.0, high: 0.1 }.check(&lr_spec()).unwrap_err().contains("low < high"));
        let beta2 = *OptimizerKind::Adam.specs().iter().find(|s| s.name == "beta2").unwrap();
        assert!(Space::OneMinusLog { low: 1e-4, high: 1e-1 }.check(&beta2).is_ok());
        assert!(Space::OneMinusLog { low: 1e-4, high: 2.0 }.check(&beta2).is_err());
        let amsgrad = *OptimizerKind::Adam.specs().iter().find(|s| s.name == "amsgrad").unwrap();
        assert!(Space::Uniform { low: 0.0, high: 1.0 }.check(&amsgrad).unwrap_err().contains("choice"));
        assert!(Space::Choice(vec![Hyper::Bool(false), Hyper::Bool(true)]).check(&amsgrad).is_ok());
        assert!(Space::Choice(vec![Hyper::Float(1.0)]).check(&amsgrad).is_err());
    }

    #[test]
    fn every_kind_has_a_default_space_with_a_wide_log_lr() {
        for kind in OptimizerKind::ALL {
            let space = default_space(kind);
            assert_eq!(space[0].0, "lr");
            assert_eq!(space[0].1, Space::Log { low: 1e-5, high: 10.0 });
        }
    }
}
