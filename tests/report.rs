//! Reports as a user gets them: `optlab run` writes report.md and SVG charts
//! that parse, name every series and render; `optlab report` rebuilds them.

use assert_cmd::cargo::cargo_bin_cmd;
use optlab::report::charts::{color, shades};
use optlab::report::{RunOptions, run_to_folder};
use optlab::scenario::{Origin, Scenario};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

const SCENARIO: &str = r#"
name = "Noisy Rosenbrock"
description = "Three optimizers over three seeds with gradient noise, one sweeping lr."
steps = 300
seeds = 3

[objective]
kind = "rosenbrock"
start = [-1.5, 2.0]
noise = 2.0

[stop]
target_loss = 0.5

[[optimizer]]
kind = "sgd"
label = "GD"
lr = 5e-4

[[optimizer]]
kind = "sgd"
label = "Momentum"
lr = 2e-4
momentum = 0.9

[[optimizer]]
kind = "sgd"
label = "Sweep"
momentum = 0.5
sweep = { lr = [1e-5, 1e-4, 5e-4, 1e-3, 1e-2] }
"#;

fn run_scenario(text: &str, out: &Path) -> Scenario {
    let scenario = Scenario::parse(text, Origin::File(PathBuf::from("test.toml"))).unwrap();
    let cancel = AtomicBool::new(false);
    let options = RunOptions { threads: Some(2), progress: &|_| {}, cancel: &cancel };
    run_to_folder(&scenario, out, &options).unwrap();
    scenario
}

fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .collect()
}

/// Polylines drawn in `rgb` (a data series, or the legend's swatch) with at least `min_points` points.
fn polylines_in(doc: &roxmltree::Document, rgb: (u8, u8, u8), min_points: usize) -> usize {
    let hex = format!("#{:02X}{:02X}{:02X}", rgb.0, rgb.1, rgb.2);
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .filter(|n| n.attribute("stroke").is_some_and(|s| s.eq_ignore_ascii_case(&hex)))
        .filter(|n| n.attribute("points").is_some_and(|p| p.split_whitespace().count() >= min_points))
        .count()
}

/// Render an SVG to PNG with resvg (system fonts, when there are any); returns the PNG's path.
fn render_png(svg_path: &Path, png_dir: &Path) -> PathBuf {
    let mut options = resvg::usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    // The charts ask for the generic "sans-serif"; map it to a font that is often installed.
    options.fontdb_mut().set_sans_serif_family("DejaVu Sans");
    let data = std::fs::read(svg_path).unwrap();
    let tree = resvg::usvg::Tree::from_data(&data, &options).unwrap();
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    // Something besides the white background was drawn.
    assert!(pixmap.pixels().iter().any(|p| p.red() < 200), "{} rendered blank", svg_path.display());
    let png = png_dir.join(svg_path.file_name().unwrap()).with_extension("png");
    pixmap.save_png(&png).unwrap();
    png
}

#[test]
fn run_writes_a_report_whose_charts_parse_name_every_series_and_render() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("noisy");
    run_scenario(SCENARIO, &out);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    for file in ["loss.svg", "trajectories.svg", "sensitivity.svg"] {
        assert!(report.contains(&format!("]({file})")), "report.md does not show {file}");
        assert!(out.join(file).is_file(), "{file} missing");
    }
    assert!(!out.join("validation.svg").exists(), "no validation chart for an analytic objective");

    let labels =
        ["GD", "Momentum", "Sweep lr=1e-5", "Sweep lr=0.0001", "Sweep lr=0.0005", "Sweep lr=0.001", "Sweep lr=0.01"];
    // PNGs go to OPTLAB_PNG_DIR when set (to look at them), else into the temporary folder.
    let png_dir = std::env::var_os("OPTLAB_PNG_DIR").map(PathBuf::from).unwrap_or_else(|| tmp.path().to_path_buf());
    for (file, series, legend) in [
        ("loss.svg", labels.len(), &labels[..]),
        ("trajectories.svg", labels.len(), &labels[..]),
        ("sensitivity.svg", 1, &["Sweep"][..]),
    ] {
        let svg = std::fs::read_to_string(out.join(file)).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{file}: {e}"));
        let texts = texts(&doc);
        for label in legend {
            assert!(texts.iter().any(|t| t == label), "{file}: no label {label:?} in {texts:?}");
        }
        assert!(texts.iter().any(|t| t.contains("Noisy Rosenbrock")), "{file}: no title");
        // One data series per row (more than a legend swatch's 2 points) in each row's colour:
        // a hue per entry, shades of it for sweep values.
        let colors = if series == 1 { vec![color(2)] } else { shades(&[0, 1, 2, 2, 2, 2, 2]) };
        for (i, c) in colors.iter().enumerate() {
            assert!(polylines_in(&doc, (c.0, c.1, c.2), 3) >= 1, "{file}: no series in colour {i}");
        }
        let unused = color(3);
        assert_eq!(polylines_in(&doc, (unused.0, unused.1, unused.2), 3), 0, "{file}: an extra series");
        render_png(&out.join(file), &png_dir);
    }
    let loss = std::fs::read_to_string(out.join("loss.svg")).unwrap();
    assert!(loss.contains("loss (log scale)"), "the loss axis is labelled");
    assert!(loss.contains("step (updates)"));
}

