//! A perceptual colour map for heights (viridis: dark violet, blue, teal,
//! green, yellow; even steps of lightness, readable by most colour-blind
//! people) and its fallbacks for terminals with 256 or 16 colours, plus the
//! log-spaced contour levels the landscape draws over it.

use ratatui::style::Color;
use std::sync::OnceLock;

/// What the terminal can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorDepth {
    TrueColor,
    Indexed256,
    Basic16,
}

impl ColorDepth {
    /// From the environment, as terminals announce themselves: `COLORTERM`
    /// says truecolor/24bit, `TERM` says 256color; anything else gets 16.
    pub fn detect() -> ColorDepth {
        static DEPTH: OnceLock<ColorDepth> = OnceLock::new();
        *DEPTH.get_or_init(|| {
            let colorterm = std::env::var("COLORTERM").unwrap_or_default().to_ascii_lowercase();
            let term = std::env::var("TERM").unwrap_or_default();
            ColorDepth::from_env(&colorterm, &term)
        })
    }

    pub fn from_env(colorterm: &str, term: &str) -> ColorDepth {
        if colorterm.contains("truecolor") || colorterm.contains("24bit") {
            ColorDepth::TrueColor
        } else if term.contains("256") || term.contains("direct") {
            ColorDepth::Indexed256
        } else {
            ColorDepth::Basic16
        }
    }
}

/// Viridis at `t` in [0, 1] as RGB in [0, 1] (a degree-6 polynomial fit of
/// matplotlib's table, good to about 1/255).
pub fn viridis(t: f64) -> [f64; 3] {
    const C: [[f64; 3]; 7] = [
        [0.277_727_327_223_417_7, 0.005_407_344_544_966_578, 0.334_099_805_335_306_1],
        [0.105_093_043_108_577_4, 1.404_613_529_898_575, 1.384_590_162_594_685],
        [-0.330_861_828_725_556_3, 0.214_847_559_468_213, 0.095_095_163_028_236_59],
        [-4.634_230_498_983_486, -5.799_100_973_351_585, -19.332_440_956_279_87],
        [6.228_269_936_347_081, 14.179_933_366_805_09, 56.690_552_600_681_05],
        [4.776_384_997_670_288, -13.745_145_377_746_01, -65.353_032_633_372_34],
        [-5.435_455_855_934_631, 4.645_852_612_178_535, 26.312_435_249_583_2],
    ];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 1.0 };
    let mut out = [0.0; 3];
    for (k, o) in out.iter_mut().enumerate() {
        *o = C.iter().rev().fold(0.0, |acc, c| acc * t + c[k]).clamp(0.0, 1.0);
    }
    out
}

/// The terminal colour of `t` in [0, 1], darkened by `shade` (1: as is) so
/// the runs' bright colours stand out on it, lightened where a contour runs.
pub fn color(t: f64, contour: bool, depth: ColorDepth) -> Color {
    // The top of viridis is a pale yellow that would drown yellow paths: stop short of it.
    let [r, g, b] = viridis(t * 0.9);
    let (r, g, b) = if contour {
        (r + (1.0 - r) * 0.3, g + (1.0 - g) * 0.3, b + (1.0 - b) * 0.3)
    } else {
        (r * 0.8, g * 0.8, b * 0.8)
    };
    let byte = |v: f64| (v * 255.0).round().clamp(0.0, 255.0) as u8;
    match depth {
        ColorDepth::TrueColor => Color::Rgb(byte(r), byte(g), byte(b)),
        ColorDepth::Indexed256 => Color::Indexed(xterm256(byte(r), byte(g), byte(b))),
        ColorDepth::Basic16 => {
            // Five steps of the same hue order; contours one step lighter.
            const STEPS: [Color; 6] =
                [Color::Black, Color::Blue, Color::Cyan, Color::Green, Color::Yellow, Color::White];
            let i = ((t.clamp(0.0, 1.0) * 4.999) as usize + usize::from(contour)).min(STEPS.len() - 1);
            STEPS[i]
        }
    }
}

/// The nearest colour of the xterm 6×6×6 cube or grey ramp.
pub fn xterm256(r: u8, g: u8, b: u8) -> u8 {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let nearest = |v: u8| (0..6).min_by_key(|&i| (i32::from(LEVELS[i]) - i32::from(v)).abs()).unwrap_or(0) as u8;
    let (ri, gi, bi) = (nearest(r), nearest(g), nearest(b));
    let cube = [LEVELS[ri as usize], LEVELS[gi as usize], LEVELS[bi as usize]];
    let dist = |c: [u8; 3]| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(c[0], r) + d(c[1], g) + d(c[2], b)
    };
    let mean = (u16::from(r) + u16::from(g) + u16::from(b)) / 3;
    let grey_i = ((mean.saturating_sub(8)) / 10).min(23) as u8;
    let grey = 8 + 10 * grey_i;
    if dist([grey, grey, grey]) < dist(cube) { 232 + grey_i } else { 16 + 36 * ri + 6 * gi + bi }
}

