//! Reading an exports directory: every well-formed variant the AWS CLI (or a client's
//! tooling) produces is accepted, and every malformed file is an error that names the file
//! and the line or JSON path.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;

use hipaa_iam_core::account::{file, Account, Collected, CredentialReport, ExportSet, PasswordEnabled, ReportTime};
use hipaa_iam_core::manifest::Manifest;
use hipaa_iam_tests::{demo_account, exports_dir};

const AUTH_EMPTY: &str = r#"{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}"#;

use hipaa_iam_tests::account::REPORT_HEADER;

const ROOT_ROW: &str = "<root_account>,arn:aws:iam::123456789012:root,2019-03-04T16:20:11+00:00,not_supported,\
2026-07-28T18:02:37+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";

const ALICE_ROW: &str = "alice,arn:aws:iam::123456789012:user/alice,2024-01-02T03:04:05+00:00,true,\
2026-11-01T10:00:00+00:00,2026-06-01T10:00:00+00:00,N/A,false,true,2025-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,\
N/A,N/A,N/A,false,N/A,false,N/A";

/// One user with the fields the AWS CLI prints, with `user` spliced into its JSON object.
fn auth_with_user(extra: &str) -> String {
    format!(
        r#"{{"UserDetailList": [{{"Path": "/", "UserName": "alice", "UserId": "AIDAEXAMPLE", "Arn": "arn:aws:iam::123456789012:user/alice", "CreateDate": "2024-01-02T03:04:05Z"{extra}}}], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}}"#
    )
}

/// A customer-managed policy whose default version's document is `document` (raw JSON).
fn auth_with_policy_document(document: &str) -> String {
    format!(
        r#"{{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": [{{"PolicyName": "p", "Arn": "arn:aws:iam::123456789012:policy/p", "DefaultVersionId": "v1", "PolicyVersionList": [{{"Document": {document}, "VersionId": "v1", "IsDefaultVersion": true}}]}}]}}"#
    )
}

fn report(rows: &[&str]) -> String {
    let mut s = String::from(REPORT_HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s
}

fn read(files: &[(&str, &str)]) -> hipaa_iam_core::Result<Account> {
    let dir = exports_dir(files);
    Account::read_dir(dir.path())
}

fn read_ok(files: &[(&str, &str)]) -> Account {
    read(files).unwrap_or_else(|e| panic!("expected the exports to read, got: {e}"))
}

/// The error message of reading `files`; panics when they read.
fn read_err(files: &[(&str, &str)]) -> String {
    match read(files) {
        Ok(_) => panic!(
            "expected an error reading {:?}",
            files.iter().map(|(n, _)| *n).collect::<Vec<_>>()
        ),
        Err(e) => e.to_string(),
    }
}

fn assert_mentions(message: &str, parts: &[&str]) {
    for p in parts {
        assert!(message.contains(p), "error message {message:?} should mention {p:?}");
    }
}

// ---------------------------------------------------------------------------------------
// The directory itself
// ---------------------------------------------------------------------------------------

#[test]
fn empty_directory_says_which_file_is_missing_and_how_to_make_it() {
    let msg = read_err(&[]);
    assert_mentions(
        &msg,
        &[
            "authorization-details.json",
            "missing",
            "aws iam get-account-authorization-details --output json > authorization-details.json",
        ],
    );
}

#[test]
fn a_path_that_is_a_file_is_not_an_exports_directory() {
    let dir = exports_dir(&[(file::AUTHORIZATION_DETAILS, AUTH_EMPTY)]);
    let path = dir.path().join(file::AUTHORIZATION_DETAILS);
    let msg = Account::read_dir(&path).unwrap_err().to_string();
    assert_mentions(&msg, &[&path.display().to_string(), "not a directory"]);
}

#[test]
fn a_directory_that_does_not_exist_is_named() {
    let dir = exports_dir(&[]);
    let path = dir.path().join("no-such-exports");
    let msg = Account::read_dir(&path).unwrap_err().to_string();
    assert_mentions(&msg, &[&path.display().to_string()]);
}

#[test]
fn an_unreadable_file_is_named() {
    // A directory where a file is expected: present, but not readable as a file.
    let dir = exports_dir(&[]);
    std::fs::create_dir(dir.path().join(file::CREDENTIAL_REPORT)).unwrap();
    std::fs::write(dir.path().join(file::AUTHORIZATION_DETAILS), AUTH_EMPTY).unwrap();
    let msg = Account::read_dir(dir.path()).unwrap_err().to_string();
    assert_mentions(&msg, &["credential-report.csv"]);
}

#[test]
fn only_authorization_details_reads_with_everything_else_not_collected() {
    let account = read_ok(&[(file::AUTHORIZATION_DETAILS, AUTH_EMPTY)]);
    assert!(account.users.is_empty() && account.groups.is_empty() && account.roles.is_empty());
    assert!(account.policies.is_empty());
    assert!(matches!(account.credential_report, Collected::No));
    assert!(matches!(account.account_summary, Collected::No));
    assert!(matches!(account.virtual_mfa_devices, Collected::No));
    assert!(
        account.access_analyzer.is_empty(),
        "no Access Analyzer region without its files or a manifest"
    );
    // An absent password policy file is an account without a password policy.
    assert_eq!(account.password_policy, Collected::Yes(None));
}

// ---------------------------------------------------------------------------------------
// JSON files
// ---------------------------------------------------------------------------------------

#[test]
fn empty_json_file_is_an_error() {
    for name in [
        file::AUTHORIZATION_DETAILS,
        file::PASSWORD_POLICY,
        file::ACCOUNT_SUMMARY,
        file::VIRTUAL_MFA_DEVICES,
    ] {
        let mut files = vec![(file::AUTHORIZATION_DETAILS, AUTH_EMPTY)];
        files.retain(|(n, _)| *n != name);
        files.push((name, " \n"));
        let msg = read_err(&files);
        assert_mentions(&msg, &[name, "empty"]);
    }
}

#[test]
fn truncated_json_names_the_file_line_and_column() {
    let truncated = "{\n  \"UserDetailList\": [\n    {\"UserName\": \"alice\"";
    let msg = read_err(&[(file::AUTHORIZATION_DETAILS, truncated)]);
    assert_mentions(&msg, &["authorization-details.json", "line 3 column", "EOF"]);
}

#[test]
fn json_syntax_error_names_the_line() {
    let bad = "{\n  \"UserDetailList\": [],\n  \"GroupDetailList\": [,]\n}";
    let msg = read_err(&[(file::AUTHORIZATION_DETAILS, bad)]);
    assert_mentions(&msg, &["authorization-details.json", "line 3 column"]);
}

#[test]
fn a_user_name_that_is_a_number_names_the_json_path() {
    let auth = AUTH_EMPTY.replace(
        r#""UserDetailList": []"#,
        r#""UserDetailList": [{"UserName": 42, "Arn": "arn:aws:iam::123456789012:user/x"}]"#,
    );
    let msg = read_err(&[(file::AUTHORIZATION_DETAILS, &auth)]);
    assert_mentions(
        &msg,
        &[
            "authorization-details.json",
            "UserDetailList[0].UserName",
            "invalid type",
        ],
    );
}

#[test]
fn a_group_list_that_is_a_string_names_the_json_path() {
    let msg = read_err(&[(
        file::AUTHORIZATION_DETAILS,
        &auth_with_user(r#", "GroupList": "clinicians""#),
    )]);
    assert_mentions(
        &msg,
        &[
            "authorization-details.json",
            "UserDetailList[0].GroupList",
            "expected a sequence",
        ],
    );
}

#[test]
fn a_missing_required_field_is_named() {
    let auth = AUTH_EMPTY.replace(
        r#""UserDetailList": []"#,
        r#""UserDetailList": [{"UserName": "alice"}]"#,
    );
    let msg = read_err(&[(file::AUTHORIZATION_DETAILS, &auth)]);
    assert_mentions(
        &msg,
        &["authorization-details.json", "UserDetailList[0]", "missing field `Arn`"],
    );
}

#[test]
fn a_bad_date_names_the_json_path() {
    let auth = auth_with_user("").replace("2024-01-02T03:04:05Z", "yesterday");
    let msg = read_err(&[(file::AUTHORIZATION_DETAILS, &auth)]);
    assert_mentions(&msg, &["authorization-details.json", "UserDetailList[0].CreateDate"]);
}

#[test]
fn a_top_level_array_is_an_error() {
    let msg = read_err(&[(file::AUTHORIZATION_DETAILS, "[]")]);
    assert_mentions(
        &msg,
        &[
            "authorization-details.json",
            "line 1 column 1",
            "expected a JSON object",
            "an array",
        ],
    );
    let msg = read_err(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (file::PASSWORD_POLICY, "\n  \"text\""),
    ]);
    assert_mentions(&msg, &["password-policy.json", "line 2 column 3", "a string"]);
    let msg = read_err(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (file::ACCOUNT_SUMMARY, "<html>"),
    ]);
    assert_mentions(&msg, &["account-summary.json", "line 1 column 1", "not JSON"]);
}

