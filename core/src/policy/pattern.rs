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

/// Matches `s` (valid UTF-8) against `pat`: the linear two-pointer algorithm that
/// backtracks only to the most recent `*`. Literal bytes come from valid UTF-8 too, so
/// the input position stays on character boundaries whenever `?` or a `*` retry uses it.
pub(crate) fn glob(pat: &[Tok], s: &[u8], fold: bool) -> bool {
    let (mut p, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if p < pat.len() {
            match pat[p] {
                Tok::Star => {
                    star = Some((p, i));
                    p += 1;
                    continue;
                }
                Tok::One => {
                    i += char_len(s[i]);
                    p += 1;
                    continue;
                }
                Tok::Lit(b) if b == s[i] || (fold && b == s[i].to_ascii_lowercase()) => {
                    i += 1;
                    p += 1;
                    continue;
                }
                Tok::Lit(_) => {}
            }
        }
        match star {
            Some((sp, si)) => {
                let next = si + char_len(s[si]);
                star = Some((sp, next));
                p = sp + 1;
                i = next;
            }
            None => return false,
        }
    }
    pat[p..].iter().all(|t| *t == Tok::Star)
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
        fn pattern_matches_itself_without_wildcards(s in "[a-zA-Z0-9:/_-]{0,12}", fold in any::<bool>()) {
            prop_assert!(Pattern::new(&s, fold).matches(&s));
        }
    }
}