/// Contour levels on a log scale: the values of `s = ln(gap)` between `lo`
/// and `hi` at which lines are drawn. Whole decades when the range spans
/// three to twelve of them, otherwise about eight even steps in the log.
pub fn log_levels(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return Vec::new();
    }
    let decades = (hi - lo) / std::f64::consts::LN_10;
    let step = if (3.0..=12.0).contains(&decades) {
        std::f64::consts::LN_10
    } else if decades > 12.0 {
        std::f64::consts::LN_10 * (decades / 8.0).ceil()
    } else {
        (hi - lo) / 8.0
    };
    let first = if step == std::f64::consts::LN_10 { (lo / step).ceil() * step } else { lo + step };
    let mut out = Vec::new();
    let mut v = first;
    while v < hi && out.len() < 64 {
        out.push(v);
        v += step;
    }
    out
}

/// The band of `s` among the levels (how many levels lie at or below it).
pub fn band(s: f64, levels: &[f64]) -> usize {
    levels.partition_point(|&l| l <= s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_runs_from_violet_to_yellow_with_rising_lightness() {
        let [r, g, b] = viridis(0.0);
        assert!((r - 0.267).abs() < 0.02 && (g - 0.005).abs() < 0.02 && (b - 0.329).abs() < 0.02);
        let [r, g, b] = viridis(1.0);
        assert!((r - 0.993).abs() < 0.02 && (g - 0.906).abs() < 0.02 && (b - 0.144).abs() < 0.03);
        let [r, g, b] = viridis(0.5);
        assert!((r - 0.128).abs() < 0.02 && (g - 0.567).abs() < 0.02 && (b - 0.551).abs() < 0.02);
        // Perceptual: the luminance rises at every step.
        let lum = |t: f64| {
            let [r, g, b] = viridis(t);
            0.2126 * r + 0.7152 * g + 0.0722 * b
        };
        for i in 0..50 {
            assert!(lum((i + 1) as f64 / 50.0) > lum(i as f64 / 50.0), "at {i}");
        }
    }

    #[test]
    fn fallbacks_keep_the_order_and_the_cube_is_hit_exactly() {
        assert_eq!(xterm256(0, 0, 0), 16);
        assert_eq!(xterm256(255, 255, 255), 231);
        assert_eq!(xterm256(95, 135, 175), 16 + 36 + 12 + 3);
        assert_eq!(xterm256(128, 128, 128), 232 + 12);
        assert_eq!(color(0.0, false, ColorDepth::Basic16), Color::Black);
        assert_eq!(color(1.0, false, ColorDepth::Basic16), Color::Yellow);
        assert_eq!(color(1.0, true, ColorDepth::Basic16), Color::White);
        assert!(matches!(color(0.3, false, ColorDepth::TrueColor), Color::Rgb(..)));
        assert!(matches!(color(0.3, true, ColorDepth::Indexed256), Color::Indexed(_)));
        assert_eq!(ColorDepth::from_env("truecolor", "xterm"), ColorDepth::TrueColor);
        assert_eq!(ColorDepth::from_env("", "xterm-256color"), ColorDepth::Indexed256);
        assert_eq!(ColorDepth::from_env("", "linux"), ColorDepth::Basic16);
    }

    #[test]
    fn contour_levels_are_decades_when_there_are_a_few_of_them() {
        let ln10 = std::f64::consts::LN_10;
        // From 1e-4 to 1e3: the decades 1e-3 ... 1e2 strictly inside... and 1e-4 is the floor.
        let levels = log_levels(-4.0 * ln10 - 0.1, 3.0 * ln10 - 0.1);
        let decades: Vec<i32> = levels.iter().map(|l| (l / ln10).round() as i32).collect();
        assert_eq!(decades, vec![-4, -3, -2, -1, 0, 1, 2]);
        for l in &levels {
            assert!((l / ln10 - (l / ln10).round()).abs() < 1e-9);
        }
        // Two decades: eight even steps; thirty: every fourth decade.
        assert_eq!(log_levels(0.0, 2.0 * ln10).len(), 7);
        let wide = log_levels(-30.0 * ln10, 0.0);
        assert!(wide.len() >= 6 && wide.len() <= 9, "{}", wide.len());
        assert!(log_levels(1.0, 1.0).is_empty());
        assert_eq!(band(0.5, &[0.0, 1.0, 2.0]), 1);
        assert_eq!(band(-1.0, &[0.0, 1.0, 2.0]), 0);
        assert_eq!(band(5.0, &[0.0, 1.0, 2.0]), 3);
    }
}
