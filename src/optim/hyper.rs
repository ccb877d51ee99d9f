//! Hyperparameters: values, domains, specs, and the one-line declarations
//! that generate an algorithm's struct, `Default`, spec table, `get` and
//! `set_checked` (the [`hyperparameters!`](crate::hyperparameters) macro).
//!
//! ```ignore
//! hyperparameters! {
//!     /// Adam's hyperparameters.
//!     pub struct Adam {
//!         lr: float = 1e-3, Positive, "learning rate";
//!         beta1: float = 0.9, UnitHalfOpen, "decay of the first moment";
//!         amsgrad: bool = false, Bool, "use the running maximum of the second moment";
//!         history_size: int = 100, PositiveInteger, "updates kept";
//!         line_search_fn: choice = "none", Choice(&["none", "strong_wolfe"]), "line search";
//!     }
//! }
//! ```
//!
//! Field types: `float` → `f64`, `bool` → `bool`, `int` → `usize` (carried as
//! a [`Hyper::Float`] holding a whole number, so `max_iter = 20` and sweeps
//! work as for any number), `choice` → `&'static str`, always one of the
//! domain's options. A declaration is the only place a default is written.

use std::fmt;

/// A hyperparameter's value: a number, a switch or one of named options.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Hyper {
    Float(f64),
    Bool(bool),
    /// One of the options of a [`Domain::Choice`] (`line_search_fn = "strong_wolfe"`).
    Choice(&'static str),
}

impl Hyper {
    pub fn as_f64(self) -> Option<f64> {
        match self {
            Hyper::Float(v) => Some(v),
            _ => None,
        }
    }
    pub fn as_bool(self) -> Option<bool> {
        match self {
            Hyper::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn as_choice(self) -> Option<&'static str> {
        match self {
            Hyper::Choice(c) => Some(c),
            _ => None,
        }
    }
}

impl fmt::Display for Hyper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hyper::Float(v) => write!(f, "{v}"),
            Hyper::Bool(b) => write!(f, "{b}"),
            Hyper::Choice(c) => f.write_str(c),
        }
    }
}

/// The values a hyperparameter may take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    /// x > 0
    Positive,
    /// x >= 0
    NonNegative,
    /// 0 <= x < 1 (betas)
    UnitHalfOpen,
    /// 0 <= x <= 1
    UnitClosed,
    /// 0 < x < 1
    UnitOpen,
    /// x > 1
    AboveOne,
    /// any finite number (polynomial coefficients)
    Finite,
    /// a whole number >= 1
    PositiveInteger,
    /// a whole number >= 0
    NonNegativeInteger,
    /// true or false
    Bool,
    /// one of these names
    Choice(&'static [&'static str]),
}

impl Domain {
    pub fn check(self, value: Hyper) -> Result<(), String> {
        let ok = match (self, value) {
            (Domain::Bool, Hyper::Bool(_)) => return Ok(()),
            (Domain::Bool, _) => return Err("expected true or false".into()),
            (Domain::Choice(options), Hyper::Choice(c)) => options.contains(&c),
            (Domain::Choice(_), _) => false,
            (_, Hyper::Bool(_) | Hyper::Choice(_)) => return Err("expected a number".into()),
            (_, Hyper::Float(x)) if !x.is_finite() => false,
            (Domain::Positive, Hyper::Float(x)) => x > 0.0,
            (Domain::NonNegative, Hyper::Float(x)) => x >= 0.0,
            (Domain::UnitHalfOpen, Hyper::Float(x)) => (0.0..1.0).contains(&x),
            (Domain::UnitClosed, Hyper::Float(x)) => (0.0..=1.0).contains(&x),
            (Domain::UnitOpen, Hyper::Float(x)) => x > 0.0 && x < 1.0,
            (Domain::AboveOne, Hyper::Float(x)) => x > 1.0,
            (Domain::Finite, Hyper::Float(_)) => true,
            // Whole numbers beyond 2⁵³ are not exact in a float: refuse them.
            (Domain::PositiveInteger, Hyper::Float(x)) => x >= 1.0 && x.fract() == 0.0 && x < 9.0e15,
            (Domain::NonNegativeInteger, Hyper::Float(x)) => x >= 0.0 && x.fract() == 0.0 && x < 9.0e15,
        };
        if ok { Ok(()) } else { Err(format!("must be {}", self.describe())) }
    }

