//! The access review (HIPAA §164.308(a)(4)(ii)(C)): a roster of every principal written
//! into an evidence directory ([`start`]: `access_review.csv`), filled in by a reviewer
//! (a decision per row), then checked and signed ([`sign`]: `review.json`, `review.md` and
//! the signed roster `access_review_signed.csv`), each step adding its files to the
//! directory's manifest so `hipaa-iam verify` covers them.
//!
//! The roster is built from the evidence alone (`findings.json`, `mfa_audit.csv`,
//! `identity_center_access.csv`): one row per IAM user, IAM role and Identity Center user.
//! Its `RosterId` column ties it to the evidence (the first 16 hex digits of the SHA-256 of
//! its `findings.json`), so a roster of another evidence directory is refused.
//!
//! Files are added through a [`Staging`]: written under temporary names, then renamed into
//! place with `manifest.json` last, so the directory is never left half-updated.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{read_findings, verified_manifest};
use crate::account::file;
use crate::findings::{AuditReport, Status};
use crate::manifest::Manifest;
use crate::report::csv_file::{unneutralise, CsvTable};
use crate::report::evidence::{FINDINGS_JSON, MFA_CSV};
use crate::report::identity_center::IDENTITY_CENTER_CSV;
use crate::report::roster::{maps, roster_of, PRINCIPAL_COLUMNS};
pub use crate::report::roster::{roster_from_tables, ROSTER_HEADERS};
use crate::report::staging::Staging;
use crate::{Error, Result};

/// The roster to fill in.
pub const ROSTER_CSV: &str = "access_review.csv";
/// The roster as signed.
pub const SIGNED_ROSTER_CSV: &str = "access_review_signed.csv";
/// The signed review.
pub const REVIEW_JSON: &str = "review.json";
/// The signed review, readable.
pub const REVIEW_MD: &str = "review.md";

/// A reviewer's decision on one principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// The access stays.
    Keep,
    /// The access goes.
    Revoke,
    /// The access changes (the comment says how).
    Modify,
}

impl Decision {
    fn parse(s: &str) -> Option<Decision> {
        match s.trim().to_ascii_lowercase().as_str() {
            "keep" => Some(Decision::Keep),
            "revoke" => Some(Decision::Revoke),
            "modify" => Some(Decision::Modify),
            _ => None,
        }
    }

    /// `keep`, `revoke`, `modify`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Keep => "keep",
            Decision::Revoke => "revoke",
            Decision::Modify => "modify",
        }
    }
}

/// The roster ID of an evidence directory: the first 16 hex digits of the SHA-256 of its
/// `findings.json` (which the review files never change).
pub fn roster_id(manifest: &Manifest) -> Option<String> {
    manifest.files.get(FINDINGS_JSON).map(|h| h.chars().take(16).collect())
}

fn read_csv(path: &Path) -> Result<Vec<Vec<String>>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bytes = crate::input::strip_bom(&bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| Error::input(path, format!("line {}", i + 1), e.to_string()))?;
        rows.push(rec.iter().map(|c| unneutralise(c).to_string()).collect());
    }
    Ok(rows)
}

/// A CSV of the evidence as maps of column name to cell (empty when not listed).
fn evidence_table(dir: &Path, manifest: &Manifest, name: &str) -> Result<Vec<BTreeMap<String, String>>> {
    if !manifest.files.contains_key(name) {
        return Ok(Vec::new());
    }
    let rows = read_csv(&dir.join(name))?;
    let Some((head, rest)) = rows.split_first() else {
        return Ok(Vec::new());
    };
    Ok(maps(head, rest))
}

/// The roster of the evidence in `dir`: one row per principal (without the reviewer's
/// columns' values), sorted by type then name.
fn roster(dir: &Path, manifest: &Manifest, report: &AuditReport) -> Result<CsvTable> {
    let id = roster_id(manifest).unwrap_or_default();
    let mfa = evidence_table(dir, manifest, MFA_CSV)?;
    let ic = evidence_table(dir, manifest, IDENTITY_CENTER_CSV)?;
    Ok(roster_of(&id, report, &mfa, &ic))
}

