//! `access::explain` against an independent reading of AWS's documented evaluation logic
//! (IAM User Guide: "Policy evaluation logic", "Condition operators", "Policy variables"),
//! written here from the documentation and sharing no code with the crate's evaluator:
//!
//! - an explicit `Deny` that applies (identity policy or boundary) wins; else the request is
//!   allowed when an identity policy allows it and, when a boundary is set, the boundary
//!   allows it too; else it is implicitly denied (not granted);
//! - `Action`/`NotAction` match case-insensitively, `Resource`/`NotResource` case-sensitively,
//!   both with `*` and `?`;
//! - a condition block holds when every operator and key holds (AND), a key when any of its
//!   values matches (OR; for the negated operators, when none does); a key absent from the
//!   request makes the positive operators false and the negated ones true, `...IfExists`
//!   true, `Null: true` true;
//! - policy variables resolve from the request in documents of Version `2012-10-17` only
//!   (elsewhere `${...}` is text); a variable without a value and without a default matches
//!   nothing (the negated operators: "do match against a null value").
//!
//! Requests are generated from a fixed seed over random identity policies and boundaries.

use std::fmt::Write as _;

use hipaa_iam_core::access::{self, Request};
use hipaa_iam_core::policy::Decision;
use hipaa_iam_tests::account::{policy_arn, TestAccount};
use serde_json::{json, Map, Value};

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "iam:CreateUser",
    "iam:PassRole",
    "kms:Decrypt",
    "ec2:RunInstances",
];

const ACTION_PATTERNS: &[&str] = &[
    "s3:GetObject",
    "S3:getobject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:*",
    "s3:Get*",
    "s3:?utObject",
    "*",
    "iam:*",
    "iam:*User",
    "IAM:PassRole",
    "kms:De*",
    "ec2:RunInstances",
    "ec2:*Instances",
];

const RESOURCES: &[&str] = &[
    "arn:aws:s3:::phi/alice/chart.pdf",
    "arn:aws:s3:::phi/bob/chart.pdf",
    "arn:aws:s3:::phi/cardiology/scan.dcm",
    "arn:aws:s3:::PHI/alice/chart.pdf",
    "arn:aws:s3:::phi/${aws:username}/x",
    "arn:aws:s3:::phi",
    "arn:aws:kms:us-east-1:123456789012:key/k1",
    "arn:aws:iam::123456789012:user/alice",
    "arn:aws:iam::123456789012:role/app",
];

/// Resource patterns; those with a variable are marked.
const RESOURCE_PATTERNS: &[(&str, bool)] = &[
    ("*", false),
    ("arn:aws:s3:::phi/*", false),
    ("arn:aws:s3:::phi", false),
    ("arn:aws:s3:::ph?/*", false),
    ("arn:aws:s3:::PHI/*", false),
    ("arn:aws:s3:::phi/alice/*", false),
    ("arn:aws:s3:::phi/${aws:username}/*", true),
    ("arn:aws:s3:::phi/${aws:PrincipalTag/team}/*", true),
    ("arn:aws:s3:::phi/${aws:PrincipalTag/unit}/*", true),
    ("arn:aws:s3:::phi/${aws:PrincipalTag/unit, 'alice'}/*", true),
    ("arn:aws:kms:*:123456789012:key/*", false),
    ("arn:aws:iam::123456789012:user/${aws:username}", true),
    ("arn:aws:iam::123456789012:role/*", false),
];

/// Condition keys and the values a condition compares them with.
const KEYS: &[(&str, &[&str])] = &[
    ("aws:MultiFactorAuthPresent", &["true", "false"]),
    (
        "aws:RequestedRegion",
        &["us-east-1", "eu-west-1", "US-EAST-1", "us-*", "eu-west-?"],
    ),
    (
        "aws:PrincipalTag/team",
        &["cardiology", "Cardiology", "onco*", "${aws:username}"],
    ),
    ("aws:PrincipalTag/unit", &["north", "*"]),
    (
        "aws:username",
        &[
            "alice",
            "bob",
            "ALICE",
            "a*",
            "${aws:PrincipalTag/team}",
            "${aws:PrincipalTag/unit}",
        ],
    ),
    (
        "s3:prefix",
        &[
            "alice/",
            "${aws:username}/*",
            "bob/*",
            "${aws:PrincipalTag/unit, 'alice'}/*",
        ],
    ),
];

const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "Bool",
    "Null",
];

