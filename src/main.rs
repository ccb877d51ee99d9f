//! The `optlab` command: parse the command line, call the library.

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use optlab::report::animate::{self, AnimateOptions};
use optlab::report::folder;
use optlab::report::lr_find::{self, LrFindOptions};
use optlab::report::tensorboard;
use optlab::report::{
    OutputError, ReportError, ResultSet, RunOptions, rewrite_report_until, run_to_folder, slug,
    write_folder_atomically_until, write_report_from,
};
use optlab::scenario::{DEFAULT_SCENARIO, LoadError, Scenario};
use optlab::shard::emit::{EmitOptions, Engine};
use optlab::shard::{Shard, ShardError, ShardRun};
use optlab::tui::TuiError;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Print to stdout; a closed pipe (`optlab list | head -1`) ends the program
/// quietly with status 0, as ripgrep does.
macro_rules! say {
    ($($arg:tt)*) => {
        write!(std::io::stdout().lock(), $($arg)*).map_err(Failure::stdout)?
    };
}
macro_rules! sayln {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*).map_err(Failure::stdout)?
    };
}

/// The system allocator, except that a failed allocation first restores the
/// terminal (the lab's alternate screen, raw mode, mouse reporting): Rust
/// aborts on allocation failure without running panic hooks or destructors,
/// which would leave the user's terminal unusable.
struct RestoringAllocator;

// SAFETY: every call goes to the system allocator unchanged; on failure the
// terminal is restored with two system calls that do not allocate.
unsafe impl std::alloc::GlobalAlloc for RestoringAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let p = unsafe { std::alloc::System.alloc(layout) };
        if p.is_null() {
            optlab::tui::restore_without_allocating();
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        let p = unsafe { std::alloc::System.alloc_zeroed(layout) };
        if p.is_null() {
            optlab::tui::restore_without_allocating();
        }
        p
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { std::alloc::System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            optlab::tui::restore_without_allocating();
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: RestoringAllocator = RestoringAllocator;

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
        /// Run only shard I of N (numbered from 1) into OUT/shard-I-of-N (OUT default:
        /// results/<scenario>-shards); `auto` takes I and N from a SLURM job array or a Kubernetes Indexed Job
        #[arg(long, value_name = "I/N|auto")]
        shard: Option<String>,
        /// With --shard auto in a Kubernetes Indexed Job: the number of shards (the Job's completions)
        #[arg(long, requires = "shard", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        shards: Option<u64>,
        /// With --shard: keep the runs already complete in the shard folder and run the rest
        #[arg(long, requires = "shard")]
        resume: bool,
    },
    /// Merge shard folders (of `optlab run --shard`) into the result folder one machine would have written
    Merge {
        /// Shard folders, or folders holding them
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The result folder
        #[arg(long)]
        out: PathBuf,
        /// No summary on stdout
        #[arg(long)]
        quiet: bool,
    },
    /// Write ready-to-submit scripts that run a scenario's shards on a batch engine and merge them
    Emit {
        #[arg(value_enum)]
        engine: EngineArg,
        /// A scenario file or the name of a bundled scenario
        scenario: String,
        /// Number of shards (job array tasks, Indexed Job completions, parallel jobs)
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        shards: u64,
        /// The shared folder every node sees at the same path: the scripts, the shards and the result
        /// go there (default: results/<scenario>-<engine>)
        #[arg(long)]
        out: Option<PathBuf>,
        /// How the scripts call optlab (default: this program's absolute path; for k8s, a copy of it
        /// in the shared folder)
        #[arg(long, value_name = "PATH")]
        optlab: Option<String>,
        /// k8s: the container image the pods run in
        #[arg(long, default_value = "debian:bookworm-slim")]
        image: String,
        /// k8s: the PersistentVolumeClaim that holds the shared folder
        #[arg(long, default_value = "optlab-shared")]
        volume_claim: String,
    },
    /// Budget-fair tuning: every optimizer entry gets the same budget of gradient evaluations; writes
    /// trials.csv, tuned.toml, confirm/ and report.md
    Tune {
        /// A scenario file or the name of a bundled scenario
        scenario: String,
        /// Gradient evaluations per entry (overrides `[tune] budget`)
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        budget: Option<u64>,
        /// sobol (scrambled quasi-random), random, grid or tpe (overrides `[tune] sampler`)
        #[arg(long)]
        sampler: Option<String>,
        /// Result folder (default: results/<scenario>-tune)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads (default: one per core); results do not depend on it
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
        threads: Option<u64>,
        /// No progress bar and no summary on stdout
        #[arg(long)]
        quiet: bool,
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
    /// Learning-rate range test: per optimizer, a short run from the start at each of many rates
    /// (log-spaced); prints the suggested rate and writes lr_find.csv and lr_find.svg
    LrFind {
        /// A scenario file or the name of a bundled scenario
        scenario: String,
        /// Lowest rate tried
        #[arg(long, default_value_t = 1e-6)]
        min: f64,
        /// Highest rate tried
        #[arg(long, default_value_t = 10.0)]
        max: f64,
        /// Rates tried, log-spaced from --min to --max
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(5..=10_000))]
        rates: u64,
        /// Updates of the short run at each rate
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        steps: u64,
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
enum EngineArg {
    /// SLURM: an sbatch job array and a merge job
    Slurm,
    /// Kubernetes: an Indexed Job and a merge Job
    K8s,
    /// GNU parallel, on one machine or over ssh
    Parallel,
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

impl Failure {
    /// Writing to stdout failed: a closed pipe is a quiet end, anything else an error.
    fn stdout(e: std::io::Error) -> Failure {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Failure { code: 0, message: String::new() }
        } else {
            Failure { code: 1, message: format!("writing to stdout: {e}") }
        }
    }
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
        // Paths of other processes' writes and refusals are the message; an OS
        // error on the user's path keeps its text.
        Failure { code, message: e.to_string() }
    }
}