#[test]
fn invalid_utf8_is_an_error() {
    let dir = exports_dir(&[]);
    std::fs::write(
        dir.path().join(file::AUTHORIZATION_DETAILS),
        b"{\"UserDetailList\": [\xff]}",
    )
    .unwrap();
    let msg = Account::read_dir(dir.path()).unwrap_err().to_string();
    assert_mentions(&msg, &["authorization-details.json", "line 1"]);
}

#[test]
fn a_policy_document_that_is_not_json_names_the_json_path() {
    let msg = read_err(&[(
        file::AUTHORIZATION_DETAILS,
        &auth_with_policy_document(r#""%7Bnot%20json""#),
    )]);
    assert_mentions(
        &msg,
        &[
            "authorization-details.json",
            "Policies[0].PolicyVersionList[0].Document",
            "not valid JSON",
        ],
    );
}

#[test]
fn a_policy_document_that_is_not_an_object_names_the_json_path() {
    for doc in ["42", "[1, 2]", r#""%5B1%2C2%5D""#] {
        let msg = read_err(&[(file::AUTHORIZATION_DETAILS, &auth_with_policy_document(doc))]);
        assert_mentions(
            &msg,
            &[
                "authorization-details.json",
                "Policies[0].PolicyVersionList[0].Document",
                "JSON object",
            ],
        );
    }
}

#[test]
fn an_inline_policy_document_error_names_its_path() {
    let msg = read_err(&[(
        file::AUTHORIZATION_DETAILS,
        &auth_with_user(r#", "UserPolicyList": [{"PolicyName": "x", "PolicyDocument": "true"}]"#),
    )]);
    assert_mentions(&msg, &["UserDetailList[0].UserPolicyList[0].PolicyDocument"]);
}

#[test]
fn url_encoded_and_object_policy_documents_read_the_same() {
    let object = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}"#;
    let encoded: String = percent_encode(object);
    let plain_string = serde_json::to_string(object).unwrap();
    let mut docs = Vec::new();
    for doc in [
        object.to_string(),
        serde_json::to_string(&encoded).unwrap(),
        plain_string,
    ] {
        let account = read_ok(&[(file::AUTHORIZATION_DETAILS, &auth_with_policy_document(&doc))]);
        let policy = account.policy("arn:aws:iam::123456789012:policy/p").unwrap();
        docs.push(policy.default_document().unwrap().json.clone());
    }
    let expected: serde_json::Value = serde_json::from_str(object).unwrap();
    assert!(
        docs.iter().all(|d| *d == expected),
        "every form decodes to the object: {docs:?}"
    );
}

/// Encodes every byte that is not alphanumeric, as the IAM API does.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn a_policy_without_a_name_takes_it_from_its_arn() {
    let auth = auth_with_policy_document(r#"{"Statement": []}"#).replace(r#""PolicyName": "p", "#, "");
    let account = read_ok(&[(file::AUTHORIZATION_DETAILS, &auth)]);
    assert_eq!(account.policies[0].policy_name, "p");
}

#[test]
fn a_bom_and_crlf_line_ends_are_accepted_in_json() {
    let auth = format!(
        "\u{feff}{}",
        auth_with_user(r#", "GroupList": ["clinicians"]"#).replace(", ", ",\r\n")
    );
    let policy = "\u{feff}{\r\n  \"PasswordPolicy\": {\r\n    \"MinimumPasswordLength\": 14\r\n  }\r\n}\r\n";
    let account = read_ok(&[(file::AUTHORIZATION_DETAILS, &auth), (file::PASSWORD_POLICY, policy)]);
    assert_eq!(account.users[0].group_list, ["clinicians"]);
    assert_eq!(
        account
            .password_policy
            .get()
            .unwrap()
            .as_ref()
            .unwrap()
            .minimum_password_length,
        Some(14)
    );
}

#[test]
fn password_policy_present_and_malformed() {
    let ok = r#"{"PasswordPolicy": {"MinimumPasswordLength": 8, "RequireSymbols": false, "RequireNumbers": true, "ExpirePasswords": false, "AllowUsersToChangePassword": true}}"#;
    let account = read_ok(&[(file::AUTHORIZATION_DETAILS, AUTH_EMPTY), (file::PASSWORD_POLICY, ok)]);
    let policy = account.password_policy.get().unwrap().as_ref().unwrap();
    assert_eq!(policy.minimum_password_length, Some(8));
    assert!(policy.require_numbers && !policy.require_symbols && policy.allow_users_to_change_password);
    assert_eq!(policy.max_password_age, None);

    let msg = read_err(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (
            file::PASSWORD_POLICY,
            r#"{"PasswordPolicy": {"MinimumPasswordLength": "fourteen"}}"#,
        ),
    ]);
    assert_mentions(&msg, &["password-policy.json", "PasswordPolicy.MinimumPasswordLength"]);

    let msg = read_err(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (file::PASSWORD_POLICY, r#"{"MinimumPasswordLength": 8}"#),
    ]);
    assert_mentions(&msg, &["password-policy.json", "missing field `PasswordPolicy`"]);
}

#[test]
fn account_summary_and_mfa_devices_read_and_malformed() {
    let summary = r#"{"SummaryMap": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "Users": 3}}"#;
    let devices = r#"{"VirtualMFADevices": [{"SerialNumber": "arn:aws:iam::123456789012:mfa/root-account-mfa-device", "User": {"Arn": "arn:aws:iam::123456789012:root"}, "EnableDate": "2019-03-04T16:25:40Z"}, {"SerialNumber": "arn:aws:iam::123456789012:mfa/spare"}]}"#;
    let account = read_ok(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (file::ACCOUNT_SUMMARY, summary),
        (file::VIRTUAL_MFA_DEVICES, devices),
    ]);
    assert_eq!(account.account_summary.get().unwrap()["AccountMFAEnabled"], 1);
    let devices = account.virtual_mfa_devices.get().unwrap();
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[0].user.as_ref().unwrap().arn, "arn:aws:iam::123456789012:root");
    assert!(devices[1].user.is_none() && devices[1].enable_date.is_none());

    let msg = read_err(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (file::ACCOUNT_SUMMARY, r#"{"SummaryMap": {"AccountMFAEnabled": "yes"}}"#),
    ]);
    assert_mentions(&msg, &["account-summary.json", "SummaryMap.AccountMFAEnabled"]);

    let msg = read_err(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (
            file::VIRTUAL_MFA_DEVICES,
            r#"{"VirtualMFADevices": [{"User": {"Arn": "x"}}]}"#,
        ),
    ]);
    assert_mentions(
        &msg,
        &[
            "virtual-mfa-devices.json",
            "VirtualMFADevices[0]",
            "missing field `SerialNumber`",
        ],
    );
}

