//! The files of the account data, held in memory, and reading / writing them as a directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::input::read_input_file;
use crate::manifest::Manifest;
use crate::{Error, Result};

/// The file names of the account data (README.md, "The exports directory").
pub mod file {
    use crate::account::identity_center::{path as ic, DIR};

    /// `aws iam get-account-authorization-details --output json` (required).
    pub const AUTHORIZATION_DETAILS: &str = "authorization-details.json";
    /// The credential report, base64-decoded CSV.
    pub const CREDENTIAL_REPORT: &str = "credential-report.csv";
    /// `aws iam get-account-password-policy --output json`; absent = no policy.
    pub const PASSWORD_POLICY: &str = "password-policy.json";
    /// `aws iam get-account-summary --output json` (optional).
    pub const ACCOUNT_SUMMARY: &str = "account-summary.json";
    /// `aws iam list-virtual-mfa-devices --output json` (optional).
    pub const VIRTUAL_MFA_DEVICES: &str = "virtual-mfa-devices.json";
    /// The manifest written by `hipaa-iam collect` (optional when reading).
    pub const MANIFEST: &str = crate::manifest::FILE_NAME;
    /// The folder of the per-region Access Analyzer files.
    pub const ACCESS_ANALYZER_DIR: &str = "access-analyzer";

    /// `access-analyzer/<region>/analyzers.json`.
    pub fn analyzers(region: &str) -> String {
        format!("{ACCESS_ANALYZER_DIR}/{region}/analyzers.json")
    }

    /// `access-analyzer/<region>/findings.json`.
    pub fn analyzer_findings(region: &str) -> String {
        format!("{ACCESS_ANALYZER_DIR}/{region}/findings.json")
    }

    /// The folder of the IAM Identity Center files: `identity-center/<region>/...` (the
    /// names of [`crate::account::identity_center::path`], as paths in the exports
    /// directory).
    pub const IDENTITY_CENTER_DIR: &str = DIR;

    /// The files of one permission set, in
    /// `identity-center/<region>/<instance-id>/permission-sets/<ps-id>/`.
    pub mod permission_set {
        use crate::account::identity_center::path;

        /// `aws sso-admin describe-permission-set`.
        pub const DESCRIPTION: &str = path::PERMISSION_SET;
        /// `aws sso-admin list-managed-policies-in-permission-set`.
        pub const MANAGED_POLICIES: &str = path::MANAGED_POLICIES;
        /// `aws sso-admin list-customer-managed-policy-references-in-permission-set`.
        pub const CUSTOMER_MANAGED_POLICIES: &str = path::CUSTOMER_MANAGED_POLICIES;
        /// `aws sso-admin get-inline-policy-for-permission-set`.
        pub const INLINE_POLICY: &str = path::INLINE_POLICY;
        /// `aws sso-admin get-permissions-boundary-for-permission-set`; absent when the
        /// permission set has none.
        pub const PERMISSIONS_BOUNDARY: &str = path::PERMISSIONS_BOUNDARY;
        /// `aws sso-admin list-accounts-for-provisioned-permission-set`.
        pub const ACCOUNTS: &str = path::ACCOUNTS;
        /// The folder of `aws sso-admin list-account-assignments`, one file per account.
        pub const ASSIGNMENTS_DIR: &str = "assignments";
        /// Every file of a permission set's folder except the assignments.
        pub const FILES: [&str; 6] = [
            DESCRIPTION,
            MANAGED_POLICIES,
            CUSTOMER_MANAGED_POLICIES,
            INLINE_POLICY,
            PERMISSIONS_BOUNDARY,
            ACCOUNTS,
        ];
    }

    /// Whether `id` may name a file or folder of the Identity Center data (an instance,
    /// permission set, account or group ID): ASCII letters, digits, `.`, `_` and `-`,
    /// starting with a letter or digit, at most 128 characters. What AWS returns always is;
    /// anything else (`..`, a `/`, a control character) never reaches a path.
    pub fn is_path_segment(id: &str) -> bool {
        id.len() <= 128
            && id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    }

    /// The ID an Identity Center ARN ends in (`ssoins-...`, `ps-...`): its last `/` segment,
    /// when that is a [`is_path_segment`].
    pub fn arn_id(arn: &str) -> Option<&str> {
        arn.rsplit('/').next().filter(|id| is_path_segment(id) && *id != arn)
    }

    /// `identity-center/<region>`.
    pub fn identity_center_region(region: &str) -> String {
        format!("{IDENTITY_CENTER_DIR}/{region}")
    }

    /// `identity-center/<region>/instances.json`.
    pub fn identity_center_instances(region: &str) -> String {
        ic::instances(region)
    }

    /// `identity-center/<region>/<instance-id>`.
    pub fn identity_center_instance(region: &str, instance: &str) -> String {
        ic::instance(region, instance)
    }

