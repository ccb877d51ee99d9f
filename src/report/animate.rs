//! The race as an animated GIF: the landscape with every run's path growing
//! and the loss curves drawn up to the same update, one frame per N updates.
//!
//! Frames are drawn into an indexed raster with one fixed palette (the
//! landscape's bands, the charts' run colours, greys for text), and every frame
//! after the first stores only the rectangle that changed, its unchanged pixels
//! transparent: a 300-frame race at 640×400 stays well under a megabyte. Text
//! is rasterised with `ab_glyph` from DejaVu Sans, embedded in the binary.

use super::charts::{contour_color, shades};
use crate::engine::Lab;
use crate::objective::TestFunction;
use crate::scenario::{Scenario, ScenarioError};
use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Written into every GIF optlab makes: an existing file without it is not replaced.
const SIGNATURE: &[u8] = b"made by optlab animate";

#[derive(Debug, thiserror::Error)]
pub enum AnimateError {
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    #[error("{0}: the animation needs an analytic objective (a landscape to draw); this one is a model")]
    NotAFunction(String),
    #[error("{path} exists and was not made by optlab animate; choose another name or remove it")]
    NotOurs { path: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Encode { path: String, message: String },
    #[error("{0}")]
    Options(String),
}

impl AnimateError {
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            AnimateError::Scenario(_)
                | AnimateError::NotAFunction(_)
                | AnimateError::NotOurs { .. }
                | AnimateError::Options(_)
        )
    }
}

#[derive(Clone, Debug)]
pub struct AnimateOptions {
    pub width: u32,
    pub height: u32,
    /// Updates per frame (`None`: as many as keep the frames at `max_frames`).
    pub every: Option<u64>,
    pub max_frames: usize,
    /// Hundredths of a second per frame.
    pub delay: u16,
}

impl Default for AnimateOptions {
    fn default() -> Self {
        AnimateOptions { width: 640, height: 400, every: None, max_frames: 300, delay: 4 }
    }
}

/// What was written.
#[derive(Clone, Debug)]
pub struct Animation {
    pub path: PathBuf,
    pub frames: usize,
    pub every: u64,
    pub bytes: u64,
}

/// One run's recorded path and losses, update by update.
#[derive(Clone, Debug)]
pub struct Track {
    pub label: String,
    /// (x, y) after each update (index 0: the start).
    pub xy: Vec<(f64, f64)>,
    pub loss: Vec<f64>,
    pub entry: usize,
}

/// Run the scenario to its end, recording every run's path, and write the GIF.
pub fn animate(scenario: &Scenario, out: &Path, options: &AnimateOptions) -> Result<Animation, AnimateError> {
    check_options(options)?;
    check_target(out)?;
    let mut lab = scenario.build_lab()?;
    let function = scenario.build_function().map_err(|_| AnimateError::NotAFunction(scenario.origin.display()))?;
    let tracks = record(&mut lab);
    write_gif(&scenario.name, function.as_ref(), &tracks, 0, out, options)
}

fn check_options(o: &AnimateOptions) -> Result<(), AnimateError> {
    if !(320..=1920).contains(&o.width) || !(200..=1200).contains(&o.height) {
        return Err(AnimateError::Options("the size must be between 320x200 and 1920x1200".into()));
    }
    if o.max_frames < 2 || o.every == Some(0) {
        return Err(AnimateError::Options("at least two frames and one update per frame".into()));
    }
    Ok(())
}

/// Fail if `out` exists and is not a GIF this module wrote.
pub fn check_target(out: &Path) -> Result<(), AnimateError> {
    if !out.exists() {
        return Ok(());
    }
    let head = fs::read(out).map(|b| b[..b.len().min(2048)].to_vec()).unwrap_or_default();
    if head.starts_with(b"GIF89a") && head.windows(SIGNATURE.len()).any(|w| w == SIGNATURE) {
        return Ok(());
    }
    Err(AnimateError::NotOurs { path: out.display().to_string() })
}

/// Step every run to its end, keeping its first two coordinates and loss.
pub fn record(lab: &mut Lab) -> Vec<Track> {
    let mut tracks: Vec<Track> = lab
        .runs()
        .iter()
        .map(|r| {
            let p = r.params();
            Track {
                label: r.label().to_string(),
                xy: vec![(p[0], p.get(1).copied().unwrap_or(0.0))],
                loss: vec![lab.objective().loss(p.view())],
                entry: r.spec().entry,
            }
        })
        .collect();
    while !lab.is_finished() {
        lab.step_all(|id, run, rec| {
            let p = run.params();
            tracks[id.0].xy.push((p[0], p.get(1).copied().unwrap_or(0.0)));
            tracks[id.0].loss.push(rec.loss);
        });
    }
    tracks
}

