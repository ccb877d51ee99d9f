//! The top line: the scenario, the state, the step and the speed; on a narrow
//! terminal the scenario's name is cut first (in the middle), then the
//! objective left out, so state, step and speed always show.

use crate::tui::app::App;
use crate::tui::format;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let s = app.snapshot();
    let state = if s.finished {
        "finished"
    } else if s.paused {
        "paused"
    } else {
        "running"
    };
    let speed = if s.paused || s.finished {
        s.speed_label()
    } else {
        format!("{} (now {}/s)", s.speed_label(), format::count(s.rate))
    };
    // Millions of steps in short form, so the line fits 80 columns.
    let n = |x: u64| if s.steps >= 1_000_000 { format::count(x as f64) } else { x.to_string() };
    let step = format!("step {}/{}", n(s.t), n(s.steps));
    let speed = format!("speed {speed}");
    const SEP: &str = " │ ";
    let width = usize::from(area.width);
    let fixed = [" optlab ", state, &step, &speed];
    let fixed_w: usize = fixed.iter().map(|t| t.chars().count()).sum::<usize>() + 4 * SEP.chars().count();
    let objective_w = s.objective.chars().count() + SEP.chars().count();
    let name_w = s.name.chars().count();
    let (name_room, with_objective) =
        if fixed_w + name_w + objective_w <= width { (name_w, true) } else { (width.saturating_sub(fixed_w), false) };
    let sep = Span::styled(SEP, theme::HEADER);
    let mut spans = vec![Span::styled(" optlab ", theme::HEADER_STRONG)];
    if name_room >= 4 {
        spans.push(sep.clone());
        spans.push(Span::styled(format::elide(&s.name, name_room), theme::HEADER_STRONG));
    }
    spans.extend([
        sep.clone(),
        Span::styled(state, theme::HEADER_STRONG),
        sep.clone(),
        Span::styled(step, theme::HEADER),
        sep.clone(),
        Span::styled(speed, theme::HEADER),
    ]);
    if with_objective {
        spans.push(sep);
        spans.push(Span::styled(s.objective.clone(), theme::HEADER));
    }
    buf.set_style(area, theme::HEADER);
    Line::from(spans).render(area, buf);
}
