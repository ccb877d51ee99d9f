//! The lab as a user runs it: the real binary in a pseudo-terminal, its screen
//! read through a terminal emulator (vt100), keys pressed, files checked, and
//! the terminal checked to be restored however the lab ends.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(10);

struct Lab {
    parser: Arc<Mutex<vt100::Parser>>,
    master: Option<Box<dyn MasterPty + Send>>,
    writer: Option<Box<dyn Write + Send>>,
    child: Box<dyn Child + Send + Sync>,
    reader: Option<JoinHandle<()>>,
    /// Tells the reading thread to let go of its end of the terminal.
    hanging_up: Arc<AtomicBool>,
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }
}

fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n.max(1)).unwrap()
}

impl Lab {
    fn start(dir: &Path, args: &[&str], cols: u16, rows: u16, env: &[(&str, &str)]) -> Lab {
        let pair = native_pty_system().openpty(size(cols, rows)).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_optlab"));
        cmd.args(args);
        cmd.cwd(dir);
        cmd.env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        // Only the child holds the terminal's end now: reads end when it exits.
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(nz(rows), nz(cols), 0)));
        let p = Arc::clone(&parser);
        let hanging_up = Arc::new(AtomicBool::new(false));
        let h = Arc::clone(&hanging_up);
        let reader = thread::spawn(move || {
            let mut buf = [0u8; 1 << 16];
            // A read error after the child exits is the end of the stream.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || h.load(Ordering::SeqCst) {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
            }
        });
        Lab { parser, master: Some(pair.master), writer: Some(writer), child, reader: Some(reader), hanging_up }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Wait until the screen shows `text`; fail with the screen if it does not.
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if start.elapsed() > TIMEOUT {
                panic!("`{text}` did not appear; the screen:\n{screen}");
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait until the screen no longer shows `text`.
    fn wait_gone(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if !screen.contains(text) {
                return screen;
            }
            if start.elapsed() > TIMEOUT {
                panic!("`{text}` did not go; the screen:\n{screen}");
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn press(&mut self, keys: &str) {
        let writer = self.writer.as_mut().expect("terminal open");
        for b in keys.as_bytes() {
            writer.write_all(&[*b]).unwrap();
            writer.flush().unwrap();
            // One key at a time, as typed.
            thread::sleep(Duration::from_millis(15));
        }
    }

    fn resize(&self, cols: u16, rows: u16) {
        self.parser.lock().unwrap().screen_mut().set_size(nz(rows), nz(cols));
        self.master.as_ref().expect("terminal open").resize(size(cols, rows)).unwrap();
    }

    /// Close the terminal under the lab, as closing its window does: every
    /// handle on our end goes, the reading thread's once a key makes the lab draw.
    fn hang_up(&mut self) {
        self.hanging_up.store(true, Ordering::SeqCst);
        self.press("g");
        self.writer = None;
        self.master = None;
    }

    /// Wait for the lab to exit; its exit code, with the output read to the end.
    fn exit_code(&mut self) -> u32 {
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > TIMEOUT {
                self.child.kill().unwrap();
                panic!("the lab did not exit; the screen:\n{}", self.screen());
            }
            thread::sleep(Duration::from_millis(20));
        };
        if let Some(r) = self.reader.take() {
            r.join().unwrap();
        }
        status.exit_code()
    }

    /// The terminal is as the lab found it: main screen, cursor shown, no mouse reporting.
    fn assert_restored(&self) {
        let p = self.parser.lock().unwrap();
        let s = p.screen();
        assert!(!s.alternate_screen(), "still on the alternate screen");
        assert!(!s.hide_cursor(), "cursor still hidden");
        assert_eq!(s.mouse_protocol_mode(), vt100::MouseProtocolMode::None, "mouse still captured");
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
        }
    }
}

const SCENARIO: &str = r#"
name = "Pty lab"
steps = 200
seeds = 2

[objective]
kind = "rosenbrock"
start = [-1.5, 2.0]
noise = 0.5

[[optimizer]]
kind = "sgd"
label = "SGD"
momentum = 0.9
sweep = { lr = [1e-4, 2e-4] }

[[optimizer]]
kind = "gd"
label = "GD"
lr = 5e-4

[[event]]
step = 4
run = "GD"
lr = 4e-4
"#;

type Rows = HashMap<(String, String, String), HashMap<String, String>>;

