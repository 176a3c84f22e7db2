//! Compiled IAM wildcard patterns: `*` matches any run of characters (also none), `?`
//! matches exactly one character. IAM has no escape for a literal `*` or `?` outside policy
//! variables (`${*}`, `${?}`, see [`super::template`]).

/// One element of a compiled pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A literal byte (already lower-cased for a case-insensitive pattern).
    Lit(u8),
    /// `?`: one character.
    One,
    /// `*`: any run of characters.
    Star,
}

/// The shape of a pattern, so that the common forms match without the general algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// Only `*`s: matches everything.
    Any,
    /// No wildcard: the whole text.
    Exact,
    /// A literal prefix followed only by `*`s (e.g. `s3:Get*`).
    Prefix,
    /// Anything else.
    Glob,
}

/// A wildcard pattern compiled once and matched many times, without allocating.
///
/// Case-insensitive patterns (actions) fold ASCII letters; case-sensitive ones (ARNs,
/// `StringLike` values) compare bytes exactly. `?` matches one Unicode character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    fold: bool,
    kind: Kind,
    /// The literal bytes for `Exact` and `Prefix` (lower-cased when `fold`).
    literal: Box<[u8]>,
    /// The tokens for `Glob`.
    toks: Box<[Tok]>,
}

impl Pattern {
    /// Compiles `text`; `case_insensitive` folds ASCII letters (as IAM does for actions).
    pub fn new(text: &str, case_insensitive: bool) -> Pattern {
        let toks: Vec<Tok> = text
            .bytes()
            .map(|b| match b {
                b'*' => Tok::Star,
                b'?' => Tok::One,
                b if case_insensitive => Tok::Lit(b.to_ascii_lowercase()),
                b => Tok::Lit(b),
            })
            .collect();
        Pattern::from_toks(text.to_string(), toks, case_insensitive)
    }

