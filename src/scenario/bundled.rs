//! The scenarios shipped in the binary (the files in `scenarios/`).

/// A bundled scenario: its name (the file stem) and text.
#[derive(Clone, Copy, Debug)]
pub struct Bundled {
    pub name: &'static str,
    pub text: &'static str,
}

/// What `optlab` opens with no arguments.
pub const DEFAULT_SCENARIO: &str = "rosenbrock";

macro_rules! bundled {
    ($($name:literal),* $(,)?) => {
        &[$(Bundled { name: $name, text: include_str!(concat!("../../scenarios/", $name, ".toml")) }),*]
    };
}

/// Every bundled scenario, in the order `optlab list scenarios` shows them.
pub const BUNDLED: &[Bundled] = bundled![
    "rosenbrock",
    "ill_conditioned",
    "rotated_quadratic",
    "saddle",
    "beale_lr_sweep",
    "noisy_quadratic",
    "schedules",
    "rastrigin",
    "himmelblau",
    "softmax_classic",
    "logistic_breast_cancer",
    "mlp_spirals",
    "batch_sizes",
    "overfitting",
    "schedule_free",
    "prodigy",
    "fair_comparison",
];

pub fn find_bundled(name: &str) -> Option<&'static Bundled> {
    BUNDLED.iter().find(|b| b.name == name)
}
