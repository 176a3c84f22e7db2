//! Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, `${*}`) in
//! resources and condition values, resolved from the request context at evaluation time.

use std::cell::RefCell;

use super::context::{Context, KeyState};
use super::pattern::{glob, Tok};

/// A piece of a text with policy variables.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Text as written (its `*` and `?` are wildcards where the text is a pattern).
    Text(String),
    /// A literal character from `${*}`, `${?}` or `${$}`.
    Escaped(char),
    /// A context key (lower-cased) with an optional default value.
    Var { key: String, default: Option<String> },
}

/// A text that contains at least one policy variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parses `text`; `None` when it has no `${...}` (then it is a plain text/pattern).
    pub(crate) fn parse(text: &str) -> Option<Template> {
        if !text.contains("${") {
            return None;
        }
        let mut parts = Vec::new();
        let mut rest = text;
        let mut literal = String::new();
        while let Some(start) = rest.find("${") {
            let Some(len) = rest[start + 2..].find('}') else { break };
            literal.push_str(&rest[..start]);
            let inner = rest[start + 2..start + 2 + len].trim();
            rest = &rest[start + 2 + len + 1..];
            let part = match inner {
                "*" => Part::Escaped('*'),
                "?" => Part::Escaped('?'),
                "$" => Part::Escaped('$'),
                _ => {
                    let (key, default) = match inner.split_once(',') {
                        Some((k, d)) => {
                            let d = d.trim();
                            let d = d.strip_prefix('\'').and_then(|d| d.strip_suffix('\'')).unwrap_or(d);
                            (k.trim(), Some(d.to_string()))
                        }
                        None => (inner, None),
                    };
                    Part::Var {
                        key: key.to_ascii_lowercase(),
                        default,
                    }
                }
            };
            if !literal.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut literal)));
            }
            parts.push(part);
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        parts
            .iter()
            .any(|p| !matches!(p, Part::Text(_)))
            .then_some(Template { parts })
    }

    fn value<'a>(key: &str, default: &'a Option<String>, ctx: &'a Context) -> Option<&'a str> {
        ctx.single_value(key).or(default.as_deref())
    }

    /// Whether a variable has no value because its key is known to be absent from the request
    /// (and it has no default). AWS then matches the text with nothing: `StringEquals` and
    /// `StringLike` do not match, a resource pattern matches no resource, and the negated
    /// operators (`StringNotEquals`, ...) match ("a variable with no value ... is
    /// effectively null").
    pub(crate) fn is_null(&self, ctx: &Context) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Var { key, default: None } if ctx.get(key) == KeyState::Absent))
    }

    /// The text with every variable replaced, all of it literal (for `StringEquals`);
    /// `None` when a variable has no single value in `ctx` and no default.
    pub(crate) fn resolve_literal(&self, ctx: &Context) -> Option<String> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Escaped(c) => out.push(*c),
                Part::Var { key, default } => out.push_str(Template::value(key, default, ctx)?),
            }
        }
        Some(out)
    }

    /// Whether `actual` equals the text with every variable replaced (all of it literal,
    /// for `StringEquals`), without allocating; `false` when a variable [is null](Template::is_null),
    /// else `None` as for [`Template::resolve_literal`].
    pub(crate) fn equals(&self, actual: &str, ctx: &Context) -> Option<bool> {
        if self.is_null(ctx) {
            return Some(false);
        }
        let mut rest = Some(actual);
        let mut buf = [0u8; 4];
        for p in &self.parts {
            let piece: &str = match p {
                Part::Text(t) => t,
                Part::Escaped(c) => c.encode_utf8(&mut buf),
                Part::Var { key, default } => Template::value(key, default, ctx)?,
            };
            rest = rest.and_then(|r| r.strip_prefix(piece));
        }
        Some(rest == Some(""))
    }

    /// Whether `actual` matches the text as a pattern: wildcards in the written text stay
    /// wildcards, variable values and escapes are literal. `false` when a variable [is
    /// null](Template::is_null), else `None` as for [`Template::resolve_literal`].
    pub(crate) fn matches(&self, actual: &str, ctx: &Context, fold: bool) -> Option<bool> {
        if self.is_null(ctx) {
            return Some(false);
        }
        self.with_resolved(ctx, fold, |toks| glob(toks, actual.as_bytes(), fold))
    }

    /// Calls `f` with the text compiled as a pattern under `ctx` (see [`Template::matches`]);
    /// `None` as for [`Template::resolve_literal`]. Reuses a per-thread buffer: no allocation
    /// once warm.
    pub(crate) fn with_resolved<R>(&self, ctx: &Context, fold: bool, f: impl FnOnce(&[Tok]) -> R) -> Option<R> {
        thread_local! {
            static TOKS: RefCell<Vec<Tok>> = const { RefCell::new(Vec::new()) };
        }
        let lit = |b: u8| Tok::Lit(if fold { b.to_ascii_lowercase() } else { b });
        // Taken out of the cell while `f` runs, so that `f` may resolve another template.
        let mut toks = TOKS.with(|cell| std::mem::take(&mut *cell.borrow_mut()));
        toks.clear();
        let mut resolved = true;
        for p in &self.parts {
            match p {
                Part::Text(t) => toks.extend(t.bytes().map(|b| match b {
                    b'*' => Tok::Star,
                    b'?' => Tok::One,
                    b => lit(b),
                })),
                Part::Escaped(c) => toks.push(lit(*c as u8)),
                Part::Var { key, default } => match Template::value(key, default, ctx) {
                    Some(v) => toks.extend(v.bytes().map(lit)),
                    None => {
                        resolved = false;
                        break;
                    }
                },
            }
        }
        let out = resolved.then(|| f(&toks));
        TOKS.with(|cell| *cell.borrow_mut() = toks);
        out
    }

    /// Whether the text uses one of `keys` (lower-cased), so that its meaning depends on their
    /// values.
    pub(crate) fn uses_any(&self, keys: &[&str]) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Var { key, .. } if keys.iter().any(|k| key_matches(k, key))))
    }
}

