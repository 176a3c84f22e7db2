//! The audit around the checks: finding order, `--checks` and `skip_checks`, warnings about the
//! data, and exceptions (applied, expired, too broad).

use super::*;

#[test]
fn findings_are_in_catalogue_then_resource_order() {
    let r = checks::audit(&gaps(), &Config::default(), None);
    let pos = |id: &str| CATALOGUE.iter().position(|c| c.id == id).unwrap();
    let keys: Vec<(usize, String)> = r
        .findings
        .iter()
        .map(|f| (pos(f.check.id), f.resource_name.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    // Deterministic: the same input gives the same report.
    assert_eq!(r, checks::audit(&gaps(), &Config::default(), None));
}

#[test]
fn only_and_skip_select_checks() {
    let only = vec!["IAM-002".to_string(), "iam-006".to_string()];
    let r = checks::audit(&gaps(), &Config::default(), Some(&only));
    let ids: BTreeSet<&str> = r.findings.iter().map(|f| f.check.id).collect();
    assert_eq!(ids, BTreeSet::from(["IAM-002", "IAM-006"]));
    let mut c = Config::default();
    c.skip_checks = vec!["IAM-006".into()];
    let r = checks::audit(&gaps(), &c, Some(&only));
    let ids: BTreeSet<&str> = r.findings.iter().map(|f| f.check.id).collect();
    assert_eq!(ids, BTreeSet::from(["IAM-002"]));
    let err = checks::parse_ids(&["IAM-002".into(), "IAM-999".into()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("IAM-999"), "{err}");
}

#[test]
fn missing_managed_policy_is_warned_about() {
    let b = B::new()
        .user("ann", &["g"], json!({}))
        .group("g", &[&policy_arn("gone")], &[]);
    let r = audit(&b);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains(&policy_arn("gone")) && w.contains("group g")),
        "{:?}",
        r.warnings
    );
}

fn exception(check: &str, resource: &str, expires: &str) -> Exception {
    Exception {
        check: check.into(),
        resource: resource.into(),
        reason: "break-glass account, kept in a safe".into(),
        approved_by: "CISO".into(),
        expires: expires.parse().unwrap(),
    }
}

#[test]
fn valid_exception_excepts_and_expired_one_warns() {
    let mut c = Config::default();
    c.exceptions = vec![
        exception("IAM-002", "bob", "2026-11-20"), // the last valid day is as_of's date
        exception("IAM-006", "arn:aws:iam::*:user/b?b", "2026-11-19"),
    ];
    let r = checks::audit(&gaps(), &c, None);
    let f = find(&r, "IAM-002", "bob");
    assert_eq!(f.status, Excepted);
    let ex = f.exception.as_ref().unwrap();
    assert!(!ex.expired);
    assert_eq!(ex.approved_by, "CISO");
    let f = find(&r, "IAM-006", "bob");
    assert_eq!(f.status, Fail);
    assert!(f.exception.as_ref().unwrap().expired);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("IAM-006") && w.contains("expired on 2026-11-19")),
        "{:?}",
        r.warnings
    );
    // Other failures are untouched.
    assert_eq!(find(&r, "IAM-008", "carol").status, Fail);
}

#[test]
fn exception_globs_match_names_and_arns() {
    let mut c = Config::default();
    c.exceptions = vec![exception("IAM-008", "*", "2030-01-01")];
    let r = checks::audit(&gaps(), &c, None);
    assert!(r
        .findings
        .iter()
        .filter(|f| f.check.id == "IAM-008")
        .all(|f| f.status != Fail));
    c.exceptions = vec![exception("IAM-008", "arn:aws:iam::123456789012:user/c*", "2030-01-01")];
    let r = checks::audit(&gaps(), &c, None);
    assert_eq!(find(&r, "IAM-008", "carol").status, Excepted);
    assert_eq!(find(&r, "IAM-008", "bob").status, Fail);
    // A pass is never excepted, and an exception for another check does not apply.
    c.exceptions = vec![exception("IAM-002", "carol", "2030-01-01")];
    let r = checks::audit(&gaps(), &c, None);
    assert_eq!(find(&r, "IAM-008", "carol").status, Fail);
    assert!(
        r.warnings.iter().any(|w| w.contains("matches no failing finding")),
        "{:?}",
        r.warnings
    );
}

fn too_broad_warnings(r: &AuditReport) -> Vec<&String> {
    r.warnings.iter().filter(|w| w.contains("too broad")).collect()
}

#[test]
fn an_exception_for_every_resource_applies_but_is_warned_about_everywhere() {
    let mut c = Config::default();
    c.exceptions = vec![exception("IAM-008", "*", "2030-01-01")];
    let r = checks::audit(&gaps(), &c, None);
    // It still applies...
    let f = find(&r, "IAM-008", "carol");
    assert_eq!(f.status, Excepted);
    // ...but loudly: on the finding, in the warnings, the register and the summary.
    let why = f.exception.as_ref().unwrap().too_broad.as_deref().unwrap();
    assert!(why.contains("every resource of IAM-008"), "{why}");
    let w = too_broad_warnings(&r);
    assert!(
        w.len() == 1 && w[0].contains("IAM-008") && w[0].contains("\"*\"") && w[0].contains("CISO"),
        "{:?}",
        r.warnings
    );
    let rows = hipaa_iam_core::report::register::rows(&r);
    let row = rows.iter().find(|r| r.risk_id == "IAM-008").unwrap();
    assert!(
        row.mitigation.contains("WARNING: an exception is too broad"),
        "{}",
        row.mitigation
    );
    let loaded = hipaa_iam_core::config::LoadedConfig {
        config: c.clone(),
        path: None,
        sha256: String::new(),
    };
    let md = hipaa_iam_core::report::summary::markdown(&r, &loaded);
    let warnings = md.split("## Warnings").nth(1).unwrap_or_default();
    assert!(warnings.contains("too broad"), "{md}");
}

#[test]
fn exceptions_matching_all_or_too_many_resources_are_too_broad_and_named_ones_are_not() {
    let broad = |resource: &str, max: i64| {
        let mut c = Config::default();
        c.exception_max_resources = max;
        c.exceptions = vec![exception("IAM-008", resource, "2030-01-01")];
        too_broad_warnings(&checks::audit(&gaps(), &c, None))
            .into_iter()
            .cloned()
            .collect::<Vec<_>>()
    };
    // A pattern that happens to cover every user (3 of 3).
    let w = broad("arn:aws:iam::123456789012:user/*", 25);
    assert!(w.len() == 1 && w[0].contains("3 of 3"), "{w:?}");
    // Two of three, over a limit of one.
    let w = broad("*o*", 1);
    assert!(
        w.len() == 1 && w[0].contains("2 resources") && w[0].contains("exception_max_resources (1)"),
        "{w:?}"
    );
    assert!(broad("*o*", 2).is_empty(), "two of three, within the limit");
    // A named resource is never too broad, even alone on its check.
    assert!(broad("carol", 25).is_empty());
    let mut c = Config::default();
    c.exceptions = vec![exception("IAM-001", ACCOUNT, "2030-01-01")];
    assert!(too_broad_warnings(&checks::audit(&gaps(), &c, None)).is_empty());
    // A check that did not run says nothing.
    let mut c = Config::default();
    c.skip_checks = vec!["IAM-008".into()];
    c.exceptions = vec![exception("IAM-008", "*", "2030-01-01")];
    assert!(too_broad_warnings(&checks::audit(&gaps(), &c, None)).is_empty());
}
