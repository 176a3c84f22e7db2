//! The findings JSON: an [`AuditReport`] as `audit --format json` prints it, as
//! `findings.json` holds it and as the C ABI returns it (schema version
//! [`FINDINGS_SCHEMA_VERSION`], described by `docs/findings-schema.json`).
//!
//! ```text
//! {
//! "schema_version":2,
//! "tool_version":"0.1.0", "account_id":..., "as_of":..., "source":..., "regions":[...],
//! "checks":{
//! "IAM-002":{"slug":"console-mfa","title":...,"severity":"critical","resource_type":"user","hipaa":[...],"remediation":...},
//! ...
//! },
//! "findings":[
//! {"check_id":"IAM-002","status":"fail","resource_arn":...,"resource_name":...,"detail":...,"source_file":...},
//! ...
//! ],
//! "warnings":[
//! ...
//! ]
//! }
//! ```
//!
//! Each check's metadata is stated once, under `checks` (the checks that have findings, in
//! catalogue order); a finding holds only its own fields and names its check by
//! `check_id`. Files and stdout get one finding per line (compact, yet readable and
//! diffable line by line); the C ABI gets the same document on one line. Reading it back
//! ([`parse`]) resolves every `check_id` against this version's catalogue.

use std::io::Write;

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};

use crate::checks::CATALOGUE;
use crate::findings::{
    AppliedException, AttestationRecord, AuditReport, Check, Finding, OrgGuardrails, Status, FINDINGS_SCHEMA_VERSION,
};

/// A check's metadata as the findings JSON states it once.
struct CheckMeta(&'static Check);

impl Serialize for CheckMeta {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut m = s.serialize_struct("Check", 6)?;
        m.serialize_field("slug", c.slug)?;
        m.serialize_field("title", c.title)?;
        m.serialize_field("severity", &c.severity)?;
        m.serialize_field("resource_type", &c.resource_type)?;
        m.serialize_field("hipaa", c.hipaa)?;
        m.serialize_field("remediation", &c.remediation_text())?;
        m.end()
    }
}

/// The checks that have findings in `report`, in catalogue order.
fn checks_of(report: &AuditReport) -> Vec<&'static Check> {
    let mut seen = vec![false; CATALOGUE.len()];
    for f in &report.findings {
        if let Some(i) = crate::checks::position(f.check.id) {
            seen[i] = true;
        }
    }
    CATALOGUE
        .iter()
        .zip(seen)
        .filter(|(_, s)| *s)
        .map(|(c, _)| *c)
        .collect()
}

struct Checks<'a>(&'a [&'static Check]);

impl Serialize for Checks<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for c in self.0 {
            m.serialize_entry(c.id, &CheckMeta(c))?;
        }
        m.end()
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = 5
            + usize::from(self.source_file.is_some())
            + usize::from(self.exception.is_some())
            + usize::from(self.first_seen.is_some());
        let mut m = s.serialize_struct("Finding", n)?;
        m.serialize_field("check_id", self.check.id)?;
        m.serialize_field("status", &self.status)?;
        m.serialize_field("resource_arn", &self.resource_arn)?;
        m.serialize_field("resource_name", &self.resource_name)?;
        m.serialize_field("detail", &self.detail)?;
        if let Some(src) = &self.source_file {
            m.serialize_field("source_file", &**src)?;
        }
        if let Some(e) = &self.exception {
            m.serialize_field("exception", e)?;
        }
        if let Some(t) = &self.first_seen {
            m.serialize_field("first_seen", &**t)?;
        }
        m.end()
    }
}

impl Serialize for AuditReport {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let checks = checks_of(self);
        let mut m = s.serialize_struct("AuditReport", 11)?;
        m.serialize_field("schema_version", &FINDINGS_SCHEMA_VERSION)?;
        m.serialize_field("tool_version", &self.tool_version)?;
        m.serialize_field("account_id", &self.account_id)?;
        m.serialize_field("as_of", &self.as_of)?;
        m.serialize_field("source", &self.source)?;
        m.serialize_field("regions", &self.regions)?;
        m.serialize_field("checks", &Checks(&checks))?;
        m.serialize_field("findings", &self.findings)?;
        m.serialize_field("warnings", &self.warnings)?;
        if let Some(org) = &self.organization {
            m.serialize_field("organization", org)?;
        }
        if !self.attestations.is_empty() {
            m.serialize_field("attestations", &self.attestations)?;
        }
        m.end()
    }
}

