//! IAM Identity Center on moto, made with the AWS CLI: the region's instance (moto has one
//! in every region), permission sets, users, groups, memberships and assignments; and the
//! comparison of a collected file with the AWS CLI's output of the same call.
//!
//! The AWS CLI v1 prints these services' timestamps (`CreatedDate`, `CreatedAt`, ...) as the
//! epoch seconds the service sends (`1796218418.796274`), the collector as ISO 8601 UTC
//! (`2026-12-02T13:33:38.796273Z`, the SDK's own reading of the same number, which may
//! differ in the last microsecond): [`assert_same_json`] compares them as instants, within
//! a millisecond, and everything else exactly.

use serde_json::Value;

use crate::Moto;

/// The keys whose values are timestamps in sso-admin and identitystore answers.
const TIMESTAMP_KEYS: [&str; 4] = ["CreatedDate", "AddedDate", "CreatedAt", "UpdatedAt"];

/// A timestamp as epoch seconds: a number as the CLI v1 prints it, or an RFC 3339 string.
fn instant(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.timestamp() as f64 + f64::from(t.timestamp_subsec_nanos()) / 1e9),
        _ => None,
    }
}

/// Where `a` and `b` differ (their JSON path), timestamps compared as instants.
fn difference(a: &Value, b: &Value, path: &str, key: Option<&str>) -> Option<String> {
    if key.is_some_and(|k| TIMESTAMP_KEYS.contains(&k)) {
        return match (instant(a), instant(b)) {
            (Some(x), Some(y)) if (x - y).abs() < 1e-3 => None,
            _ => Some(format!("{path}: {a} != {b}")),
        };
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(va), Some(vb)) => difference(va, vb, &format!("{path}.{k}"), Some(k)),
                (va, vb) => Some(format!("{path}.{k}: {va:?} != {vb:?}")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (va, vb))| difference(va, vb, &format!("{path}[{i}]"), None)),
        _ if a == b => None,
        _ => Some(format!("{path}: {a} != {b}")),
    }
}

/// Asserts that `collected` (file `name`) is the AWS CLI's output `cli`: the same JSON,
/// timestamps compared as instants.
pub fn assert_same_json(name: &str, collected: &Value, cli: &Value) {
    if let Some(d) = difference(collected, cli, "$", None) {
        panic!(
            "{name} differs from the AWS CLI's output at {d}\n--- collected ---\n{}\n--- aws cli ---\n{}",
            serde_json::to_string_pretty(collected).unwrap(),
            serde_json::to_string_pretty(cli).unwrap()
        );
    }
}

/// Runs `jobs` on threads of their own and returns their results in order: AWS CLI calls
/// that do not depend on each other, so that a fixture of many calls is made in the time
/// of a few.
pub fn in_parallel<T: Send>(jobs: Vec<Box<dyn FnOnce() -> T + Send + '_>>) -> Vec<T> {
    std::thread::scope(|s| {
        let handles: Vec<_> = jobs.into_iter().map(|job| s.spawn(job)).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// The Identity Center instance of moto's region (us-east-1), made with the AWS CLI.
#[derive(Debug, Clone)]
pub struct Instance {
    /// `arn:aws:sso:::instance/ssoins-...`.
    pub arn: String,
    /// Its last segment.
    pub id: String,
    /// `d-...`.
    pub store: String,
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_else(|| panic!("no {key} in {v}")).to_string()
}

impl Instance {
    /// The instance `aws sso-admin list-instances` names first.
    pub fn of(moto: &Moto) -> Instance {
        let listed = moto.aws(&["sso-admin", "list-instances"]);
        let first = &listed["Instances"][0];
        let arn = text(first, "InstanceArn");
        Instance {
            id: arn.rsplit('/').next().unwrap().to_string(),
            store: text(first, "IdentityStoreId"),
            arn,
        }
    }

    /// `aws sso-admin create-permission-set`; `extra` is `--cli-input-json` (the CLI v1
    /// would fetch a `--relay-state https://...` URL instead of sending it). Returns the
    /// permission set's ARN.
    pub fn permission_set(&self, moto: &Moto, name: &str, session: &str, extra: Option<&str>) -> String {
        let mut args = vec![
            "sso-admin",
            "create-permission-set",
            "--instance-arn",
            &self.arn,
            "--name",
            name,
            "--session-duration",
            session,
        ];
        if let Some(json) = extra {
            args.extend(["--cli-input-json", json]);
        }
        text(&moto.aws(&args)["PermissionSet"], "PermissionSetArn")
    }

    /// `aws sso-admin` ARGS with `--instance-arn` and `--permission-set-arn PS`.
    pub fn on_permission_set(&self, moto: &Moto, command: &str, ps: &str, args: &[&str]) -> Value {
        let mut all = vec![
            "sso-admin",
            command,
            "--instance-arn",
            &self.arn,
            "--permission-set-arn",
            ps,
        ];
        all.extend_from_slice(args);
        moto.aws(&all)
    }

    /// Provisions `ps` (moto provisions to the caller's account whatever the target).
    pub fn provision(&self, moto: &Moto, ps: &str) {
        self.on_permission_set(
            moto,
            "provision-permission-set",
            ps,
            &["--target-type", "AWS_ACCOUNT", "--target-id", crate::MOTO_ACCOUNT_ID],
        );
    }

    /// Assigns `ps` in moto's account to a `USER` or `GROUP`.
    pub fn assign(&self, moto: &Moto, ps: &str, principal_type: &str, principal: &str) {
        self.on_permission_set(
            moto,
            "create-account-assignment",
            ps,
            &[
                "--target-type",
                "AWS_ACCOUNT",
                "--target-id",
                crate::MOTO_ACCOUNT_ID,
                "--principal-type",
                principal_type,
                "--principal-id",
                principal,
            ],
        );
    }

    /// `aws identitystore create-user`; returns the user ID.
    pub fn user(&self, moto: &Moto, name: &str, email: Option<&str>) -> String {
        let display = format!("{name} (test)");
        let names = format!("GivenName={name},FamilyName=Test");
        let emails = email.map(|e| format!("Value={e},Type=work,Primary=true"));
        let mut args = vec![
            "identitystore",
            "create-user",
            "--identity-store-id",
            &self.store,
            "--user-name",
            name,
            "--display-name",
            &display,
            "--name",
            &names,
        ];
        if let Some(e) = &emails {
            args.extend(["--emails", e]);
        }
        text(&moto.aws(&args), "UserId")
    }

    /// `aws identitystore create-group`; returns the group ID.
    pub fn group(&self, moto: &Moto, name: &str) -> String {
        let description = format!("The {name}");
        text(
            &moto.aws(&[
                "identitystore",
                "create-group",
                "--identity-store-id",
                &self.store,
                "--display-name",
                name,
                "--description",
                &description,
            ]),
            "GroupId",
        )
    }

    /// `aws identitystore create-group-membership`.
    pub fn member(&self, moto: &Moto, group: &str, user: &str) {
        let member = format!("UserId={user}");
        moto.aws(&[
            "identitystore",
            "create-group-membership",
            "--identity-store-id",
            &self.store,
            "--group-id",
            group,
            "--member-id",
            &member,
        ]);
    }
}