#[test]
fn access_analyzer_files_read_and_malformed() {
    let analyzers = r#"{"analyzers": [{"arn": "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/a", "name": "a", "type": "ACCOUNT", "createdAt": "2023-04-11T09:14:25Z", "tags": {}, "status": "ACTIVE"}]}"#;
    let findings = r#"{"findings": [{"id": "f1", "resource": "arn:aws:s3:::b", "resourceType": "AWS::S3::Bucket", "resourceOwnerAccount": "123456789012", "status": "ACTIVE", "findingType": "ExternalAccess", "createdAt": "2026-09-03T17:22:51Z"}]}"#;
    let an = file::analyzers("eu-west-1");
    let fi = file::analyzer_findings("eu-west-1");
    let account = read_ok(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (&an, analyzers),
        (&fi, findings),
    ]);
    let region = &account.access_analyzer["eu-west-1"];
    assert!(region.analyzers.get().unwrap()[0].is_active_external_access());
    assert_eq!(
        region.findings.get().unwrap()[0].resource.as_deref(),
        Some("arn:aws:s3:::b")
    );

    // Analyzers without findings: the findings were not collected.
    let account = read_ok(&[(file::AUTHORIZATION_DETAILS, AUTH_EMPTY), (&an, analyzers)]);
    assert!(matches!(account.access_analyzer["eu-west-1"].findings, Collected::No));

    let msg = read_err(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (&an, &analyzers.replace(r#""ACTIVE""#, "7")),
    ]);
    assert_mentions(
        &msg,
        &["access-analyzer/eu-west-1/analyzers.json", "analyzers[0].status"],
    );

    let msg = read_err(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (&fi, r#"{"findings": {"id": "f1"}}"#),
    ]);
    assert_mentions(&msg, &["access-analyzer/eu-west-1/findings.json", "findings"]);
}

