//! A summary across scenarios (`optlab report DIR DIR ...`): for each
//! optimizer, the fraction of scenarios where it was the best or within a
//! factor of the best, as in the performance profiles of Dolan & Moré (2002).
//!
//! An optimizer is a kind (`adam`, `sgd`, ...); in each scenario it is judged
//! by its best row of the ranking (its best-tuned entry or sweep value). The
//! measure is the median final loss gap to the known minimum f* (the loss
//! itself when f* is unknown, as for models); gaps below 1e-12 × the median
//! starting gap count as solved and equal. A run that diverged (median +∞) is
//! never within any factor. ρ(τ) is the fraction of the scenarios an optimizer
//! was run on where its gap is at most τ times the best gap.

use super::charts::{self, Axis, Figure, LegendEntry, Line, Panel, Swatch, color};
use super::format::{percent, sig};
use super::ranking::Ranking;
use super::results::{ReportError, ResultSet, io_error};
use crate::optim::OptimizerKind;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// The factors the summary table reports (1 = the best).
pub const FACTORS: [f64; 4] = [1.0, 2.0, 10.0, 100.0];

/// One optimizer in one scenario.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Its best row's label.
    pub label: String,
    /// The median final loss gap of that row (+∞ when it diverged).
    pub gap: f64,
    /// gap / best gap of the scenario (+∞ when it diverged).
    pub ratio: f64,
    /// The gap is below the scenario's floor: solved.
    pub solved: bool,
}

/// One scenario's optimizers.
#[derive(Clone, Debug)]
pub struct ScenarioRow {
    pub name: String,
    pub dir: String,
    pub entries: BTreeMap<OptimizerKind, Entry>,
}

/// The profile over several result sets.
#[derive(Clone, Debug)]
pub struct Profile {
    pub scenarios: Vec<ScenarioRow>,
    pub kinds: Vec<OptimizerKind>,
}

impl Profile {
    pub fn new(sets: &[ResultSet]) -> Profile {
        let mut scenarios = Vec::new();
        let mut kinds: Vec<OptimizerKind> = Vec::new();
        for set in sets {
            let f_star = super::test_function(&set.scenario).and_then(|f| f.min_value()).unwrap_or(0.0);
            let ranking = Ranking::new(set);
            let floor = set.solved_gap(Some(f_star));
            let mut entries: BTreeMap<OptimizerKind, Entry> = BTreeMap::new();
            for g in &ranking.groups {
                let gap = if g.final_loss.median.is_finite() {
                    (g.final_loss.median - f_star).max(floor)
                } else {
                    f64::INFINITY
                };
                let better = entries.get(&g.kind).is_none_or(|e| gap < e.gap);
                if better {
                    let solved = gap <= floor;
                    entries.insert(g.kind, Entry { label: g.label.clone(), gap, ratio: f64::INFINITY, solved });
                }
            }
            let best = entries.values().map(|e| e.gap).fold(f64::INFINITY, f64::min);
            for e in entries.values_mut() {
                e.ratio = if e.gap.is_finite() && best.is_finite() { e.gap / best } else { f64::INFINITY };
            }
            for k in entries.keys() {
                if !kinds.contains(k) {
                    kinds.push(*k);
                }
            }
            scenarios.push(ScenarioRow {
                name: set.scenario.name.clone(),
                dir: set.dir.display().to_string(),
                entries,
            });
        }
        kinds.sort();
        Profile { scenarios, kinds }
    }

    /// The ratios of `kind` over the scenarios it was run on.
    pub fn ratios(&self, kind: OptimizerKind) -> Vec<f64> {
        self.scenarios.iter().filter_map(|s| s.entries.get(&kind).map(|e| e.ratio)).collect()
    }

    /// ρ(τ): the fraction of `kind`'s scenarios where its ratio is at most τ.
    pub fn rho(&self, kind: OptimizerKind, tau: f64) -> Option<f64> {
        let ratios = self.ratios(kind);
        super::stats::rate(ratios.iter().filter(|&&r| r <= tau * (1.0 + 1e-12)).count(), ratios.len())
    }

