//! IAM Identity Center: the instances an account can read (the management account or a
//! delegated administrator), their permission sets and account assignments, and the
//! identity store's users, groups and memberships, as the AWS CLI writes them under
//! `identity-center/<region>/` (README.md, "Account data").
//!
//! An instance whose files are partly missing (a call failed or a file is absent) keeps what
//! was read and lists the rest in [`Instance::missing`]; the checks that need the missing
//! part say `not-evaluated` with the reason instead of guessing.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::{ExportSet, PolicyDoc};
use crate::input::parse_json;
use crate::Result;

/// The directory of the Identity Center files in an exports directory.
pub const DIR: &str = "identity-center";

/// The relative paths of the Identity Center files (`identity-center/<region>/...`).
pub mod path {
    use super::DIR;

    /// `aws sso-admin list-instances --region R`.
    pub fn instances(region: &str) -> String {
        format!("{DIR}/{region}/instances.json")
    }

    /// The directory of one instance: `identity-center/<region>/<instance-id>`.
    pub fn instance(region: &str, instance_id: &str) -> String {
        format!("{DIR}/{region}/{instance_id}")
    }

    /// `aws sso-admin list-permission-sets --instance-arn A`.
    pub fn permission_sets(instance: &str) -> String {
        format!("{instance}/permission-sets.json")
    }

    /// A file of one permission set (`permission-set.json`, `managed-policies.json`, ...).
    pub fn permission_set_file(instance: &str, ps_id: &str, name: &str) -> String {
        format!("{instance}/permission-sets/{ps_id}/{name}")
    }

    /// `aws sso-admin list-account-assignments --account-id ACCOUNT --permission-set-arn P`.
    pub fn assignments(instance: &str, ps_id: &str, account: &str) -> String {
        format!("{instance}/permission-sets/{ps_id}/assignments/{account}.json")
    }

    /// `aws identitystore list-users`.
    pub fn users(instance: &str) -> String {
        format!("{instance}/users.json")
    }

    /// `aws identitystore list-groups`.
    pub fn groups(instance: &str) -> String {
        format!("{instance}/groups.json")
    }

    /// `aws identitystore list-group-memberships --group-id G`.
    pub fn group_memberships(instance: &str, group_id: &str) -> String {
        format!("{instance}/group-memberships/{group_id}.json")
    }

    /// The files of one permission set, other than its assignments.
    pub const PERMISSION_SET: &str = "permission-set.json";
    /// Its AWS managed policies.
    pub const MANAGED_POLICIES: &str = "managed-policies.json";
    /// Its customer managed policy references.
    pub const CUSTOMER_MANAGED_POLICIES: &str = "customer-managed-policies.json";
    /// Its inline policy.
    pub const INLINE_POLICY: &str = "inline-policy.json";
    /// Its permissions boundary (absent when it has none).
    pub const PERMISSIONS_BOUNDARY: &str = "permissions-boundary.json";
    /// The accounts it is provisioned to.
    pub const ACCOUNTS: &str = "accounts.json";
}

/// The Identity Center data of an exports directory.
#[derive(Debug, Clone, Default)]
pub struct IdentityCenter {
    /// The regions whose `list-instances` answer was read, with what failed where it failed.
    pub regions: BTreeMap<String, Option<String>>,
    /// The instances, in region then ARN order.
    pub instances: Vec<Instance>,
}

/// One Identity Center instance.
#[derive(Debug, Clone, Default)]
pub struct Instance {
    /// Its region.
    pub region: String,
    /// `arn:aws:sso:::instance/ssoins-...`.
    pub arn: String,
    /// `ssoins-...`.
    pub id: String,
    /// Its name, when it has one.
    pub name: Option<String>,
    /// The identity store's ID (`d-...`).
    pub identity_store_id: String,
    /// The account that owns it (the management account, or the account of an account
    /// instance), when the answer says.
    pub owner_account: Option<String>,
    /// The permission sets, by name.
    pub permission_sets: Vec<PermissionSet>,
    /// The identity store's users, by user name.
    pub users: Vec<StoreUser>,
    /// The identity store's groups, by display name.
    pub groups: Vec<StoreGroup>,
    /// Group ID -> the user IDs that are members.
    pub members: BTreeMap<String, BTreeSet<String>>,
    /// The files that are missing or could not be collected, with why: what the data lacks.
    pub missing: Vec<(String, String)>,
}