// ---------------------------------------------------------------------------------------
// The credential report
// ---------------------------------------------------------------------------------------

fn report_err(csv: &str) -> String {
    read_err(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (file::CREDENTIAL_REPORT, csv),
    ])
}

fn report_ok(csv: &str) -> CredentialReport {
    let account = read_ok(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (file::CREDENTIAL_REPORT, csv),
    ]);
    match account.credential_report {
        Collected::Yes(r) => r,
        other => panic!("expected a credential report, got {other:?}"),
    }
}

#[test]
fn credential_report_with_the_root_row() {
    let r = report_ok(&report(&[ROOT_ROW, ALICE_ROW]));
    assert_eq!(r.rows.len(), 2);
    let root = r.root().unwrap();
    assert!(root.is_root());
    assert_eq!(root.password_enabled, PasswordEnabled::NotSupported);
    assert_eq!(root.password_last_changed, ReportTime::NotSupported);
    assert!(root.password_last_used.at().is_some());
    assert!(root.mfa_active);
    assert_eq!(root.active_keys().count(), 0);
    let alice = r.user("alice").unwrap();
    assert!(alice.has_password() && !alice.mfa_active);
    assert_eq!(alice.active_keys().map(|(slot, _)| slot).collect::<Vec<_>>(), [1]);
    assert_eq!(alice.access_keys[0].last_used, ReportTime::NotApplicable);
    assert_eq!(
        alice.access_keys[0].last_rotated.at().unwrap().to_rfc3339(),
        "2025-01-01T00:00:00+00:00"
    );
}

#[test]
fn credential_report_values_are_case_insensitive() {
    let row = "bob,arn:aws:iam::123456789012:user/bob,2024-01-02T03:04:05+00:00,TRUE,No_Information,\
2026-06-01T10:00:00+00:00,n/a,True,FALSE,n/a,N/A,N/A,N/A,False,NOT_SUPPORTED,n/a,N/A,N/A,false,N/A,false,N/A";
    let r = report_ok(&report(&[row]));
    let bob = r.user("bob").unwrap();
    assert!(bob.has_password() && bob.mfa_active);
    assert_eq!(bob.password_last_used, ReportTime::NoInformation);
    assert_eq!(bob.access_keys[0].last_rotated, ReportTime::NotApplicable);
    assert_eq!(bob.access_keys[1].last_rotated, ReportTime::NotSupported);
    assert_eq!(bob.active_keys().count(), 0);
}

#[test]
fn credential_report_header_case_and_extra_columns_are_accepted() {
    let header = format!("{},future_column", REPORT_HEADER.to_uppercase());
    let csv = format!("{header}\n{ALICE_ROW},x\n");
    let r = report_ok(&csv);
    assert!(r.user("alice").is_some());
}

#[test]
fn credential_report_with_bom_crlf_and_blank_trailing_lines() {
    let csv = format!("\u{feff}{REPORT_HEADER}\r\n{ROOT_ROW}\r\n{ALICE_ROW}\r\n\r\n");
    let r = report_ok(&csv);
    assert_eq!(r.rows.len(), 2);
    assert!(r.user("alice").unwrap().has_password());
}

#[test]
fn credential_report_with_only_a_header_has_no_rows() {
    assert!(report_ok(&report(&[])).rows.is_empty());
}

#[test]
fn credential_report_missing_column_is_named() {
    let csv = report(&[])
        .replace(",mfa_active", "")
        .replace("access_key_2_last_rotated,", "");
    let msg = report_err(&csv);
    assert_mentions(
        &msg,
        &[
            "credential-report.csv",
            "line 1",
            "mfa_active",
            "access_key_2_last_rotated",
        ],
    );
}

#[test]
fn credential_report_that_is_not_a_csv_report_is_named() {
    let msg = report_err("{\"Content\": \"dXNlcixhcm4=\"}\n");
    assert_mentions(&msg, &["credential-report.csv", "line 1", "missing column"]);
}

#[test]
fn credential_report_short_row_names_the_line() {
    let msg = report_err(&report(&[
        ROOT_ROW,
        "alice,arn:aws:iam::123456789012:user/alice,2024-01-02T03:04:05+00:00",
    ]));
    assert_mentions(&msg, &["credential-report.csv", "line 3"]);
}

#[test]
fn credential_report_bad_boolean_names_line_and_column() {
    let row = ALICE_ROW.replace(",N/A,false,true,", ",N/A,yes,true,");
    let msg = report_err(&report(&[ROOT_ROW, &row]));
    assert_mentions(&msg, &["credential-report.csv", "line 3, column mfa_active", "\"yes\""]);

    let row = ALICE_ROW.replacen(",true,", ",maybe,", 1);
    let msg = report_err(&report(&[&row]));
    assert_mentions(
        &msg,
        &["credential-report.csv", "line 2, column password_enabled", "\"maybe\""],
    );
}

#[test]
fn credential_report_bad_date_names_line_and_column() {
    let row = ALICE_ROW.replace("2024-01-02T03:04:05+00:00", "2024-13-45");
    let msg = report_err(&report(&[&row]));
    assert_mentions(
        &msg,
        &[
            "credential-report.csv",
            "line 2, column user_creation_time",
            "2024-13-45",
        ],
    );

    let row = ALICE_ROW.replace("2025-01-01T00:00:00+00:00", "last week");
    let msg = report_err(&report(&[&row]));
    assert_mentions(&msg, &["line 2, column access_key_1_last_rotated"]);
}

#[test]
fn credential_report_empty_user_name_is_an_error() {
    let row = ALICE_ROW.replacen("alice,", ",", 1);
    let msg = report_err(&report(&[&row]));
    assert_mentions(&msg, &["credential-report.csv", "line 2, column user"]);
}

#[test]
fn credential_report_empty_file_is_an_error() {
    let msg = report_err("");
    assert_mentions(&msg, &["credential-report.csv", "empty"]);
}