    pub fn describe(self) -> String {
        match self {
            Domain::Positive => "a finite number > 0".into(),
            Domain::NonNegative => "a finite number >= 0".into(),
            Domain::UnitHalfOpen => "in [0, 1)".into(),
            Domain::UnitClosed => "in [0, 1]".into(),
            Domain::UnitOpen => "in (0, 1)".into(),
            Domain::AboveOne => "a finite number > 1".into(),
            Domain::Finite => "a finite number".into(),
            Domain::PositiveInteger => "a whole number >= 1".into(),
            Domain::NonNegativeInteger => "a whole number >= 0".into(),
            Domain::Bool => "true or false".into(),
            Domain::Choice(options) => {
                let quoted: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
                format!("one of {}", quoted.join(", "))
            }
        }
    }

    /// The option named `name`, as the `'static` name a [`Hyper::Choice`] holds.
    pub fn choice(self, name: &str) -> Result<Hyper, String> {
        match self {
            Domain::Choice(options) => options
                .iter()
                .find(|o| **o == name)
                .map(|o| Hyper::Choice(o))
                .ok_or_else(|| format!("must be {}, not \"{name}\"", self.describe())),
            _ => Err(format!("must be {}, not a string", self.describe())),
        }
    }
}

/// One hyperparameter of an algorithm: its name (PyTorch's), default and domain.
#[derive(Clone, Copy, Debug)]
pub struct HyperSpec {
    pub name: &'static str,
    pub default: Hyper,
    pub domain: Domain,
    pub help: &'static str,
}

/// Why a hyperparameter could not be set.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum HyperError {
    #[error("{kind} has no hyperparameter `{name}` (it has: {known})")]
    Unknown { kind: &'static str, name: String, known: String },
    #[error("`{name}` {reason}")]
    Invalid { name: String, reason: String },
}

