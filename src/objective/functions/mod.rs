//! Analytic test functions with exact gradients and known minima.
//!
//! Each function has its own module whose `//!` comment gives the formula, the
//! minima and the source; this module holds the trait and the catalog.

mod ackley;
mod beale;
mod booth;
mod goldstein_price;
mod himmelblau;
mod matyas;
mod quadratic;
mod rastrigin;
mod rosenbrock;
mod rotated_quadratic;
mod saddle;
mod six_hump_camel;
mod styblinski_tang;
mod three_hump_camel;

pub use ackley::Ackley;
pub use beale::Beale;
pub use booth::Booth;
pub use goldstein_price::GoldsteinPrice;
pub use himmelblau::Himmelblau;
pub use matyas::Matyas;
pub use quadratic::Quadratic;
pub use rastrigin::Rastrigin;
pub use rosenbrock::Rosenbrock;
pub use rotated_quadratic::RotatedQuadratic;
pub use saddle::Saddle;
pub use six_hump_camel::SixHumpCamel;
pub use styblinski_tang::StyblinskiTang;
pub use three_hump_camel::ThreeHumpCamel;

use super::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1};
use std::fmt;

/// Declares the analytic functions, one line each:
/// `Variant = "name", nd: N-D?, min_dim: smallest dim, coeffs: takes coeffs?, "summary", constructor;`
/// where the constructor is a `fn(usize, &FunctionParams) -> Result<Box<dyn TestFunction>, FunctionError>`
/// given the dimension (checked against `nd` and `min_dim`) and the parameters.
macro_rules! function_kinds {
    ( $( $variant:ident = $name:expr, nd: $nd:expr, min_dim: $min_dim:expr, coeffs: $coeffs:expr,
         $summary:expr, $build:expr; )*
      @typed $typed:ident = $typed_name:expr, $typed_summary:expr; ) => {
        /// The analytic objectives of the contract (section 2.2) and a few more.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum FunctionKind {
            $( $variant, )*
            /// A typed objective (`kind = "expr"`): not in [`FunctionKind::ALL`], built
            /// from its expression by [`crate::objective::expr::ExprFunction`].
            $typed,
        }

        impl FunctionKind {
            /// The contract's functions first, then the extras.
            pub const ALL: &'static [FunctionKind] = &[$( FunctionKind::$variant ),*];

            pub fn name(self) -> &'static str {
                match self {
                    $( FunctionKind::$variant => $name, )*
                    FunctionKind::$typed => $typed_name,
                }
            }

            /// One line for `optlab list objectives`.
            pub fn summary(self) -> &'static str {
                match self {
                    $( FunctionKind::$variant => $summary, )*
                    FunctionKind::$typed => $typed_summary,
                }
            }

            pub fn is_nd(self) -> bool {
                match self {
                    $( FunctionKind::$variant => $nd, )*
                    FunctionKind::$typed => false,
                }
            }

            /// Whether the function takes `coeffs`.
            pub fn takes_coeffs(self) -> bool {
                match self {
                    $( FunctionKind::$variant => $coeffs, )*
                    FunctionKind::$typed => false,
                }
            }

            /// The smallest `dim` an N-D function accepts.
            fn min_dim(self) -> usize {
                match self {
                    $( FunctionKind::$variant => $min_dim, )*
                    FunctionKind::$typed => 1,
                }
            }

            fn construct(self, dim: usize, params: &FunctionParams) -> Result<Box<dyn TestFunction>, FunctionError> {
                match self {
                    $( FunctionKind::$variant => ($build)(dim, params), )*
                    FunctionKind::$typed => Err(FunctionError {
                        key: "f",
                        message: "a typed objective is built from its `f`".into(),
                    }),
                }
            }
        }
    };
}

type Built = Result<Box<dyn TestFunction>, FunctionError>;