fn read_steps(path: &Path) -> (Vec<String>, Rows) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let mut rows = Rows::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let row: HashMap<String, String> = header.iter().cloned().zip(rec.iter().map(String::from)).collect();
        rows.insert((row["run"].clone(), row["seed"].clone(), row["step"].clone()), row);
    }
    (header, rows)
}

#[test]
fn a_session_is_saved_exported_and_replayed_to_the_last_digit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pty.toml"), SCENARIO).unwrap();
    let mut lab = Lab::start(dir.path(), &["tui", "pty.toml", "--paused"], 120, 40, &[]);
    lab.wait_for("Pty lab │ paused");
    lab.wait_for("SGD lr=0.0002");

    lab.press("nnn");
    lab.wait_for("step 3/200");
    // The second label, its rate one notch up, while the lab is at step 3.
    lab.press("jl");
    lab.wait_for("2.5e-4");
    lab.press("nnnnn");
    lab.wait_for("step 8/200");
    // Its momentum (under the cursor) one notch towards 1, its dampening up.
    lab.press("]");
    lab.wait_for("momentum 0.95");
    lab.press("\t]");
    lab.wait_for("dampening 0.5");
    lab.press("nn");
    lab.wait_for("step 10/200");

    lab.press("e");
    lab.wait_for("exported to results/pty-lab-export-1");
    lab.press("w");
    lab.wait_for("saved results/pty-lab-session-1.toml");
    lab.press("q");
    assert_eq!(lab.exit_code(), 0);
    lab.assert_restored();

    let saved = std::fs::read_to_string(dir.path().join("results/pty-lab-session-1.toml")).unwrap();
    for expected in [
        "step = 3\nrun = \"SGD lr=0.0002\"\nlr = 0.00025",
        "step = 8\nrun = \"SGD lr=0.0002\"\nmomentum = 0.95\ndampening = 0.5",
        "step = 4\nrun = \"GD\"\nlr = 0.0004",
    ] {
        assert!(saved.contains(expected), "missing {expected:?} in\n{saved}");
    }
    let export = dir.path().join("results/pty-lab-export-1");
    for file in ["steps.csv", "summary.csv", "scenario.toml"] {
        assert!(export.join(file).is_file(), "{file}");
    }

    let replay = dir.path().join("replay");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_optlab"))
        .current_dir(dir.path())
        .args(["run", "results/pty-lab-session-1.toml", "--quiet", "--out"])
        .arg(&replay)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let (header, exported) = read_steps(&export.join("steps.csv"));
    let (replay_header, replayed) = read_steps(&replay.join("steps.csv"));
    assert_eq!(header, replay_header);
    assert!(header.contains(&"x1".to_string()), "parameters are exported: {header:?}");
    assert_eq!(exported.len(), 3 * 2 * 11, "3 labels × 2 seeds × steps 0..=10");
    for (key, row) in &exported {
        let other = replayed.get(key).unwrap_or_else(|| panic!("{key:?} not replayed"));
        for column in header.iter().filter(|c| *c != "wall_ms") {
            assert_eq!(row[column], other[column], "{key:?} {column}");
        }
    }
}

#[test]
fn the_lr_find_suggestion_is_set_by_f_and_undone_by_u() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = Lab::start(dir.path(), &["tui", "ill_conditioned", "--paused"], 120, 40, &[]);
    lab.wait_for("paused");
    lab.press("nnn");
    lab.wait_for("step 3/600");
    // The heavy-ball run: f runs the test and sets its rate, u puts 0.0331 back.
    lab.press("j");
    lab.press("f");
    let screen = lab.wait_for("u undoes)");
    let line = screen.lines().find(|l| l.contains("lr-find: lr = ")).expect("the message");
    let suggested = line.split("lr-find: lr = ").nth(1).and_then(|r| r.split(' ').next()).expect("a rate").to_string();
    assert!(line.contains("for heavy ball (was 0.0331; u undoes)"), "{line}");
    let rate: f64 = suggested.parse().unwrap();
    assert!(rate > 0.01 && rate < 0.04, "suggested {rate}");
    // The slider shows the rate as the message wrote it.
    assert!(screen.lines().any(|l| l.contains("heavy ball") && l.contains(&suggested) && l.contains('●')), "{screen}");
    lab.press("n");
    lab.wait_for("step 4/600");
    lab.press("u");
    lab.wait_for("lr-find undone: lr = 0.0331 for heavy ball again");
    lab.press("u");
    lab.wait_for("nothing to undo for heavy ball: it was undone already");
    lab.press("w");
    lab.wait_for("saved results/");
    lab.press("q");
    assert_eq!(lab.exit_code(), 0);
    lab.assert_restored();
    let saved = std::fs::read_dir(dir.path().join("results")).unwrap().next().unwrap().unwrap().path();
    let saved = std::fs::read_to_string(saved).unwrap();
    // Both changes are recorded at the step they were made; the last puts the rate back.
    assert!(saved.contains(&format!("step = 3\nrun = \"heavy ball\"\nlr = {suggested}")), "{saved}");
    assert!(saved.contains("step = 4\nrun = \"heavy ball\"\nlr = 0.0331"), "{saved}");
}

