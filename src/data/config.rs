//! What a scenario says about its dataset, and turning that into training and
//! validation data.

use super::csv_file::{load_csv, read_csv_header};
use super::split::{Standardizer, check_val_fraction, train_validation_split};
use super::{Builtin, DataError, Dataset, TargetKind, streams};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;

pub const DEFAULT_VAL_FRACTION: f64 = 0.2;

/// The `[objective.dataset]` table of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct DatasetConfig {
    pub source: DatasetSource,
    /// Fraction of samples held out for validation, in [0, 1); 0 trains on everything.
    pub val_fraction: f64,
    /// Standardise features with the training split's statistics.
    pub standardize: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DatasetSource {
    /// A synthetic or bundled dataset; `samples`, `noise`, `classes` and
    /// `features` apply to some synthetic ones only (see the catalog).
    Builtin {
        name: String,
        samples: Option<usize>,
        noise: Option<f64>,
        classes: Option<usize>,
        features: Option<usize>,
    },
    /// A CSV file with a header row. `path` is already resolved against the
    /// scenario's folder; `target` defaults to the last column, `features` to
    /// every other column.
    Csv { path: PathBuf, target: Option<String>, features: Option<Vec<String>> },
}

/// Training and validation data, standardised, ready for a model.
#[derive(Clone, Debug, PartialEq)]
pub struct PreparedData {
    pub train: Dataset,
    pub validation: Option<Dataset>,
    /// The statistics applied to both parts, when `standardize` is on.
    pub standardizer: Option<Standardizer>,
}

impl DatasetConfig {
    /// A configuration with the default split and standardisation.
    pub fn new(source: DatasetSource) -> DatasetConfig {
        DatasetConfig { source, val_fraction: DEFAULT_VAL_FRACTION, standardize: true }
    }

    /// A builtin dataset with its default settings.
    pub fn builtin(name: &str) -> DatasetConfig {
        DatasetConfig::new(DatasetSource::Builtin {
            name: name.to_string(),
            samples: None,
            noise: None,
            classes: None,
            features: None,
        })
    }

    /// A CSV file: target the last column, features every other one.
    pub fn csv(path: impl Into<PathBuf>) -> DatasetConfig {
        DatasetConfig::new(DatasetSource::Csv { path: path.into(), target: None, features: None })
    }

    /// Fills every setting left out with the value that will be used, so that
    /// the resolved scenario can be printed and reloaded. Settings that do not
    /// apply to the dataset stay `None`. For a CSV file this reads its header
    /// (target: the last column, features: the others); if the header cannot
    /// be read they stay `None` and loading reports the problem.
    pub fn resolve_defaults(&mut self) {
        match &mut self.source {
            DatasetSource::Builtin { name, samples, noise, classes, features } => {
                if let Some(Builtin::Synthetic(kind)) = Builtin::from_name(name) {
                    let d = kind.defaults();
                    samples.get_or_insert(d.samples);
                    noise.get_or_insert(d.noise);
                    if kind.accepts_classes()
                        && let Some(c) = d.classes
                    {
                        classes.get_or_insert(c);
                    }
                    if kind.accepts_features() {
                        features.get_or_insert(d.features);
                    }
                }
            }
            DatasetSource::Csv { path, target, features } => {
                let Ok(header) = read_csv_header(path) else { return };
                // One column: loading says so, rather than blaming `features`.
                if header.len() < 2 {
                    return;
                }
                let Some(t) = target.clone().or_else(|| header.last().cloned()) else { return };
                if features.is_none() {
                    *features = Some(header.iter().filter(|c| **c != t).cloned().collect());
                }
                *target = Some(t);
            }
        }
    }