/// A permission set.
#[derive(Debug, Clone, Default)]
pub struct PermissionSet {
    /// `arn:aws:sso:::permissionSet/ssoins-.../ps-...`.
    pub arn: String,
    /// `ps-...`.
    pub id: String,
    /// Its name (the `AWSReservedSSO_<name>_...` roles in the accounts carry it).
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// The ISO 8601 session duration as given (`PT8H`).
    pub session_duration: Option<String>,
    /// The session duration in seconds, when it parses.
    pub session_seconds: Option<u64>,
    /// The relay state (the console URL users land on).
    pub relay_state: Option<String>,
    /// AWS managed policies: (name, ARN).
    pub managed_policies: Vec<(String, String)>,
    /// Customer managed policy references: (name, path).
    pub customer_managed: Vec<(String, String)>,
    /// The inline policy, when it has one.
    pub inline: Option<PolicyDoc>,
    /// The permissions boundary, when it has one.
    pub boundary: Option<BoundaryRef>,
    /// The accounts it is provisioned to.
    pub accounts: Vec<String>,
    /// Its assignments in those accounts.
    pub assignments: Vec<Assignment>,
}

/// A permission set's permissions boundary: an AWS managed policy or a customer managed
/// policy (looked up by path and name in each account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoundaryRef {
    /// A managed policy's ARN.
    Managed(String),
    /// A customer managed policy: (name, path).
    Customer(String, String),
}

/// Who an account assignment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalKind {
    /// An identity store user.
    User,
    /// An identity store group.
    Group,
}

impl PrincipalKind {
    /// `user` or `group`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Group => "group",
        }
    }
}

/// A permission set assigned to a user or group in an account.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Assignment {
    /// The account.
    pub account: String,
    /// A user or a group.
    pub kind: PrincipalKind,
    /// The user's or group's ID in the identity store.
    pub principal_id: String,
}

/// An identity store user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreUser {
    /// Its ID.
    pub id: String,
    /// Its user name (what people sign in with).
    pub user_name: String,
    /// Its display name.
    pub display_name: Option<String>,
}

/// An identity store group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreGroup {
    /// Its ID.
    pub id: String,
    /// Its display name.
    pub display_name: String,
}

impl Instance {
    /// The user with this ID.
    pub fn user(&self, id: &str) -> Option<&StoreUser> {
        self.users.iter().find(|u| u.id == id)
    }

    /// The group with this ID.
    pub fn group(&self, id: &str) -> Option<&StoreGroup> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// The groups `user_id` belongs to, by display name.
    pub fn groups_of(&self, user_id: &str) -> Vec<&StoreGroup> {
        let mut out: Vec<&StoreGroup> = self
            .members
            .iter()
            .filter(|(_, m)| m.contains(user_id))
            .filter_map(|(g, _)| self.group(g))
            .collect();
        out.sort_by(|a, b| a.display_name.cmp(&b.display_name));
        out
    }

    /// A user's or group's name for people: `user jane.doe`, `group Admins`, or the ID when
    /// the identity store data lacks it.
    pub fn principal_name(&self, kind: PrincipalKind, id: &str) -> String {
        let name = match kind {
            PrincipalKind::User => self.user(id).map(|u| u.user_name.clone()),
            PrincipalKind::Group => self.group(id).map(|g| g.display_name.clone()),
        };
        format!("{} {}", kind.as_str(), name.unwrap_or_else(|| id.to_string()))
    }

    /// What is missing among `files` (by the prefix of their relative path), for a check's
    /// not-evaluated detail; `None` when nothing is.
    pub fn missing_among(&self, what: &[&str]) -> Option<String> {
        let found: Vec<String> = self
            .missing
            .iter()
            .filter(|(f, _)| what.iter().any(|w| f.contains(w)))
            .map(|(f, why)| format!("{f}: {why}"))
            .collect();
        (!found.is_empty()).then(|| found.join("; "))
    }

    /// Every assignment, with its permission set.
    pub fn assignments(&self) -> impl Iterator<Item = (&PermissionSet, &Assignment)> {
        self.permission_sets
            .iter()
            .flat_map(|ps| ps.assignments.iter().map(move |a| (ps, a)))
    }

