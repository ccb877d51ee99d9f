//! Small result folders written by hand, for tests of the report.

use std::fmt::Write;
use std::path::Path;

/// One run of a fixture: its summary figures and its losses at steps 0, 1, ...
pub struct FixtureRun {
    pub label: &'static str,
    pub seed: u64,
    pub final_loss: f64,
    pub best_loss: f64,
    pub steps_to_target: Option<u64>,
    pub diverged_at: Option<u64>,
    pub val_accuracy: Option<f64>,
    pub val_loss: Option<f64>,
    /// Still going when the folder was written (an export from the lab).
    pub running: bool,
    pub losses: Vec<f64>,
}

impl FixtureRun {
    pub fn new(label: &'static str, seed: u64, final_loss: f64) -> FixtureRun {
        FixtureRun {
            label,
            seed,
            final_loss,
            best_loss: final_loss,
            steps_to_target: None,
            diverged_at: None,
            val_accuracy: None,
            val_loss: None,
            running: false,
            losses: vec![10.0, final_loss],
        }
    }

    pub fn target(mut self, step: u64) -> FixtureRun {
        self.steps_to_target = Some(step);
        self
    }

    pub fn running(mut self) -> FixtureRun {
        self.running = true;
        self
    }

    pub fn validation(mut self, loss: f64, accuracy: f64) -> FixtureRun {
        self.val_loss = Some(loss);
        self.val_accuracy = Some(accuracy);
        self
    }

    pub fn diverged(mut self, step: u64) -> FixtureRun {
        self.diverged_at = Some(step);
        self.best_loss = 10.0;
        self.losses = (0..=step).map(|k| if k == step { self.final_loss } else { 10.0 }).collect();
        self
    }
}

/// Write scenario.toml, summary.csv and steps.csv for `runs` (all of kind sgd) into `dir`.
pub fn write_folder(dir: &Path, scenario: &str, runs: &[FixtureRun]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("scenario.toml"), scenario).unwrap();
    let mut summary = String::from(
        "run,optimizer,seed,status,steps,final_loss,best_loss,best_step,steps_to_target,final_grad_norm,\
         final_val_loss,final_val_accuracy,diverged_at,wall_ms\n",
    );
    let mut steps =
        String::from("run,optimizer,seed,step,epoch,lr,loss,batch_loss,grad_norm,val_loss,val_accuracy,wall_ms\n");
    let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    for r in runs {
        let status = if r.running {
            "running"
        } else if r.diverged_at.is_some() {
            "diverged"
        } else if r.steps_to_target.is_some() {
            "reached_target"
        } else {
            "completed"
        };
        let n = r.losses.len() as u64 - 1;
        let _ = writeln!(
            summary,
            "{},sgd,{},{status},{n},{},{},0,{},,{},{},{},1.5",
            r.label,
            r.seed,
            r.final_loss,
            r.best_loss,
            r.steps_to_target.map(|s| s.to_string()).unwrap_or_default(),
            opt(r.val_loss.or(r.val_accuracy.map(|_| 0.5))),
            opt(r.val_accuracy),
            r.diverged_at.map(|s| s.to_string()).unwrap_or_default(),
        );
        for (k, loss) in r.losses.iter().enumerate() {
            let _ = writeln!(
                steps,
                "{},sgd,{},{k},,{},{loss},,,{},{},0.1",
                r.label,
                r.seed,
                if k == 0 { String::new() } else { "0.01".into() },
                opt(r.val_accuracy.map(|_| 0.5 + 0.1 * k as f64)),
                opt(r.val_accuracy.map(|a| a * k as f64 / n as f64)),
            );
        }
    }
    std::fs::write(dir.join("summary.csv"), summary).unwrap();
    std::fs::write(dir.join("steps.csv"), steps).unwrap();
}