impl From<ShardError> for Failure {
    fn from(e: ShardError) -> Self {
        let code = match e {
            ShardError::Interrupted(_) => 130,
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
        Some(Command::Run {
            scenarios,
            out,
            seeds,
            threads,
            quiet,
            shard: Some(shard),
            shards,
            resume,
            tensorboard,
        }) => {
            let slice = ShardArgs { shard, shards: shards.map(|n| n as usize), resume };
            if tensorboard.is_some() {
                Err(Failure {
                    code: 2,
                    message: "--tensorboard does not go with --shard: merge the shards, then \
                              `optlab export DIR --tensorboard OUT`"
                        .into(),
                })
            } else {
                interruptible(|cancel| run_shard(&scenarios, out, seeds, threads, quiet, &slice, cancel))
            }
        }
        Some(Command::Run { scenarios, out, seeds, threads, quiet, shard: None, tensorboard, .. }) => {
            interruptible(|cancel| run(&scenarios, out, seeds, threads, quiet, tensorboard, cancel))
        }
        Some(Command::Merge { dirs, out, quiet }) => interruptible(|cancel| merge(&dirs, &out, quiet, cancel)),
        Some(Command::Emit { engine, scenario, shards, out, optlab, image, volume_claim }) => {
            let engine = match engine {
                EngineArg::Slurm => Engine::Slurm,
                EngineArg::K8s => Engine::K8s,
                EngineArg::Parallel => Engine::Parallel,
            };
            emit(&scenario, engine, shards as usize, out, optlab, image, volume_claim)
        }
        Some(Command::Tune { scenario, budget, sampler, out, threads, quiet }) => {
            interruptible(|cancel| tune(&scenario, budget, sampler.as_deref(), out, threads, quiet, cancel))
        }
        Some(Command::Export { dir, tensorboard }) => export_tensorboard(&dir, &tensorboard),
        Some(Command::Animate { scenario, out, every, frames, size }) => animate(&scenario, &out, every, frames, &size),
        Some(Command::Check { scenarios }) => check(&scenarios),
        Some(Command::Report { dirs, out }) => interruptible(|cancel| report(&dirs, out, cancel)),
        Some(Command::LrFind { scenario, min, max, rates, steps, out }) => interruptible(|cancel| {
            let options = LrFindOptions { min_lr: min, max_lr: max, rates, steps, ..LrFindOptions::default() };
            lr_find(&scenario, options, out, cancel)
        }),
        Some(Command::List { what }) => list(what),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if !f.message.is_empty() {
                // Nothing more to do if stderr is closed too.
                let _ = writeln!(std::io::stderr().lock(), "error: {}", f.message);
            }
            ExitCode::from(f.code)
        }
    }
}