    /// A short name: the builtin's name or the CSV file's name.
    pub fn name(&self) -> String {
        match &self.source {
            DatasetSource::Builtin { name, .. } => name.clone(),
            DatasetSource::Csv { path, .. } => {
                path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into_owned())
            }
        }
    }

    /// The whole dataset before the split; synthetic data come from `master_seed`.
    pub fn load(&self, target: TargetKind, master_seed: u64) -> Result<Dataset, DataError> {
        match &self.source {
            DatasetSource::Builtin { name, samples, noise, classes, features } => match Builtin::from_name(name) {
                Some(Builtin::Synthetic(kind)) => {
                    let params = kind.params(*samples, *noise, *classes, *features)?;
                    let mut rng = ChaCha8Rng::seed_from_u64(master_seed);
                    rng.set_stream(streams::DATA);
                    Ok(kind.generate(&params, &mut rng))
                }
                Some(Builtin::Real(d)) => {
                    let given = [
                        ("dataset.samples", samples.is_some()),
                        ("dataset.noise", noise.is_some()),
                        ("dataset.classes", classes.is_some()),
                        ("dataset.features", features.is_some()),
                    ];
                    if let Some((key, _)) = given.iter().find(|(_, set)| *set) {
                        return Err(DataError::config(
                            key,
                            format!("`{name}` is a real dataset; only synthetic datasets take this setting"),
                        ));
                    }
                    d.load()
                }
                None => Err(DataError::config(
                    "dataset.builtin",
                    format!("unknown dataset `{name}` (known: {})", Builtin::names()),
                )),
            },
            DatasetSource::Csv { path, target: column, features } => {
                load_csv(path, column.as_deref(), features.as_deref(), target)
            }
        }
    }

    /// Loads, splits (from `master_seed`) and standardises (with training
    /// statistics only).
    pub fn prepare(&self, target: TargetKind, master_seed: u64) -> Result<PreparedData, DataError> {
        check_val_fraction(self.val_fraction)?;
        let data = self.load(target, master_seed)?;
        let mut rng = ChaCha8Rng::seed_from_u64(master_seed);
        rng.set_stream(streams::SPLIT);
        let split = train_validation_split(&data, self.val_fraction, &mut rng)?;
        let (mut train, mut validation) = (split.train, split.validation);
        let standardizer = self.standardize.then(|| Standardizer::fit(&train.features));
        if let Some(s) = &standardizer {
            s.apply(&mut train.features);
            if let Some(v) = &mut validation {
                s.apply(&mut v.features);
            }
        }
        Ok(PreparedData { train, validation, standardizer })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn resolve_fills_what_applies_and_round_trips() {
        let mut c = DatasetConfig::builtin("moons");
        c.resolve_defaults();
        let DatasetSource::Builtin { samples, noise, classes, features, .. } = &c.source else { unreachable!() };
        assert_eq!((*samples, *noise, *classes, *features), (Some(500), Some(0.1), None, None));
        let mut b = DatasetConfig::builtin("blobs");
        b.resolve_defaults();
        let DatasetSource::Builtin { classes, features, .. } = &b.source else { unreachable!() };
        assert_eq!((*classes, *features), (Some(3), Some(2)));
        for name in ["moons", "blobs", "linear", "spirals", "iris"] {
            let mut c = DatasetConfig::builtin(name);
            let before = c.prepare(TargetKind::Auto, 7).unwrap();
            c.resolve_defaults();
            assert_eq!(c.prepare(TargetKind::Auto, 7).unwrap(), before, "{name}");
        }
    }

    #[test]
    fn resolve_reads_a_csv_header() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "a,b,label\n1,2,x\n3,4,y").unwrap();
        let mut c = DatasetConfig::csv(f.path());
        c.resolve_defaults();
        let DatasetSource::Csv { target, features, .. } = &c.source else { unreachable!() };
        assert_eq!(target.as_deref(), Some("label"));
        assert_eq!(features.clone(), Some(vec!["a".to_string(), "b".to_string()]));
        let mut missing = DatasetConfig::csv("/no/such.csv");
        missing.resolve_defaults();
        assert_eq!(missing, DatasetConfig::csv("/no/such.csv"));
    }

    #[test]
    fn real_datasets_reject_synthetic_settings() {
        let mut c = DatasetConfig::builtin("iris");
        if let DatasetSource::Builtin { noise, .. } = &mut c.source {
            *noise = Some(0.1);
        }
        let e = c.prepare(TargetKind::Classes, 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`dataset.noise`: `iris` is a real dataset; only synthetic datasets take this setting"
        );
        let e = DatasetConfig::builtin("mnist").prepare(TargetKind::Classes, 0).unwrap_err();
        assert_eq!(e.key(), Some("dataset.builtin"));
        assert!(e.to_string().contains("known: moons, circles, blobs, spirals, xor, linear, iris"), "{e}");
    }

    #[test]
    fn master_seed_fixes_data_and_split() {
        let c = DatasetConfig::builtin("moons");
        let a = c.prepare(TargetKind::Classes, 3).unwrap();
        assert_eq!(a, c.prepare(TargetKind::Classes, 3).unwrap());
        assert_ne!(a.train.features, c.prepare(TargetKind::Classes, 4).unwrap().train.features);
        let iris = DatasetConfig::builtin("iris");
        let (x, y) = (iris.prepare(TargetKind::Classes, 1).unwrap(), iris.prepare(TargetKind::Classes, 2).unwrap());
        assert_eq!(x.train.len(), 120);
        assert_ne!(x.validation, y.validation);
    }

    #[test]
    fn validation_is_standardised_with_training_statistics() {
        let c = DatasetConfig::builtin("winequality");
        let p = c.prepare(TargetKind::Classes, 0).unwrap();
        let s = p.standardizer.clone().unwrap();
        let raw = c.load(TargetKind::Classes, 0).unwrap();
        let v = p.validation.unwrap();
        // Training columns are exactly centred; validation ones only nearly.
        for j in 0..p.train.n_features() {
            assert!(p.train.features.column(j).mean().unwrap().abs() < 1e-12);
        }
        // Find a validation row in the raw data and undo the scaling.
        let row = v.features.row(0).to_owned() * &s.scale + &s.mean;
        let found = raw.features.rows().into_iter().any(|r| r.iter().zip(&row).all(|(a, b)| (a - b).abs() < 1e-9));
        assert!(found);
        let unscaled = DatasetConfig { standardize: false, ..c }.prepare(TargetKind::Classes, 0).unwrap();
        assert!(unscaled.standardizer.is_none());
        assert_eq!(unscaled.train.len(), p.train.len());
    }
}