/// Whether context key `key` is `name`, or starts with `name` when `name` ends in `/` (a
/// family of keys such as `aws:PrincipalTag/`), any case.
pub(crate) fn key_matches(name: &str, key: &str) -> bool {
    if name.ends_with('/') {
        key.len() >= name.len() && key.as_bytes()[..name.len()].eq_ignore_ascii_case(name.as_bytes())
    } else {
        name.eq_ignore_ascii_case(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_variables_and_escapes() {
        let ctx = Context::new().with_principal("alice", "AIDAEXAMPLE", "123456789012");
        let t = Template::parse("arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}").expect("template");
        assert_eq!(
            t.resolve_literal(&ctx).as_deref(),
            Some("arn:aws:iam::123456789012:user/alice")
        );

        let t = Template::parse("home/${aws:UserName}/${*}").expect("template");
        assert_eq!(t.matches("home/alice/*", &ctx, false), Some(true));
        assert_eq!(t.matches("home/alice/x", &ctx, false), Some(false));
        assert_eq!(t.matches("home/ALICE/*", &ctx, true), Some(true));
        let t = Template::parse("home/${aws:username}/*").expect("template");
        assert_eq!(t.matches("home/alice/notes", &ctx, false), Some(true));
        assert_eq!(t.matches("home/bob/notes", &ctx, false), Some(false));
        assert_eq!(t.matches("home/bob/notes", &Context::new(), false), None);
        assert_eq!(t.equals("home/alice/*", &ctx), Some(true));
        assert_eq!(t.equals("home/alice/x", &ctx), Some(false));
        assert_eq!(t.equals("home/alice/", &ctx), Some(false));

        let t = Template::parse("team/${aws:PrincipalTag/team, 'none'}").expect("template");
        assert_eq!(t.resolve_literal(&ctx).as_deref(), Some("team/none"));

        let t = Template::parse("x/${aws:sourceip}").expect("template");
        assert_eq!(t.resolve_literal(&ctx), None);

        // A variable whose key is known absent, without a default, matches nothing.
        let concrete = ctx.clone().absent_unless_given();
        let t = Template::parse("x/${aws:PrincipalTag/unit}/*").expect("template");
        assert_eq!(t.matches("x/north/1", &ctx, false), None);
        assert_eq!(t.matches("x//1", &concrete, false), Some(false));
        assert_eq!(t.equals("x//*", &concrete), Some(false));
        assert!(t.is_null(&concrete) && !t.is_null(&ctx));
        let t = Template::parse("x/${aws:PrincipalTag/unit, 'none'}").expect("template");
        assert_eq!(t.equals("x/none", &concrete), Some(true));

        assert!(Template::parse("no variables here *").is_none());
        assert!(Template::parse("unterminated ${aws:username").is_none());
    }
}
