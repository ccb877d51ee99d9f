//! The `optlab` command: parse the command line, call the library.

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use optlab::report::animate::{self, AnimateOptions};
use optlab::report::lr_find::{self, LrFindOptions};
use optlab::report::tensorboard;
use optlab::report::{
    OutputError, ReportError, ResultSet, RunOptions, rebuild_in_place, rewrite_report, run_to_folder, slug,
    write_folder_atomically, write_report_from,
};
use optlab::scenario::{DEFAULT_SCENARIO, LoadError, Scenario};
use optlab::tui::TuiError;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

#[derive(Parser)]
#[command(name = "optlab", version, about = "Compare gradient-based optimizers side by side, live or headless")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Open the terminal UI on a scenario (default: the bundled default scenario)
    Tui {
        /// A scenario file or the name of a bundled scenario
        scenario: Option<String>,
        /// Start paused
        #[arg(long)]
        paused: bool,
    },
    /// Run scenarios headless and write steps.csv, summary.csv, scenario.toml, report.md and charts
    Run {
        /// Scenario files or names of bundled scenarios
        #[arg(required = true)]
        scenarios: Vec<String>,
        /// Result folder (default: results/<scenario>); with several scenarios, one folder each inside it
        #[arg(long)]
        out: Option<PathBuf>,
        /// Repeat every run with this many seeds (overrides the scenario's `seeds`)
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000))]
        seeds: Option<u64>,
        /// Worker threads (default: one per core); results do not depend on it
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
        threads: Option<u64>,
        /// No progress bar and no summary on stdout
        #[arg(long)]
        quiet: bool,
        /// Also write TensorBoard event files here (one folder per run; with several scenarios,
        /// one folder each inside it)
        #[arg(long, value_name = "DIR")]
        tensorboard: Option<PathBuf>,
    },
    /// Export a result folder of `optlab run` to other tools
    Export {
        /// A result folder written by `optlab run`
        dir: PathBuf,
        /// Write TensorBoard event files here: one per run, scalars and hyperparameters
        #[arg(long, value_name = "DIR", required = true)]
        tensorboard: PathBuf,
    },
    /// Run a scenario and write the race as an animated GIF: the landscape with the paths growing
    /// and the loss curves up to the same update
    Animate {
        /// A scenario file or the name of a bundled scenario (an analytic objective)
        scenario: String,
        /// The GIF to write
        #[arg(long, value_name = "FILE.gif")]
        out: PathBuf,
        /// Updates per frame (default: as many as keep the animation at --frames frames)
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        every: Option<u64>,
        /// Most frames when --every is not given
        #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(2..=5000))]
        frames: u64,
        /// Width and height in pixels
        #[arg(long, default_value = "640x400")]
        size: String,
    },
    /// Validate scenarios and print them resolved (every default written out)
    Check {
        #[arg(required = true)]
        scenarios: Vec<String>,
    },
    /// Rebuild report.md and its charts from result folders; with several, also a summary across scenarios
    Report {
        /// Result folders written by `optlab run`
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// One folder: write the report here instead of in place. Several: where the summary across
        /// scenarios goes (default results/summary)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Learning-rate range test: per optimizer, one short run with the rate growing exponentially;
    /// prints the suggested rate and writes lr_find.csv and lr_find.svg
    LrFind {
        /// A scenario file or the name of a bundled scenario
        scenario: String,
        /// Rate of the first update
        #[arg(long, default_value_t = 1e-6)]
        min: f64,
        /// Rate of the last update
        #[arg(long, default_value_t = 10.0)]
        max: f64,
        /// Updates in the test run
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(5..=10_000_000))]
        steps: u64,
        /// Smoothing factor of the loss's moving average (default: 1 − 50/steps, at least 0)
        #[arg(long)]
        beta: Option<f64>,
        /// Output folder (default: results/<scenario>-lr-find)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The catalog: optimizers, objectives, datasets, bundled scenarios
    List {
        #[arg(value_enum)]
        what: Option<ListWhat>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ListWhat {
    Optimizers,
    Objectives,
    Datasets,
    Scenarios,
}

/// A failure and its exit status: 2 for bad input, 1 for anything else.
struct Failure {
    code: u8,
    message: String,
}

impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Self {
        Failure { code: 2, message: e.to_string() }
    }
}

impl From<OutputError> for Failure {
    fn from(e: OutputError) -> Self {
        let code = match e {
            OutputError::Interrupted(_) => 130,
            ref e if e.is_bad_input() => 2,
            _ => 1,
        };
        Failure { code, message: e.to_string() }
    }
}

impl From<tensorboard::TensorboardError> for Failure {
    fn from(e: tensorboard::TensorboardError) -> Self {
        Failure { code: if e.is_bad_input() { 2 } else { 1 }, message: e.to_string() }
    }
}

