//! Colours and styles, in one place.

use ratatui::style::{Color, Modifier, Style};

/// One colour per run label, in order (seeds of a label share it).
pub const RUN_COLORS: [Color; 10] = [
    Color::Yellow,
    Color::LightCyan,
    Color::LightMagenta,
    Color::LightGreen,
    Color::LightRed,
    Color::LightBlue,
    Color::Indexed(208), // orange
    Color::White,
    Color::Indexed(141), // violet
    Color::Indexed(115), // sea green
];

pub fn run_color(group: usize) -> Color {
    RUN_COLORS[group % RUN_COLORS.len()]
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
