//! Terminal helpers shared by the commands that print tables.

/// The terminal's width: `COLUMNS`, else the terminal's own size.
pub fn terminal_width() -> Option<usize> {
    if let Some(c) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
    {
        return Some(c.max(40));
    }
    terminal_size::terminal_size().map(|(w, _)| usize::from(w.0).max(40))
}

/// Cuts `text` to `max` characters, with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}