impl From<ReportError> for Failure {
    fn from(e: ReportError) -> Self {
        Failure { code: if e.is_bad_input() { 2 } else { 1 }, message: e.to_string() }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => tui(None, false),
        Some(Command::Tui { scenario, paused }) => tui(scenario, paused),
        Some(Command::Run { scenarios, out, seeds, threads, quiet, tensorboard }) => {
            run(&scenarios, out, seeds, threads, quiet, tensorboard)
        }
        Some(Command::Export { dir, tensorboard }) => export_tensorboard(&dir, &tensorboard),
        Some(Command::Animate { scenario, out, every, frames, size }) => animate(&scenario, &out, every, frames, &size),
        Some(Command::Check { scenarios }) => check(&scenarios),
        Some(Command::Report { dirs, out }) => report(&dirs, out),
        Some(Command::LrFind { scenario, min, max, steps, beta, out }) => {
            lr_find(&scenario, LrFindOptions { min_lr: min, max_lr: max, steps, beta, ..LrFindOptions::default() }, out)
        }
        Some(Command::List { what }) => {
            list(what);
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if !f.message.is_empty() {
                eprintln!("error: {}", f.message);
            }
            ExitCode::from(f.code)
        }
    }
}

fn tui(scenario: Option<String>, paused: bool) -> Result<(), Failure> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Failure {
            code: 2,
            message: "the lab needs a terminal; to run a scenario without one, use `optlab run SCENARIO`".into(),
        });
    }
    let scenario = Scenario::load(scenario.as_deref().unwrap_or(DEFAULT_SCENARIO))?;
    optlab::tui::run(scenario, paused).map_err(|e| match e {
        TuiError::Scenario(e) => Failure { code: 2, message: e.to_string() },
        // The conventional 128 + signal number, and nothing to add.
        TuiError::Signal(sig) => Failure { code: 128u8.saturating_add(sig as u8), message: String::new() },
        other => Failure { code: 1, message: other.to_string() },
    })
}

fn run(
    names: &[String],
    out: Option<PathBuf>,
    seeds: Option<u64>,
    threads: Option<u64>,
    quiet: bool,
    tensorboard: Option<PathBuf>,
) -> Result<(), Failure> {
    // Every scenario is read and validated before anything runs.
    let mut scenarios = Vec::new();
    for name in names {
        let mut s = Scenario::load(name)?;
        if let Some(n) = seeds {
            s.seeds = n;
        }
        scenarios.push(s);
    }
    let cancel = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&cancel))
            .map_err(|e| Failure { code: 1, message: format!("could not install a signal handler: {e}") })?;
    }
    let several = scenarios.len() > 1;
    let tensorboard_dir = |scenario: &Scenario| {
        tensorboard.as_ref().map(|dir| if several { dir.join(slug(&scenario.name)) } else { dir.clone() })
    };
    // A TensorBoard folder that cannot be written is found before anything runs.
    for scenario in &scenarios {
        if let Some(dir) = tensorboard_dir(scenario) {
            tensorboard::check_target(&dir).map_err(Failure::from)?;
        }
    }
    for scenario in &scenarios {
        let target = match (&out, several) {
            (Some(dir), false) => dir.clone(),
            (Some(dir), true) => dir.join(slug(&scenario.name)),
            (None, _) => PathBuf::from("results").join(slug(&scenario.name)),
        };
        let total = scenario.run_count() as u64 * scenario.steps;
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(10));
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg} [{wide_bar}] {percent:>3}% {human_pos}/{human_len} steps, eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message(scenario.name.chars().take(32).collect::<String>());
            bar
        };
        let progress = |n: u64| bar.inc(n);
        let options = RunOptions { threads: threads.map(|t| t as usize), progress: &progress, cancel: &cancel };
        let outcome = run_to_folder(scenario, &target, &options);
        bar.finish_and_clear();
        let outcome = outcome?;
        if !quiet {
            print_summary(scenario, &outcome);
        }
        if let Some(dir) = tensorboard_dir(scenario) {
            let written = tensorboard::export(&outcome.out, &dir)?;
            if !quiet {
                println!(
                    "  TensorBoard: {} runs in {} (tensorboard --logdir {0})",
                    written.run_files.len(),
                    dir.display()
                );
            }
        }
    }
    Ok(())
}

fn animate(name: &str, out: &std::path::Path, every: Option<u64>, frames: u64, size: &str) -> Result<(), Failure> {
    let bad_size = || Failure { code: 2, message: format!("--size {size}: expected WIDTHxHEIGHT, e.g. 640x400") };
    let (w, h) = size.split_once('x').ok_or_else(bad_size)?;
    let (width, height) = (w.parse().map_err(|_| bad_size())?, h.parse().map_err(|_| bad_size())?);
    let scenario = Scenario::load(name)?;
    let options = AnimateOptions { width, height, every, max_frames: frames as usize, ..AnimateOptions::default() };
    let written = animate::animate(&scenario, out, &options)
        .map_err(|e| Failure { code: if e.is_bad_input() { 2 } else { 1 }, message: e.to_string() })?;
    println!(
        "{} — {} frames, {} updates each, {}x{}, {:.0} kB: {}",
        scenario.name,
        written.frames,
        written.every,
        width,
        height,
        written.bytes as f64 / 1e3,
        written.path.display()
    );
    Ok(())
}

