//! `Condition` blocks: compiled once, evaluated against a [`Context`] to yes, no or unknown.

use serde_json::Value;

use super::context::{Context, KeyState};
use super::pattern::Pattern;
use super::template::Template;

/// A three-valued answer: the evaluator never guesses what it cannot decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    /// Definitely true.
    Yes,
    /// Definitely false.
    No,
    /// Depends on something the context does not say or the evaluator does not understand.
    Unknown,
}

impl Tri {
    /// Three-valued AND.
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
            _ => Tri::Unknown,
        }
    }

    /// Three-valued OR.
    pub fn or(self, other: Tri) -> Tri {
        !(!self).and(!other)
    }
}

impl std::ops::Not for Tri {
    type Output = Tri;

    /// Three-valued NOT.
    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

/// The condition operators the evaluator understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `Bool`.
    Bool,
    /// `Null`: `"true"` means the key must be absent, `"false"` present.
    Null,
    /// `StringEquals` (case-sensitive).
    StringEquals,
    /// `StringNotEquals`.
    StringNotEquals,
    /// `StringEqualsIgnoreCase`.
    StringEqualsIgnoreCase,
    /// `StringNotEqualsIgnoreCase`.
    StringNotEqualsIgnoreCase,
    /// `StringLike` (case-sensitive, `*` and `?`).
    StringLike,
    /// `StringNotLike`.
    StringNotLike,
}

impl Operator {
    fn parse(name: &str) -> Option<Operator> {
        const ALL: [(&str, Operator); 8] = [
            ("Bool", Operator::Bool),
            ("Null", Operator::Null),
            ("StringEquals", Operator::StringEquals),
            ("StringNotEquals", Operator::StringNotEquals),
            ("StringEqualsIgnoreCase", Operator::StringEqualsIgnoreCase),
            ("StringNotEqualsIgnoreCase", Operator::StringNotEqualsIgnoreCase),
            ("StringLike", Operator::StringLike),
            ("StringNotLike", Operator::StringNotLike),
        ];
        ALL.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, op)| *op)
    }

    fn negated(self) -> bool {
        matches!(
            self,
            Operator::StringNotEquals | Operator::StringNotEqualsIgnoreCase | Operator::StringNotLike
        )
    }
}

/// One condition value, compiled for its operator.
#[derive(Debug, Clone)]
struct CondValue {
    text: String,
    /// Present when the value has policy variables.
    template: Option<Template>,
    /// For `StringLike`/`StringNotLike` without variables.
    like: Option<Pattern>,
}

/// One `operator: { key: values }` entry of a `Condition` block. A statement's conditions
/// are AND'ed; the values of one condition are OR'ed.
#[derive(Debug, Clone)]
pub struct Condition {
    operator: String,
    op: Option<Operator>,
    if_exists: bool,
    key: String,
    values: Vec<CondValue>,
}

impl Condition {
    /// The operator as written (e.g. `BoolIfExists`, `IpAddress`).
    pub fn operator(&self) -> &str {
        &self.operator
    }

    /// The operator, when the evaluator understands it (`None` makes the condition unknown).
    pub fn understood_operator(&self) -> Option<Operator> {
        self.op
    }

    /// Whether the operator ends in `IfExists`.
    pub fn if_exists(&self) -> bool {
        self.if_exists
    }

