//! Text from AWS (user, group, role and account names, policy names, paths) made safe for
//! human-readable output: on a terminal a control character can recolour the screen, move
//! the cursor or forge lines (a newline followed by `::error::` is a GitHub Actions
//! workflow command), and a bidirectional override reorders what the reader sees.

use std::borrow::Cow;

/// What replaces an unsafe character.
pub const REPLACEMENT: char = '?';

/// Whether `c` must not reach a human-readable output as it is: a control character (C0,
/// DEL, C1, including newline and tab: every field is shown on one line) or a Unicode
/// bidirectional formatting character (embeddings, overrides, isolates and marks).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with every [unsafe](is_unsafe) character replaced by [`REPLACEMENT`]; borrowed
/// when nothing needs replacing.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_unsafe) {
        Cow::Owned(s.chars().map(|c| if is_unsafe(c) { REPLACEMENT } else { c }).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// [`terminal_safe`] for a multi-line message of this tool's own: its line breaks stay,
/// every other unsafe character (in the names it quotes) is replaced.
pub fn terminal_safe_lines(s: &str) -> Cow<'_, str> {
    if s.chars().any(|c| c != '\n' && is_unsafe(c)) {
        Cow::Owned(
            s.chars()
                .map(|c| if c != '\n' && is_unsafe(c) { REPLACEMENT } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// `a, b, c and 4 more`: at most `limit` names, then how many were left out.
pub fn listed(names: &[&str], limit: usize) -> String {
    let mut s = names.iter().take(limit).copied().collect::<Vec<_>>().join(", ");
    if names.len() > limit {
        s.push_str(&format!(" and {} more", names.len() - limit));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidirectional_characters_are_replaced() {
        assert_eq!(
            terminal_safe("a\x1b[31mb\x07c\0d\ne\rf\tg\u{7f}h\u{9b}i"),
            "a?[31mb?c?d?e?f?g?h?i"
        );
        assert_eq!(terminal_safe("gnp\u{202E}exe.txt\u{2066}x\u{200F}"), "gnp?exe.txt?x?");
        assert!(matches!(terminal_safe("dr.åsa-ölund_é"), Cow::Borrowed(_)));
        assert_eq!(terminal_safe_lines("one\x1b\ntwo\u{202E}"), "one?\ntwo?");
    }
}