/// Compact JSON with a line break before each member of the document and of its objects and
/// arrays (`checks`, `findings`, ...), and before the brackets that close them: one
/// finding per line.
#[derive(Default)]
struct LineFormatter {
    depth: usize,
}

impl LineFormatter {
    /// Containers whose members go on lines of their own: the document (depth 1) and its
    /// objects and arrays (depth 2).
    const BROKEN: usize = 2;
}

impl serde_json::ser::Formatter for LineFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        if self.depth <= Self::BROKEN {
            w.write_all(b"\n")?;
        }
        self.depth -= 1;
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        if self.depth <= Self::BROKEN {
            w.write_all(b"\n")?;
        }
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        if self.depth <= Self::BROKEN {
            w.write_all(b"\n")?;
        }
        self.depth -= 1;
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        if self.depth <= Self::BROKEN {
            w.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// Writes `report` as the findings JSON, one finding per line, and a final line break.
/// Streams: nothing but `w`'s buffer is held in memory.
pub fn write(w: &mut dyn Write, report: &AuditReport) -> std::io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *w, LineFormatter::default());
    report.serialize(&mut ser).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}

/// The findings JSON of `report` in memory (what [`write`] streams).
pub fn to_vec(report: &AuditReport) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write(&mut out, report);
    out
}

#[derive(Deserialize)]
struct RawFinding {
    check_id: String,
    status: Status,
    resource_arn: String,
    resource_name: String,
    detail: String,
    #[serde(default)]
    source_file: Option<String>,
    #[serde(default)]
    exception: Option<AppliedException>,
    #[serde(default)]
    first_seen: Option<String>,
}

#[derive(Deserialize)]
struct RawReport {
    #[serde(default)]
    schema_version: Option<u64>,
    tool_version: String,
    account_id: Option<String>,
    as_of: String,
    source: String,
    regions: Vec<String>,
    findings: Vec<RawFinding>,
    warnings: Vec<String>,
    #[serde(default)]
    organization: Option<OrgGuardrails>,
    #[serde(default)]
    attestations: Vec<AttestationRecord>,
}

/// Reads a findings JSON document back (as `serde_json::from_slice::<AuditReport>` does).
pub fn parse(bytes: &[u8]) -> std::result::Result<AuditReport, String> {
    serde_json::from_slice(bytes).map_err(|e| e.to_string())
}

/// Refuses another schema version and a finding whose `check_id` this version's catalogue
/// does not have, saying why.
fn resolve(raw: RawReport) -> std::result::Result<AuditReport, String> {
    match raw.schema_version {
        Some(v) if v == u64::from(FINDINGS_SCHEMA_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "schema_version {v} is not the findings schema this version reads ({FINDINGS_SCHEMA_VERSION}); re-run the audit with this version"
            ))
        }
        None => {
            return Err(format!(
                "no schema_version: not a findings JSON of schema {FINDINGS_SCHEMA_VERSION} (written by an earlier version?); re-run the audit with this version"
            ))
        }
    }
    let mut findings = Vec::with_capacity(raw.findings.len());
    for (i, f) in raw.findings.into_iter().enumerate() {
        let check = crate::checks::info(&f.check_id).ok_or_else(|| {
            format!(
                "findings[{i}]: check_id {:?} is not a check of this version ({})",
                f.check_id,
                crate::checks::id_range()
            )
        })?;
        findings.push(Finding {
            check,
            status: f.status,
            resource_arn: f.resource_arn,
            resource_name: f.resource_name,
            detail: f.detail,
            source_file: f.source_file.map(Into::into),
            exception: f.exception.map(Box::new),
            first_seen: f.first_seen.map(Into::into),
        });
    }
    Ok(AuditReport {
        tool_version: raw.tool_version,
        account_id: raw.account_id,
        as_of: raw.as_of,
        source: raw.source,
        regions: raw.regions,
        findings,
        warnings: raw.warnings,
        organization: raw.organization,
        attestations: raw.attestations,
    })
}

/// Reads the findings JSON: every `check_id` resolved against this version's catalogue,
/// another schema version refused ([`parse`]).
impl<'de> Deserialize<'de> for AuditReport {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        resolve(RawReport::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}