function_kinds! {
    Rosenbrock = "rosenbrock", nd: true, min_dim: 2, coeffs: false,
        "curved narrow valley, minimum 0 at (1, ..., 1); N-D with `dim`",
        |dim, _: &FunctionParams| -> Built { Ok(Box::new(Rosenbrock::new(dim))) };
    Beale = "beale", nd: false, min_dim: 2, coeffs: false,
        "flat basin between steep ridges, minimum 0 at (3, 0.5)",
        |_, _: &FunctionParams| -> Built { Ok(Box::new(Beale)) };
    Himmelblau = "himmelblau", nd: false, min_dim: 2, coeffs: false,
        "four minima of value 0; which one a method finds depends on its path",
        |_, _: &FunctionParams| -> Built { Ok(Box::new(Himmelblau)) };
    Booth = "booth", nd: false, min_dim: 2, coeffs: false,
        "easy bowl turned 45 degrees (condition 9), minimum 0 at (1, 3)",
        |_, _: &FunctionParams| -> Built { Ok(Box::new(Booth)) };
    Rastrigin = "rastrigin", nd: true, min_dim: 1, coeffs: false,
        "bowl covered in ripples, local minima everywhere, minimum 0 at 0; N-D with `dim`",
        |dim, _: &FunctionParams| -> Built { Ok(Box::new(Rastrigin::new(dim))) };
    Ackley = "ackley", nd: false, min_dim: 2, coeffs: false,
        "flat rippled plateau around a narrow funnel, minimum 0 at (0, 0)",
        |_, _: &FunctionParams| -> Built { Ok(Box::new(Ackley)) };
    Quadratic = "quadratic", nd: true, min_dim: 1, coeffs: true,
        "axis-aligned bowl 1/2 sum c_i x_i^2, `coeffs` set the curvatures (default [1, 10]); N-D",
        |_, p: &FunctionParams| -> Built { Ok(Box::new(Quadratic::from_params(p.dim, p.coeffs.as_deref())?)) };
    Saddle = "saddle", nd: false, min_dim: 2, coeffs: false,
        "x^2 + y^4/4 - y^2/2: start next to a saddle, minima -1/4 at (0, +-1)",
        |_, _: &FunctionParams| -> Built { Ok(Box::new(Saddle)) };
    RotatedQuadratic = "rotated_quadratic", nd: false, min_dim: 2, coeffs: true,
        "the 2-D quadratic turned 45 degrees: per-coordinate step sizes lose their edge",
        |_, p: &FunctionParams| -> Built {
            Ok(match p.coeffs.as_deref() {
                Some(coeffs) => Box::new(RotatedQuadratic::new(coeffs)?),
                None => Box::new(RotatedQuadratic::default()),
            })
        };
    Matyas = "matyas", nd: false, min_dim: 2, coeffs: false,
        "flat diagonal valley (condition 25), minimum 0 at (0, 0)",
        |_, _: &FunctionParams| -> Built { Ok(Box::new(Matyas)) };
    ThreeHumpCamel = "three_hump_camel", nd: false, min_dim: 2, coeffs: false,
        "a shallow local-minimum trap next to the minimum 0 at (0, 0)",
        |_, _: &FunctionParams| -> Built { Ok(Box::new(ThreeHumpCamel)) };
    SixHumpCamel = "six_hump_camel", nd: false, min_dim: 2, coeffs: false,
        "two global minima -1.0316 at +-(0.0898, -0.7127), four local ones",
        |_, _: &FunctionParams| -> Built { Ok(Box::new(SixHumpCamel)) };
    StyblinskiTang = "styblinski_tang", nd: true, min_dim: 1, coeffs: false,
        "lopsided double well per coordinate, minimum -39.166 n at (-2.9035, ...); N-D with `dim`",
        |dim, _: &FunctionParams| -> Built { Ok(Box::new(StyblinskiTang::new(dim))) };
    GoldsteinPrice = "goldstein_price", nd: false, min_dim: 2, coeffs: false,
        "values from 3 to 1e6: a lesson in scale, minimum 3 at (0, -1)",
        |_, _: &FunctionParams| -> Built { Ok(Box::new(GoldsteinPrice)) };
    @typed Expr = "expr",
        "your own function: f = \"(1 - x)^2 + 100*(y - x^2)^2\", vars = [\"x\", \"y\"]";
}