    /// `identity-center/<region>/<instance-id>/permission-sets.json`.
    pub fn identity_center_permission_sets(region: &str, instance: &str) -> String {
        ic::permission_sets(&ic::instance(region, instance))
    }

    /// `identity-center/<region>/<instance-id>/permission-sets/<ps-id>/<name>` (`name` one
    /// of [`permission_set::FILES`]).
    pub fn identity_center_permission_set(region: &str, instance: &str, ps: &str, name: &str) -> String {
        ic::permission_set_file(&ic::instance(region, instance), ps, name)
    }

    /// `identity-center/<region>/<instance-id>/permission-sets/<ps-id>/assignments/<account-id>.json`.
    pub fn identity_center_assignments(region: &str, instance: &str, ps: &str, account: &str) -> String {
        ic::assignments(&ic::instance(region, instance), ps, account)
    }

    /// `identity-center/<region>/<instance-id>/users.json`.
    pub fn identity_center_users(region: &str, instance: &str) -> String {
        ic::users(&ic::instance(region, instance))
    }

    /// `identity-center/<region>/<instance-id>/groups.json`.
    pub fn identity_center_groups(region: &str, instance: &str) -> String {
        ic::groups(&ic::instance(region, instance))
    }

    /// `identity-center/<region>/<instance-id>/group-memberships/<group-id>.json`.
    pub fn identity_center_group_memberships(region: &str, instance: &str, group: &str) -> String {
        ic::group_memberships(&ic::instance(region, instance), group)
    }

    /// How the AWS CLI makes each file, for error messages and the README. The Identity
    /// Center files name their command with placeholders (`R` the region, `A` the instance
    /// ARN, `P` the permission set ARN, `ID` the identity store ID);
    /// `scripts/collect-identity-center.sh` makes them all.
    pub fn how_to_make(name: &str) -> &'static str {
        match name {
            AUTHORIZATION_DETAILS => "aws iam get-account-authorization-details --output json > authorization-details.json",
            CREDENTIAL_REPORT => "aws iam generate-credential-report; aws iam get-credential-report --query Content --output text | base64 -d > credential-report.csv",
            PASSWORD_POLICY => "aws iam get-account-password-policy --output json > password-policy.json",
            ACCOUNT_SUMMARY => "aws iam get-account-summary --output json > account-summary.json",
            VIRTUAL_MFA_DEVICES => "aws iam list-virtual-mfa-devices --output json > virtual-mfa-devices.json",
            _ => match identity_center_leaf(name) {
                Some(leaf) => identity_center_command(leaf),
                None => "hipaa-iam collect --output DIR",
            },
        }
    }

    /// The kind of Identity Center file `name` is (`instances.json`, `users.json`,
    /// `assignments`, ...), or `None` when it is not one.
    fn identity_center_leaf(name: &str) -> Option<&str> {
        let rest = name.strip_prefix(IDENTITY_CENTER_DIR)?.strip_prefix('/')?;
        let parts: Vec<&str> = rest.split('/').collect();
        match parts.as_slice() {
            [_, "instances.json"] => Some("instances.json"),
            [_, _, leaf @ ("permission-sets.json" | "users.json" | "groups.json")] => Some(leaf),
            [_, _, "group-memberships", _] => Some("group-memberships"),
            [_, _, "permission-sets", _, leaf] => Some(leaf),
            [_, _, "permission-sets", _, permission_set::ASSIGNMENTS_DIR, _] => Some(permission_set::ASSIGNMENTS_DIR),
            _ => None,
        }
    }

    fn identity_center_command(leaf: &str) -> &'static str {
        match leaf {
            "instances.json" => "aws sso-admin list-instances --region R --output json",
            "permission-sets.json" => "aws sso-admin list-permission-sets --instance-arn A --region R --output json",
            "users.json" => "aws identitystore list-users --identity-store-id ID --region R --output json",
            "groups.json" => "aws identitystore list-groups --identity-store-id ID --region R --output json",
            "group-memberships" => "aws identitystore list-group-memberships --identity-store-id ID --group-id G --region R --output json",
            permission_set::DESCRIPTION => "aws sso-admin describe-permission-set --instance-arn A --permission-set-arn P --region R --output json",
            permission_set::MANAGED_POLICIES => "aws sso-admin list-managed-policies-in-permission-set --instance-arn A --permission-set-arn P --region R --output json",
            permission_set::CUSTOMER_MANAGED_POLICIES => "aws sso-admin list-customer-managed-policy-references-in-permission-set --instance-arn A --permission-set-arn P --region R --output json",
            permission_set::INLINE_POLICY => "aws sso-admin get-inline-policy-for-permission-set --instance-arn A --permission-set-arn P --region R --output json",
            permission_set::PERMISSIONS_BOUNDARY => "aws sso-admin get-permissions-boundary-for-permission-set --instance-arn A --permission-set-arn P --region R --output json (no file when it answers ResourceNotFoundException)",
            permission_set::ACCOUNTS => "aws sso-admin list-accounts-for-provisioned-permission-set --instance-arn A --permission-set-arn P --region R --output json",
            permission_set::ASSIGNMENTS_DIR => "aws sso-admin list-account-assignments --instance-arn A --account-id ACCOUNT --permission-set-arn P --region R --output json",
            _ => "scripts/collect-identity-center.sh --region R --output DIR",
        }
    }
}

