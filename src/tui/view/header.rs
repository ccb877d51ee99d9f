//! The top line: the scenario, the step, the speed and the state.

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
    let sep = Span::styled(" │ ", theme::HEADER);
    let spans = vec![
        Span::styled(" optlab ", theme::HEADER_STRONG),
        sep.clone(),
        Span::styled(s.name.clone(), theme::HEADER_STRONG),
        sep.clone(),
        Span::styled(state, theme::HEADER_STRONG),
        sep.clone(),
        Span::styled(format!("step {}/{}", s.t, s.steps), theme::HEADER),
        sep.clone(),
        Span::styled(format!("speed {speed}"), theme::HEADER),
        sep,
        Span::styled(s.objective.clone(), theme::HEADER),
    ];
    buf.set_style(area, theme::HEADER);
    Line::from(spans).render(area, buf);
}