fn one_or_many(rng: &mut Rng, items: Vec<String>) -> Value {
    if items.len() == 1 && rng.chance(50) {
        Value::String(items[0].clone())
    } else {
        json!(items)
    }
}

fn statement(rng: &mut Rng, version_2012: bool) -> Value {
    let mut s = Map::new();
    let deny = rng.chance(30);
    s.insert("Effect".into(), json!(if deny { "Deny" } else { "Allow" }));
    let actions = (0..1 + rng.below(2))
        .map(|_| rng.pick(ACTION_PATTERNS).to_string())
        .collect();
    let key = if rng.chance(20) { "NotAction" } else { "Action" };
    let actions = one_or_many(rng, actions);
    s.insert(key.into(), actions);
    let not_resource = rng.chance(20);
    let resources = (0..1 + rng.below(2))
        .map(|_| loop {
            let (p, variable) = *rng.pick(RESOURCE_PATTERNS);
            // Whether NotResource excludes anything by a variable without a value is not
            // documented: such patterns are left out of NotResource.
            if !(not_resource && variable && version_2012) {
                break p.to_string();
            }
        })
        .collect();
    let resources = one_or_many(rng, resources);
    s.insert(
        (if not_resource { "NotResource" } else { "Resource" }).into(),
        resources,
    );
    if rng.chance(55) {
        let mut block = Map::new();
        for _ in 0..1 + rng.below(2) {
            let mut op = rng.pick(OPERATORS).to_string();
            let (key, values) = *rng.pick(KEYS);
            let chosen: Vec<String> = match op.as_str() {
                "Bool" => vec![rng.pick(&["true", "false"]).to_string()],
                "Null" => vec![rng.pick(&["true", "false"]).to_string()],
                _ => (0..1 + rng.below(2)).map(|_| rng.pick(values).to_string()).collect(),
            };
            if op != "Null" && rng.chance(25) {
                op.push_str("IfExists");
            }
            let entry = block.entry(op).or_insert_with(|| json!({}));
            entry
                .as_object_mut()
                .unwrap()
                .insert(key.to_string(), one_or_many(rng, chosen));
        }
        s.insert("Condition".into(), Value::Object(block));
    }
    if rng.chance(50) {
        s.insert("Sid".into(), json!(format!("S{}", rng.below(1000))));
    }
    Value::Object(s)
}

fn document(rng: &mut Rng) -> Value {
    let version = *rng.pick(&[Some("2012-10-17"), Some("2012-10-17"), Some("2008-10-17"), None]);
    let statements: Vec<Value> = (0..1 + rng.below(3))
        .map(|_| statement(rng, version == Some("2012-10-17")))
        .collect();
    let mut d = Map::new();
    if let Some(v) = version {
        d.insert("Version".into(), json!(v));
    }
    d.insert(
        "Statement".into(),
        if statements.len() == 1 && rng.chance(50) {
            statements[0].clone()
        } else {
            json!(statements)
        },
    );
    Value::Object(d)
}

// ---- The reference: AWS's documented logic, on the JSON as written. ----

/// `*` any run of characters, `?` any one; `fold` ignores ASCII case.
fn glob(pattern: &[char], text: &[char], fold: bool) -> bool {
    let eq = |a: char, b: char| if fold { a.eq_ignore_ascii_case(&b) } else { a == b };
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..], fold)),
        Some(('?', rest)) => !text.is_empty() && glob(rest, &text[1..], fold),
        Some((c, rest)) => text.first().is_some_and(|t| eq(*c, *t)) && glob(rest, &text[1..], fold),
    }
}

fn like(pattern: &str, text: &str, fold: bool) -> bool {
    glob(
        &pattern.chars().collect::<Vec<_>>(),
        &text.chars().collect::<Vec<_>>(),
        fold,
    )
}

/// The request as the reference sees it: every key it has (lower-cased) and its value.
struct Req<'a> {
    action: &'a str,
    resource: &'a str,
    keys: Vec<(String, String)>,
}

impl Req<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        let key = key.to_ascii_lowercase();
        self.keys.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str())
    }
}

/// One piece of a text with variables: literal text (its own `*`/`?` are wildcards when the
/// text is a pattern) or a variable's value (always literal).
enum Piece {
    Text(String),
    Value(String),
}