    /// The condition key as written.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The values as written.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|v| v.text.as_str())
    }

    /// Whether the condition's key is one of `keys` (a key ending in `/` stands for every key
    /// it starts), or a policy variable in its values uses one of them.
    pub(crate) fn depends_on(&self, keys: &[&str]) -> bool {
        keys.iter().any(|k| super::template::key_matches(k, &self.key))
            || self
                .values
                .iter()
                .any(|v| v.template.as_ref().is_some_and(|t| t.uses_any(keys)))
    }

    /// Evaluates the condition.
    ///
    /// - An operator the evaluator does not understand (including any `ForAnyValue:` /
    ///   `ForAllValues:` form), or a key the context does not know: [`Tri::Unknown`].
    /// - A known-absent key: `...IfExists` is true; `Null` compares with `"true"`; a negated
    ///   operator (`StringNotEquals`, `StringNotLike`, ...) is true and any other operator
    ///   false, as in AWS's evaluation logic.
    /// - A present key: true when any context value matches any policy value (negated
    ///   operators: when none does). A policy variable whose key is known absent (and that
    ///   has no default) makes that value match nothing, as AWS documents; one whose key is
    ///   unknown makes that value unknown.
    pub fn evaluate(&self, ctx: &Context) -> Tri {
        let Some(op) = self.op else { return Tri::Unknown };
        if self.values.is_empty() {
            return Tri::Unknown;
        }
        match ctx.get(&self.key) {
            KeyState::Unknown => Tri::Unknown,
            KeyState::Absent => {
                if op == Operator::Null {
                    tri(self.values.iter().any(|v| v.text.eq_ignore_ascii_case("true")))
                } else {
                    tri(self.if_exists || op.negated())
                }
            }
            KeyState::Present(actual) => {
                if op == Operator::Null {
                    return tri(self.values.iter().any(|v| v.text.eq_ignore_ascii_case("false")));
                }
                let mut result = Tri::No;
                for a in actual {
                    for v in &self.values {
                        result = result.or(value_matches(op, v, a, ctx));
                        if result == Tri::Yes {
                            break;
                        }
                    }
                }
                if op.negated() {
                    !result
                } else {
                    result
                }
            }
        }
    }
}

fn tri(b: bool) -> Tri {
    if b {
        Tri::Yes
    } else {
        Tri::No
    }
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

fn value_matches(op: Operator, v: &CondValue, actual: &str, ctx: &Context) -> Tri {
    match op {
        Operator::Bool | Operator::Null => tri(v.text.eq_ignore_ascii_case(actual)),
        Operator::StringEquals | Operator::StringNotEquals => match &v.template {
            None => tri(v.text == actual),
            Some(t) => t.equals(actual, ctx).map_or(Tri::Unknown, tri),
        },
        Operator::StringEqualsIgnoreCase | Operator::StringNotEqualsIgnoreCase => match &v.template {
            None => tri(eq_ignore_case(&v.text, actual)),
            Some(t) if t.is_null(ctx) => Tri::No,
            Some(t) => t
                .resolve_literal(ctx)
                .map_or(Tri::Unknown, |s| tri(eq_ignore_case(&s, actual))),
        },
        Operator::StringLike | Operator::StringNotLike => match (&v.like, &v.template) {
            (Some(p), _) => tri(p.matches(actual)),
            (None, Some(t)) => t.matches(actual, ctx, false).map_or(Tri::Unknown, tri),
            (None, None) => tri(v.text == actual),
        },
    }
}

/// Compiles a `Condition` block; `path` names it in errors (e.g. `Statement[0].Condition`).
pub(crate) fn compile(block: &Value, path: &str, variables: bool) -> Result<Vec<Condition>, String> {
    let Value::Object(ops) = block else {
        return Err(format!(
            "{path}: expected an object of condition operators, found {}",
            kind(block)
        ));
    };
    let mut out = Vec::new();
    for (operator, keys) in ops {
        let Value::Object(keys) = keys else {
            return Err(format!(
                "{path}.{operator}: expected an object of condition keys, found {}",
                kind(keys)
            ));
        };
        let base = operator.strip_suffix("IfExists").unwrap_or(operator);
        let if_exists = base.len() != operator.len();
        let op = if operator.contains(':') {
            None
        } else {
            Operator::parse(base)
        };
        for (key, values) in keys {
            let texts = scalar_list(values).ok_or_else(|| {
                format!(
                    "{path}.{operator}.{key}: expected a string, number, boolean or an array of them, found {}",
                    kind(values)
                )
            })?;
            let values = texts
                .into_iter()
                .map(|text| {
                    let template = if variables { Template::parse(&text) } else { None };
                    let like = (template.is_none()
                        && matches!(op, Some(Operator::StringLike | Operator::StringNotLike)))
                    .then(|| Pattern::new(&text, false));
                    CondValue { text, template, like }
                })
                .collect();
            out.push(Condition {
                operator: operator.clone(),
                op,
                if_exists,
                key: key.clone(),
                values,
            });
        }
    }
    // Held for as long as the account is: no spare capacity.
    out.shrink_to_fit();
    Ok(out)
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn scalar_list(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Array(items) => items.iter().map(scalar).collect(),
        other => scalar(other).map(|s| vec![s]),
    }
}

/// A short name of a JSON value's type, for error messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