impl FunctionKind {
    pub fn from_name(name: &str) -> Option<FunctionKind> {
        FunctionKind::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// The dimension when `dim` is not given: 2 for every function (`quadratic`
    /// given `coeffs` takes their number instead).
    pub fn default_dim(self) -> usize {
        2
    }

    /// Build the function; errors name the offending key.
    pub fn build(self, params: &FunctionParams) -> Result<Box<dyn TestFunction>, FunctionError> {
        let name = self.name();
        if params.coeffs.is_some() && !self.takes_coeffs() {
            return Err(FunctionError {
                key: "coeffs",
                message: format!("{name} takes no coefficients (only quadratic and rotated_quadratic do)"),
            });
        }
        if let Some(dim) = params.dim {
            if !self.is_nd() && dim != self.default_dim() {
                return Err(FunctionError { key: "dim", message: format!("{name} is 2-D only") });
            }
            if dim < self.min_dim() {
                return Err(FunctionError { key: "dim", message: format!("{name} needs dim >= {}", self.min_dim()) });
            }
        }
        let dim = params.dim.unwrap_or(self.default_dim());
        self.construct(dim, params)
    }
}

impl fmt::Display for FunctionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The keys of `[objective]` that shape an analytic function.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FunctionParams {
    /// Dimension of N-D functions.
    pub dim: Option<usize>,
    /// Curvatures of `quadratic` and `rotated_quadratic`.
    pub coeffs: Option<Vec<f64>>,
}

/// A bad key for a function.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("`{key}`: {message}")]
pub struct FunctionError {
    pub key: &'static str,
    pub message: String,
}

/// An analytic function of `dim` variables.
pub trait TestFunction: Send + Sync {
    fn kind(&self) -> FunctionKind;
    /// How charts and the lab title the landscape (the kind's name; a typed
    /// objective shows its formula).
    fn title(&self) -> String {
        self.kind().name().to_string()
    }
    fn dim(&self) -> usize;
    fn value(&self, x: ArrayView1<f64>) -> f64;
    /// The gradient at `x`, written into `grad`; returns the value.
    fn value_and_gradient(&self, x: ArrayView1<f64>, grad: ArrayViewMut1<f64>) -> f64;
    /// The known global minima (all of them where there are a few).
    fn minima(&self) -> Vec<Array1<f64>>;
    /// The global minimum value.
    fn min_value(&self) -> Option<f64>;
    /// A start point that shows the function's character.
    fn default_start(&self) -> Array1<f64>;
    /// Where to draw the landscape (first two coordinates).
    fn window(&self) -> Window;
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use proptest::prelude::*;

    /// Every kind with its default parameters.
    fn defaults() -> Vec<Box<dyn TestFunction>> {
        FunctionKind::ALL.iter().map(|k| k.build(&FunctionParams::default()).unwrap()).collect()
    }

    /// Every kind at default parameters, and the N-D ones also in `dims`.
    fn instances(dims: &[usize]) -> Vec<Box<dyn TestFunction>> {
        let mut all = defaults();
        for &kind in FunctionKind::ALL.iter().filter(|k| k.is_nd()) {
            for &dim in dims.iter().filter(|&&d| d >= kind.min_dim()) {
                all.push(kind.build(&FunctionParams { dim: Some(dim), coeffs: None }).unwrap());
            }
        }
        all
    }

    fn inside(w: &Window, x: ArrayView1<f64>) -> bool {
        let within = |v: f64, (lo, hi): (f64, f64)| lo <= v && v <= hi;
        within(x[0], w.x) && (x.len() < 2 || within(x[1], w.y))
    }

    /// The point whose coordinates are at fractions `u` (in [0, 1]) of the window;
    /// coordinates past the second alternate between the x and y ranges.
    fn point_in(w: &Window, u: &[f64], dim: usize) -> Array1<f64> {
        Array1::from_shape_fn(dim, |i| {
            let (lo, hi) = if i % 2 == 0 { w.x } else { w.y };
            lo + (hi - lo) * u[i % u.len()]
        })
    }