/// How long a command may take, after Ctrl-C or SIGTERM, to stop on its own
/// before the process removes its partial folders and exits anyway.
const GRACE: Duration = Duration::from_millis(200);

/// Run `work` on its own thread while this one watches for SIGINT and
/// SIGTERM. On a signal the work is asked to stop (`cancel`); whether or not
/// it has within [`GRACE`] (a long gradient cannot be cut short), every partial
/// folder of this process is removed — never a folder being put in place —
/// and the process exits with 128 + the signal's number: 130 or 143.
fn interruptible(work: impl FnOnce(&AtomicBool) -> Result<(), Failure> + Send) -> Result<(), Failure> {
    let cancel = Arc::new(AtomicBool::new(false));
    let signal = Arc::new(AtomicUsize::new(0));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let installed = signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize)
            .and_then(|_| signal_hook::flag::register(sig, Arc::clone(&cancel)));
        installed.map_err(|e| Failure { code: 1, message: format!("could not install a signal handler: {e}") })?;
    }
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel();
        let flag = Arc::clone(&cancel);
        scope.spawn(move || {
            // The receiver is gone only when the process is exiting.
            let _ = tx.send(work(&flag));
        });
        let outcome = loop {
            match rx.recv_timeout(Duration::from_millis(10)) {
                Ok(result) if signal.load(Ordering::SeqCst) == 0 => return result,
                Ok(result) => break Some(result),
                Err(mpsc::RecvTimeoutError::Timeout) if signal.load(Ordering::SeqCst) == 0 => continue,
                Err(mpsc::RecvTimeoutError::Timeout) => break rx.recv_timeout(GRACE).ok(),
                // The work panicked: the scope passes the panic on.
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
            }
        };
        folder::abandon();
        let sig = signal.load(Ordering::SeqCst);
        let what = if sig == signal_hook::consts::SIGTERM as usize { "terminated" } else { "interrupted" };
        let note = match outcome {
            Some(Err(f)) if !f.message.is_empty() && f.code == 130 => f.message.replacen("interrupted", what, 1),
            _ => format!("{what}; results being written were discarded"),
        };
        let _ = writeln!(std::io::stderr().lock(), "{note}");
        std::process::exit(128 + sig as i32)
    })
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
    cancel: &AtomicBool,
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
    let targets: Vec<PathBuf> = scenarios
        .iter()
        .map(|scenario| match (&out, several) {
            (Some(dir), false) => dir.clone(),
            (Some(dir), true) => dir.join(slug(&scenario.name)),
            (None, _) => PathBuf::from("results").join(slug(&scenario.name)),
        })
        .collect();
    // Every target is checked before anything runs: nothing is touched if one is refused.
    for target in &targets {
        folder::check_replaceable(target).map_err(|e| Failure::from(OutputError::Folder(e)))?;
    }
    for (scenario, target) in scenarios.iter().zip(targets) {
        // With an `epochs` budget the runs' lengths are known once the dataset is loaded.
        let total = scenario.epochs.is_none().then(|| scenario.run_count() as u64 * scenario.steps);
        let bar = progress_bar(total, &scenario.name, quiet);
        let progress = |n: u64| bar.inc(n);
        let options = RunOptions { threads: threads.map(|t| t as usize), progress: &progress, cancel };
        let outcome = run_to_folder(scenario, &target, &options);
        bar.finish_and_clear();
        let outcome = outcome?;
        if !quiet {
            print_summary(scenario, &outcome)?;
        }
        if let Some(dir) = tensorboard_dir(scenario) {
            let written = tensorboard::export(&outcome.out, &dir)?;
            if !quiet {
                sayln!(
                    "  TensorBoard: {} runs in {} (tensorboard --logdir {0})",
                    written.run_files.len(),
                    dir.display()
                );
            }
        }
    }
    Ok(())
}