// ---------------------------------------------------------------------------------------
// The manifest
// ---------------------------------------------------------------------------------------

fn manifest_json(extra: &str) -> String {
    format!(
        r#"{{"tool": "hipaa-iam", "version": "0.1.0", "generated_at": "2026-11-16T14:07:31Z", "account_id": "210987654321", "credential_report_generated_at": "2026-11-16T14:05:12Z", "regions": ["us-east-1", "eu-west-1"]{extra}}}"#
    )
}

#[test]
fn manifest_not_collected_makes_the_data_failed() {
    let manifest = manifest_json(
        r#", "not_collected": {"credential-report.csv": "AccessDenied: not authorized to perform iam:GetCredentialReport", "password-policy.json": "AccessDenied: no", "access-analyzer/eu-west-1/analyzers.json": "AccessDeniedException: denied"}"#,
    );
    let account = read_ok(&[(file::AUTHORIZATION_DETAILS, AUTH_EMPTY), (file::MANIFEST, &manifest)]);
    match &account.credential_report {
        Collected::Failed { call, reason } => {
            assert_eq!(call, "credential-report.csv");
            assert!(reason.contains("iam:GetCredentialReport"));
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    // A failed password policy call is not "no password policy".
    assert!(matches!(account.password_policy, Collected::Failed { .. }));
    // The manifest's regions are audited even without files; the failed one says why.
    assert!(matches!(
        account.access_analyzer["eu-west-1"].analyzers,
        Collected::Failed { .. }
    ));
    assert!(matches!(account.access_analyzer["us-east-1"].analyzers, Collected::No));
    assert!(matches!(account.account_summary, Collected::No));
    // Identity and the instant ages are measured to come from the manifest.
    assert_eq!(account.account_id.as_deref(), Some("210987654321"));
    assert_eq!(account.as_of.to_rfc3339(), "2026-11-16T14:05:12+00:00");
}

#[test]
fn the_report_time_comes_from_the_manifest() {
    let account = read_ok(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (file::CREDENTIAL_REPORT, &report(&[ALICE_ROW])),
        (file::MANIFEST, &manifest_json("")),
    ]);
    let generated = account.credential_report.get().unwrap().generated.unwrap();
    assert_eq!(generated.to_rfc3339(), "2026-11-16T14:05:12+00:00");
}

#[test]
fn without_a_manifest_the_account_id_comes_from_the_arns() {
    let account = read_ok(&[(file::AUTHORIZATION_DETAILS, &auth_with_user(""))]);
    assert_eq!(account.account_id.as_deref(), Some("123456789012"));
}

#[test]
fn a_missing_authorization_details_file_says_what_the_collector_recorded() {
    let manifest = manifest_json(
        r#", "not_collected": {"authorization-details.json": "AccessDenied: iam:GetAccountAuthorizationDetails"}"#,
    );
    let msg = read_err(&[(file::MANIFEST, &manifest)]);
    assert_mentions(
        &msg,
        &[
            "authorization-details.json",
            "AccessDenied: iam:GetAccountAuthorizationDetails",
        ],
    );
}

#[test]
fn a_malformed_manifest_is_named() {
    let msg = read_err(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (file::MANIFEST, &manifest_json(r#", "colour": "red""#)),
    ]);
    assert_mentions(&msg, &["manifest.json", "unknown field `colour`"]);

    let msg = read_err(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (file::MANIFEST, r#"{"tool": "hipaa-iam", "#),
    ]);
    assert_mentions(&msg, &["manifest.json", "line 1 column"]);

    let msg = read_err(&[
        (file::AUTHORIZATION_DETAILS, AUTH_EMPTY),
        (file::MANIFEST, &manifest_json(r#", "regions": "us-east-1""#)),
    ]);
    assert_mentions(&msg, &["manifest.json", "regions"]);
}

// ---------------------------------------------------------------------------------------
// examples/demo-account
// ---------------------------------------------------------------------------------------

fn names<'a>(it: impl Iterator<Item = &'a str>) -> BTreeSet<&'a str> {
    it.collect()
}

#[test]
fn demo_account_parses_with_the_expected_contents() {
    let dir = demo_account();
    let account = Account::read_dir(&dir).unwrap_or_else(|e| panic!("examples/demo-account does not read: {e}"));
    assert_eq!(account.account_id.as_deref(), Some("123456789012"));
    assert_eq!(account.as_of.to_rfc3339(), "2026-11-16T14:05:12+00:00");
    assert_eq!(account.users.len(), 12);
    assert_eq!(
        names(account.groups.iter().map(|g| g.group_name.as_str())),
        names(
            [
                "admins",
                "auditors",
                "billing",
                "clinicians",
                "contractors",
                "human-users"
            ]
            .into_iter()
        )
    );
    assert_eq!(account.roles.len(), 7, "three of its own and four Identity Center made");
    assert_eq!(account.roles.iter().filter(|r| r.is_service_linked()).count(), 1);
    let customer: BTreeSet<&str> = account
        .policies
        .iter()
        .filter(|p| !p.is_aws_managed())
        .map(|p| p.policy_name.as_str())
        .collect();
    assert_eq!(
        customer,
        names(
            [
                "billing-claims-access",
                "clinician-ehr-access",
                "deny-without-mfa",
                "imaging-s3-full-access",
                "permissions-boundary-base"
            ]
            .into_iter()
        )
    );
    let aws: BTreeSet<&str> = account
        .policies
        .iter()
        .filter(|p| p.is_aws_managed())
        .map(|p| p.policy_name.as_str())
        .collect();
    assert_eq!(
        aws,
        names(
            [
                "AccessAnalyzerServiceRolePolicy",
                "AdministratorAccess",
                "SecurityAudit"
            ]
            .into_iter()
        )
    );
    assert!(
        account.policies.iter().all(|p| p.default_document().is_some()),
        "every policy has its default document"
    );

    // The guide's gaps are there to be found.
    let no_group = names(
        account
            .users
            .iter()
            .filter(|u| u.group_list.is_empty())
            .map(|u| u.user_name.as_str()),
    );
    assert_eq!(no_group, names(["temp.contractor"].into_iter()));
    let no_boundary = names(
        account
            .users
            .iter()
            .filter(|u| u.permissions_boundary.is_none())
            .map(|u| u.user_name.as_str()),
    );
    assert_eq!(
        no_boundary,
        names(["break-glass", "jordan.lee", "temp.contractor"].into_iter())
    );
    assert!(account.members_of("contractors").next().is_none());
    assert_eq!(account.members_of("human-users").count(), 8);
    let okafor = account.user("dr.okafor").unwrap();
    assert_eq!(
        okafor.attached_managed_policies[0].policy_name,
        "imaging-s3-full-access"
    );
    assert_eq!(account.user("reception.smith").unwrap().user_policy_list.len(), 1);

    let report = account
        .credential_report
        .get()
        .expect("the demo has a credential report");
    assert_eq!(report.rows.len(), 13);
    assert_eq!(report.generated.unwrap().to_rfc3339(), "2026-11-16T14:05:12+00:00");
    let root = report.root().expect("root row");
    assert!(root.mfa_active && root.active_keys().count() == 0);
    let no_mfa = names(
        report
            .rows
            .iter()
            .filter(|r| r.has_password() && !r.mfa_active)
            .map(|r| r.user.as_str()),
    );
    assert_eq!(
        no_mfa,
        names(["nurse.garcia", "nurse.kim", "temp.contractor"].into_iter())
    );
    let billing = report.user("billing-svc").unwrap();
    assert!(!billing.has_password());
    assert_eq!(billing.active_keys().count(), 2);
    let oldest_key = billing.access_keys[0].last_rotated.at().unwrap();
    assert!(
        (account.as_of - oldest_key).num_days() > 365,
        "billing-svc has a key over a year old"
    );

    let policy = account
        .password_policy
        .get()
        .unwrap()
        .as_ref()
        .expect("the demo has a password policy");
    assert_eq!(policy.minimum_password_length, Some(8));
    assert!(!policy.require_symbols && !policy.expire_passwords);

    let devices = account.virtual_mfa_devices.get().unwrap();
    assert_eq!(devices.len(), 9);
    assert!(devices
        .iter()
        .any(|d| d.user.as_ref().is_some_and(|u| u.arn.ends_with(":root"))));
    assert_eq!(account.account_summary.get().unwrap()["AccountMFAEnabled"], 1);

    assert_eq!(account.access_analyzer.keys().collect::<Vec<_>>(), ["us-east-1"]);
    let region = &account.access_analyzer["us-east-1"];
    let analyzers = region.analyzers.get().unwrap();
    assert_eq!(analyzers.len(), 1);
    assert!(analyzers[0].is_active_external_access());
    let findings = region.findings.get().unwrap();
    let active: Vec<_> = findings.iter().filter(|f| f.status == "ACTIVE").collect();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].resource_type, "AWS::S3::Bucket");
}