    /// Compare the analytic gradient at `x` with central differences. The step is
    /// relative to |xᵢ|; the tolerance is relative to the gradient's size, plus the
    /// rounding error of differencing values of size |f| (≈ ε|f|/h).
    fn check_gradient(f: &dyn TestFunction, x: &Array1<f64>) -> Result<(), String> {
        let n = f.dim();
        let mut grad = Array1::from_elem(n, f64::NAN);
        let value = f.value_and_gradient(x.view(), grad.view_mut());
        let direct = f.value(x.view());
        if (value - direct).abs() > 1e-12 * (1.0 + direct.abs()) {
            return Err(format!("{}: value_and_gradient gives {value}, value gives {direct} at {x}", f.kind()));
        }
        let scale = grad.iter().fold(1.0f64, |m, g| m.max(g.abs()));
        let mut xp = x.clone();
        for i in 0..n {
            let h = 1e-6 * x[i].abs().max(1.0);
            xp[i] = x[i] + h;
            let up = f.value(xp.view());
            xp[i] = x[i] - h;
            let down = f.value(xp.view());
            xp[i] = x[i];
            let numeric = (up - down) / (2.0 * h);
            let tol = 1e-6 * scale + 1e-13 * value.abs().max(1.0) / h;
            let miss = (numeric - grad[i]).abs();
            // NaN anywhere fails too.
            if miss.is_nan() || miss > tol {
                return Err(format!(
                    "{} (dim {n}): ∂f/∂x{i} = {} but differences give {numeric} at {x} (tolerance {tol:e})",
                    f.kind(),
                    grad[i]
                ));
            }
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn gradients_match_finite_differences(u in prop::collection::vec(0.0..=1.0f64, 6)) {
            for f in instances(&[1, 3, 6]) {
                let x = point_in(&f.window(), &u, f.dim());
                if let Err(e) = check_gradient(f.as_ref(), &x) {
                    prop_assert!(false, "{}", e);
                }
            }
        }

        #[test]
        fn quadratic_gradients_match_finite_differences(
            coeffs in prop::collection::vec(1e-3..1e3f64, 1..6),
            u in prop::collection::vec(0.0..=1.0f64, 6),
        ) {
            let params = FunctionParams { dim: None, coeffs: Some(coeffs.clone()) };
            let f = FunctionKind::Quadratic.build(&params).unwrap();
            prop_assert_eq!(f.dim(), coeffs.len());
            let x = point_in(&f.window(), &u, f.dim());
            if let Err(e) = check_gradient(f.as_ref(), &x) {
                prop_assert!(false, "{}", e);
            }
            let pair = FunctionParams { dim: None, coeffs: Some(vec![coeffs[0], coeffs[coeffs.len() - 1]]) };
            let f = FunctionKind::RotatedQuadratic.build(&pair).unwrap();
            let x = point_in(&f.window(), &u, 2);
            if let Err(e) = check_gradient(f.as_ref(), &x) {
                prop_assert!(false, "{}", e);
            }
        }
    }

    /// A function whose gradient is off by a small relative amount in its largest component.
    struct Skewed {
        inner: Box<dyn TestFunction>,
        error: f64,
    }

    impl TestFunction for Skewed {
        fn kind(&self) -> FunctionKind {
            self.inner.kind()
        }
        fn dim(&self) -> usize {
            self.inner.dim()
        }
        fn value(&self, x: ArrayView1<f64>) -> f64 {
            self.inner.value(x)
        }
        fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
            let f = self.inner.value_and_gradient(x, grad.view_mut());
            let largest = (0..grad.len()).max_by(|&i, &j| grad[i].abs().total_cmp(&grad[j].abs())).unwrap();
            grad[largest] *= 1.0 + self.error;
            f
        }
        fn minima(&self) -> Vec<Array1<f64>> {
            self.inner.minima()
        }
        fn min_value(&self) -> Option<f64> {
            self.inner.min_value()
        }
        fn default_start(&self) -> Array1<f64> {
            self.inner.default_start()
        }
        fn window(&self) -> Window {
            self.inner.window()
        }
    }

    #[test]
    fn the_gradient_check_catches_a_relative_error_of_1e_4() {
        for f in instances(&[3]) {
            let start = f.default_start();
            check_gradient(f.as_ref(), &start).unwrap();
            let kind = f.kind();
            let skewed = Skewed { inner: f, error: 1e-4 };
            assert!(check_gradient(&skewed, &start).is_err(), "{kind}: a 1e-4 error went unnoticed");
        }
    }