/// Substitutes the variables of `text`: `None` when one has no value and no default.
fn substitute(text: &str, req: &Req<'_>, variables: bool) -> Option<Vec<Piece>> {
    if !variables {
        return Some(vec![Piece::Text(text.to_string())]);
    }
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else { break };
        out.push(Piece::Text(rest[..start].to_string()));
        let inner = &rest[start + 2..start + len];
        let (key, default) = match inner.split_once(',') {
            Some((k, d)) => (k.trim(), Some(d.trim().trim_matches('\'').to_string())),
            None => (inner.trim(), None),
        };
        out.push(Piece::Value(req.get(key).map(str::to_string).or(default)?));
        rest = &rest[start + len + 1..];
    }
    out.push(Piece::Text(rest.to_string()));
    Some(out)
}

/// Whether `text` matches `pattern` (its variables substituted) as a wildcard pattern.
fn pattern_matches(pattern: &str, text: &str, req: &Req<'_>, variables: bool, fold: bool) -> bool {
    let Some(pieces) = substitute(pattern, req, variables) else {
        return false;
    };
    // Variable values are literal: escape them by matching piece by piece through one
    // pattern where a value's characters cannot be wildcards (they never hold * or ? here).
    let mut p = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) | Piece::Value(t) => p.push_str(&t),
        }
    }
    like(&p, text, fold)
}

fn equals(value: &str, actual: &str, req: &Req<'_>, variables: bool, fold: bool) -> bool {
    let Some(pieces) = substitute(value, req, variables) else {
        return false;
    };
    let v: String = pieces
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) | Piece::Value(t) => t,
        })
        .collect();
    if fold {
        v.to_lowercase() == actual.to_lowercase()
    } else {
        v == actual
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::String(s) => vec![s.clone()],
        other => vec![other.to_string()],
    }
}

fn condition_holds(op: &str, key: &str, values: &[String], req: &Req<'_>, variables: bool) -> bool {
    let (base, if_exists) = match op.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (op, false),
    };
    let negated = matches!(base, "StringNotEquals" | "StringNotEqualsIgnoreCase" | "StringNotLike");
    let Some(actual) = req.get(key) else {
        return match base {
            "Null" => values.iter().any(|v| v == "true"),
            _ => if_exists || negated,
        };
    };
    if base == "Null" {
        return values.iter().any(|v| v == "false");
    }
    let any = values.iter().any(|v| match base {
        "Bool" => v.eq_ignore_ascii_case(actual),
        "StringEquals" | "StringNotEquals" => equals(v, actual, req, variables, false),
        "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" => equals(v, actual, req, variables, true),
        "StringLike" | "StringNotLike" => pattern_matches(v, actual, req, variables, false),
        other => panic!("the generator made {other}"),
    });
    any != negated
}

fn statement_applies(s: &Value, req: &Req<'_>, variables: bool) -> bool {
    let action = |k: &str| s.get(k).map(|v| strings(v).iter().any(|p| like(p, req.action, true)));
    let action_ok = match (action("Action"), action("NotAction")) {
        (Some(m), _) => m,
        (None, Some(m)) => !m,
        _ => false,
    };
    let resource = |k: &str| {
        s.get(k).map(|v| {
            strings(v)
                .iter()
                .any(|p| pattern_matches(p, req.resource, req, variables, false))
        })
    };
    let resource_ok = match (resource("Resource"), resource("NotResource")) {
        (Some(m), _) => m,
        (None, Some(m)) => !m,
        _ => false,
    };
    let conditions_ok = s.get("Condition").and_then(Value::as_object).is_none_or(|block| {
        block.iter().all(|(op, keys)| {
            keys.as_object()
                .unwrap()
                .iter()
                .all(|(key, values)| condition_holds(op, key, &strings(values), req, variables))
        })
    });
    action_ok && resource_ok && conditions_ok
}

/// (any applicable Allow, any applicable Deny) of a set of documents.
fn scan(docs: &[Value], req: &Req<'_>) -> (bool, bool) {
    let (mut allow, mut deny) = (false, false);
    for d in docs {
        let variables = d.get("Version").and_then(Value::as_str) == Some("2012-10-17");
        let statements = match &d["Statement"] {
            Value::Array(items) => items.clone(),
            one => vec![one.clone()],
        };
        for s in &statements {
            if statement_applies(s, req, variables) {
                match s["Effect"].as_str() {
                    Some("Allow") => allow = true,
                    _ => deny = true,
                }
            }
        }
    }
    (allow, deny)
}