    /// The (permission set, account) pairs `user_id` can sign in to: assigned to the user or
    /// to one of its groups, each with how (`directly` or `through group G`).
    pub fn access_of(&self, user_id: &str) -> Vec<(&PermissionSet, &str, String)> {
        let groups: BTreeSet<&str> = self
            .members
            .iter()
            .filter(|(_, m)| m.contains(user_id))
            .map(|(g, _)| g.as_str())
            .collect();
        let mut out = Vec::new();
        for (ps, a) in self.assignments() {
            let how = match a.kind {
                PrincipalKind::User if a.principal_id == user_id => "directly".to_string(),
                PrincipalKind::Group if groups.contains(a.principal_id.as_str()) => {
                    format!("through {}", self.principal_name(PrincipalKind::Group, &a.principal_id))
                }
                _ => continue,
            };
            out.push((ps, a.account.as_str(), how));
        }
        out
    }
}

/// The path of the roles IAM Identity Center provisions in each account for a permission
/// set (`AWSReservedSSO_<permission set>_<16 hex digits>`); a region may follow.
pub const RESERVED_ROLE_PATH: &str = "/aws-reserved/sso.amazonaws.com/";

/// The permission set name of a role Identity Center provisioned: its path is
/// [`RESERVED_ROLE_PATH`] (or below it) and its name `AWSReservedSSO_<name>_<16 hex digits>`.
pub fn reserved_role_permission_set<'a>(role_name: &'a str, role_path: &str) -> Option<&'a str> {
    if !role_path.starts_with(RESERVED_ROLE_PATH) {
        return None;
    }
    let rest = role_name.strip_prefix("AWSReservedSSO_")?;
    let (name, suffix) = rest.rsplit_once('_')?;
    (!name.is_empty() && suffix.len() == 16 && suffix.chars().all(|c| c.is_ascii_hexdigit())).then_some(name)
}