/// A set of hyperparameters: generated by [`hyperparameters!`](crate::hyperparameters).
pub trait Hyperparameters: Clone + Default + Send + Sync + 'static {
    /// The hyperparameters, in PyTorch's order, with defaults and domains.
    fn specs() -> &'static [HyperSpec];
    /// The current value of a hyperparameter named in `specs`.
    fn get(&self, name: &str) -> Option<Hyper>;
    /// Set a hyperparameter named in `specs`; the value has passed its domain
    /// check (a value of another type is refused, never ignored).
    fn set_checked(&mut self, name: &str, value: Hyper) -> Result<(), HyperError>;

    /// Checks a domain, sets on a copy, runs `validate`, then commits.
    fn set(&mut self, kind: &'static str, name: &str, value: Hyper) -> Result<(), HyperError>
    where
        Self: Validate,
    {
        let spec = Self::specs().iter().find(|s| s.name == name).ok_or_else(|| HyperError::Unknown {
            kind,
            name: name.to_string(),
            known: Self::specs().iter().map(|s| s.name).collect::<Vec<_>>().join(", "),
        })?;
        spec.domain.check(value).map_err(|reason| HyperError::Invalid { name: name.to_string(), reason })?;
        let mut candidate = self.clone();
        candidate.set_checked(name, value)?;
        candidate.validate()?;
        *self = candidate;
        Ok(())
    }

    /// Several values checked together, as PyTorch checks a parameter group
    /// (`nesterov = true` with `momentum = 0.9` is fine in either order):
    /// every domain, then `validate` on the whole new configuration; either
    /// every value applies or none does.
    fn set_all(&mut self, kind: &'static str, values: &[(&str, Hyper)]) -> Result<(), HyperError>
    where
        Self: Validate,
    {
        let mut candidate = self.clone();
        for &(name, value) in values {
            let spec = Self::specs().iter().find(|s| s.name == name).ok_or_else(|| HyperError::Unknown {
                kind,
                name: name.to_string(),
                known: Self::specs().iter().map(|s| s.name).collect::<Vec<_>>().join(", "),
            })?;
            // Integers written where a float is expected are fine ("lr = 1").
            spec.domain.check(value).map_err(|reason| HyperError::Invalid { name: name.to_string(), reason })?;
            candidate.set_checked(name, value)?;
        }
        candidate.validate()?;
        *self = candidate;
        Ok(())
    }
}

/// Checks across hyperparameters (Nesterov needs momentum > 0, ...).
pub trait Validate {
    fn validate(&self) -> Result<(), HyperError> {
        Ok(())
    }
}

/// Conversions between a field and its [`Hyper`]; used by the macro.
#[doc(hidden)]
pub mod field {
    use super::{Hyper, HyperError};

    fn mismatch(name: &str, value: Hyper) -> HyperError {
        HyperError::Invalid { name: name.to_string(), reason: format!("cannot take the value {value}") }
    }

    pub const fn float_get(v: f64) -> Hyper {
        Hyper::Float(v)
    }
    pub fn float_set(name: &str, value: Hyper) -> Result<f64, HyperError> {
        value.as_f64().ok_or_else(|| mismatch(name, value))
    }
    pub const fn bool_get(v: bool) -> Hyper {
        Hyper::Bool(v)
    }
    pub fn bool_set(name: &str, value: Hyper) -> Result<bool, HyperError> {
        value.as_bool().ok_or_else(|| mismatch(name, value))
    }
    pub const fn int_get(v: usize) -> Hyper {
        Hyper::Float(v as f64)
    }
    pub fn int_set(name: &str, value: Hyper) -> Result<usize, HyperError> {
        // The domain check made it a whole number below 2⁵³.
        value.as_f64().map(|v| v as usize).ok_or_else(|| mismatch(name, value))
    }
    pub const fn choice_get(v: &'static str) -> Hyper {
        Hyper::Choice(v)
    }
    pub fn choice_set(name: &str, value: Hyper) -> Result<&'static str, HyperError> {
        value.as_choice().ok_or_else(|| mismatch(name, value))
    }
}

