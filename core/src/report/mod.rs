//! The renderings of the findings model ([`crate::findings`]): the evidence files, SARIF,
//! JUnit, CSV, the Markdown summary, the risk register and the check catalogue document.

pub mod catalogue;
pub mod csv_file;
pub mod evidence;
pub mod findings_json;
pub mod html;
pub mod identity_center;
pub mod junit;
pub mod mfa;
pub mod model;
pub mod org;
pub mod org_report;
pub mod phi;
pub mod register;
mod render;
pub mod roster;
pub mod sarif;
pub mod since;
pub mod staging;
pub mod summary;
pub mod xlsx;

pub use evidence::{write_evidence, write_evidence_with, EvidenceOptions};
pub use render::{render, Format};