/// Writes `files` into the evidence directory `dir` and rewrites its manifest to list
/// them: through a [`Staging`], `manifest.json` renamed into place last.
fn add_to_evidence(dir: &Path, mut manifest: Manifest, files: &[(&str, &[u8])]) -> Result<Manifest> {
    let dirs = [dir.to_path_buf()];
    let staging = Staging::begin(&dirs)?;
    for (name, bytes) in files {
        let hash = staging.put(dir, name, &mut |w| w.write_all(bytes))?;
        manifest.files.insert(name.to_string(), hash);
    }
    let mut json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::InvalidArgument(format!("cannot serialise the manifest: {e}")))?;
    json.push(b'\n');
    staging.put(dir, file::MANIFEST, &mut |w| w.write_all(&json))?;
    staging.commit()?;
    Ok(manifest)
}

/// What [`start`] wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Started {
    /// The roster's path.
    pub roster: PathBuf,
    /// Its roster ID.
    pub roster_id: String,
    /// Its rows (principals).
    pub principals: usize,
}

/// Writes the roster `access_review.csv` into the evidence directory `dir` (verified
/// first; refused when a review is already signed there) and lists it in its manifest.
pub fn start(dir: &Path) -> Result<Started> {
    let manifest = verified_manifest(dir)?;
    if manifest.files.contains_key(REVIEW_JSON) {
        return Err(Error::input(
            dir.join(REVIEW_JSON),
            "",
            "a review is already signed in this evidence directory: start the next review on the next audit's evidence",
        ));
    }
    let report = read_findings(dir, &manifest)?;
    let id = roster_id(&manifest).unwrap_or_default();
    let table = roster(dir, &manifest, &report)?;
    let principals = table.rows.len();
    add_to_evidence(dir, manifest, &[(ROSTER_CSV, &table.to_bytes(false))])?;
    Ok(Started {
        roster: dir.join(ROSTER_CSV),
        roster_id: id,
        principals,
    })
}

/// A request to sign a review (the CLI's `review sign`, the C ABI's
/// `hipaa_iam_review_sign`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignRequest {
    /// The evidence directory the roster was started in.
    pub evidence_dir: PathBuf,
    /// The filled-in roster (a copy outside the evidence directory).
    pub roster: PathBuf,
    /// Who reviewed.
    pub reviewer: String,
    /// The reviewer's title.
    pub title: String,
}

/// One principal's decision as signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedDecision {
    /// `user`, `role` or `sso-user`.
    pub principal_type: String,
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// The decision.
    pub decision: Decision,
    /// Who decided (the row's reviewer, else the signer).
    pub reviewer: String,
    /// The comment.
    pub comment: String,
}

/// The decisions counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Rows.
    pub principals: usize,
    /// Kept.
    pub keep: usize,
    /// Revoked.
    pub revoke: usize,
    /// Modified.
    pub modify: usize,
}

/// `review.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// Who signed.
    pub reviewer: String,
    /// Their title.
    pub title: String,
    /// When (UTC, RFC 3339).
    pub signed_at: String,
    /// The evidence's roster ID.
    pub roster_id: String,
    /// The SHA-256 of the signed roster (`access_review_signed.csv`).
    pub roster_sha256: String,
    /// The account, when known.
    pub account_id: Option<String>,
    /// The data time of the audit reviewed.
    pub as_of: String,
    /// The decisions counted.
    pub counts: Counts,
    /// Every decision.
    pub decisions: Vec<SignedDecision>,
}

/// What a revoke or modify decision implies: planned, never applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedAction {
    /// The principal's type.
    pub principal_type: String,
    /// Its name.
    pub name: String,
    /// The decision.
    pub decision: Decision,
    /// What to do, one step a line (commands to review and run by hand).
    pub steps: Vec<String>,
}