#[test]
fn ctrl_c_quits_a_running_lab_and_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = Lab::start(dir.path(), &[], 100, 30, &[]);
    lab.wait_for("running");
    lab.wait_for("convergence");
    lab.press("\x03");
    assert_eq!(lab.exit_code(), 0);
    lab.assert_restored();
}

#[test]
fn sigterm_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = Lab::start(dir.path(), &["tui", "rosenbrock"], 100, 30, &[]);
    lab.wait_for("convergence");
    let pid = lab.child.process_id().unwrap();
    let kill = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    assert!(kill.success());
    assert_eq!(lab.exit_code(), 128 + 15);
    lab.assert_restored();
}

#[test]
fn resizing_to_any_size_keeps_the_lab_alive() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = Lab::start(dir.path(), &["tui", "--paused"], 100, 30, &[]);
    lab.wait_for("convergence");
    lab.resize(30, 8);
    lab.wait_for("larger");
    for (cols, rows) in [(1, 1), (5, 2), (200, 3), (2, 60), (80, 24)] {
        lab.resize(cols, rows);
        thread::sleep(Duration::from_millis(60));
    }
    lab.wait_for("convergence");
    lab.resize(160, 50);
    lab.wait_for("steps/s");
    lab.press("q");
    assert_eq!(lab.exit_code(), 0);
    lab.assert_restored();
}

/// The panic hooks are tested through a fault the lab injects on request
/// (`OPTLAB_TEST_PANIC=ui|engine`).
#[test]
fn a_panic_restores_the_terminal_then_prints_its_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = Lab::start(dir.path(), &["tui", "--paused"], 100, 30, &[("OPTLAB_TEST_PANIC", "ui")]);
    assert_eq!(lab.exit_code(), 101);
    lab.assert_restored();
    assert!(lab.screen().contains("test panic in the UI thread"), "{}", lab.screen());

    let mut lab = Lab::start(dir.path(), &["tui", "--paused"], 100, 30, &[("OPTLAB_TEST_PANIC", "engine")]);
    lab.wait_for("convergence");
    lab.press("n");
    assert_eq!(lab.exit_code(), 1);
    lab.assert_restored();
    let screen = lab.screen();
    assert!(screen.contains("the engine thread stopped"), "{screen}");
    assert!(screen.contains("test panic in the engine thread"), "{screen}");
}

#[test]
fn a_lab_whose_terminal_goes_away_exits() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = Lab::start(dir.path(), &["tui", "--paused"], 100, 30, &[]);
    lab.wait_for("convergence");
    lab.hang_up();
    // SIGHUP (129), or the failed read if the signal is not delivered.
    let code = lab.exit_code();
    assert!(code == 128 + 1 || code == 1, "exit code {code}");
}

/// CPU time (user + system, in clock ticks) a process has used.
#[cfg(target_os = "linux")]
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name, which is in parentheses: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn a_paused_lab_uses_no_cpu() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = Lab::start(dir.path(), &["tui", "--paused"], 120, 40, &[]);
    lab.wait_for("convergence");
    let pid = lab.child.process_id().unwrap();
    thread::sleep(Duration::from_millis(200));
    let before = cpu_ticks(pid);
    thread::sleep(Duration::from_secs(1));
    let used = cpu_ticks(pid) - before;
    // Ticks are 1/100 s: at most 5 % of a core, while a running lab takes far more.
    assert!(used <= 5, "{used} ticks of CPU in a second while paused");
    lab.press("q");
    assert_eq!(lab.exit_code(), 0);
}

