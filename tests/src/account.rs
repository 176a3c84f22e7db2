//! The one test-account builder: account data in the AWS CLI's shapes
//! (`authorization-details.json`, the credential report, the optional files, Access
//! Analyzer's), made in memory ([`TestAccount::files`]) or written to a directory
//! ([`TestAccount::write`]), for the engine's, the CLI's and the C ABI's tests. Times are
//! relative to [`AS_OF`], the instant the account data describes.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

pub const ACCOUNT: &str = "123456789012";
pub const AS_OF: &str = "2026-11-20T12:00:00Z";

pub fn as_of() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(AS_OF).unwrap().with_timezone(&Utc)
}

pub fn ago(days: i64) -> String {
    (as_of() - Duration::days(days)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A credential report row.
#[derive(Debug, Clone)]
pub struct Cred {
    user: String,
    created: i64,
    password: Option<Option<i64>>,
    mfa: bool,
    keys: [Option<(bool, i64, Option<i64>)>; 2],
    fields: Vec<(String, String)>,
}

impl Cred {
    pub fn new(user: &str) -> Cred {
        Cred {
            user: user.into(),
            created: 400,
            password: None,
            mfa: false,
            keys: [None, None],
            fields: Vec::new(),
        }
    }
    /// A console password last used `used` days ago (`None`: never).
    pub fn password(mut self, used: Option<i64>) -> Cred {
        self.password = Some(used);
        self
    }
    pub fn mfa(mut self) -> Cred {
        self.mfa = true;
        self
    }
    /// Access key `n` (1 or 2): active, rotated `rotated` days ago, used `used` days ago.
    pub fn key(mut self, n: usize, active: bool, rotated: i64, used: Option<i64>) -> Cred {
        self.keys[n - 1] = Some((active, rotated, used));
        self
    }
    /// Column `column` (a name of [`REPORT_HEADER`]) set to `value` as it stands, for what
    /// the other methods do not make (`no_information`, an exact time, ...).
    pub fn field(mut self, column: &str, value: &str) -> Cred {
        assert!(
            REPORT_HEADER.split(',').any(|c| c == column),
            "no column {column:?} in the credential report"
        );
        self.fields.push((column.into(), value.into()));
        self
    }

    /// Its row of the credential report, field by field.
    pub fn fields(&self) -> Vec<String> {
        let root = self.user == "<root_account>";
        let arn = if root {
            format!("arn:aws:iam::{ACCOUNT}:root")
        } else {
            format!("arn:aws:iam::{ACCOUNT}:user/{}", self.user)
        };
        let t = |d: Option<i64>| d.map(ago).unwrap_or_else(|| "N/A".into());
        let (pw, pw_used, pw_changed) = match (root, self.password) {
            (true, p) => ("not_supported".to_string(), t(p.flatten()), "not_supported".to_string()),
            (false, Some(u)) => ("true".into(), t(u), ago(self.created)),
            (false, None) => ("false".into(), "N/A".into(), "N/A".into()),
        };
        let key = |k: Option<(bool, i64, Option<i64>)>| match k {
            Some((a, r, u)) => vec![a.to_string(), ago(r), t(u), "us-east-1".into(), "iam".into()],
            None => ["false", "N/A", "N/A", "N/A", "N/A"].map(String::from).to_vec(),
        };
        let mut row = vec![
            self.user.clone(),
            arn,
            ago(self.created),
            pw,
            pw_used,
            pw_changed,
            "N/A".into(),
            self.mfa.to_string(),
        ];
        row.extend(key(self.keys[0]));
        row.extend(key(self.keys[1]));
        row.extend(["false", "N/A", "false", "N/A"].map(String::from));
        for (column, value) in &self.fields {
            let i = REPORT_HEADER.split(',').position(|c| c == column).unwrap();
            row[i] = value.clone();
        }
        row
    }
}

/// The credential report's header (all 22 columns).
pub const REPORT_HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

/// An account, built call by call, in the AWS CLI's shapes.
#[derive(Debug, Clone, Default)]
pub struct TestAccount {
    users: Vec<Value>,
    groups: Vec<Value>,
    roles: Vec<Value>,
    policies: Vec<Value>,
    creds: Option<Vec<Cred>>,
    password_policy: Option<Value>,
    summary: Option<Value>,
    vmfa: Option<Value>,
    analyzers: BTreeMap<String, (Option<Value>, Option<Value>)>,
    not_collected: BTreeMap<String, String>,
}

pub fn policy_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:policy/{name}")
}

/// A trust policy that lets account `account` assume the role: its root, i.e. every principal
/// of the account that the account's own policies allow.
pub fn trusting_account(account: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "sts:AssumeRole"}]})
}