    #[test]
    fn minima_have_the_min_value_and_zero_gradient() {
        for f in instances(&[1, 3, 6]) {
            let kind = f.kind();
            let min = f.min_value().unwrap();
            let minima = f.minima();
            assert!(!minima.is_empty(), "{kind}: no minima");
            let mut g = Array1::zeros(f.dim());
            for m in &minima {
                assert_eq!(m.len(), f.dim(), "{kind}");
                let value = f.value_and_gradient(m.view(), g.view_mut());
                assert!((value - min).abs() <= 1e-12 * min.abs().max(1.0), "{kind}: f({m}) = {value}, not {min}");
                let norm = g.dot(&g).sqrt();
                assert!(norm <= 1e-10, "{kind} (dim {}): |∇f({m})| = {norm:e}", f.dim());
                assert!(inside(&f.window(), m.view()), "{kind}: minimum {m} outside the window");
                // A minimum, not a saddle: nothing lower a small step away in any direction.
                for i in 0..f.dim() {
                    for step in [-1e-3, 1e-3] {
                        let mut p = m.clone();
                        p[i] += step;
                        assert!(f.value(p.view()) > min, "{kind}: lower than {min} next to {m}");
                    }
                }
            }
            for (i, a) in minima.iter().enumerate() {
                for b in &minima[i + 1..] {
                    assert!((a - b).iter().any(|d| d.abs() > 1e-3), "{kind}: {a} listed twice");
                }
            }
        }
    }

    #[test]
    fn nothing_in_the_window_is_below_the_min_value() {
        // A 201 × 201 grid over each default (2-D) function's window.
        for f in defaults() {
            let (w, min) = (f.window(), f.min_value().unwrap());
            let mut lowest = f64::INFINITY;
            for i in 0..=200 {
                for j in 0..=200 {
                    let x = point_in(&w, &[i as f64 / 200.0, j as f64 / 200.0], 2);
                    lowest = lowest.min(f.value(x.view()));
                }
            }
            assert!(lowest >= min - 1e-12 * min.abs().max(1.0), "{}: {lowest} < {min}", f.kind());
        }
    }

    #[test]
    fn default_start_lies_inside_the_window_and_is_not_a_minimum() {
        for f in instances(&[1, 3, 6]) {
            let kind = f.kind();
            let start = f.default_start();
            assert_eq!(start.len(), f.dim(), "{kind}");
            let w = f.window();
            assert!(w.x.0 < w.x.1 && w.y.0 < w.y.1, "{kind}: empty window");
            assert!(inside(&w, start.view()), "{kind}: start {start} outside the window");
            let mut g = Array1::zeros(f.dim());
            f.value_and_gradient(start.view(), g.view_mut());
            assert!(g.iter().any(|v| v.abs() > 1e-6), "{kind}: stationary start {start}");
            assert!(f.value(start.view()) > f.min_value().unwrap() + 1e-3, "{kind}: start already optimal");
        }
    }

    #[test]
    fn names_round_trip_and_builds_match_their_kind() {
        for &kind in FunctionKind::ALL {
            assert_eq!(FunctionKind::from_name(kind.name()), Some(kind));
            assert_eq!(kind.to_string(), kind.name());
            assert!(!kind.summary().is_empty());
            let f = kind.build(&FunctionParams::default()).unwrap();
            assert_eq!(f.kind(), kind);
            assert_eq!(f.dim(), kind.default_dim());
        }
        let mut names: Vec<&str> = FunctionKind::ALL.iter().map(|k| k.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), FunctionKind::ALL.len());
        assert_eq!(FunctionKind::from_name("Rosenbrock"), None);
        assert_eq!(FunctionKind::from_name("sphere"), None);
    }

    #[test]
    fn contract_functions_are_all_there() {
        for name in ["rosenbrock", "beale", "himmelblau", "booth", "rastrigin", "ackley", "quadratic", "saddle"] {
            assert!(FunctionKind::from_name(name).is_some(), "{name}");
        }
        for name in ["rosenbrock", "rastrigin", "quadratic"] {
            assert!(FunctionKind::from_name(name).unwrap().is_nd(), "{name}");
        }
    }