    fn from_toks(text: String, toks: Vec<Tok>, fold: bool) -> Pattern {
        let first_wild = toks
            .iter()
            .position(|t| !matches!(t, Tok::Lit(_)))
            .unwrap_or(toks.len());
        let rest_all_stars = toks[first_wild..].iter().all(|t| *t == Tok::Star);
        let literal: Box<[u8]> = toks[..first_wild]
            .iter()
            .map(|t| match t {
                Tok::Lit(b) => *b,
                _ => 0,
            })
            .collect();
        let kind = if first_wild == toks.len() {
            Kind::Exact
        } else if rest_all_stars && first_wild == 0 {
            Kind::Any
        } else if rest_all_stars {
            Kind::Prefix
        } else {
            Kind::Glob
        };
        let toks = if kind == Kind::Glob {
            toks.into_boxed_slice()
        } else {
            Box::default()
        };
        Pattern {
            text,
            fold,
            kind,
            literal,
            toks,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the pattern is only `*`s, so that it matches every string.
    pub fn matches_everything(&self) -> bool {
        self.kind == Kind::Any
    }

    /// Whether the pattern contains no wildcard.
    pub fn is_literal(&self) -> bool {
        self.kind == Kind::Exact
    }

    /// The literal bytes the pattern starts and ends with (before its first and after its
    /// last wildcard; lower-cased when case-insensitive).
    pub(crate) fn literal_ends(&self) -> (Vec<u8>, Vec<u8>) {
        match self.kind {
            Kind::Any => (Vec::new(), Vec::new()),
            Kind::Exact => (self.literal.to_vec(), self.literal.to_vec()),
            Kind::Prefix => (self.literal.to_vec(), Vec::new()),
            Kind::Glob => literal_ends(&self.toks),
        }
    }

    /// Whether `text` matches the whole pattern.
    #[inline]
    pub fn matches(&self, text: &str) -> bool {
        let s = text.as_bytes();
        match self.kind {
            Kind::Any => true,
            Kind::Exact => eq_bytes(&self.literal, s, self.fold),
            Kind::Prefix => {
                s.len() >= self.literal.len() && eq_bytes(&self.literal, &s[..self.literal.len()], self.fold)
            }
            Kind::Glob => glob(&self.toks, s, self.fold),
        }
    }
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[inline]
fn eq_bytes(lit: &[u8], s: &[u8], fold: bool) -> bool {
    if fold {
        lit.len() == s.len() && lit.iter().zip(s).all(|(a, b)| *a == b.to_ascii_lowercase())
    } else {
        lit == s
    }
}

/// The length of the UTF-8 character whose first byte is `b`.
fn char_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[inline]
fn eq_byte(lit: u8, b: u8, fold: bool) -> bool {
    lit == b || (fold && lit == b.to_ascii_lowercase())
}

/// Where `seg` (no `*`) ends when it matches `s` from `i`, if it does.
fn match_at(seg: &[Tok], s: &[u8], mut i: usize, fold: bool) -> Option<usize> {
    for t in seg {
        match *t {
            Tok::Lit(b) if i < s.len() && eq_byte(b, s[i], fold) => i += 1,
            Tok::One if i < s.len() => i = (i + char_len(s[i])).min(s.len()),
            _ => return None,
        }
    }
    Some(i)
}

/// Segments of literals at least this long are searched for with `memchr::memmem`; shorter
/// ones (and those with `?` or folded case) by trying each position, at most this many
/// comparisons per position.
const MEMMEM_MIN: usize = 16;

/// Where the leftmost match of `seg` (no `*`) in `s` at or after `from` ends.
fn find(seg: &[Tok], s: &[u8], from: usize, fold: bool) -> Option<usize> {
    if seg.len() >= MEMMEM_MIN && !fold && seg.iter().all(|t| matches!(t, Tok::Lit(_))) {
        let needle: Vec<u8> = seg
            .iter()
            .map(|t| match t {
                Tok::Lit(b) => *b,
                _ => 0,
            })
            .collect();
        return memchr::memmem::find(&s[from..], &needle).map(|at| from + at + needle.len());
    }
    let mut i = from;
    loop {
        if let Some(end) = match_at(seg, s, i, fold) {
            return Some(end);
        }
        if i >= s.len() {
            return None;
        }
        i += char_len(s[i]);
    }
}

/// Whether `seg` (no `*`) matches the end of `s`, starting at or after `from`.
fn match_end(seg: &[Tok], s: &[u8], from: usize, fold: bool) -> bool {
    let mut k = s.len();
    for t in seg.iter().rev() {
        match *t {
            Tok::Lit(b) if k > from && eq_byte(b, s[k - 1], fold) => k -= 1,
            Tok::One if k > from => {
                k -= 1;
                // Back over the continuation bytes of one character.
                while k > from && s[k] & 0xC0 == 0x80 {
                    k -= 1;
                }
            }
            _ => return false,
        }
    }
    true
}

/// Matches `s` (valid UTF-8) against `pat`, in time linear in both for patterns whose
/// segments between `*`s are literal: the first segment must match at the start, the last at
/// the end, and each one between at its leftmost place after the one before (taking the
/// leftmost match of each never loses a match, so nothing is ever retried); long literal
/// segments are found with a linear-time substring search. A segment with `?` is tried at
/// each position, at most its length per position. Literal bytes come from valid UTF-8 too,
/// so positions stay on character boundaries wherever `?` or a search uses them.
pub(crate) fn glob(pat: &[Tok], s: &[u8], fold: bool) -> bool {
    let mut segments = pat.split(|t| *t == Tok::Star);
    let first = segments.next().unwrap_or_default();
    let Some(mut at) = match_at(first, s, 0, fold) else {
        return false;
    };
    let Some(mut segment) = segments.next() else {
        // No `*`: the first segment is the whole pattern.
        return at == s.len();
    };
    for next in segments {
        match find(segment, s, at, fold) {
            Some(end) => at = end,
            None => return false,
        }
        segment = next;
    }
    match_end(segment, s, at, fold)
}

/// The literal bytes a pattern's tokens start and end with (before the first and after the
/// last wildcard; the whole text when it has none, then both are the same).
pub(crate) fn literal_ends(toks: &[Tok]) -> (Vec<u8>, Vec<u8>) {
    let lit = |t: &Tok| match t {
        Tok::Lit(b) => Some(*b),
        _ => None,
    };
    let prefix: Vec<u8> = toks.iter().map_while(lit).collect();
    let mut suffix: Vec<u8> = toks.iter().rev().map_while(lit).collect();
    suffix.reverse();
    (prefix, suffix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The obvious recursive definition, on characters.
    fn reference(pat: &[char], s: &[char], fold: bool) -> bool {
        match pat.first() {
            None => s.is_empty(),
            Some('*') => reference(&pat[1..], s, fold) || (!s.is_empty() && reference(pat, &s[1..], fold)),
            Some('?') => !s.is_empty() && reference(&pat[1..], &s[1..], fold),
            Some(c) => {
                !s.is_empty()
                    && (if fold {
                        c.eq_ignore_ascii_case(&s[0])
                    } else {
                        *c == s[0]
                    })
                    && reference(&pat[1..], &s[1..], fold)
            }
        }
    }

    /// The same by dynamic programming (for long patterns, where the recursion is slow).
    fn dynamic(pat: &[char], s: &[char], fold: bool) -> bool {
        // m[j]: whether pat[..i] matches s[..j], row by row.
        let mut m = vec![false; s.len() + 1];
        m[0] = true;
        for p in pat {
            let mut next = vec![false; s.len() + 1];
            for j in 0..=s.len() {
                next[j] = match p {
                    '*' => m[j] || (j > 0 && next[j - 1]),
                    '?' => j > 0 && m[j - 1],
                    c => {
                        j > 0
                            && m[j - 1]
                            && if fold {
                                c.eq_ignore_ascii_case(&s[j - 1])
                            } else {
                                *c == s[j - 1]
                            }
                    }
                };
            }
            m = next;
        }
        m[s.len()]
    }

    fn check(pat: &str, s: &str, fold: bool) -> bool {
        let p: Vec<char> = pat.chars().collect();
        let t: Vec<char> = s.chars().collect();
        reference(&p, &t, fold)
    }

    #[test]
    fn examples() {
        assert!(Pattern::new("s3:Get*", true).matches("S3:GETOBJECT"));
        assert!(!Pattern::new("s3:Get*", false).matches("S3:GetObject"));
        assert!(Pattern::new("iam:?etUser", true).matches("iam:GetUser"));
        assert!(!Pattern::new("iam:?etUser", true).matches("iam:etUser"));
        assert!(Pattern::new("*", true).matches(""));
        assert!(Pattern::new("*:*", true).matches("ec2:RunInstances"));
        assert!(!Pattern::new("*:*", true).matches("nocolon"));
        assert!(Pattern::new("a*b*c", false).matches("aXbYbZc"));
        assert!(!Pattern::new("a*b*c", false).matches("aXbYbZcd"));
        assert!(Pattern::new("?é", false).matches("éé"));
        assert!(Pattern::new("arn:aws:s3:::bucket/*", false).matches("arn:aws:s3:::bucket/"));
        assert!(Pattern::new("*", true).matches_everything());
        assert!(Pattern::new("***", true).matches_everything());
        assert!(!Pattern::new("*?", true).matches_everything());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn agrees_with_reference(
            pat in "[aAbB:*?é]{0,8}",
            s in "[aAbB:*?é]{0,10}",
            fold in any::<bool>(),
        ) {
            let compiled = Pattern::new(&pat, fold);
            prop_assert_eq!(compiled.matches(&s), check(&pat, &s, fold), "pattern {:?} text {:?}", pat, s);
        }

        #[test]
        fn long_segments_agree_with_the_reference(
            segments in proptest::collection::vec("[abAé?]{0,24}", 1..5),
            fillers in proptest::collection::vec("[abé]{0,6}", 6),
            ends in (any::<bool>(), any::<bool>()),
            scramble in any::<bool>(),
            fold in any::<bool>(),
        ) {
            let mut pat = segments.join("*");
            if ends.0 {
                pat.insert(0, '*');
            }
            if ends.1 {
                pat.push('*');
            }
            // A text made of the segments with fillers where the stars are, so that
            // matches are common (and, scrambled, near misses).
            let mut text = String::new();
            for (i, seg) in segments.iter().enumerate() {
                text.push_str(&fillers[i % fillers.len()]);
                text.push_str(&seg.replace('?', "é"));
            }
            text.push_str(&fillers[5]);
            if scramble {
                text = text.replacen('a', "b", 1);
            }
            let p: Vec<char> = pat.chars().collect();
            let t: Vec<char> = text.chars().collect();
            prop_assert_eq!(Pattern::new(&pat, fold).matches(&text), dynamic(&p, &t, fold), "pattern {:?} text {:?}", pat, text);
        }

        #[test]
        fn pattern_matches_itself_without_wildcards(s in "[a-zA-Z0-9:/_-]{0,12}", fold in any::<bool>()) {
            prop_assert!(Pattern::new(&s, fold).matches(&s));
        }
    }
}