/// Declares an algorithm's hyperparameters, one line each:
/// `name: type = default, Domain, "help";` with type `float`, `bool`, `int`
/// or `choice`. Generates the struct (public fields), `Default`, and the
/// [`Hyperparameters`] impl (spec table, `get`, `set_checked`).
#[macro_export]
macro_rules! hyperparameters {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $field:ident : $ty:ident = $default:expr, $domain:expr, $help:expr; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name {
            $( #[doc = $help] pub $field: $crate::hyperparameters!(@type $ty), )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name { $( $field: $default, )* }
            }
        }

        impl $crate::optim::Hyperparameters for $name {
            fn specs() -> &'static [$crate::optim::HyperSpec] {
                #[allow(unused_imports)]
                use $crate::optim::Domain::*;
                static SPECS: &[$crate::optim::HyperSpec] = &[
                    $( $crate::optim::HyperSpec {
                        name: stringify!($field),
                        default: $crate::hyperparameters!(@hyper $ty, $default),
                        domain: $domain,
                        help: $help,
                    }, )*
                ];
                SPECS
            }

            fn get(&self, name: &str) -> Option<$crate::optim::Hyper> {
                match name {
                    $( stringify!($field) => Some($crate::hyperparameters!(@hyper $ty, self.$field)), )*
                    _ => None,
                }
            }

            fn set_checked(
                &mut self,
                name: &str,
                value: $crate::optim::Hyper,
            ) -> Result<(), $crate::optim::HyperError> {
                match name {
                    $( stringify!($field) => {
                        self.$field = $crate::hyperparameters!(@set $ty, name, value)?;
                        Ok(())
                    } )*
                    _ => Err($crate::optim::HyperError::Invalid {
                        name: name.to_string(),
                        reason: "is not a hyperparameter here".into(),
                    }),
                }
            }
        }
    };
    (@type float) => { f64 };
    (@type bool) => { bool };
    (@type int) => { usize };
    (@type choice) => { &'static str };
    (@hyper float, $v:expr) => { $crate::optim::hyper::field::float_get($v) };
    (@hyper bool, $v:expr) => { $crate::optim::hyper::field::bool_get($v) };
    (@hyper int, $v:expr) => { $crate::optim::hyper::field::int_get($v) };
    (@hyper choice, $v:expr) => { $crate::optim::hyper::field::choice_get($v) };
    (@set float, $n:expr, $v:expr) => { $crate::optim::hyper::field::float_set($n, $v) };
    (@set bool, $n:expr, $v:expr) => { $crate::optim::hyper::field::bool_set($n, $v) };
    (@set int, $n:expr, $v:expr) => { $crate::optim::hyper::field::int_set($n, $v) };
    (@set choice, $n:expr, $v:expr) => { $crate::optim::hyper::field::choice_set($n, $v) };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::hyperparameters! {
        /// A test set of every field type.
        pub struct Probe {
            lr: float = 1e-3, Positive, "learning rate";
            flag: bool = true, Bool, "a switch";
            count: int = 20, PositiveInteger, "a count";
            mode: choice = "none", Choice(&["none", "strong_wolfe"]), "a mode";
        }
    }
    impl Validate for Probe {}

    #[test]
    fn one_line_declares_default_spec_get_and_set() {
        let mut p = Probe::default();
        assert_eq!((p.lr, p.flag, p.count, p.mode), (1e-3, true, 20, "none"));
        let names: Vec<&str> = Probe::specs().iter().map(|s| s.name).collect();
        assert_eq!(names, ["lr", "flag", "count", "mode"]);
        assert_eq!(Probe::specs()[2].default, Hyper::Float(20.0));
        assert_eq!(Probe::specs()[0].help, "learning rate");
        for s in Probe::specs() {
            assert_eq!(p.get(s.name), Some(s.default), "{}", s.name);
        }
        p.set("probe", "count", Hyper::Float(7.0)).unwrap();
        p.set("probe", "mode", Hyper::Choice("strong_wolfe")).unwrap();
        assert_eq!((p.count, p.mode), (7, "strong_wolfe"));
        assert!(p.set("probe", "count", Hyper::Float(2.5)).is_err());
        assert!(p.set("probe", "count", Hyper::Float(0.0)).is_err());
        assert!(p.set("probe", "mode", Hyper::Choice("other")).is_err());
        assert!(p.set("probe", "lr", Hyper::Bool(true)).is_err());
        assert!(matches!(p.set("probe", "nope", Hyper::Float(1.0)), Err(HyperError::Unknown { .. })));
        // A mismatched type that slipped past a domain is an error, never ignored.
        assert!(p.set_checked("flag", Hyper::Float(1.0)).is_err());
        assert_eq!((p.count, p.mode, p.flag), (7, "strong_wolfe", true));
    }

    #[test]
    fn choices_parse_to_their_static_names() {
        let d = Domain::Choice(&["original", "match_rms_adamw"]);
        assert_eq!(d.choice("original"), Ok(Hyper::Choice("original")));
        assert_eq!(
            d.choice("rms").unwrap_err(),
            "must be one of \"original\", \"match_rms_adamw\", not \"rms\"".to_string()
        );
        assert!(d.check(Hyper::Float(1.0)).is_err());
    }
}