    #[test]
    fn n_d_functions_take_dim() {
        for &kind in FunctionKind::ALL.iter().filter(|k| k.is_nd()) {
            let f = kind.build(&FunctionParams { dim: Some(5), coeffs: None }).unwrap();
            assert_eq!(f.dim(), 5, "{kind}");
            assert_eq!(f.default_start().len(), 5, "{kind}");
            assert!(f.minima().iter().all(|m| m.len() == 5), "{kind}");
        }
        // The minimum value of Styblinski–Tang grows with the dimension.
        let st = FunctionKind::StyblinskiTang.build(&FunctionParams { dim: Some(5), coeffs: None }).unwrap();
        assert!((st.min_value().unwrap() + 5.0 * 39.16616570377142).abs() < 1e-9);
    }

    fn error(kind: FunctionKind, dim: Option<usize>, coeffs: Option<Vec<f64>>) -> FunctionError {
        match kind.build(&FunctionParams { dim, coeffs }) {
            Ok(f) => panic!("{kind} accepted bad params and built a {}-D function", f.dim()),
            Err(e) => e,
        }
    }

    #[test]
    fn build_rejects_dim_for_2d_only_functions() {
        for &kind in FunctionKind::ALL.iter().filter(|k| !k.is_nd()) {
            for dim in [0, 1, 3, 10] {
                let e = error(kind, Some(dim), None);
                assert_eq!(e.key, "dim", "{kind}");
                assert_eq!(e.to_string(), format!("`dim`: {} is 2-D only", kind.name()));
            }
            // Saying dim = 2 is redundant but true.
            assert_eq!(kind.build(&FunctionParams { dim: Some(2), coeffs: None }).unwrap().dim(), 2);
        }
    }

    #[test]
    fn build_rejects_too_small_dims() {
        for &kind in FunctionKind::ALL.iter().filter(|k| k.is_nd()) {
            assert_eq!(error(kind, Some(0), None).key, "dim", "{kind}");
        }
        assert_eq!(error(FunctionKind::Rosenbrock, Some(1), None).to_string(), "`dim`: rosenbrock needs dim >= 2");
        assert_eq!(FunctionKind::Rastrigin.build(&FunctionParams { dim: Some(1), coeffs: None }).unwrap().dim(), 1);
    }

    #[test]
    fn build_rejects_bad_coeffs() {
        for kind in [FunctionKind::Quadratic, FunctionKind::RotatedQuadratic] {
            for bad in [vec![], vec![1.0, 0.0], vec![-1.0, 2.0], vec![1.0, f64::NAN], vec![f64::INFINITY, 1.0]] {
                assert_eq!(error(kind, None, Some(bad.clone())).key, "coeffs", "{kind} {bad:?}");
            }
        }
        assert_eq!(error(FunctionKind::Quadratic, None, Some(vec![])).to_string(), "`coeffs`: must not be empty");
        assert_eq!(error(FunctionKind::RotatedQuadratic, None, Some(vec![1.0, 2.0, 3.0])).key, "coeffs");
        for &kind in FunctionKind::ALL.iter().filter(|k| !k.takes_coeffs()) {
            let e = error(kind, None, Some(vec![1.0, 2.0]));
            assert_eq!(e.key, "coeffs", "{kind}");
        }
    }

    #[test]
    fn quadratic_dim_and_coeffs_must_agree() {
        let e = error(FunctionKind::Quadratic, Some(3), Some(vec![1.0, 2.0]));
        assert_eq!(e.to_string(), "`dim`: 3 does not match the 2 entries of `coeffs`");
        let agreed = FunctionParams { dim: Some(3), coeffs: Some(vec![1.0, 2.0, 4.0]) };
        let f = FunctionKind::Quadratic.build(&agreed).unwrap();
        assert_eq!(f.dim(), 3);
        // f = ½ Σ cᵢ xᵢ² at (1, 1, 1).
        assert_eq!(f.value(array![1.0, 1.0, 1.0].view()), 3.5);
        // coeffs alone set the dimension; dim alone picks the default curvatures.
        let f = FunctionKind::Quadratic.build(&FunctionParams { dim: None, coeffs: Some(vec![2.0; 4]) }).unwrap();
        assert_eq!(f.dim(), 4);
        let f = FunctionKind::Quadratic.build(&FunctionParams { dim: Some(3), coeffs: None }).unwrap();
        assert_eq!(f.dim(), 3);
    }
}