/// A progress bar on stderr when it is a terminal.
fn progress_bar(total: Option<u64>, name: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr_with_hz(10));
    bar.set_style(
        ProgressStyle::with_template("{msg} [{wide_bar}] {percent:>3}% {human_pos}/{human_len} steps, eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(name.chars().take(32).collect::<String>());
    bar
}

fn tune(
    name: &str,
    budget: Option<u64>,
    sampler: Option<&str>,
    out: Option<PathBuf>,
    threads: Option<u64>,
    quiet: bool,
    cancel: &AtomicBool,
) -> Result<(), Failure> {
    use optlab::report::tune::{TuneError, TuneOptions, tune_to_folder, tuner_for};
    use optlab::tune::SamplerKind;
    let sampler = match sampler {
        None => None,
        Some(s) => Some(SamplerKind::from_name(s).ok_or_else(|| Failure {
            code: 2,
            message: format!(
                "--sampler: unknown sampler `{s}`; known: {}",
                SamplerKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
            ),
        })?),
    };
    let scenario = Scenario::load(name)?;
    let to_failure = |e: TuneError| Failure {
        code: match e {
            TuneError::Interrupted(_) => 130,
            ref e if e.is_bad_input() => 2,
            _ => 1,
        },
        message: e.to_string(),
    };
    // The plan is checked (and its size known) before anything runs.
    let tuner = tuner_for(&scenario, budget, sampler).map_err(to_failure)?;
    let total: u64 = tuner.schedules().map(|s| s.iter().map(|s| s.total_cost()).sum()).unwrap_or(0);
    let target = out.unwrap_or_else(|| PathBuf::from("results").join(format!("{}-tune", slug(&scenario.name))));
    folder::check_replaceable(&target).map_err(|e| Failure::from(OutputError::Folder(e)))?;
    let bar = if quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(10));
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} [{wide_bar}] {percent:>3}% {human_pos}/{human_len} gradient evaluations, eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(format!("tuning {}", scenario.name.chars().take(24).collect::<String>()));
        bar
    };
    let progress = |n: u64| {
        bar.inc(n);
        if bar.position() >= total {
            bar.set_message("confirming");
        }
    };
    let options = TuneOptions { budget, sampler, threads: threads.map(|t| t as usize), progress: &progress, cancel };
    let started = std::time::Instant::now();
    let outcome = tune_to_folder(&scenario, &target, &options);
    bar.finish_and_clear();
    let outcome = outcome.map_err(to_failure)?;
    if !quiet {
        let config = &outcome.tuned.tuner.config;
        sayln!(
            "{} — tuned with {} gradient evaluations per entry ({} sampler, {}), {} trials in {:.1} s",
            scenario.name,
            config.budget,
            config.sampler.name(),
            config.metric.name(),
            outcome.tuned.results.len(),
            started.elapsed().as_secs_f64()
        );
        let width = outcome.tuned.tuner.entries.iter().map(|e| e.label.len()).max().unwrap_or(5).max(5);
        sayln!(
            "  {:<width$}  {:>22}  {:>22}  best configuration",
            "entry",
            format!("tuned (median, {} seeds)", config.confirm_seeds),
            "defaults (median)"
        );
        for (e, entry) in outcome.tuned.tuner.entries.iter().enumerate() {
            let median = |v: &[Option<f64>]| {
                optlab::report::tune::metric_quartiles(config.metric, v)
                    .map(|q| format!("{:.6e}", q.median))
                    .unwrap_or_else(|| "-".into())
            };
            let best = match &outcome.tuned.best[e] {
                Some(b) => b
                    .trial
                    .values
                    .iter()
                    .map(|(n, v)| match v {
                        optlab::optim::Hyper::Float(x) => format!("{n}={}", optlab::report::format::sig(*x, 4)),
                        other => format!("{n}={}", optlab::scenario::fmt_hyper(*other)),
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                None => "no trial succeeded (defaults kept)".into(),
            };
            sayln!(
                "  {:<width$}  {:>22}  {:>22}  {best}",
                entry.label,
                median(&outcome.confirmed[e]),
                median(&outcome.defaults[e])
            );
        }
        sayln!("  results in {} (report.md, trials.csv, tuned.toml, confirm/)", outcome.out.display());
    }
    Ok(())
}

/// `--shard`, `--shards`, `--resume`.
struct ShardArgs {
    shard: String,
    shards: Option<usize>,
    resume: bool,
}

impl ShardArgs {
    fn resolve(&self) -> Result<Shard, ShardError> {
        if self.shard == "auto" {
            return Shard::from_env(|name| std::env::var(name).ok(), self.shards);
        }
        if self.shards.is_some() {
            return Err(ShardError::Usage("--shards N goes with --shard auto; --shard I/N already says N".into()));
        }
        Shard::parse(&self.shard)
    }
}

fn run_shard(
    names: &[String],
    out: Option<PathBuf>,
    seeds: Option<u64>,
    threads: Option<u64>,
    quiet: bool,
    args: &ShardArgs,
    cancel: &AtomicBool,
) -> Result<(), Failure> {
    let [name] = names else {
        return Err(Failure { code: 2, message: "--shard runs one scenario; give exactly one".into() });
    };
    let shard = args.resolve()?;
    let mut scenario = Scenario::load(name)?;
    if let Some(n) = seeds {
        scenario.seeds = n;
    }
    let parent = out.unwrap_or_else(|| PathBuf::from("results").join(format!("{}-shards", slug(&scenario.name))));
    let (_, owned) = optlab::shard::owned_runs(&scenario, shard);
    let total = scenario.epochs.is_none().then(|| owned.len() as u64 * scenario.steps);
    let bar = progress_bar(total, &format!("{} {shard}", scenario.name), quiet);
    let progress = |n: u64| bar.inc(n);
    let options = ShardRun { threads: threads.map(|t| t as usize), progress: &progress, cancel, resume: args.resume };
    let outcome = optlab::shard::run_shard(&scenario, shard, &parent, &options);
    bar.finish_and_clear();
    let outcome = outcome?;
    if !quiet {
        sayln!(
            "{} — shard {shard}: {} of {} runs ({} already complete) in {:.0} ms",
            scenario.name,
            outcome.owned,
            outcome.total,
            outcome.resumed,
            outcome.elapsed_ms
        );
        sayln!("  shard folder {}", outcome.dir.display());
    }
    Ok(())
}

fn merge(dirs: &[PathBuf], out: &std::path::Path, quiet: bool, cancel: &AtomicBool) -> Result<(), Failure> {
    let outcome = optlab::shard::merge(dirs, out, cancel)?;
    if !quiet {
        let dup = match outcome.duplicates {
            0 => String::new(),
            n => format!(", {n} found twice (identical, kept once)"),
        };
        sayln!("{} — {} runs from {} shard folders{dup}", outcome.scenario.name, outcome.runs, outcome.folders);
        sayln!("  results in {}", outcome.out.display());
    }
    Ok(())
}

fn emit(
    name: &str,
    engine: Engine,
    shards: usize,
    out: Option<PathBuf>,
    optlab: Option<String>,
    image: String,
    volume_claim: String,
) -> Result<(), Failure> {
    let scenario = Scenario::load(name)?;
    // A bad dataset is found now, not on the cluster.
    scenario.build_objective().map_err(|e| Failure { code: 2, message: e.to_string() })?;
    let out =
        out.unwrap_or_else(|| PathBuf::from("results").join(format!("{}-{}", slug(&scenario.name), engine.name())));
    let options = EmitOptions { engine, shards, out, optlab, image, volume_claim };
    let emitted = optlab::shard::emit::emit(&scenario, &options)?;
    sayln!("{} — {} runs in {shards} shards for {}", scenario.name, scenario.run_count(), engine.name());
    for f in &emitted.files {
        sayln!("  wrote {}", f.display());
    }
    sayln!("submit with:\n  {}", emitted.submit);
    sayln!("the result will be in {}", emitted.result.display());
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
    sayln!(
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
    sayln!("TensorBoard event files for {} runs written to {}", written.run_files.len(), out.display());
    sayln!("  view them with: tensorboard --logdir {}", out.display());
    Ok(())
}

fn print_summary(scenario: &Scenario, outcome: &optlab::report::RunOutcome) -> Result<(), Failure> {
    let budget = match scenario.epochs {
        Some(e) => format!("{e} epochs"),
        None => format!("{} steps", scenario.steps),
    };
    sayln!("{} — {} runs × {budget} in {:.0} ms", scenario.name, outcome.lab.runs().len(), outcome.elapsed_ms);
    let runs = outcome.lab.runs();
    let summaries: Vec<_> = runs.iter().map(|r| r.summary()).collect();
    let validation = summaries.iter().any(|s| s.final_val_loss.is_some());
    let accuracy = summaries.iter().any(|s| s.final_val_accuracy.is_some());
    let width = runs.iter().map(|r| r.label().len()).max().unwrap_or(3).max(3);
    let mut header = format!("  {:<width$}  {:>5}", "run", "seed");
    if scenario.epochs.is_some() {
        header += &format!("  {:>8}", "steps");
    }
    header += &format!("  {:>14}  {:>14}", "final loss", "best loss");
    if validation {
        header += &format!("  {:>14}", "val loss");
    }
    if accuracy {
        header += &format!("  {:>8}", "val acc");
    }
    sayln!("{header}  {:>8}  status", "target");
    for (run, s) in runs.iter().zip(&summaries) {
        let status = match s.status {
            optlab::engine::Status::Diverged { step } => format!("diverged at step {step}"),
            other => other.name().replace('_', " "),
        };
        let mut line = format!("  {:<width$}  {:>5}", run.label(), run.spec().seed);
        if scenario.epochs.is_some() {
            line += &format!("  {:>8}", run.spec().steps);
        }
        line += &format!("  {:>14.6e}  {:>14.6e}", s.final_loss, s.best_loss);
        if validation {
            line += &s.final_val_loss.map_or_else(|| format!("  {:>14}", "-"), |v| format!("  {v:>14.6e}"));
        }
        if accuracy {
            line += &s.final_val_accuracy.map_or_else(|| format!("  {:>8}", "-"), |v| format!("  {v:>8.4}"));
        }
        let target = s.steps_to_target.map(|t| t.to_string()).unwrap_or_else(|| "-".into());
        sayln!("{line}  {target:>8}  {status}");
    }
    sayln!("  results in {}", outcome.out.display());
    Ok(())
}

fn report(dirs: &[PathBuf], out: Option<PathBuf>, cancel: &AtomicBool) -> Result<(), Failure> {
    if let Some(out) = &out {
        folder::check_replaceable(out).map_err(|e| Failure::from(OutputError::Folder(e)))?;
    }
    if let [dir] = dirs {
        match out {
            None => {
                rewrite_report_until(&ResultSet::read(dir)?, Some(cancel))?;
                sayln!("report written to {}", dir.join("report.md").display());
            }
            Some(out) => {
                let results = ResultSet::read(dir)?;
                write_folder_atomically_until(&out, Some(cancel), |p| {
                    write_report_from(&results, p).map_err(OutputError::from)
                })?;
                sayln!("report written to {}", out.join("report.md").display());
            }
        }
        return Ok(());
    }
    // Every folder is read before anything is written.
    let sets = dirs.iter().map(|d| ResultSet::read(d)).collect::<Result<Vec<_>, _>>()?;
    for set in &sets {
        rewrite_report_until(set, Some(cancel))?;
        sayln!("report written to {}", set.dir.join("report.md").display());
    }
    let out = out.unwrap_or_else(|| PathBuf::from("results").join("summary"));
    write_folder_atomically_until(&out, Some(cancel), |p| {
        optlab::report::profile::write(p, &sets).map_err(OutputError::from)
    })?;
    sayln!("summary across {} scenarios written to {}", sets.len(), out.join("summary.md").display());
    Ok(())
}

fn lr_find(name: &str, options: LrFindOptions, out: Option<PathBuf>, cancel: &AtomicBool) -> Result<(), Failure> {
    options.validate().map_err(|message| Failure { code: 2, message })?;
    let scenario = Scenario::load(name)?;
    let out = out.unwrap_or_else(|| PathBuf::from("results").join(format!("{}-lr-find", slug(&scenario.name))));
    folder::check_replaceable(&out).map_err(|e| Failure::from(OutputError::Folder(e)))?;
    let stop = || cancel.load(Ordering::Relaxed);
    let curves =
        lr_find::lr_find(&scenario, &options, &stop).map_err(|e| Failure { code: 2, message: e.to_string() })?;
    if stop() {
        return Err(OutputError::Interrupted(out.display().to_string()).into());
    }
    write_folder_atomically_until(&out, Some(cancel), |p| {
        lr_find::write(p, &scenario, &curves, &options).map_err(OutputError::from)
    })?;
    sayln!(
        "{} — learning-rate range test, {} rates from {} to {}, {} updates at each",
        scenario.name,
        options.rates,
        options.min_lr,
        options.max_lr,
        options.steps
    );
    let width = curves.iter().map(|c| c.label.len()).max().unwrap_or(3).max(9);
    sayln!("  {:<width$}  {:>12}  {:>21}  {:>11}", "optimizer", "suggested lr", "valley", "diverged at");
    for c in &curves {
        // The suggestion has three significant digits: printed as it would be typed.
        let suggested = c.suggestion.map_or_else(|| "-".into(), |v| format!("{v}"));
        let valley = c.valley.map_or_else(|| "-".into(), |(a, b)| format!("{a:.2e} … {b:.2e}"));
        let diverged = c.diverged_at.map_or_else(|| "-".into(), |v| format!("{v:.2e}"));
        sayln!("  {:<width$}  {suggested:>12}  {valley:>21}  {diverged:>11}", c.label);
    }
    sayln!("  results in {}", out.display());
    Ok(())
}

fn check(names: &[String]) -> Result<(), Failure> {
    let mut first = true;
    for name in names {
        let s = Scenario::load(name)?;
        // Build the objective too: a dataset that cannot be read is a scenario error,
        // and so is an event after the last update of a run with an `epochs` budget.
        let objective = s.build_objective().map_err(|e| Failure { code: 2, message: e.to_string() })?;
        let mut specs = s.run_specs(objective.dim()).map_err(|e| Failure { code: 2, message: e.to_string() })?;
        s.apply_epochs(&mut specs, objective.train_size()).map_err(|e| Failure { code: 2, message: e.to_string() })?;
        if !first {
            sayln!();
        }
        first = false;
        if names.len() > 1 {
            sayln!("# {name}");
        }
        say!("{}", s.to_toml());
    }
    Ok(())
}

fn list(what: Option<ListWhat>) -> Result<(), Failure> {
    use optlab::catalog;
    match what {
        Some(ListWhat::Optimizers) => say!("{}", catalog::optimizers()),
        Some(ListWhat::Objectives) => say!("{}", catalog::objectives()),
        Some(ListWhat::Datasets) => say!("{}", catalog::datasets()),
        Some(ListWhat::Scenarios) => say!("{}", catalog::scenarios()),
        None => {
            say!(
                "{}\n{}\n{}\n{}",
                catalog::optimizers(),
                catalog::objectives(),
                catalog::datasets(),
                catalog::scenarios()
            );
        }
    }
    Ok(())
}