/// What [`sign`] wrote and what the decisions imply.
#[derive(Debug, Clone, Serialize)]
pub struct Signed {
    /// The review.
    pub review: Review,
    /// The remediation plans of the revoke and modify decisions (never applied).
    pub plans: Vec<PlannedAction>,
}

fn row_error(path: &Path, line: usize, name: &str, message: impl Into<String>) -> Error {
    Error::input(path, format!("row {line} ({name})"), message)
}

/// Checks the filled-in roster of `request` against the evidence's own and signs it:
/// writes `access_review_signed.csv`, `review.json` and `review.md` into the evidence
/// directory and lists them in its manifest. Every row must have a decision; a principal
/// the evidence does not have, an edited principal column, a missing principal or a roster
/// of another evidence directory is refused, naming the row.
pub fn sign(request: &SignRequest) -> Result<Signed> {
    let dir = &request.evidence_dir;
    if request.reviewer.trim().is_empty() || request.title.trim().is_empty() {
        return Err(Error::InvalidArgument(
            "the reviewer's name and title are required".into(),
        ));
    }
    let manifest = verified_manifest(dir)?;
    if manifest.files.contains_key(REVIEW_JSON) {
        return Err(Error::input(
            dir.join(REVIEW_JSON),
            "",
            "this evidence's review is already signed",
        ));
    }
    if !manifest.files.contains_key(ROSTER_CSV) {
        return Err(Error::input(
            dir.join(file::MANIFEST),
            "files",
            format!("lists no {ROSTER_CSV}: start the review first (hipaa-iam review start --evidence DIR)"),
        ));
    }
    if let (Ok(r), Ok(d)) = (std::fs::canonicalize(&request.roster), std::fs::canonicalize(dir)) {
        if r.starts_with(&d) {
            return Err(Error::input(
                &request.roster,
                "",
                "is inside the evidence directory: fill in a copy of access_review.csv kept elsewhere (the evidence's own stays as written)",
            ));
        }
    }
    let report = read_findings(dir, &manifest)?;
    let id = roster_id(&manifest).unwrap_or_default();
    let expected = read_csv(&dir.join(ROSTER_CSV))?;
    let roster_bytes = std::fs::read(&request.roster).map_err(|e| Error::io(&request.roster, e))?;
    let given = read_csv(&request.roster)?;
    let path = request.roster.as_path();
    let Some((head, rows)) = given.split_first() else {
        return Err(Error::input(path, "", "the roster is empty"));
    };
    if head.iter().map(String::as_str).collect::<Vec<_>>() != ROSTER_HEADERS {
        return Err(Error::input(
            path,
            "line 1",
            format!(
                "the columns are not the roster's: expected {}",
                ROSTER_HEADERS.join(",")
            ),
        ));
    }
    // The evidence's rows by principal (type and ARN, or name where there is no ARN).
    let key = |r: &[String]| (r[1].clone(), if r[3].is_empty() { r[2].clone() } else { r[3].clone() });
    let mut want: BTreeMap<(String, String), &Vec<String>> = expected.iter().skip(1).map(|r| (key(r), r)).collect();
    let mut decisions = Vec::new();
    let mut counts = Counts::default();
    for (i, row) in rows.iter().enumerate() {
        let line = i + 2;
        let name = row.get(2).map(String::as_str).unwrap_or("");
        if row.len() != ROSTER_HEADERS.len() {
            return Err(row_error(
                path,
                line,
                name,
                format!("{} cells, expected {}", row.len(), ROSTER_HEADERS.len()),
            ));
        }
        if row[0] != id {
            return Err(row_error(
                path,
                line,
                name,
                format!(
                    "roster ID {:?} is not this evidence's ({id}): the roster was started on another evidence directory",
                    row[0]
                ),
            ));
        }
        let Some(orig) = want.remove(&key(row)) else {
            let twice = expected.iter().skip(1).any(|r| key(r) == key(row));
            return Err(row_error(
                path,
                line,
                name,
                if twice {
                    format!("{} {} is listed twice", row[1], row[3])
                } else {
                    format!(
                        "unknown principal: the evidence has no {} {:?} ({})",
                        row[1], name, row[3]
                    )
                },
            ));
        };
        for c in 0..PRINCIPAL_COLUMNS {
            if orig[c] != row[c] {
                return Err(row_error(
                    path,
                    line,
                    name,
                    format!(
                        "column {} was edited ({:?}, the evidence says {:?}): only Decision, Reviewer and Comment are filled in",
                        ROSTER_HEADERS[c], row[c], orig[c]
                    ),
                ));
            }
        }
        let decision = match row[11].trim() {
            "" => return Err(row_error(path, line, name, "no decision (keep, revoke or modify)")),
            d => Decision::parse(d).ok_or_else(|| {
                row_error(
                    path,
                    line,
                    name,
                    format!("decision {d:?} is not keep, revoke or modify"),
                )
            })?,
        };
        counts.principals += 1;
        match decision {
            Decision::Keep => counts.keep += 1,
            Decision::Revoke => counts.revoke += 1,
            Decision::Modify => counts.modify += 1,
        }
        decisions.push(SignedDecision {
            principal_type: row[1].clone(),
            name: row[2].clone(),
            arn: row[3].clone(),
            decision,
            reviewer: if row[12].trim().is_empty() {
                request.reviewer.clone()
            } else {
                row[12].clone()
            },
            comment: row[13].clone(),
        });
    }
    if let Some(((kind, who), r)) = want.into_iter().next() {
        return Err(Error::input(
            path,
            "",
            format!(
                "{kind} {:?} ({who}) is missing: every principal of the roster needs a row and a decision",
                r[2]
            ),
        ));
    }
    let review = Review {
        reviewer: request.reviewer.clone(),
        title: request.title.clone(),
        signed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        roster_id: id,
        roster_sha256: crate::manifest::sha256_hex(&roster_bytes),
        account_id: report.account_id.clone(),
        as_of: report.as_of.clone(),
        counts,
        decisions,
    };
    let plans = plans(&review, &report, &expected);
    let mut json = serde_json::to_vec_pretty(&review)
        .map_err(|e| Error::InvalidArgument(format!("cannot serialise the review: {e}")))?;
    json.push(b'\n');
    let md = markdown(&review, &plans);
    add_to_evidence(
        dir,
        manifest,
        &[
            (SIGNED_ROSTER_CSV, &roster_bytes),
            (REVIEW_JSON, &json),
            (REVIEW_MD, md.as_bytes()),
        ],
    )?;
    Ok(Signed { review, plans })
}