impl IdentityCenter {
    /// Who signs in to `account` as the role Identity Center provisioned for a permission set
    /// (`role_name`, `role_path`): one line per identity store user, with the permission set and
    /// how it is assigned (`user alex.rivera through group IT-Admins via permission set
    /// AdministratorAccess`), and a line per assigned group without members. Empty for any other
    /// role, or when no permission set of that name is provisioned to `account`.
    pub fn sign_ins(&self, account: &str, role_name: &str, role_path: &str) -> Vec<String> {
        let Some(ps_name) = reserved_role_permission_set(role_name, role_path) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for instance in &self.instances {
            for ps in instance
                .permission_sets
                .iter()
                .filter(|p| p.name == ps_name && p.accounts.iter().any(|a| a == account))
            {
                for a in ps.assignments.iter().filter(|a| a.account == account) {
                    match a.kind {
                        PrincipalKind::User => out.push(format!(
                            "{} via permission set {} (assigned directly)",
                            instance.principal_name(PrincipalKind::User, &a.principal_id),
                            ps.name
                        )),
                        PrincipalKind::Group => {
                            let group = instance.principal_name(PrincipalKind::Group, &a.principal_id);
                            let members = instance.members.get(&a.principal_id);
                            let mut names: Vec<String> = members
                                .into_iter()
                                .flatten()
                                .map(|u| instance.principal_name(PrincipalKind::User, u))
                                .collect();
                            names.sort();
                            if names.is_empty() {
                                out.push(format!("{group} (no members) via permission set {}", ps.name));
                            }
                            for n in names {
                                out.push(format!("{n} through {group} via permission set {}", ps.name));
                            }
                        }
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

impl PermissionSet {
    /// The session duration for people: `8 h`, `1 h 30 min`.
    pub fn session_text(&self) -> String {
        match (self.session_seconds, &self.session_duration) {
            (Some(s), _) => hours_text(s),
            (None, Some(raw)) => raw.clone(),
            (None, None) => "1 h (the default)".to_string(),
        }
    }

    /// The session duration in seconds: as given, or AWS's default of one hour.
    pub fn effective_session_seconds(&self) -> Option<u64> {
        match &self.session_duration {
            None => Some(3600),
            Some(_) => self.session_seconds,
        }
    }
}

/// `8 h`, `1 h 30 min`, `45 min`.
pub fn hours_text(seconds: u64) -> String {
    let (h, m) = (seconds / 3600, (seconds % 3600) / 60);
    match (h, m) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Parses an ISO 8601 duration of days, hours, minutes and seconds (`PT8H`, `PT1H30M`,
/// `P1DT2H`, `PT3600S`) into seconds; `None` for anything else.
pub fn parse_duration(text: &str) -> Option<u64> {
    let rest = text.trim().strip_prefix(['P', 'p'])?;
    let (date, time) = match rest.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut total: u64 = 0;
    let mut any = false;
    let mut take = |part: &str, units: &[(char, u64)]| -> Option<()> {
        let mut number = String::new();
        let mut last = 0usize;
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let pos = units.iter().position(|(u, _)| u.eq_ignore_ascii_case(&c))?;
            if number.is_empty() || pos < last {
                return None;
            }
            last = pos + 1;
            let n: u64 = number.parse().ok()?;
            total = total.checked_add(n.checked_mul(units[pos].1)?)?;
            number.clear();
            any = true;
        }
        number.is_empty().then_some(())
    };
    take(date, &[('D', 86_400)])?;
    if let Some(t) = time {
        if t.is_empty() {
            return None;
        }
        take(t, &[('H', 3600), ('M', 60), ('S', 1)])?;
    }
    any.then_some(total)
}

// --- The files, as the AWS CLI prints them ----------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InstancesFile {
    #[serde(default)]
    instances: Vec<InstanceJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InstanceJson {
    instance_arn: String,
    #[serde(default)]
    identity_store_id: String,
    #[serde(default)]
    owner_account_id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PermissionSetsFile {
    #[serde(default)]
    permission_sets: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeFile {
    permission_set: DescribeJson,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeJson {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    session_duration: Option<String>,
    #[serde(default)]
    relay_state: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManagedFile {
    #[serde(default)]
    attached_managed_policies: Vec<NameArn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NameArn {
    #[serde(default)]
    name: String,
    arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CustomerFile {
    #[serde(default)]
    customer_managed_policy_references: Vec<CustomerRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CustomerRef {
    name: String,
    #[serde(default)]
    path: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InlineFile {
    #[serde(default)]
    inline_policy: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BoundaryFile {
    #[serde(default)]
    permissions_boundary: Option<BoundaryJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BoundaryJson {
    #[serde(default)]
    customer_managed_policy_reference: Option<CustomerRef>,
    #[serde(default)]
    managed_policy_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AccountsFile {
    #[serde(default)]
    account_ids: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssignmentsFile {
    #[serde(default)]
    account_assignments: Vec<AssignmentJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssignmentJson {
    #[serde(default)]
    account_id: Option<String>,
    principal_type: String,
    principal_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UsersFile {
    #[serde(default)]
    users: Vec<UserJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserJson {
    user_id: String,
    #[serde(default)]
    user_name: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupsFile {
    #[serde(default)]
    groups: Vec<GroupJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupJson {
    group_id: String,
    #[serde(default)]
    display_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MembershipsFile {
    #[serde(default)]
    group_memberships: Vec<MembershipJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MembershipJson {
    #[serde(default)]
    group_id: Option<String>,
    member_id: MemberJson,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MemberJson {
    #[serde(default)]
    user_id: Option<String>,
}

/// The last `/`-separated segment of an ARN (`ssoins-...`, `ps-...`).
fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// The ID an Identity Center ARN ends in ([`super::file::arn_id`], the collector's rule, so
/// that what it writes is what is read) when the ARN also has the shape AWS gives it:
/// `arn:PARTITION:sso:::KIND/.../PREFIX...` (a permission set's is `permissionSet/...` in
/// AWS's answers, `instance/...` in some emulators' and older answers).
fn arn_id<'a>(arn: &'a str, kinds: &[&str], prefix: &str) -> Option<&'a str> {
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    let shaped = fields.len() == 6
        && fields[0] == "arn"
        && fields[2] == "sso"
        && kinds.iter().any(|k| fields[5].starts_with(&format!("{k}/")))
        && !fields[5].split('/').any(|s| s == ".." || s == "." || s.is_empty());
    super::file::arn_id(arn).filter(|id| shaped && id.starts_with(prefix))
}

/// The Identity Center data of `set` as the account model holds it: `No` when there is none
/// and the manifest records no attempt, `Failed` when no region's instances could be listed,
/// else the instances read ([`read`]).
pub fn collected(set: &ExportSet) -> Result<super::Collected<std::sync::Arc<IdentityCenter>>> {
    use super::Collected;
    Ok(match read(set)? {
        None => Collected::No,
        Some(ic) if ic.instances.is_empty() && !ic.regions.is_empty() && ic.regions.values().all(Option::is_some) => {
            let (region, reason) = ic
                .regions
                .iter()
                .next()
                .map(|(r, w)| (r.clone(), w.clone().unwrap_or_default()))
                .unwrap_or_default();
            Collected::Failed {
                call: path::instances(&region),
                reason,
            }
        }
        Some(ic) => Collected::Yes(std::sync::Arc::new(ic)),
    })
}

/// Reads the Identity Center files of `set`: `Ok(None)` when there are none and the
/// manifest records no attempt (the data was not collected).
pub fn read(set: &ExportSet) -> Result<Option<IdentityCenter>> {
    let prefix = format!("{DIR}/");
    let mut regions: BTreeSet<String> = set
        .files
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix))
        .filter_map(|rest| rest.split_once('/').map(|(r, _)| r.to_string()))
        .collect();
    if let Some(m) = &set.manifest {
        regions.extend(
            m.not_collected
                .keys()
                .filter_map(|k| k.strip_prefix(&prefix))
                .filter_map(|rest| rest.split_once('/').map(|(r, _)| r.to_string())),
        );
    }
    if regions.is_empty() {
        return Ok(None);
    }
    let mut ic = IdentityCenter::default();
    for region in regions {
        let file = path::instances(&region);
        let Some(bytes) = set.get(&file) else {
            let why = set
                .not_collected_reason(&file)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{file} is missing"));
            ic.regions.insert(region, Some(why));
            continue;
        };
        let listing: InstancesFile = parse_json(&set.display_path(&file), bytes)?;
        ic.regions.insert(region.clone(), None);
        for (i, inst) in listing.instances.into_iter().enumerate() {
            if inst
                .status
                .as_deref()
                .is_some_and(|s| !s.eq_ignore_ascii_case("ACTIVE"))
            {
                continue;
            }
            let Some(id) = arn_id(&inst.instance_arn, &["instance"], "ssoins-").map(str::to_string) else {
                return Err(crate::Error::input(
                    set.display_path(&file),
                    format!("Instances[{i}].InstanceArn"),
                    format!(
                        "{:?} is not an instance ARN (arn:aws:sso:::instance/ssoins-...)",
                        inst.instance_arn
                    ),
                ));
            };
            let mut instance = Instance {
                region: region.clone(),
                arn: inst.instance_arn.clone(),
                id,
                name: inst.name.filter(|n| !n.is_empty()),
                identity_store_id: inst.identity_store_id,
                owner_account: inst.owner_account_id,
                ..Instance::default()
            };
            read_instance(set, &mut instance)?;
            ic.instances.push(instance);
        }
    }
    ic.instances
        .sort_by(|a, b| (&a.region, &a.arn).cmp(&(&b.region, &b.arn)));
    Ok(Some(ic))
}

/// A file of the instance: its parsed contents, or `None` with the reason recorded in
/// `missing` (the collector's, or "absent").
fn optional<T: serde::de::DeserializeOwned>(set: &ExportSet, instance: &mut Instance, file: &str) -> Result<Option<T>> {
    match set.get(file) {
        Some(bytes) => Ok(Some(parse_json(&set.display_path(file), bytes)?)),
        None => {
            let why = set
                .not_collected_reason(file)
                .map(str::to_string)
                .unwrap_or_else(|| "the file is missing".to_string());
            instance.missing.push((file.to_string(), why));
            Ok(None)
        }
    }
}

fn read_instance(set: &ExportSet, instance: &mut Instance) -> Result<()> {
    let dir = path::instance(&instance.region, &instance.id);
    let listing = path::permission_sets(&dir);
    let arns = optional::<PermissionSetsFile>(set, instance, &listing)?
        .map(|f| f.permission_sets)
        .unwrap_or_default();
    for (i, arn) in arns.into_iter().enumerate() {
        let Some(id) = arn_id(&arn, &["permissionSet", "instance"], "ps-").map(str::to_string) else {
            return Err(crate::Error::input(
                set.display_path(&listing),
                format!("PermissionSets[{i}]"),
                format!("{arn:?} is not a permission set ARN (arn:aws:sso:::permissionSet/ssoins-.../ps-...)"),
            ));
        };
        let file = |name: &str| path::permission_set_file(&dir, &id, name);
        let mut ps = PermissionSet {
            arn: arn.clone(),
            id: id.clone(),
            name: id.clone(),
            ..PermissionSet::default()
        };
        if let Some(d) = optional::<DescribeFile>(set, instance, &file(path::PERMISSION_SET))? {
            let d = d.permission_set;
            if !d.name.is_empty() {
                ps.name = d.name;
            }
            ps.description = d.description.filter(|s| !s.is_empty());
            ps.session_seconds = d.session_duration.as_deref().and_then(parse_duration);
            ps.session_duration = d.session_duration.filter(|s| !s.is_empty());
            ps.relay_state = d.relay_state.filter(|s| !s.is_empty());
        }
        if let Some(m) = optional::<ManagedFile>(set, instance, &file(path::MANAGED_POLICIES))? {
            ps.managed_policies = m
                .attached_managed_policies
                .into_iter()
                .map(|p| {
                    let name = if p.name.is_empty() {
                        last_segment(&p.arn).to_string()
                    } else {
                        p.name
                    };
                    (name, p.arn)
                })
                .collect();
        }
        if let Some(c) = optional::<CustomerFile>(set, instance, &file(path::CUSTOMER_MANAGED_POLICIES))? {
            ps.customer_managed = c
                .customer_managed_policy_references
                .into_iter()
                .map(|r| (r.name, r.path.unwrap_or_else(|| "/".to_string())))
                .collect();
        }
        let inline_file = file(path::INLINE_POLICY);
        if let Some(f) = optional::<InlineFile>(set, instance, &inline_file)? {
            ps.inline =
                match f.inline_policy {
                    None | Some(serde_json::Value::Null) => None,
                    Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
                    Some(v) => Some(PolicyDoc::deserialize(v).map_err(|e| {
                        crate::Error::input(set.display_path(&inline_file), "InlinePolicy", e.to_string())
                    })?),
                };
        }
        // No file and no recorded failure: the permission set has no boundary.
        let boundary_file = file(path::PERMISSIONS_BOUNDARY);
        match set.get(&boundary_file) {
            Some(bytes) => {
                let b: BoundaryFile = parse_json(&set.display_path(&boundary_file), bytes)?;
                ps.boundary = b.permissions_boundary.and_then(|b| {
                    match (b.managed_policy_arn, b.customer_managed_policy_reference) {
                        (Some(arn), _) if !arn.is_empty() => Some(BoundaryRef::Managed(arn)),
                        (_, Some(r)) => Some(BoundaryRef::Customer(r.name, r.path.unwrap_or_else(|| "/".to_string()))),
                        _ => None,
                    }
                });
            }
            None => {
                if let Some(why) = set.not_collected_reason(&boundary_file) {
                    instance.missing.push((boundary_file.clone(), why.to_string()));
                }
            }
        }
        if let Some(a) = optional::<AccountsFile>(set, instance, &file(path::ACCOUNTS))? {
            ps.accounts = a.account_ids;
            ps.accounts.sort();
            ps.accounts.dedup();
        }
        for account in ps.accounts.clone() {
            if !super::is_account_id(&account) {
                return Err(crate::Error::input(
                    set.display_path(&file(path::ACCOUNTS)),
                    "AccountIds",
                    format!("{account:?} is not a 12-digit AWS account ID"),
                ));
            }
            let af = path::assignments(&dir, &id, &account);
            if let Some(f) = optional::<AssignmentsFile>(set, instance, &af)? {
                for (j, a) in f.account_assignments.into_iter().enumerate() {
                    let kind = match a.principal_type.to_ascii_uppercase().as_str() {
                        "USER" => PrincipalKind::User,
                        "GROUP" => PrincipalKind::Group,
                        other => {
                            return Err(crate::Error::input(
                                set.display_path(&af),
                                format!("AccountAssignments[{j}].PrincipalType"),
                                format!("{other:?} is neither USER nor GROUP"),
                            ))
                        }
                    };
                    ps.assignments.push(Assignment {
                        account: a.account_id.unwrap_or_else(|| account.clone()),
                        kind,
                        principal_id: a.principal_id,
                    });
                }
            }
        }
        ps.assignments.sort();
        ps.assignments.dedup();
        instance.permission_sets.push(ps);
    }
    instance
        .permission_sets
        .sort_by(|a, b| (&a.name, &a.arn).cmp(&(&b.name, &b.arn)));

    if let Some(u) = optional::<UsersFile>(set, instance, &path::users(&dir))? {
        instance.users = u
            .users
            .into_iter()
            .map(|u| StoreUser {
                user_name: u
                    .user_name
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| u.user_id.clone()),
                id: u.user_id,
                display_name: u.display_name.filter(|n| !n.is_empty()),
            })
            .collect();
        instance
            .users
            .sort_by(|a, b| (&a.user_name, &a.id).cmp(&(&b.user_name, &b.id)));
    }
    let groups_file = path::groups(&dir);
    if let Some(g) = optional::<GroupsFile>(set, instance, &groups_file)? {
        instance.groups = g
            .groups
            .into_iter()
            .map(|g| StoreGroup {
                display_name: g
                    .display_name
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| g.group_id.clone()),
                id: g.group_id,
            })
            .collect();
        instance
            .groups
            .sort_by(|a, b| (&a.display_name, &a.id).cmp(&(&b.display_name, &b.id)));
    }
    for (i, g) in instance.groups.clone().iter().enumerate() {
        if !super::file::is_path_segment(&g.id) {
            return Err(crate::Error::input(
                set.display_path(&groups_file),
                format!("Groups[{i}].GroupId"),
                format!("{:?} is not a group ID", g.id),
            ));
        }
        let mf = path::group_memberships(&dir, &g.id);
        if let Some(f) = optional::<MembershipsFile>(set, instance, &mf)? {
            let members = instance.members.entry(g.id.clone()).or_default();
            for m in f.group_memberships {
                if m.group_id.as_deref().is_some_and(|id| id != g.id) {
                    continue;
                }
                if let Some(u) = m.member_id.user_id {
                    members.insert(u);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reserved_roles_are_known_by_path_and_name_shape() {
        let path = "/aws-reserved/sso.amazonaws.com/";
        assert_eq!(
            reserved_role_permission_set("AWSReservedSSO_AdministratorAccess_3f9a1c2b4d5e6f70", path),
            Some("AdministratorAccess")
        );
        assert_eq!(
            reserved_role_permission_set(
                "AWSReservedSSO_Read_Only_0123456789abcdef",
                "/aws-reserved/sso.amazonaws.com/eu-west-1/"
            ),
            Some("Read_Only")
        );
        // The same name elsewhere, or a name of another shape, is an ordinary role.
        assert_eq!(
            reserved_role_permission_set("AWSReservedSSO_AdministratorAccess_3f9a1c2b4d5e6f70", "/"),
            None
        );
        assert_eq!(
            reserved_role_permission_set("AWSReservedSSO_AdministratorAccess_xyz", path),
            None
        );
        assert_eq!(
            reserved_role_permission_set("AWSReservedSSO__0123456789abcdef", path),
            None
        );
        assert_eq!(reserved_role_permission_set("ops-admin", path), None);
    }

    #[test]
    fn durations_parse_as_iso_8601() {
        for (text, want) in [
            ("PT1H", Some(3600)),
            ("PT12H", Some(43_200)),
            ("PT1H30M", Some(5400)),
            ("PT90M", Some(5400)),
            ("PT3600S", Some(3600)),
            ("P1DT2H", Some(93_600)),
            ("P1D", Some(86_400)),
            ("pt8h", Some(28_800)),
            ("PT", None),
            ("P", None),
            ("PT8", None),
            ("PT30M1H", None),
            ("8h", None),
            ("PTxH", None),
            ("", None),
        ] {
            assert_eq!(parse_duration(text), want, "{text:?}");
        }
        assert_eq!(hours_text(28_800), "8 h");
        assert_eq!(hours_text(5400), "1 h 30 min");
        assert_eq!(hours_text(900), "15 min");
    }
}