fn reference(identity: &[Value], boundary: Option<&Value>, req: &Req<'_>) -> Decision {
    let (allow, deny) = scan(identity, req);
    let (b_allow, b_deny) = boundary.map_or((true, false), |b| scan(std::slice::from_ref(b), req));
    if deny || b_deny {
        Decision::Denied
    } else if allow && b_allow {
        Decision::Allowed
    } else {
        Decision::NotGranted
    }
}

// ---- The comparison. ----

const ACCOUNTS: usize = 250;
const REQUESTS_PER_ACCOUNT: usize = 8;

#[test]
fn explain_agrees_with_the_documented_evaluation_logic() {
    let mut rng = Rng(0x0417_2026_1202);
    let mut compared = 0;
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    let mut disagreements = String::new();
    for n in 0..ACCOUNTS {
        let identity: Vec<Value> = (0..1 + rng.below(3)).map(|_| document(&mut rng)).collect();
        let boundary = rng.chance(35).then(|| document(&mut rng));
        let user = *rng.pick(&["alice", "bob", "cardiology"]);
        let mut tags = vec![json!({"Key": "team", "Value": *rng.pick(&["cardiology", "oncology", "alice"])})];
        if rng.chance(30) {
            tags.push(json!({"Key": "unit", "Value": "north"}));
        }
        // The first document is the user's inline policy, the others come through a group.
        let mut b = TestAccount::new();
        let mut extra = json!({"Tags": tags.clone(),
            "UserPolicyList": [{"PolicyName": "own", "PolicyDocument": identity[0]}]});
        if let Some(doc) = &boundary {
            b = b.managed("boundary", doc.clone());
            extra["PermissionsBoundary"] =
                json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": policy_arn("boundary")});
        }
        let inline: Vec<(String, Value)> = identity[1..]
            .iter()
            .enumerate()
            .map(|(i, d)| (format!("p{i}"), d.clone()))
            .collect();
        let inline: Vec<(&str, Value)> = inline.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
        b = b.group("g", &[], &inline).user(user, &["g"], extra);
        let account = super::read(&b);

        for _ in 0..REQUESTS_PER_ACCOUNT {
            let action = *rng.pick(ACTIONS);
            let resource = *rng.pick(RESOURCES);
            let mut request = Request::new(user, action, resource);
            let mut keys = vec![
                ("aws:username".to_string(), user.to_string()),
                ("aws:userid".to_string(), format!("AID{}", user.to_uppercase())),
                (
                    "aws:principalarn".to_string(),
                    format!("arn:aws:iam::123456789012:user/{user}"),
                ),
                ("aws:principalaccount".to_string(), "123456789012".to_string()),
                ("aws:principaltype".to_string(), "User".to_string()),
            ];
            for t in &tags {
                keys.push((
                    format!("aws:principaltag/{}", t["Key"].as_str().unwrap()),
                    t["Value"].as_str().unwrap().to_string(),
                ));
            }
            for (key, values) in [
                ("aws:MultiFactorAuthPresent", &["true", "false"][..]),
                ("aws:RequestedRegion", &["us-east-1", "eu-west-1", "US-EAST-1"][..]),
                ("s3:prefix", &["alice/", "alice/x", "bob/y", "cardiology/z"][..]),
            ] {
                if rng.chance(60) {
                    let v = *rng.pick(values);
                    request = request.with(key, v);
                    keys.push((key.to_ascii_lowercase(), v.to_string()));
                }
            }
            let req = Req { action, resource, keys };
            let want = reference(&identity, boundary.as_ref(), &req);
            let got = access::explain(&account, &request).unwrap();
            compared += 1;
            *seen.entry(want.as_str()).or_default() += 1;
            // A concrete request leaves nothing undecided: every key is present or absent.
            if got.decision != want || got.conditional_allow || got.conditional_deny {
                let _ = writeln!(
                    disagreements,
                    "account {n}: {user} {action} {resource} {:?}: reference {want:?}, explain {:?} ({}; conditional allow {}, deny {})\n  identity {}\n  boundary {}",
                    request.context,
                    got.decision,
                    got.reason,
                    got.conditional_allow,
                    got.conditional_deny,
                    serde_json::to_string(&identity).unwrap(),
                    boundary.as_ref().map_or("none".to_string(), |b| b.to_string()),
                );
            }
        }
    }
    println!("explain compared with the documented evaluation logic on {compared} requests: {seen:?}");
    assert!(compared >= 1000);
    assert!(
        seen.values().all(|n| *n >= 50) && seen.len() == 3,
        "the generated requests reach every decision often: {seen:?}"
    );
    assert!(disagreements.is_empty(), "{disagreements}");
}