/// The plans the revoke and modify decisions imply: AWS CLI steps to review and run by
/// hand, and the `hipaa-iam remediate` commands of the principal's open findings.
pub fn plans(review: &Review, report: &AuditReport, roster: &[Vec<String>]) -> Vec<PlannedAction> {
    let groups: BTreeMap<(&str, &str), &str> = roster
        .iter()
        .skip(1)
        .filter(|r| r.len() > 4)
        .map(|r| ((r[1].as_str(), r[2].as_str()), r[4].as_str()))
        .collect();
    let mut out = Vec::new();
    for d in review.decisions.iter().filter(|d| d.decision != Decision::Keep) {
        let mut steps = Vec::new();
        let n = &d.name;
        match (d.decision, d.principal_type.as_str()) {
            (Decision::Revoke, "user") => {
                steps.push(format!("aws iam delete-login-profile --user-name {n}   # console password, if any"));
                steps.push(format!(
                    "aws iam list-access-keys --user-name {n}, then aws iam update-access-key --user-name {n} --access-key-id ID --status Inactive"
                ));
                for g in groups
                    .get(&("user", n.as_str()))
                    .map(|g| g.split(';').map(str::trim).filter(|g| !g.is_empty()).collect::<Vec<_>>())
                    .unwrap_or_default()
                {
                    steps.push(format!("aws iam remove-user-from-group --group-name {g} --user-name {n}"));
                }
                steps.push(format!("aws iam delete-user --user-name {n}   # once nothing else needs it (detach its policies, MFA devices first)"));
            }
            (Decision::Revoke, "role") if d.arn.contains("/aws-reserved/sso.amazonaws.com/") => steps.push(format!(
                "remove the permission set's account assignments in IAM Identity Center (role {n} is managed by it)"
            )),
            (Decision::Revoke, "role") => {
                steps.push(format!("aws iam update-assume-role-policy --role-name {n} --policy-document '{{\"Version\":\"2012-10-17\",\"Statement\":[]}}'   # nobody can assume it"));
                steps.push(format!("aws iam delete-role --role-name {n}   # once its policies are detached and nothing uses it"));
            }
            (Decision::Revoke, _) => steps.push(format!(
                "remove {n}'s group memberships and account assignments in IAM Identity Center, or disable the user in its identity source"
            )),
            (_, _) => {
                let mut seen = std::collections::HashSet::new();
                for f in report.findings.iter().filter(|f| {
                    f.status == Status::Fail
                        && (f.resource_arn == d.arn
                            || (d.principal_type == "sso-user" && f.resource_name == d.name))
                }) {
                    match f.check.remediate {
                        Some(r) if seen.insert(r) => {
                            steps.push(format!("{} --dry-run   # {} {}", r.command(), f.check.id, f.check.title))
                        }
                        Some(_) => {}
                        None => steps.push(format!("{}: {}", f.check.id, f.check.remediation)),
                    }
                }
                steps.push(format!(
                    "change {n}'s access as the review says: {}",
                    if d.comment.is_empty() { "(no comment given)" } else { &d.comment }
                ));
            }
        }
        out.push(PlannedAction {
            principal_type: d.principal_type.clone(),
            name: d.name.clone(),
            decision: d.decision,
            steps,
        });
    }
    out
}