#[test]
fn report_rebuilds_in_place_and_says_which_file_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("noisy");
    run_scenario(SCENARIO, &out);
    let original = std::fs::read_to_string(out.join("report.md")).unwrap();
    std::fs::write(out.join("sensitivity.svg"), "stale").unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    cargo_bin_cmd!("optlab").arg("report").arg(&out).assert().success();
    let rebuilt = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert_eq!(rebuilt, original, "a rebuilt report equals the one `run` wrote");
    assert_ne!(std::fs::read_to_string(out.join("sensitivity.svg")).unwrap(), "stale");
    assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "mine", "other files are kept");

    std::fs::remove_file(out.join("summary.csv")).unwrap();
    let assert = cargo_bin_cmd!("optlab").arg("report").arg(&out).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("summary.csv: missing"), "{stderr}");
}

#[test]
fn lr_find_prints_suggestions_and_writes_csv_and_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("lr");
    let assert = cargo_bin_cmd!("optlab").args(["lr-find", "ill_conditioned", "--out"]).arg(&out).assert().success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(stdout.contains("suggested lr") && stdout.contains("Adam"), "{stdout}");
    let csv = std::fs::read_to_string(out.join("lr_find.csv")).unwrap();
    assert!(csv.starts_with("run,optimizer,rate_index,lr,loss,smoothed_loss\n"));
    let summary = std::fs::read_to_string(out.join("lr_find_summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 5, "a header and one row per entry: {summary}");
    let svg = std::fs::read_to_string(out.join("lr_find.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(texts(&doc).iter().any(|t| t.starts_with("Adam: suggested lr")));
    render_png(&out.join("lr_find.svg"), tmp.path());

    let bad = cargo_bin_cmd!("optlab").args(["lr-find", "ill_conditioned", "--min", "0"]).assert().code(2);
    assert!(String::from_utf8_lossy(&bad.get_output().stderr).contains("--min"));
}

#[test]
fn several_folders_give_a_summary_across_scenarios() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let quick = |name: &str, adam_lr: f64| {
        format!(
            "name = \"{name}\"\nsteps = 200\n[objective]\nkind = \"quadratic\"\ncoeffs = [1.0, 10.0]\n\
             [[optimizer]]\nkind = \"sgd\"\nlr = 0.05\n[[optimizer]]\nkind = \"adam\"\nlr = {adam_lr}\n"
        )
    };
    run_scenario(&quick("first", 0.1), &a);
    run_scenario(&quick("second", 100.0), &b);
    let summary = tmp.path().join("summary");
    cargo_bin_cmd!("optlab").arg("report").arg(&a).arg(&b).arg("--out").arg(&summary).assert().success();
    let md = std::fs::read_to_string(summary.join("summary.md")).unwrap();
    assert!(md.contains("| optimizer | scenarios | best | within 2× | within 10× | within 100× |"), "{md}");
    assert!(md.contains("| first |") && md.contains("| second |"), "{md}");
    let svg = std::fs::read_to_string(summary.join("profile.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(texts(&doc).iter().any(|t| t == "Adam") && texts(&doc).iter().any(|t| t == "SGD"));
    render_png(&summary.join("profile.svg"), tmp.path());
}