// The palette: fixed indices.
const WHITE: u8 = 0;
const BLACK: u8 = 1;
const AXIS: u8 = 2;
/// 8 greys from black to near white, for anti-aliased text on white.
const TEXT_GREYS: u8 = 3;
const BANDS: usize = 14;
const BAND: u8 = 16;
const LINE: u8 = BAND + BANDS as u8;
const RUN: u8 = 64;
const MAX_RUNS: usize = 128;
const TRANSPARENT: u8 = 255;

fn palette(run_colors: &[(u8, u8, u8)]) -> Vec<u8> {
    let mut p = vec![0u8; 256 * 3];
    let mut set = |i: u8, (r, g, b): (u8, u8, u8)| {
        p[i as usize * 3..i as usize * 3 + 3].copy_from_slice(&[r, g, b]);
    };
    set(WHITE, (255, 255, 255));
    set(BLACK, (20, 20, 20));
    set(AXIS, (120, 120, 120));
    for k in 0..8u8 {
        let v = 20 + (235 * k as u32 / 8) as u8;
        set(TEXT_GREYS + k, (v, v, v));
    }
    for k in 0..BANDS {
        let t = k as f64 / (BANDS - 1) as f64;
        let c = contour_color(t);
        // Filled bands: the contour colour lightened, so the runs stand out on them.
        let light = |v: u8| (v as f64 + (255.0 - v as f64) * 0.62).round() as u8;
        set(BAND + k as u8, (light(c.0), light(c.1), light(c.2)));
        set(LINE + k as u8, (c.0, c.1, c.2));
    }
    for (i, c) in run_colors.iter().enumerate().take(MAX_RUNS) {
        set(RUN + i as u8, *c);
    }
    p
}

struct Canvas {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl Canvas {
    fn set(&mut self, x: i64, y: i64, c: u8) {
        if x >= 0 && y >= 0 && (x as usize) < self.w && (y as usize) < self.h {
            self.px[y as usize * self.w + x as usize] = c;
        }
    }
    fn rect(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, c: u8) {
        for y in y0..y1 {
            for x in x0..x1 {
                self.set(x, y, c);
            }
        }
    }
    fn frame(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, c: u8) {
        self.rect(x0, y0, x1, y0 + 1, c);
        self.rect(x0, y1 - 1, x1, y1, c);
        self.rect(x0, y0, x0 + 1, y1, c);
        self.rect(x1 - 1, y0, x1, y1, c);
    }
    /// A line `width` pixels thick, clipped to the rectangle `clip`.
    fn line(&mut self, a: (f64, f64), b: (f64, f64), c: u8, width: i64, clip: (i64, i64, i64, i64)) {
        let n = ((b.0 - a.0).abs().max((b.1 - a.1).abs()).ceil() as i64).clamp(1, 4000);
        for i in 0..=n {
            let t = i as f64 / n as f64;
            let (x, y) = ((a.0 + (b.0 - a.0) * t).round() as i64, (a.1 + (b.1 - a.1) * t).round() as i64);
            for dy in 0..width {
                for dx in 0..width {
                    let (px, py) = (x + dx - width / 2, y + dy - width / 2);
                    if px >= clip.0 && px < clip.2 && py >= clip.1 && py < clip.3 {
                        self.set(px, py, c);
                    }
                }
            }
        }
    }
    fn disc(&mut self, (cx, cy): (f64, f64), r: f64, fill: u8, edge: u8) {
        let (x0, y0) = (cx.round() as i64, cy.round() as i64);
        let ri = r.ceil() as i64 + 1;
        for y in -ri..=ri {
            for x in -ri..=ri {
                let d = ((x * x + y * y) as f64).sqrt();
                if d <= r - 1.0 {
                    self.set(x0 + x, y0 + y, fill);
                } else if d <= r {
                    self.set(x0 + x, y0 + y, edge);
                }
            }
        }
    }
    /// Text with its top-left corner at (x, y); returns its width. Anti-aliased on white only.
    fn text(&mut self, font: &FontRef<'_>, size: f32, x: f64, y: f64, text: &str, color: u8) -> f64 {
        let scaled = font.as_scaled(PxScale::from(size));
        let mut caret = x;
        let mut previous = None;
        for ch in text.chars() {
            let id = scaled.glyph_id(ch);
            if let Some(p) = previous {
                caret += scaled.kern(p, id) as f64;
            }
            let glyph = id.with_scale_and_position(size, ab_glyph::point(caret as f32, y as f32 + scaled.ascent()));
            caret += scaled.h_advance(id) as f64;
            previous = Some(id);
            if let Some(outline) = font.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                outline.draw(|gx, gy, coverage| {
                    let (px, py) = (bounds.min.x as i64 + gx as i64, bounds.min.y as i64 + gy as i64);
                    if coverage < 0.15 {
                        return;
                    }
                    let shade = if color == BLACK && coverage < 0.9 {
                        TEXT_GREYS + ((1.0 - coverage) * 8.0).clamp(0.0, 7.0) as u8
                    } else {
                        color
                    };
                    self.set(px, py, shade);
                });
            }
        }
        caret - x
    }
}