fn export_tensorboard(dir: &std::path::Path, out: &std::path::Path) -> Result<(), Failure> {
    let written = tensorboard::export(dir, out)?;
    println!("TensorBoard event files for {} runs written to {}", written.run_files.len(), out.display());
    println!("  view them with: tensorboard --logdir {}", out.display());
    Ok(())
}

fn print_summary(scenario: &Scenario, outcome: &optlab::report::RunOutcome) {
    println!(
        "{} — {} runs × {} steps in {:.0} ms",
        scenario.name,
        outcome.lab.runs().len(),
        scenario.steps,
        outcome.elapsed_ms
    );
    let width = outcome.lab.runs().iter().map(|r| r.label().len()).max().unwrap_or(3).max(3);
    println!("  {:<width$}  {:>5}  {:>14}  {:>14}  {:>8}  status", "run", "seed", "final loss", "best loss", "target");
    for run in outcome.lab.runs() {
        let s = run.summary();
        let status = match s.status {
            optlab::engine::Status::Diverged { step } => format!("diverged at step {step}"),
            other => other.name().replace('_', " "),
        };
        println!(
            "  {:<width$}  {:>5}  {:>14.6e}  {:>14.6e}  {:>8}  {status}",
            run.label(),
            run.spec().seed,
            s.final_loss,
            s.best_loss,
            s.steps_to_target.map(|t| t.to_string()).unwrap_or_else(|| "-".into()),
        );
    }
    println!("  results in {}", outcome.out.display());
}

fn report(dirs: &[PathBuf], out: Option<PathBuf>) -> Result<(), Failure> {
    if let [dir] = dirs {
        match out {
            None => {
                rebuild_in_place(dir)?;
                println!("report written to {}", dir.join("report.md").display());
            }
            Some(out) => {
                let results = ResultSet::read(dir)?;
                write_folder_atomically(&out, |p| write_report_from(&results, p).map_err(OutputError::from))?;
                println!("report written to {}", out.join("report.md").display());
            }
        }
        return Ok(());
    }
    // Every folder is read before anything is written.
    let sets = dirs.iter().map(|d| ResultSet::read(d)).collect::<Result<Vec<_>, _>>()?;
    for set in &sets {
        rewrite_report(set)?;
        println!("report written to {}", set.dir.join("report.md").display());
    }
    let out = out.unwrap_or_else(|| PathBuf::from("results").join("summary"));
    write_folder_atomically(&out, |p| optlab::report::profile::write(p, &sets).map_err(OutputError::from))?;
    println!("summary across {} scenarios written to {}", sets.len(), out.join("summary.md").display());
    Ok(())
}

fn lr_find(name: &str, options: LrFindOptions, out: Option<PathBuf>) -> Result<(), Failure> {
    options.validate().map_err(|message| Failure { code: 2, message })?;
    let scenario = Scenario::load(name)?;
    let curves = lr_find::lr_find(&scenario, &options).map_err(|e| Failure { code: 2, message: e.to_string() })?;
    let out = out.unwrap_or_else(|| PathBuf::from("results").join(format!("{}-lr-find", slug(&scenario.name))));
    write_folder_atomically(&out, |p| lr_find::write(p, &scenario, &curves, &options).map_err(OutputError::from))?;
    println!(
        "{} — learning-rate range test, {} updates from lr {} to {}",
        scenario.name, options.steps, options.min_lr, options.max_lr
    );
    let width = curves.iter().map(|c| c.label.len()).max().unwrap_or(3).max(9);
    println!("  {:<width$}  {:>14}  {:>14}", "optimizer", "suggested lr", "diverged at");
    for c in &curves {
        let show = |x: Option<f64>| x.map(|v| format!("{v:.3e}")).unwrap_or_else(|| "-".into());
        println!("  {:<width$}  {:>14}  {:>14}", c.label, show(c.suggestion), show(c.diverged_at));
    }
    println!("  results in {}", out.display());
    Ok(())
}

fn check(names: &[String]) -> Result<(), Failure> {
    let mut first = true;
    for name in names {
        let s = Scenario::load(name)?;
        // Build the objective too: a dataset that cannot be read is a scenario error.
        s.build_objective().map_err(|e| Failure { code: 2, message: e.to_string() })?;
        if !first {
            println!();
        }
        first = false;
        if names.len() > 1 {
            println!("# {name}");
        }
        print!("{}", s.to_toml());
    }
    Ok(())
}

fn list(what: Option<ListWhat>) {
    use optlab::catalog;
    match what {
        Some(ListWhat::Optimizers) => print!("{}", catalog::optimizers()),
        Some(ListWhat::Objectives) => print!("{}", catalog::objectives()),
        Some(ListWhat::Datasets) => print!("{}", catalog::datasets()),
        Some(ListWhat::Scenarios) => print!("{}", catalog::scenarios()),
        None => {
            print!(
                "{}\n{}\n{}\n{}",
                catalog::optimizers(),
                catalog::objectives(),
                catalog::datasets(),
                catalog::scenarios()
            );
        }
    }
}