#[test]
fn demo_account_manifest_matches_its_files() {
    let dir = demo_account();
    let manifest = Manifest::read(&dir.join(file::MANIFEST)).unwrap();
    let problems = manifest.verify(&dir);
    assert!(
        problems.is_empty(),
        "examples/demo-account/manifest.json does not match its files: {problems:?}"
    );
    let set = ExportSet::read_dir(&dir).unwrap();
    let read: BTreeSet<&str> = set.files.keys().map(String::as_str).collect();
    let listed: BTreeSet<&str> = manifest.files.keys().map(String::as_str).collect();
    assert_eq!(read, listed, "the manifest lists exactly the account data files");
    assert_eq!(manifest.regions, ["us-east-1"]);
    assert!(manifest.credential_report_generated_at.is_some());
}

#[test]
fn demo_account_holds_no_secrets() {
    let dir = demo_account();
    let set = ExportSet::read_dir(&dir).unwrap();
    for (name, bytes) in &set.files {
        let text = String::from_utf8_lossy(bytes);
        for secret in [
            "SecretAccessKey",
            "Base32StringSeed",
            "QRCodePNG",
            "\"SessionToken\"",
            "\"Password\"",
        ] {
            assert!(!text.contains(secret), "{name} holds {secret}");
        }
    }
    assert!(
        dir.with_extension("md").is_file(),
        "the demo account documents how it was made (examples/demo-account.md, beside it: every file in the directory is in its manifest)"
    );
}

// ---------------------------------------------------------------------------------------
// Files that are not regular files, and files too large to read
// ---------------------------------------------------------------------------------------

/// Reads `dir` on another thread, so that a read that blocks (a FIFO without a writer)
/// fails the test instead of hanging it.
fn read_within_deadline(dir: &Path) -> hipaa_iam_core::Result<Account> {
    let dir = dir.to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(Account::read_dir(&dir));
    });
    rx.recv_timeout(std::time::Duration::from_secs(20))
        .expect("reading the exports directory blocked for 20 s")
}

