//! `identity_center_access.csv`: who can sign in where through IAM Identity Center, one row
//! per identity store user: its groups, the permission sets and accounts it reaches (its own
//! assignments and its groups'), whether any of them is a full administrator (decided as
//! IAM-031 decides), and the longest session.

use super::csv_file::CsvTable;
use crate::account::identity_center::hours_text;
use crate::account::{Account, Collected};
use crate::findings::Status;

/// The file's name.
pub const IDENTITY_CENTER_CSV: &str = "identity_center_access.csv";

/// The CSV's columns.
pub const HEADERS: [&str; 10] = [
    "Instance",
    "UserName",
    "DisplayName",
    "UserId",
    "Groups",
    "PermissionSets",
    "Accounts",
    "Administrator",
    "LongestSession",
    "Assignments",
];

/// The table, or `None` when the account data has no Identity Center instance.
pub fn to_csv(account: &Account) -> Option<CsvTable> {
    let Collected::Yes(ic) = &account.identity_center else {
        return None;
    };
    if ic.instances.is_empty() {
        return None;
    }
    let mut t = CsvTable::new(&HEADERS);
    for instance in &ic.instances {
        let admin: std::collections::BTreeMap<&str, Status> = instance
            .permission_sets
            .iter()
            .map(|ps| {
                (
                    ps.arn.as_str(),
                    crate::checks::permission_set_admin(account, instance, ps),
                )
            })
            .collect();
        for u in &instance.users {
            let groups: Vec<String> = instance
                .groups_of(&u.id)
                .iter()
                .map(|g| g.display_name.clone())
                .collect();
            let access = instance.access_of(&u.id);
            let mut sets: Vec<&str> = access.iter().map(|(ps, _, _)| ps.name.as_str()).collect();
            sets.sort();
            sets.dedup();
            let mut accounts: Vec<&str> = access.iter().map(|(_, a, _)| *a).collect();
            accounts.sort();
            accounts.dedup();
            let statuses: Vec<Status> = access
                .iter()
                .map(|(ps, _, _)| admin.get(ps.arn.as_str()).copied().unwrap_or(Status::NotEvaluated))
                .collect();
            let administrator = if statuses.contains(&Status::Fail) {
                "yes"
            } else if statuses.iter().all(|s| *s == Status::Pass) {
                "no"
            } else {
                "unknown"
            };
            let longest = access
                .iter()
                .filter_map(|(ps, _, _)| ps.effective_session_seconds())
                .max();
            let assignments: Vec<String> = access
                .iter()
                .map(|(ps, account, how)| format!("{} in {account} ({how})", ps.name))
                .collect();
            t.push(vec![
                instance.arn.clone(),
                u.user_name.clone(),
                u.display_name.clone().unwrap_or_default(),
                u.id.clone(),
                groups.join("; "),
                sets.join("; "),
                accounts.join("; "),
                administrator.to_string(),
                longest.map(hours_text).unwrap_or_default(),
                assignments.join("; "),
            ]);
        }
    }
    Some(t)
}
