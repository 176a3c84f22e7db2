//! `hipaa-iam audit`.

use hipaa_iam_core::account::Collected;
use hipaa_iam_core::config::Config;

use crate::{AuditArgs, EXIT_OK};

/// Runs the audit. (For now: a summary of the account data.)
pub fn run(args: AuditArgs) -> hipaa_iam_core::Result<u8> {
    let loaded = Config::load(args.config.as_deref(), &hipaa_iam_core::checks::ids())?;
    let account = super::load_account(&args.source, &loaded.config.regions)?;
    println!("Account {}", account.account_id.as_deref().unwrap_or("(unknown)"));
    println!(
        "  users {}  groups {}  roles {}  managed policies {}",
        account.users.len(),
        account.groups.len(),
        account.roles.len(),
        account.policies.len()
    );
    match &account.credential_report {
        Collected::Yes(report) => {
            let users: Vec<_> = report.rows.iter().filter(|r| !r.is_root()).collect();
            let with_mfa = users.iter().filter(|r| r.mfa_active).count();
            println!("  MFA: {with_mfa} of {} users have an MFA device", users.len());
            for r in users.iter().filter(|r| !r.mfa_active) {
                println!("    no MFA: {}", r.user);
            }
        }
        _ => println!("  MFA: credential report not collected"),
    }
    Ok(EXIT_OK)
}