/// What [`entries`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// Folders (a symbolic link to one counts), by name.
    Folder,
    /// Anything else named `<stem>.json`, by stem.
    Json,
}

/// The folders or `.json` files directly in `dir` whose name (or stem) is UTF-8 and passes
/// `keep`, sorted; nothing when `dir` does not exist or is not a folder.
fn entries(dir: &Path, kind: Entry, keep: impl Fn(&str) -> bool) -> Result<Vec<String>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        let is_dir = entry.path().is_dir();
        let name = match kind {
            Entry::Folder if is_dir => Some(name),
            Entry::Json if !is_dir => name.strip_suffix(".json").map(str::to_string),
            _ => None,
        };
        if let Some(name) = name.filter(|n| keep(n)) {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// The account data files, by relative path (`/`-separated), plus where they came from.
#[derive(Debug, Clone, Default)]
pub struct ExportSet {
    /// The directory the files were read from, or `None` when collected live.
    pub dir: Option<PathBuf>,
    /// File contents by relative path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The manifest, when the directory has one (or the collector made one).
    pub manifest: Option<Manifest>,
}

/// How large the files of an exports directory may be. Each file is held in memory while it
/// is parsed, so a limit keeps a wrong file (a disk image, a log) from exhausting memory.
///
/// The defaults fit large accounts with room to spare: at IAM's default quotas (5,000 users,
/// 1,000 roles, 1,500 customer managed policies of five versions) with every document at its
/// largest, `aws iam get-account-authorization-details` prints under 300 MB (its indentation
/// makes the text over three times the documents' own size), plus the AWS managed policies
/// attached; the credential report of 5,000 users is about 2 MB, and the other files are
/// smaller still. [`InputLimits::ENV`] raises (or lowers) them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimits {
    /// The largest `authorization-details.json`, in bytes.
    pub authorization_details: u64,
    /// The largest of every other file (the credential report, the other JSON files and
    /// `manifest.json`), in bytes.
    pub other: u64,
}

impl Default for InputLimits {
    fn default() -> Self {
        InputLimits {
            authorization_details: 1 << 30,
            other: 256 << 20,
        }
    }
}

impl InputLimits {
    /// The environment variable that replaces both limits: a size in bytes, or with a
    /// `KiB`, `MiB` or `GiB` suffix (`K`, `M`, `G` too).
    pub const ENV: &'static str = crate::input::MAX_INPUT_SIZE_ENV;

    /// The same limit for every file.
    pub fn uniform(bytes: u64) -> Self {
        InputLimits {
            authorization_details: bytes,
            other: bytes,
        }
    }

    /// The defaults, or [`InputLimits::ENV`] when it is set; a malformed value is an error
    /// naming the variable.
    pub fn from_env() -> Result<Self> {
        Ok(crate::input::size_limit_from_env()?.map_or_else(Self::default, Self::uniform))
    }

    /// The limit of file `name` (relative path in the exports directory).
    pub fn of(&self, name: &str) -> u64 {
        if name == file::AUTHORIZATION_DETAILS {
            self.authorization_details
        } else {
            self.other
        }
    }
}

impl ExportSet {
    /// Reads an exports directory: every account-data file that is present, and
    /// `manifest.json` if there is one. Files that are absent are simply not collected.
    /// File sizes are limited by [`InputLimits::from_env`].
    pub fn read_dir(dir: &Path) -> Result<Self> {
        Self::read_dir_with(dir, InputLimits::from_env()?)
    }

