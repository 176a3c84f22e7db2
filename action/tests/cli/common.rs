//! What the CLI's tests share: the binary under test.

use std::process::Command;

/// The `hipaa-iam` binary built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_hipaa-iam");

/// `hipaa-iam` with the environment every test starts from ([`hipaa_iam_tests::command`]).
pub fn hipaa_iam() -> Command {
    hipaa_iam_tests::command(BIN)
}

/// `hipaa-iam` that cannot reach AWS ([`hipaa_iam_tests::offline_command`]).
pub fn hipaa_iam_offline() -> Command {
    hipaa_iam_tests::offline_command(BIN)
}