fn markdown(review: &Review, plans: &[PlannedAction]) -> String {
    use std::fmt::Write as _;
    let md = crate::report::register::md_cell;
    let mut s = String::new();
    let _ = writeln!(s, "# Access review\n");
    let _ = writeln!(
        s,
        "- Account: {}",
        md(review.account_id.as_deref().unwrap_or("(unknown)"))
    );
    let _ = writeln!(s, "- Data as of: {}", md(&review.as_of));
    let _ = writeln!(
        s,
        "- Reviewed and signed by: {}, {}",
        md(&review.reviewer),
        md(&review.title)
    );
    let _ = writeln!(s, "- Signed at: {}", md(&review.signed_at));
    let _ = writeln!(
        s,
        "- Roster: {SIGNED_ROSTER_CSV} (SHA-256 {}), roster ID {}",
        review.roster_sha256, review.roster_id
    );
    let c = review.counts;
    let _ = writeln!(
        s,
        "- Decisions: {} principals: {} keep, {} revoke, {} modify\n",
        c.principals, c.keep, c.revoke, c.modify
    );
    s.push_str("| Type | Name | Decision | Reviewer | Comment |\n|---|---|---|---|---|\n");
    for d in &review.decisions {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            md(&d.principal_type),
            md(&d.name),
            d.decision.as_str(),
            md(&d.reviewer),
            md(&d.comment)
        );
    }
    if !plans.is_empty() {
        s.push_str("\n## Planned changes (not applied)\n");
        for p in plans {
            let _ = writeln!(
                s,
                "\n### {} {} ({})\n",
                md(&p.principal_type),
                md(&p.name),
                p.decision.as_str()
            );
            for step in &p.steps {
                let _ = writeln!(s, "- `{}`", step.replace('`', "'"));
            }
        }
    }
    s
}