pub fn attached(arn: &str) -> Value {
    json!({"PolicyName": arn.rsplit('/').next().unwrap(), "PolicyArn": arn})
}

impl TestAccount {
    pub fn new() -> TestAccount {
        TestAccount {
            creds: Some(Vec::new()),
            ..Default::default()
        }
    }
    /// A user in `groups`, with extra fields merged in (`AttachedManagedPolicies`, ...).
    pub fn user(mut self, name: &str, groups: &[&str], extra: Value) -> TestAccount {
        let mut u = json!({
            "Path": "/", "UserName": name, "UserId": format!("AID{}", name.to_uppercase()),
            "Arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}"), "CreateDate": ago(400),
            "GroupList": groups, "AttachedManagedPolicies": [], "UserPolicyList": []
        });
        merge(&mut u, extra);
        self.users.push(u);
        self
    }
    pub fn group(mut self, name: &str, managed: &[&str], inline: &[(&str, Value)]) -> TestAccount {
        self.groups.push(json!({
            "Path": "/", "GroupName": name, "GroupId": format!("AGP{}", name.to_uppercase()),
            "Arn": format!("arn:aws:iam::{ACCOUNT}:group/{name}"), "CreateDate": ago(400),
            "AttachedManagedPolicies": managed.iter().map(|a| attached(a)).collect::<Vec<_>>(),
            "GroupPolicyList": inline.iter().map(|(n, d)| json!({"PolicyName": n, "PolicyDocument": d})).collect::<Vec<_>>()
        }));
        self
    }
    pub fn role(mut self, name: &str, path: &str, managed: &[&str], inline: &[(&str, Value)]) -> TestAccount {
        self.roles.push(json!({
            "Path": path, "RoleName": name, "RoleId": format!("ARO{}", name.to_uppercase()),
            "Arn": format!("arn:aws:iam::{ACCOUNT}:role{path}{name}"), "CreateDate": ago(400),
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "AttachedManagedPolicies": managed.iter().map(|a| attached(a)).collect::<Vec<_>>(),
            "RolePolicyList": inline.iter().map(|(n, d)| json!({"PolicyName": n, "PolicyDocument": d})).collect::<Vec<_>>()
        }));
        self
    }
    /// Sets the trust policy (`AssumeRolePolicyDocument`) of role `name`, added before.
    pub fn trust(mut self, name: &str, doc: Value) -> TestAccount {
        let role = self
            .roles
            .iter_mut()
            .find(|r| r["RoleName"] == name)
            .unwrap_or_else(|| panic!("no role {name} to set the trust policy of"));
        role["AssumeRolePolicyDocument"] = doc;
        self
    }
    /// A managed policy (customer-managed unless `arn` is AWS's); `doc` may be a JSON
    /// object or a (URL-encoded) string.
    pub fn managed_at(mut self, arn: &str, doc: Value) -> TestAccount {
        self.policies.push(json!({
            "PolicyName": arn.rsplit('/').next().unwrap(), "PolicyId": "ANPA0000", "Arn": arn, "Path": "/",
            "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": true,
            "PolicyVersionList": [{"Document": doc, "VersionId": "v1", "IsDefaultVersion": true, "CreateDate": ago(300)}]
        }));
        self
    }
    pub fn managed(self, name: &str, doc: Value) -> TestAccount {
        self.managed_at(&policy_arn(name), doc)
    }
    pub fn cred(mut self, c: Cred) -> TestAccount {
        self.creds.get_or_insert_with(Vec::new).push(c);
        self
    }
    pub fn no_report(mut self) -> TestAccount {
        self.creds = None;
        self
    }
    pub fn password_policy(mut self, p: Value) -> TestAccount {
        self.password_policy = Some(json!({ "PasswordPolicy": p }));
        self
    }
    pub fn summary(mut self, mfa: i64, keys: i64) -> TestAccount {
        self.summary =
            Some(json!({"SummaryMap": {"AccountMFAEnabled": mfa, "AccountAccessKeysPresent": keys, "Users": 3}}));
        self
    }
    pub fn vmfa(mut self, devices: Value) -> TestAccount {
        self.vmfa = Some(json!({ "VirtualMFADevices": devices }));
        self
    }
    pub fn region(mut self, region: &str, analyzers: Option<Value>, findings: Option<Value>) -> TestAccount {
        self.analyzers.insert(
            region.into(),
            (
                analyzers.map(|a| json!({ "analyzers": a })),
                findings.map(|f| json!({ "findings": f })),
            ),
        );
        self
    }
    pub fn failed(mut self, file: &str, reason: &str) -> TestAccount {
        self.not_collected.insert(file.into(), reason.into());
        self
    }
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        let mut put = |name: &str, v: &Value| {
            files.insert(name.to_string(), serde_json::to_vec_pretty(v).unwrap());
        };
        put(
            "authorization-details.json",
            &json!({"UserDetailList": self.users, "GroupDetailList": self.groups, "RoleDetailList": self.roles, "Policies": self.policies, "IsTruncated": false}),
        );
        if let Some(p) = &self.password_policy {
            put("password-policy.json", p);
        }
        if let Some(s) = &self.summary {
            put("account-summary.json", s);
        }
        if let Some(v) = &self.vmfa {
            put("virtual-mfa-devices.json", v);
        }
        for (region, (a, f)) in &self.analyzers {
            if let Some(a) = a {
                put(&format!("access-analyzer/{region}/analyzers.json"), a);
            }
            if let Some(f) = f {
                put(&format!("access-analyzer/{region}/findings.json"), f);
            }
        }
        if let Some(creds) = &self.creds {
            // Written with a CSV writer, quoted the way IAM quotes it.
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(REPORT_HEADER.split(',')).unwrap();
            for c in creds {
                w.write_record(c.fields()).unwrap();
            }
            files.insert("credential-report.csv".into(), w.into_inner().unwrap());
        }
        files
    }
}

/// Adds the fields of the object `extra` to the object `into` (replacing those it has).
pub fn merge(into: &mut Value, extra: Value) {
    if let (Some(a), Value::Object(b)) = (into.as_object_mut(), extra) {
        a.extend(b);
    }
}

impl TestAccount {
    /// What `hipaa-iam collect` writes beside the files as `manifest.json`: the account,
    /// the time of the data, the regions, and what could not be collected.
    pub fn manifest(&self) -> Value {
        json!({
            "tool": "hipaa-iam",
            "version": "0.0.0",
            "generated_at": AS_OF,
            "account_id": ACCOUNT,
            "credential_report_generated_at": AS_OF,
            "regions": self.analyzers.keys().collect::<Vec<_>>(),
            "not_collected": self.not_collected,
        })
    }

    /// The files and `manifest.json`, written into a new temporary directory: an exports
    /// directory.
    pub fn write(&self) -> tempfile::TempDir {
        let dir = crate::temp_dir();
        let mut files = self.files();
        files.insert(
            "manifest.json".into(),
            serde_json::to_vec_pretty(&self.manifest()).unwrap(),
        );
        for (name, bytes) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        dir
    }
}
