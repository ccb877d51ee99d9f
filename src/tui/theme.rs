//! Colours and styles, in one place.

use ratatui::style::{Color, Modifier, Style};

/// How many colours the terminal shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// 24-bit colour (`COLORTERM` is `truecolor` or `24bit`).
    True,
    /// The xterm 256-colour palette (`TERM` ends in `256color`).
    Indexed,
    /// The 16 named ANSI colours.
    Ansi,
}

impl Depth {
    /// What this terminal can show, from the environment.
    pub fn detect() -> Depth {
        let colorterm = std::env::var("COLORTERM").unwrap_or_default().to_ascii_lowercase();
        let term = std::env::var("TERM").unwrap_or_default();
        if colorterm.contains("truecolor") || colorterm.contains("24bit") {
            Depth::True
        } else if term.contains("256") {
            Depth::Indexed
        } else {
            Depth::Ansi
        }
    }
}

/// One hue per `[[optimizer]]` entry: the SVG reports' Tableau 10, lightened
/// to read on a dark terminal.
pub const PALETTE: [(u8, u8, u8); 10] = [
    (86, 160, 222),  // blue
    (255, 150, 50),  // orange
    (90, 200, 90),   // green
    (240, 90, 90),   // red
    (186, 150, 230), // purple
    (200, 140, 110), // brown
    (240, 150, 215), // pink
    (200, 200, 200), // grey
    (215, 215, 60),  // olive
    (40, 210, 225),  // cyan
];

/// The same hues where only 16 colours exist (sweep values alternate bright and normal).
const ANSI: [(Color, Color); 10] = [
    (Color::LightBlue, Color::Blue),
    (Color::LightYellow, Color::Yellow),
    (Color::LightGreen, Color::Green),
    (Color::LightRed, Color::Red),
    (Color::LightMagenta, Color::Magenta),
    (Color::Yellow, Color::LightYellow),
    (Color::Magenta, Color::LightMagenta),
    (Color::White, Color::Gray),
    (Color::Green, Color::LightGreen),
    (Color::LightCyan, Color::Cyan),
];

/// The colour of sweep value `k` of `n` of entry `entry`: the entry's hue,
/// from darker (first value) to lighter (last), as the SVG reports shade them.
pub fn shade(entry: usize, k: usize, n: usize, depth: Depth) -> Color {
    let base = PALETTE[entry % PALETTE.len()];
    let t = if n < 2 { 0.0 } else { -0.3 + 0.75 * k as f64 / (n - 1) as f64 };
    let towards = |c: u8| {
        let c = f64::from(c);
        (if t < 0.0 { c * (1.0 + t) } else { c + (255.0 - c) * t * 0.85 }).round().clamp(0.0, 255.0) as u8
    };
    let rgb = (towards(base.0), towards(base.1), towards(base.2));
    match depth {
        Depth::True => Color::Rgb(rgb.0, rgb.1, rgb.2),
        Depth::Indexed => Color::Indexed(nearest_256(rgb)),
        Depth::Ansi => {
            let (a, b) = ANSI[entry % ANSI.len()];
            if k.is_multiple_of(2) { a } else { b }
        }
    }
}

/// A colour lifted towards white (the selected run's line, drawn on top).
pub fn bright(color: Color, depth: Depth) -> Color {
    let rgb = match color {
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => rgb_of_256(i),
        other => return other,
    };
    let lift = |c: u8| (f64::from(c) + (255.0 - f64::from(c)) * 0.35).round() as u8;
    let rgb = (lift(rgb.0), lift(rgb.1), lift(rgb.2));
    match depth {
        Depth::True => Color::Rgb(rgb.0, rgb.1, rgb.2),
        Depth::Indexed => Color::Indexed(nearest_256(rgb)),
        Depth::Ansi => color,
    }
}

/// A colour mixed with the background (black): `amount` of it remains. For
/// seed bands and dimmed runs.
pub fn faint(color: Color, amount: f64, depth: Depth) -> Color {
    let rgb = match color {
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => rgb_of_256(i),
        _ => return Color::DarkGray,
    };
    let mix = |c: u8| (f64::from(c) * amount).round() as u8;
    let rgb = (mix(rgb.0), mix(rgb.1), mix(rgb.2));
    match depth {
        Depth::True => Color::Rgb(rgb.0, rgb.1, rgb.2),
        Depth::Indexed => Color::Indexed(nearest_256(rgb)),
        Depth::Ansi => Color::DarkGray,
    }
}

const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// The xterm palette's colour nearest to `rgb` (6×6×6 cube or grey ramp).
pub fn nearest_256(rgb: (u8, u8, u8)) -> u8 {
    let level = |c: u8| (0..6).min_by_key(|&i| (i32::from(CUBE[i]) - i32::from(c)).abs()).unwrap_or(0);
    let (r, g, b) = (level(rgb.0), level(rgb.1), level(rgb.2));
    let cube = (16 + 36 * r + 6 * g + b) as u8;
    let grey_level = ((u32::from(rgb.0) + u32::from(rgb.1) + u32::from(rgb.2)) / 3) as i32;
    let grey_i = ((grey_level - 8).max(0) / 10).min(23);
    let grey = (232 + grey_i) as u8;
    let dist = |c: (u8, u8, u8)| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(c.0, rgb.0) + d(c.1, rgb.1) + d(c.2, rgb.2)
    };
    if dist(rgb_of_256(grey)) < dist(rgb_of_256(cube)) { grey } else { cube }
}

fn rgb_of_256(i: u8) -> (u8, u8, u8) {
    match i {
        16..=231 => {
            let j = i - 16;
            (CUBE[usize::from(j / 36)], CUBE[usize::from(j / 6 % 6)], CUBE[usize::from(j % 6)])
        }
        232..=255 => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
        _ => (128, 128, 128),
    }
}

/// A label's colour when nothing else is known (tests, one entry).
pub fn run_color(group: usize) -> Color {
    shade(group, 0, 1, Depth::Indexed)
}

/// The landscape's shades, low to high: a grey ramp (256-colour palette) that
/// leaves the runs' colours readable on top.
pub const HEAT: [Color; 12] = [
    Color::Indexed(233),
    Color::Indexed(234),
    Color::Indexed(235),
    Color::Indexed(236),
    Color::Indexed(237),
    Color::Indexed(238),
    Color::Indexed(239),
    Color::Indexed(240),
    Color::Indexed(241),
    Color::Indexed(242),
    Color::Indexed(243),
    Color::Indexed(244),
];

pub const MINIMUM: Color = Color::LightYellow;

pub const BORDER: Style = Style::new().fg(Color::DarkGray);
pub const TITLE: Style = Style::new().fg(Color::White).add_modifier(Modifier::BOLD);
pub const HEADER: Style = Style::new().fg(Color::Black).bg(Color::Cyan);
pub const HEADER_STRONG: Style = Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD);
pub const FOOTER: Style = Style::new().fg(Color::Gray);
pub const KEY: Style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
pub const MESSAGE: Style = Style::new().fg(Color::LightGreen);
pub const ERROR: Style = Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD);
pub const DIM: Style = Style::new().fg(Color::DarkGray);
pub const AXIS: Style = Style::new().fg(Color::Gray);
pub const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);
pub const TABLE_HEADER: Style = Style::new().fg(Color::Gray).add_modifier(Modifier::BOLD);
pub const DIVERGED: Style = Style::new().fg(Color::LightRed);
pub const REACHED: Style = Style::new().fg(Color::LightGreen);
