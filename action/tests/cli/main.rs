//! The tests of the `hipaa-iam` binary, in one test binary (the AWS SDK is linked once):
//! each module is one concern. Modules named `*_moto` and tests named `*_on_moto` need the
//! moto server `.ci/run` starts (see `hipaa_iam_tests::moto`).

mod common;

mod access_cli;
mod access_moto;
mod action_steps;
mod audit_cli;
mod audit_moto;
mod collect_moto;
mod evidence_cli;
mod evidence_safety_cli;
mod history_cli;
mod hostile_names_cli;
mod identity_center_moto;
mod lint_cli;
mod merge_cli;
mod network_cli;
mod org_cli;
mod org_moto;
mod remediate_moto;
mod report_html_cli;
mod report_xlsx_cli;
mod scp_moto;