    /// [`ExportSet::read_dir`] with the given size limits.
    pub fn read_dir_with(dir: &Path, limits: InputLimits) -> Result<Self> {
        let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
        if !meta.is_dir() {
            return Err(Error::input(
                dir,
                "",
                "not a directory (expected an exports directory, see `hipaa-iam audit --help`)",
            ));
        }
        let mut set = ExportSet {
            dir: Some(dir.to_path_buf()),
            ..Default::default()
        };
        for name in [
            file::AUTHORIZATION_DETAILS,
            file::CREDENTIAL_REPORT,
            file::PASSWORD_POLICY,
            file::ACCOUNT_SUMMARY,
            file::VIRTUAL_MFA_DEVICES,
        ] {
            set.read_if_present(dir, name, &limits)?;
        }
        let aa = dir.join(file::ACCESS_ANALYZER_DIR);
        if aa.is_dir() {
            let mut regions: Vec<String> = Vec::new();
            for entry in std::fs::read_dir(&aa).map_err(|e| Error::io(&aa, e))? {
                let entry = entry.map_err(|e| Error::io(&aa, e))?;
                if entry.path().is_dir() {
                    regions.push(entry.file_name().to_string_lossy().into_owned());
                }
            }
            regions.sort();
            for region in regions {
                set.read_if_present(dir, &file::analyzers(&region), &limits)?;
                set.read_if_present(dir, &file::analyzer_findings(&region), &limits)?;
            }
        }
        set.read_identity_center(dir, &limits)?;
        let manifest_path = dir.join(file::MANIFEST);
        if let Some(bytes) = read_input_file(&manifest_path, limits.of(file::MANIFEST))? {
            set.manifest = Some(crate::input::parse_json(&manifest_path, &bytes)?);
        }
        Ok(set)
    }

    /// Reads the Identity Center files of the layout (`identity-center/<region>/...`, see
    /// [`file::IDENTITY_CENTER_DIR`]): only the names the layout gives, in folders named by a
    /// region or an ID ([`file::is_path_segment`]); anything else there is ignored. The
    /// depth is fixed, so a symbolic link back up the tree cannot make the walk endless.
    fn read_identity_center(&mut self, dir: &Path, limits: &InputLimits) -> Result<()> {
        use file::permission_set;
        let top = dir.join(file::IDENTITY_CENTER_DIR);
        for region in entries(&top, Entry::Folder, |n| crate::aws::check_region(n).is_ok())? {
            self.read_if_present(dir, &file::identity_center_instances(&region), limits)?;
            let region_dir = dir.join(file::identity_center_region(&region));
            for instance in entries(&region_dir, Entry::Folder, file::is_path_segment)? {
                for name in [
                    file::identity_center_permission_sets(&region, &instance),
                    file::identity_center_users(&region, &instance),
                    file::identity_center_groups(&region, &instance),
                ] {
                    self.read_if_present(dir, &name, limits)?;
                }
                let instance_dir = dir.join(file::identity_center_instance(&region, &instance));
                for group in entries(
                    &instance_dir.join("group-memberships"),
                    Entry::Json,
                    file::is_path_segment,
                )? {
                    let name = file::identity_center_group_memberships(&region, &instance, &group);
                    self.read_if_present(dir, &name, limits)?;
                }
                for ps in entries(
                    &instance_dir.join("permission-sets"),
                    Entry::Folder,
                    file::is_path_segment,
                )? {
                    for leaf in permission_set::FILES {
                        let name = file::identity_center_permission_set(&region, &instance, &ps, leaf);
                        self.read_if_present(dir, &name, limits)?;
                    }
                    let assignments = instance_dir
                        .join("permission-sets")
                        .join(&ps)
                        .join(permission_set::ASSIGNMENTS_DIR);
                    for account in entries(&assignments, Entry::Json, file::is_path_segment)? {
                        let name = file::identity_center_assignments(&region, &instance, &ps, &account);
                        self.read_if_present(dir, &name, limits)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn read_if_present(&mut self, dir: &Path, name: &str, limits: &InputLimits) -> Result<()> {
        if let Some(bytes) = read_input_file(&dir.join(name), limits.of(name))? {
            self.files.insert(name.to_string(), bytes);
        }
        Ok(())
    }

    /// The path to show in messages for file `name`: inside the directory, or `<live>/name`.
    pub fn display_path(&self, name: &str) -> PathBuf {
        match &self.dir {
            Some(d) => d.join(name),
            None => PathBuf::from("<live>").join(name),
        }
    }

    /// The contents of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(Vec::as_slice)
    }

    /// The regions for which Access Analyzer files are present.
    pub fn analyzer_regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = self
            .files
            .keys()
            .filter_map(|k| k.strip_prefix("access-analyzer/"))
            .filter_map(|rest| rest.split_once('/').map(|(r, _)| r.to_string()))
            .collect();
        regions.dedup();
        regions
    }

    /// Why `name` was not collected, when the manifest says.
    pub fn not_collected_reason(&self, name: &str) -> Option<&str> {
        self.manifest
            .as_ref()
            .and_then(|m| m.not_collected.get(name))
            .map(String::as_str)
    }

    /// Writes every file into `dir` (created if needed) and then `manifest.json` with the
    /// SHA-256 of each file. Each file is written to a temporary name and renamed.
    pub fn write_dir(&self, dir: &Path, manifest: &mut Manifest) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        for (name, bytes) in &self.files {
            crate::manifest::write_atomic(&dir.join(name), bytes)?;
            manifest.add_file(name, bytes);
        }
        manifest.write(&dir.join(file::MANIFEST))
    }
}
