//! Terminal helpers shared by the commands that print reports.

use std::io::{BufWriter, StdoutLock, Write};

/// Writes a report to stdout through a buffer and flushes it: stdout is line-buffered, and
/// a report of 100,000 users is millions of lines, each one write without it. An error
/// names `<stdout>`.
pub fn to_stdout(
    write: impl FnOnce(&mut BufWriter<StdoutLock<'static>>) -> std::io::Result<()>,
) -> hipaa_iam_core::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| hipaa_iam_core::Error::io("<stdout>", e))
}

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