#[test]
fn a_failed_allocation_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = Lab::start(dir.path(), &["tui", "--paused"], 100, 30, &[("OPTLAB_TEST_PANIC", "alloc")]);
    // Rust aborts on allocation failure; the allocator restored the terminal first.
    assert_ne!(lab.exit_code(), 0);
    lab.assert_restored();
    assert!(lab.screen().contains("memory allocation of"), "{}", lab.screen());
}

/// The last line of the screen.
fn last_row(screen: &str) -> String {
    screen.lines().last().unwrap_or("").to_string()
}

#[test]
fn at_80x24_the_header_keeps_state_step_and_speed_and_the_footer_help() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = Lab::start(dir.path(), &["tui", "--paused"], 80, 24, &[]);
    let screen = lab.wait_for("convergence");
    let header = screen.lines().next().unwrap_or("").to_string();
    for part in ["paused", "step 0/3000", "speed"] {
        assert!(header.contains(part), "{part} missing from the header: {header:?}");
    }
    let screen = lab.wait_for("? help");
    assert!(last_row(&screen).trim_end().ends_with("? help"), "{screen}");
    // A key that cannot act says why, and `? help` stays.
    lab.press(" ");
    lab.wait_for("│ running │");
    lab.press("n");
    let screen = lab.wait_for("n steps only when paused");
    assert!(last_row(&screen).trim_end().ends_with("? help"), "{screen}");
    lab.press("q");
    assert_eq!(lab.exit_code(), 0);
}

#[test]
fn esc_closes_the_help_before_it_quits_and_the_help_scrolls() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = Lab::start(dir.path(), &["tui", "--paused"], 80, 24, &[]);
    lab.wait_for("convergence");
    lab.press("?");
    let screen = lab.wait_for("↑↓ scroll");
    assert!(screen.contains("keys 1–"), "{screen}");
    lab.press("jjjjjjjjjjjj");
    lab.wait_for("keys 13–");
    lab.press("\x1b");
    lab.wait_gone("scroll");
    assert!(lab.child.try_wait().unwrap().is_none(), "Esc with the help open does not quit");
    lab.press("\x1b");
    assert_eq!(lab.exit_code(), 0);
    lab.assert_restored();
}

const SEEDED: &str = r#"
name = "Seeded sweep"
steps = 300
seeds = 3

[objective]
kind = "rosenbrock"
start = [-1.5, 2.0]
noise = 1.0

[[optimizer]]
kind = "sgd"
label = "SGD"
momentum = 0.9
sweep = { lr = [1e-4, 3e-4] }

[[optimizer]]
kind = "adam"
label = "Adam"
lr = 0.05
"#;

#[test]
fn seeds_are_a_band_runs_hide_solo_focus_and_the_x_axis_zooms() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("seeded.toml"), SEEDED).unwrap();
    let mut lab = Lab::start(dir.path(), &["tui", "seeded.toml", "--paused"], 160, 48, &[]);
    lab.wait_for("convergence");
    lab.press("nnnnnnnnnn");
    lab.wait_for("step 10/300");
    // Three seeds per label: one median line and band each, named in the legend.
    let screen = lab.wait_for("median, min–max band");
    assert!(screen.contains("SGD lr=0.0001 (3 seeds)"), "{screen}");
    lab.press("d");
    let screen = lab.wait_for("every seed");
    assert!(!screen.contains("(3 seeds)"), "{screen}");
    lab.press("d");
    lab.wait_for("(3 seeds)");
    // Hide the selected label, bring it back; solo another; show all.
    lab.press("i");
    lab.wait_for("1 hidden");
    lab.press("i");
    lab.wait_gone("hidden");
    lab.press("jj");
    lab.press("o");
    lab.wait_for("only Adam");
    lab.wait_for("2 hidden");
    lab.press("o");
    lab.wait_gone("hidden");
    lab.press("*");
    lab.wait_for("· focus");
    // The x zoom: the last half, the last tenth, all.
    lab.press("z");
    lab.wait_for("last half");
    lab.press("z");
    lab.wait_for("last tenth");
    lab.press("z");
    lab.wait_gone("last tenth");
    lab.press("q");
    assert_eq!(lab.exit_code(), 0);
    lab.assert_restored();
}