fn text_width(font: &FontRef<'_>, size: f32, text: &str) -> f64 {
    let scaled = font.as_scaled(PxScale::from(size));
    text.chars().map(|c| scaled.h_advance(scaled.glyph_id(c)) as f64).sum()
}

/// Short form of a loss for an axis label.
fn fmt_loss(v: f64) -> String {
    if v == 0.0 { "0".into() } else { format!("{v:.0e}") }
}

/// Write the GIF of `tracks` from update `from` on (0 for a whole race).
pub fn write_gif(
    title: &str,
    f: &dyn TestFunction,
    tracks: &[Track],
    from: u64,
    out: &Path,
    o: &AnimateOptions,
) -> Result<Animation, AnimateError> {
    check_options(o)?;
    let font = FontRef::try_from_slice(FONT).map_err(|e| AnimateError::Encode {
        path: out.display().to_string(),
        message: format!("the embedded font: {e}"),
    })?;
    let (w, h) = (o.width as usize, o.height as usize);
    let last = tracks.iter().map(|t| t.loss.len().saturating_sub(1) as u64).max().unwrap_or(0);
    let span = last.saturating_sub(from).max(1);
    let every = o.every.unwrap_or_else(|| span.div_ceil(o.max_frames as u64 - 1)).max(1);
    let frames = (span.div_ceil(every) + 1) as usize;

    // Layout: title row, landscape square on the left, loss chart and legend on the right.
    let top = 34i64;
    let side = (h as i64 - top - 8).min(w as i64 * 6 / 10 - 16);
    let land = (8i64, top, 8 + side, top + side);
    let right = (land.2 + 44, top + 4, w as i64 - 10, top + (h as i64 - top) * 55 / 100);
    let win = f.window();
    let to_px = |(x, y): (f64, f64)| {
        (
            land.0 as f64 + (x - win.x.0) / (win.x.1 - win.x.0) * (land.2 - land.0) as f64,
            land.3 as f64 - (y - win.y.0) / (win.y.1 - win.y.0) * (land.3 - land.1) as f64,
        )
    };

    // The landscape's bands: log(f − min) equally spaced between its 2nd and 98th percentile.
    let (lw, lh) = ((land.2 - land.0) as usize, (land.3 - land.1) as usize);
    let mut values = Vec::with_capacity(lw * lh);
    let mut point = ndarray::Array1::zeros(f.dim());
    for j in 0..lh {
        for i in 0..lw {
            point[0] = win.x.0 + (i as f64 + 0.5) / lw as f64 * (win.x.1 - win.x.0);
            if f.dim() > 1 {
                point[1] = win.y.1 - (j as f64 + 0.5) / lh as f64 * (win.y.1 - win.y.0);
            }
            values.push(f.value(point.view()));
        }
    }
    let floor = values.iter().copied().filter(|v| v.is_finite()).fold(f64::INFINITY, f64::min);
    let logs: Vec<f64> = values.iter().map(|v| (v - floor + 1e-12 * floor.abs().max(1e-12)).ln()).collect();
    let mut sorted: Vec<f64> = logs.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let (lo, hi) = match sorted.len() {
        0 => (0.0, 1.0),
        n => (sorted[n * 2 / 100], sorted[(n * 98 / 100).min(n - 1)]),
    };
    let band = |v: f64| -> usize {
        if !v.is_finite() {
            return BANDS - 1;
        }
        (((v - lo) / (hi - lo).max(1e-12)) * BANDS as f64).clamp(0.0, BANDS as f64 - 1.0) as usize
    };
    let bands: Vec<usize> = logs.iter().map(|&v| band(v)).collect();

    let colors: Vec<(u8, u8, u8)> =
        shades(&tracks.iter().map(|t| t.entry).collect::<Vec<_>>()).iter().map(|c| (c.0, c.1, c.2)).collect();
    let run_color = |i: usize| RUN + (i % MAX_RUNS) as u8;

    // Loss axis: log scale over every finite positive loss.
    let positive: Vec<f64> =
        tracks.iter().flat_map(|t| t.loss.iter().copied()).filter(|v| v.is_finite() && *v > 0.0).collect();
    let (lmin, lmax) = positive.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let (lmin, lmax) = if lmin.is_finite() {
        (lmin.log10().floor(), lmax.log10().ceil().max(lmin.log10().floor() + 1.0))
    } else {
        (0.0, 1.0)
    };
    let loss_px = |step: u64, loss: f64| {
        let x = right.0 as f64 + (step.saturating_sub(from)) as f64 / span as f64 * (right.2 - right.0) as f64;
        let l = if loss > 0.0 && loss.is_finite() {
            loss.log10().clamp(lmin, lmax)
        } else if loss.is_finite() {
            lmin
        } else {
            lmax
        };
        let y = right.3 as f64 - (l - lmin) / (lmax - lmin) * (right.3 - right.1) as f64;
        (x, y)
    };

    // The background every frame starts from.
    let mut base = Canvas { w, h, px: vec![WHITE; w * h] };
    for j in 0..lh {
        for i in 0..lw {
            let b = bands[j * lw + i];
            let edge = (i + 1 < lw && bands[j * lw + i + 1] != b) || (j + 1 < lh && bands[(j + 1) * lw + i] != b);
            base.set(land.0 + i as i64, land.1 + j as i64, if edge { LINE + b as u8 } else { BAND + b as u8 });
        }
    }
    base.frame(land.0 - 1, land.1 - 1, land.2 + 1, land.3 + 1, AXIS);
    for m in f.minima() {
        let (x, y) = to_px((m[0], m.get(1).copied().unwrap_or(0.0)));
        let (x, y) = (x.round() as i64, y.round() as i64);
        for d in -4..=4 {
            base.set(x + d, y + d, BLACK);
            base.set(x + d, y - d, BLACK);
        }
    }
    base.frame(right.0, right.1, right.2 + 1, right.3 + 1, AXIS);
    let small = 11.0;
    for (v, label) in [(lmax, fmt_loss(10f64.powf(lmax))), (lmin, fmt_loss(10f64.powf(lmin)))] {
        let y = right.3 as f64 - (v - lmin) / (lmax - lmin) * (right.3 - right.1) as f64;
        let tw = text_width(&font, small, &label);
        base.text(&font, small, right.0 as f64 - tw - 4.0, y - 7.0, &label, BLACK);
    }
    base.text(&font, small, right.0 as f64, right.3 as f64 + 3.0, &from.to_string(), BLACK);
    let end_label = format!("{}", from + span);
    base.text(
        &font,
        small,
        right.2 as f64 - text_width(&font, small, &end_label),
        right.3 as f64 + 3.0,
        &end_label,
        BLACK,
    );
    base.text(&font, small, (right.0 + right.2) as f64 / 2.0 - 30.0, right.3 as f64 + 3.0, "updates", AXIS);
    base.text(&font, 12.0, right.0 as f64, right.1 as f64 - 23.0, "loss (log)", AXIS);
    // The legend: one row per run, as the charts'.
    let legend_top = right.3 + 24;
    let rows = ((h as i64 - legend_top - 4) / 16).max(1) as usize;
    let columns = tracks.len().div_ceil(rows).max(1);
    let col_w = (w as i64 - right.0 + 30) / columns as i64;
    for (i, t) in tracks.iter().enumerate() {
        let (cx, cy) = (right.0 - 30 + (i / rows) as i64 * col_w, legend_top + (i % rows) as i64 * 16);
        base.rect(cx, cy + 6, cx + 14, cy + 9, run_color(i));
        let mut label = t.label.clone();
        while text_width(&font, small, &label) > (col_w - 22) as f64 && label.chars().count() > 3 {
            label.pop();
        }
        base.text(&font, small, (cx + 18) as f64, cy as f64, &label, BLACK);
    }
    let mut heading = title.to_string();
    while text_width(&font, 14.0, &heading) > w as f64 - 150.0 && heading.chars().count() > 3 {
        heading.pop();
    }
    base.text(&font, 14.0, 8.0, 6.0, &heading, BLACK);

    // Frames.
    let tmp = out.with_file_name(format!(
        ".{}.partial-{}",
        out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        std::process::id()
    ));
    let io = |source: std::io::Error| AnimateError::Io { path: out.display().to_string(), source };
    let enc_err =
        |e: gif::EncodingError| AnimateError::Encode { path: out.display().to_string(), message: e.to_string() };
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(io)?;
    }
    let result = (|| -> Result<(), AnimateError> {
        let file = BufWriter::new(fs::File::create(&tmp).map_err(io)?);
        let mut enc = gif::Encoder::new(file, w as u16, h as u16, &palette(&colors)).map_err(enc_err)?;
        enc.set_repeat(gif::Repeat::Infinite).map_err(enc_err)?;
        enc.write_raw_extension(gif::AnyExtension(0xFE), &[SIGNATURE]).map_err(enc_err)?;
        let mut previous: Option<Vec<u8>> = None;
        let mut canvas = Canvas { w, h, px: base.px.clone() };
        for k in 0..frames {
            let upto = (from + k as u64 * every).min(from + span);
            canvas.px.copy_from_slice(&base.px);
            let land_clip = (land.0, land.1, land.2, land.3);
            let chart_clip = (right.0 + 1, right.1 + 1, right.2, right.3);
            for (i, t) in tracks.iter().enumerate() {
                let c = run_color(i);
                let end = (upto as usize).min(t.xy.len() - 1);
                let start = (from as usize).min(end);
                for s in start..end {
                    canvas.line(to_px(t.xy[s]), to_px(t.xy[s + 1]), c, 2, land_clip);
                    canvas.line(loss_px(s as u64, t.loss[s]), loss_px(s as u64 + 1, t.loss[s + 1]), c, 2, chart_clip);
                }
                let head = to_px(t.xy[end]);
                if head.0 >= land.0 as f64
                    && head.0 < land.2 as f64
                    && head.1 >= land.1 as f64
                    && head.1 < land.3 as f64
                {
                    canvas.disc(head, 4.5, c, BLACK);
                }
            }
            let label = format!("update {upto}");
            let tw = text_width(&font, 13.0, &label);
            canvas.text(&font, 13.0, w as f64 - tw - 10.0, 7.0, &label, BLACK);
            // Only the rectangle that changed, the rest transparent.
            let (x0, y0, x1, y1, buffer) = match &previous {
                None => (0, 0, w, h, canvas.px.clone()),
                Some(prev) => {
                    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
                    for y in 0..h {
                        for x in 0..w {
                            if prev[y * w + x] != canvas.px[y * w + x] {
                                x0 = x0.min(x);
                                y0 = y0.min(y);
                                x1 = x1.max(x + 1);
                                y1 = y1.max(y + 1);
                            }
                        }
                    }
                    if x1 == 0 {
                        // Nothing moved: one transparent pixel keeps the frame's time.
                        (0, 0, 1, 1, vec![TRANSPARENT])
                    } else {
                        let mut b = Vec::with_capacity((x1 - x0) * (y1 - y0));
                        for y in y0..y1 {
                            for x in x0..x1 {
                                let v = canvas.px[y * w + x];
                                b.push(if v == prev[y * w + x] { TRANSPARENT } else { v });
                            }
                        }
                        (x0, y0, x1, y1, b)
                    }
                }
            };
            let frame = gif::Frame {
                left: x0 as u16,
                top: y0 as u16,
                width: (x1 - x0) as u16,
                height: (y1 - y0) as u16,
                buffer: std::borrow::Cow::Owned(buffer),
                transparent: Some(TRANSPARENT),
                // The last frame stays up a while before the loop starts again.
                delay: if k + 1 == frames { 300 } else { o.delay },
                dispose: gif::DisposalMethod::Keep,
                ..gif::Frame::default()
            };
            enc.write_frame(&frame).map_err(enc_err)?;
            previous = Some(canvas.px.clone());
        }
        let mut file = enc.into_inner().map_err(enc_err)?;
        file.flush().map_err(io)?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    fs::rename(&tmp, out).map_err(io)?;
    let bytes = fs::metadata(out).map_err(io)?.len();
    Ok(Animation { path: out.to_path_buf(), frames, every, bytes })
}