/// An exports directory with only `authorization-details.json` (empty) in it.
fn minimal_exports() -> tempfile::TempDir {
    exports_dir(&[(file::AUTHORIZATION_DETAILS, AUTH_EMPTY)])
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_a_file_is_an_error_naming_it_not_a_hang() {
    for name in [
        file::CREDENTIAL_REPORT,
        file::AUTHORIZATION_DETAILS,
        file::PASSWORD_POLICY,
        file::MANIFEST,
        "access-analyzer/us-east-1/findings.json",
    ] {
        let dir = minimal_exports();
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let _ = std::fs::remove_file(&path);
        mkfifo(&path);
        let msg = read_within_deadline(dir.path()).unwrap_err().to_string();
        assert_mentions(&msg, &[&path.display().to_string(), "not a regular file", "FIFO"]);
    }
}

#[cfg(unix)]
#[test]
fn a_device_in_place_of_a_file_is_an_error_naming_it() {
    // /dev/null reads as an empty file and /dev/zero never ends: neither is account data.
    for (name, device) in [
        (file::CREDENTIAL_REPORT, "/dev/null"),
        (file::PASSWORD_POLICY, "/dev/zero"),
    ] {
        let dir = minimal_exports();
        let path = dir.path().join(name);
        std::os::unix::fs::symlink(device, &path).unwrap();
        let msg = read_within_deadline(dir.path()).unwrap_err().to_string();
        assert_mentions(
            &msg,
            &[&path.display().to_string(), "not a regular file", "character device"],
        );
    }
}

#[cfg(unix)]
#[test]
fn a_socket_in_place_of_a_file_is_an_error_naming_it() {
    let dir = minimal_exports();
    let path = dir.path().join(file::ACCOUNT_SUMMARY);
    let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let msg = read_within_deadline(dir.path()).unwrap_err().to_string();
    assert_mentions(&msg, &[&path.display().to_string(), "not a regular file", "socket"]);
}

#[test]
fn a_directory_in_place_of_the_manifest_is_an_error_naming_it() {
    let dir = minimal_exports();
    let path = dir.path().join(file::MANIFEST);
    std::fs::create_dir(&path).unwrap();
    let msg = read_within_deadline(dir.path()).unwrap_err().to_string();
    assert_mentions(&msg, &[&path.display().to_string(), "not a regular file", "directory"]);
}

#[cfg(unix)]
#[test]
fn a_symlink_to_a_regular_file_is_read() {
    let dir = minimal_exports();
    let target = dir.path().join("kept-elsewhere.csv");
    std::fs::write(&target, report(&[ROOT_ROW, ALICE_ROW])).unwrap();
    std::os::unix::fs::symlink(&target, dir.path().join(file::CREDENTIAL_REPORT)).unwrap();
    let account = read_within_deadline(dir.path()).unwrap();
    assert!(account.credential_row("alice").is_some());
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_is_an_error_naming_it_not_an_absent_file() {
    let dir = minimal_exports();
    let path = dir.path().join(file::PASSWORD_POLICY);
    std::os::unix::fs::symlink(dir.path().join("no-such-file.json"), &path).unwrap();
    let msg = read_within_deadline(dir.path()).unwrap_err().to_string();
    assert_mentions(&msg, &[&path.display().to_string(), "does not exist"]);
}

#[test]
fn a_file_over_the_size_limit_is_refused_naming_its_size_and_the_limit() {
    // A sparse file one byte over the 256 MiB limit of every file but authorization-details.json:
    // refused from its size, without being read.
    let dir = minimal_exports();
    let path = dir.path().join(file::CREDENTIAL_REPORT);
    let size = (256u64 << 20) + 1;
    std::fs::File::create(&path).unwrap().set_len(size).unwrap();
    let msg = read_within_deadline(dir.path()).unwrap_err().to_string();
    assert_mentions(
        &msg,
        &[
            &path.display().to_string(),
            &size.to_string(),
            "256 MiB",
            "HIPAA_IAM_MAX_INPUT_SIZE",
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Data after the JSON document
// ---------------------------------------------------------------------------------------

#[test]
fn two_concatenated_authorization_details_documents_are_refused() {
    let second = auth_with_user("");
    let msg = read_err(&[(file::AUTHORIZATION_DETAILS, &format!("{AUTH_EMPTY}\n{second}\n"))]);
    assert_mentions(
        &msg,
        &[
            "authorization-details.json",
            "line 2 column 1",
            "after the JSON document",
        ],
    );
}

#[test]
fn data_after_the_json_document_is_refused_in_every_json_file() {
    let valid: &[(&str, &str)] = &[
        (
            file::PASSWORD_POLICY,
            r#"{"PasswordPolicy": {"MinimumPasswordLength": 14}}"#,
        ),
        (file::ACCOUNT_SUMMARY, r#"{"SummaryMap": {"Users": 1}}"#),
        (file::VIRTUAL_MFA_DEVICES, r#"{"VirtualMFADevices": []}"#),
        ("access-analyzer/us-east-1/analyzers.json", r#"{"analyzers": []}"#),
        ("access-analyzer/us-east-1/findings.json", r#"{"findings": []}"#),
        (file::MANIFEST, &manifest_json("")),
    ];
    for (name, text) in valid {
        let mut files = vec![(file::AUTHORIZATION_DETAILS, AUTH_EMPTY), (*name, *text)];
        read_ok(&files);
        // Trailing whitespace is fine; anything else is not.
        let spaced = format!("{text} \r\n\t\n");
        files[1].1 = &spaced;
        read_ok(&files);
        let garbage = format!("{text}\n  garbage\n");
        files[1].1 = &garbage;
        let msg = read_err(&files);
        assert_mentions(&msg, &[name, "line 2 column 3", "after the JSON document"]);
    }
}

#[test]
fn a_policy_document_string_with_data_after_it_is_refused() {
    let doc = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;
    let with_tail = serde_json::to_string(&format!("{doc} {{}}")).unwrap();
    let msg = read_err(&[(file::AUTHORIZATION_DETAILS, &auth_with_policy_document(&with_tail))]);
    assert_mentions(
        &msg,
        &[
            "authorization-details.json",
            "Policies[0].PolicyVersionList[0].Document",
            "trailing characters",
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Duplicates
// ---------------------------------------------------------------------------------------

#[test]
fn a_user_with_two_credential_report_rows_is_refused_naming_both_lines() {
    let with_mfa = ALICE_ROW.replace(",N/A,false,true,", ",N/A,true,true,");
    assert_ne!(with_mfa, ALICE_ROW);
    let msg = report_err(&report(&[ROOT_ROW, ALICE_ROW, &with_mfa]));
    assert_mentions(&msg, &["credential-report.csv", "line 4", "alice", "line 3"]);
    let msg = report_err(&report(&[ROOT_ROW, ALICE_ROW, ROOT_ROW]));
    assert_mentions(&msg, &["credential-report.csv", "line 4", "<root_account>", "line 2"]);
}

fn user_json(name: &str, arn_name: &str) -> String {
    format!(r#"{{"UserName": "{name}", "Arn": "arn:aws:iam::123456789012:user/{arn_name}"}}"#)
}

fn group_json(name: &str, arn_name: &str) -> String {
    format!(r#"{{"GroupName": "{name}", "Arn": "arn:aws:iam::123456789012:group/{arn_name}"}}"#)
}

fn role_json(name: &str, arn_name: &str) -> String {
    format!(r#"{{"RoleName": "{name}", "Arn": "arn:aws:iam::123456789012:role/{arn_name}"}}"#)
}

fn policy_json(name: &str, arn: &str) -> String {
    format!(
        r#"{{"PolicyName": "{name}", "Arn": "{arn}", "DefaultVersionId": "v1", "PolicyVersionList": [{{"Document": {{"Version": "2012-10-17", "Statement": []}}, "VersionId": "v1", "IsDefaultVersion": true}}]}}"#
    )
}

/// authorization-details.json with `entries` in list `list`, the other lists empty.
fn auth_with(list: &str, entries: &[String]) -> String {
    AUTH_EMPTY.replace(
        &format!(r#""{list}": []"#),
        &format!(r#""{list}": [{}]"#, entries.join(", ")),
    )
}

#[test]
fn a_principal_or_policy_listed_twice_is_refused_naming_both_entries() {
    let customer = |n: &str| format!("arn:aws:iam::123456789012:policy/{n}");
    let cases: Vec<(&str, Vec<String>, &str)> = vec![
        // Same name, or the same ARN under another name: the data is ambiguous either way.
        (
            "UserDetailList",
            vec![
                user_json("alice", "alice"),
                user_json("bob", "bob"),
                user_json("alice", "alice"),
            ],
            "alice",
        ),
        (
            "UserDetailList",
            vec![
                user_json("alice", "alice"),
                user_json("bob", "bob"),
                user_json("carol", "alice"),
            ],
            "user/alice",
        ),
        (
            "GroupDetailList",
            vec![
                group_json("admins", "admins"),
                group_json("ops", "ops"),
                group_json("admins", "admins2"),
            ],
            "admins",
        ),
        (
            "RoleDetailList",
            vec![
                role_json("deploy", "deploy"),
                role_json("ci", "ci"),
                role_json("deploy", "deploy"),
            ],
            "deploy",
        ),
        (
            "Policies",
            vec![
                policy_json("p", &customer("p")),
                policy_json("q", &customer("q")),
                policy_json("p2", &customer("p")),
            ],
            "policy/p",
        ),
        // A customer-managed policy name is unique in an account, whatever the path.
        (
            "Policies",
            vec![
                policy_json("p", &customer("p")),
                policy_json("q", &customer("q")),
                policy_json("p", &customer("team/p")),
            ],
            "\"p\"",
        ),
    ];
    for (list, entries, named) in cases {
        let msg = read_err(&[(file::AUTHORIZATION_DETAILS, &auth_with(list, &entries))]);
        assert_mentions(
            &msg,
            &[
                "authorization-details.json",
                &format!("{list}[2]"),
                &format!("{list}[0]"),
                named,
                "twice",
            ],
        );
    }
}

#[test]
fn an_aws_managed_policy_may_share_a_customer_policy_name() {
    let entries = [
        policy_json("ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        policy_json("ReadOnlyAccess", "arn:aws:iam::123456789012:policy/ReadOnlyAccess"),
    ];
    let account = read_ok(&[(file::AUTHORIZATION_DETAILS, &auth_with("Policies", &entries))]);
    assert_eq!(account.policies.len(), 2);
}

#[test]
fn two_default_versions_of_a_policy_are_refused_naming_both() {
    let version = |id: &str, default: bool, action: &str| {
        format!(
            r#"{{"Document": {{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "{action}", "Resource": "*"}}}}, "VersionId": "{id}", "IsDefaultVersion": {default}}}"#
        )
    };
    let policy = |default_id: &str, versions: &[String]| {
        format!(
            r#"{{"PolicyName": "p", "Arn": "arn:aws:iam::123456789012:policy/p", "DefaultVersionId": "{default_id}", "PolicyVersionList": [{}]}}"#,
            versions.join(", ")
        )
    };
    let cases = [
        // Two versions flagged as the default.
        policy(
            "v1",
            &[
                version("v1", true, "s3:GetObject"),
                version("v2", false, "ec2:*"),
                version("v3", true, "*"),
            ],
        ),
        // The flag and DefaultVersionId name different versions.
        policy(
            "v3",
            &[
                version("v1", true, "s3:GetObject"),
                version("v2", false, "ec2:*"),
                version("v3", false, "*"),
            ],
        ),
        // The same version ID twice.
        policy(
            "v1",
            &[
                version("v1", true, "s3:GetObject"),
                version("v2", false, "ec2:*"),
                version("v1", false, "*"),
            ],
        ),
    ];
    for p in cases {
        let msg = read_err(&[(file::AUTHORIZATION_DETAILS, &auth_with("Policies", &[p]))]);
        assert_mentions(
            &msg,
            &[
                "authorization-details.json",
                "Policies[0].PolicyVersionList[2]",
                "PolicyVersionList[0]",
            ],
        );
    }
    // One default version, named by both the flag and DefaultVersionId: fine.
    let ok = policy(
        "v2",
        &[version("v1", false, "s3:GetObject"), version("v2", true, "ec2:*")],
    );
    let account = read_ok(&[(file::AUTHORIZATION_DETAILS, &auth_with("Policies", &[ok]))]);
    let doc = account.policies[0].default_document().unwrap();
    assert!(doc.document.statements()[0].matches_action("ec2:RunInstances"));
}