    pub fn figure(&self) -> Figure {
        let finite_max = self
            .scenarios
            .iter()
            .flat_map(|s| s.entries.values().map(|e| e.ratio))
            .filter(|r| r.is_finite())
            .fold(1.0f64, f64::max);
        let tau_max = (finite_max * 2.0).max(10.0);
        let mut lines = Vec::new();
        let mut legend = Vec::new();
        for (i, &kind) in self.kinds.iter().enumerate() {
            let mut ratios: Vec<f64> = self.ratios(kind).into_iter().filter(|r| r.is_finite()).collect();
            ratios.sort_by(f64::total_cmp);
            let n = self.ratios(kind).len().max(1) as f64;
            let at_one = ratios.iter().filter(|&&r| r <= 1.0 + 1e-12).count();
            let mut pts = vec![(1.0, at_one as f64 / n)];
            let mut count = at_one;
            for &r in ratios.iter().skip(at_one) {
                pts.push((r, count as f64 / n));
                count += 1;
                pts.push((r, count as f64 / n));
            }
            pts.push((tau_max, count as f64 / n));
            lines.push(Line::new(pts, color(i)));
            legend.push(LegendEntry { label: kind.display_name().to_string(), color: color(i), swatch: Swatch::Line });
        }
        let panel = Panel {
            title: None,
            x: Axis {
                label: "τ: within this factor of the best final loss gap (log scale)".into(),
                log: true,
                range: (1.0, tau_max),
            },
            y: Axis { label: "fraction of scenarios".into(), log: false, range: (0.0, 1.04) },
            lines,
            marks: Vec::new(),
        };
        Figure {
            title: format!("Performance profile over {} scenarios", self.scenarios.len()),
            panels: vec![panel],
            legend,
            panel_size: (820, 520),
        }
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# Summary across {} scenarios\n", self.scenarios.len());
        let _ = writeln!(
            out,
            "Each optimizer is judged in each scenario by its best configuration (its best row of that scenario's \
             ranking), on the median final loss gap to the known minimum f* (the final loss when f* is unknown). \
             Gaps below 10⁻¹² of the starting gap count as solved. A diverged configuration is never within a factor.\n"
        );
        let _ = writeln!(out, "## Performance profile\n");
        let mut header = vec!["optimizer".to_string(), "scenarios".to_string(), "best".to_string()];
        header.extend(FACTORS.iter().skip(1).map(|f| format!("within {}×", sig(*f, 3))));
        let _ = writeln!(out, "| {} |\n|---|---:|{}", header.join(" | "), "---:|".repeat(FACTORS.len()));
        let mut order = self.kinds.clone();
        // Most often best first; ties by the next factor, then by name.
        order.sort_by(|a, b| {
            let key = |k: &OptimizerKind| FACTORS.map(|f| -self.rho(*k, f).unwrap_or(0.0));
            super::stats::cmp_keys(&key(a), &key(b)).then(a.cmp(b))
        });
        for kind in order {
            let n = self.ratios(kind).len();
            let cells: Vec<String> = FACTORS
                .iter()
                .map(|&f| {
                    let r = self.rho(kind, f).unwrap_or(0.0);
                    format!("{} ({}/{n})", percent(r), (r * n as f64).round() as usize)
                })
                .collect();
            let _ = writeln!(out, "| {} | {n} | {} |", kind.display_name(), cells.join(" | "));
        }
        let _ = writeln!(
            out,
            "\n![Performance profile](profile.svg)\n\nThe fraction of scenarios where each optimizer's final loss gap \
             is within a factor τ of the best, against τ on a log axis: the higher and further left a curve, the \
             more reliably that optimizer is near the best.\n"
        );
        let _ = writeln!(out, "## Per scenario\n");
        let _ = writeln!(
            out,
            "Median final loss gap of each optimizer's best configuration (its label when it is not the plain \
             kind); the best in bold; \"solved\" is below 10⁻¹² of the starting gap.\n"
        );
        let names: Vec<&str> = self.kinds.iter().map(|k| k.display_name()).collect();
        let _ = writeln!(out, "| scenario | {} |\n|---|{}", names.join(" | "), "---|".repeat(names.len()));
        for s in &self.scenarios {
            let cells: Vec<String> = self
                .kinds
                .iter()
                .map(|k| match s.entries.get(k) {
                    None => "—".to_string(),
                    Some(e) => {
                        let v = if e.solved {
                            "solved".to_string()
                        } else if e.gap.is_finite() {
                            sig(e.gap, 3)
                        } else {
                            "diverged".into()
                        };
                        let v = if e.label != k.display_name() && e.label != k.name() {
                            format!("{v} ({})", e.label.replace('|', "\\|"))
                        } else {
                            v
                        };
                        if e.ratio <= 1.0 + 1e-12 { format!("**{v}**") } else { v }
                    }
                })
                .collect();
            let _ = writeln!(out, "| {} | {} |", s.name.replace('|', "\\|"), cells.join(" | "));
        }
        let _ = writeln!(
            out,
            "\nResult folders: {}.",
            self.scenarios.iter().map(|s| format!("`{}`", s.dir)).collect::<Vec<_>>().join(", ")
        );
        out
    }
}

/// Write summary.md and profile.svg for `sets` into `dir`.
pub fn write(dir: &Path, sets: &[ResultSet]) -> Result<(), ReportError> {
    let profile = Profile::new(sets);
    charts::write(&dir.join("profile.svg"), &profile.figure())?;
    let path = dir.join("summary.md");
    std::fs::write(&path, profile.markdown()).map_err(io_error(&path))
}
