//! The organization's own data, at the top of a `collect --org` directory (`organization/`),
//! and what it says of each account: its chain from the root through the organizational
//! units, and the service and resource control policies attached at each level
//! ([`OrganizationData::policies_of`]).
//!
//! The files are the AWS CLI's outputs (every page merged), named as README.md's
//! "Organization data" lists them; [`OrgFiles`] holds them in memory (collected live, or read
//! from the directory) with `organization/manifest.json`, whose `not_collected` records the
//! calls that failed. Nothing is guessed: a file that is missing or could not be collected,
//! or that does not parse, makes what depends on it unknown, with the reason, and the checks
//! say so.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::account::{AccountOrg, OrgNode, OrgNodeKind, OrgPolicies, OrgPolicy, PolicyState};
use crate::manifest::Manifest;
use crate::policy::{CeilingKind, Document};
use crate::{Error, Result};

/// The folder of the organization's data, beside `accounts.json`.
pub const ORG_DIR: &str = "organization";

/// The files of the organization data, relative to [`ORG_DIR`].
pub mod org_file {
    /// `aws organizations describe-organization`.
    pub const ORGANIZATION: &str = "organization.json";
    /// `aws organizations list-roots`.
    pub const ROOTS: &str = "roots.json";
    /// `aws organizations list-policies --filter SERVICE_CONTROL_POLICY`.
    pub const SCPS: &str = "policies/service-control-policies.json";
    /// `aws organizations list-policies --filter RESOURCE_CONTROL_POLICY`.
    pub const RCPS: &str = "policies/resource-control-policies.json";
    /// The manifest of the folder (SHA-256 of every file, and what was not collected).
    pub const MANIFEST: &str = crate::manifest::FILE_NAME;

    /// `aws organizations list-children --parent-id P --child-type ORGANIZATIONAL_UNIT`.
    pub fn children_ous(parent: &str) -> String {
        format!("children/{parent}/organizational-units.json")
    }

    /// `aws organizations list-children --parent-id P --child-type ACCOUNT`.
    pub fn children_accounts(parent: &str) -> String {
        format!("children/{parent}/accounts.json")
    }

    /// `aws organizations describe-policy --policy-id X`.
    pub fn policy(id: &str) -> String {
        format!("policies/{id}/policy.json")
    }

    /// `aws organizations list-targets-for-policy --policy-id X`.
    pub fn targets(id: &str) -> String {
        format!("policies/{id}/targets.json")
    }

    /// The listing of policies of `kind`.
    pub fn listing(kind: crate::policy::CeilingKind) -> &'static str {
        match kind {
            crate::policy::CeilingKind::ServiceControl => SCPS,
            crate::policy::CeilingKind::ResourceControl => RCPS,
        }
    }
}

/// The API's name of a policy type: `SERVICE_CONTROL_POLICY`, `RESOURCE_CONTROL_POLICY`.
pub fn policy_type(kind: CeilingKind) -> &'static str {
    match kind {
        CeilingKind::ServiceControl => "SERVICE_CONTROL_POLICY",
        CeilingKind::ResourceControl => "RESOURCE_CONTROL_POLICY",
    }
}

/// Whether `id` is a root ID (`r-` and 4 to 32 lower-case letters or digits).
pub fn is_root_id(id: &str) -> bool {
    id.strip_prefix("r-")
        .is_some_and(|r| (4..=32).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// Whether `id` is an organizational unit ID (`ou-`, 4 to 32 lower-case letters or digits,
/// `-`, 8 to 32 more).
pub fn is_ou_id(id: &str) -> bool {
    let part = |s: &str, min: usize| {
        (min..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    id.strip_prefix("ou-")
        .and_then(|r| r.split_once('-'))
        .is_some_and(|(a, b)| part(a, 4) && part(b, 8))
}

/// Whether `id` is a policy ID (`p-` and 8 to 128 letters, digits or `_`;
/// `p-FullAWSAccess`).
pub fn is_policy_id(id: &str) -> bool {
    id.strip_prefix("p-")
        .is_some_and(|r| (8..=128).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

/// The organization data files in memory, by path relative to [`ORG_DIR`], with the
/// folder's manifest.
#[derive(Debug, Clone, Default)]
pub struct OrgFiles {
    /// The directory the files were read from (the `organization/` folder), or `None` when
    /// collected live.
    pub dir: Option<PathBuf>,
    /// File contents by relative path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The manifest: what was not collected, and (once written) every file's SHA-256.
    pub manifest: Manifest,
}

impl OrgFiles {
    /// The path to show for `name`: in the directory, or `<live>/organization/name`.
    pub fn display_path(&self, name: &str) -> PathBuf {
        match &self.dir {
            Some(d) => d.join(name),
            None => PathBuf::from("<live>").join(ORG_DIR).join(name),
        }
    }

    /// Why `name` is not there: the collector's reason, or that it is absent.
    fn missing(&self, name: &str) -> String {
        match self.manifest.not_collected.get(name) {
            Some(reason) => format!("{ORG_DIR}/{name} could not be collected: {reason}"),
            None => format!("{ORG_DIR}/{name} is absent (not collected)"),
        }
    }

    /// Reads `<top>/organization/`: every file the layout names that is present (walked from
    /// the roots and the policy listings, so files an earlier collection left are not read),
    /// and its manifest. `None` when there is no such folder.
    pub fn read_dir(top: &Path) -> Result<Option<OrgFiles>> {
        let dir = top.join(ORG_DIR);
        if !dir.is_dir() {
            return Ok(None);
        }
        let limit = crate::account::InputLimits::from_env()?.other;
        let mut set = OrgFiles {
            dir: Some(dir.clone()),
            ..OrgFiles::default()
        };
        let manifest_path = dir.join(org_file::MANIFEST);
        if let Some(bytes) = crate::input::read_input_file(&manifest_path, limit)? {
            set.manifest = crate::input::parse_json(&manifest_path, &bytes)?;
        }
        let listed = !set.manifest.files.is_empty();
        let read = |set: &mut OrgFiles, name: &str| -> Result<()> {
            // With a manifest, only the files it lists are this collection's.
            if listed && !set.manifest.files.contains_key(name) {
                return Ok(());
            }
            if let Some(bytes) = crate::input::read_input_file(&dir.join(name), limit)? {
                set.files.insert(name.to_string(), bytes);
            }
            Ok(())
        };
        for name in [org_file::ORGANIZATION, org_file::ROOTS, org_file::SCPS, org_file::RCPS] {
            read(&mut set, name)?;
        }
        // The tree, from the roots down, as the collector walked it.
        let mut queue: Vec<String> = roots_of(&set).unwrap_or_default();
        let mut seen = HashSet::new();
        while let Some(parent) = queue.pop() {
            if !seen.insert(parent.clone()) || !(is_root_id(&parent) || is_ou_id(&parent)) {
                continue;
            }
            read(&mut set, &org_file::children_ous(&parent))?;
            read(&mut set, &org_file::children_accounts(&parent))?;
            if let Some(children) = children_of(&set, &org_file::children_ous(&parent)) {
                queue.extend(children);
            }
        }
        for listing in [org_file::SCPS, org_file::RCPS] {
            for id in policy_ids(&set, listing) {
                read(&mut set, &org_file::policy(&id))?;
                read(&mut set, &org_file::targets(&id))?;
            }
        }
        Ok(Some(set))
    }

    /// Writes the files and `manifest.json` into `<top>/organization/` (each file to a
    /// temporary name, then renamed). Files an earlier collection listed in its manifest that
    /// this one does not have are removed, so the folder never mixes two collections.
    pub fn write_dir(&self, top: &Path) -> Result<Manifest> {
        let dir = top.join(ORG_DIR);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let previous = Manifest::read(&dir.join(org_file::MANIFEST)).ok();
        let mut manifest = self.manifest.clone();
        manifest.files.clear();
        for (name, bytes) in &self.files {
            let path = dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            crate::manifest::write_atomic(&path, bytes)?;
            manifest.add_file(name, bytes);
        }
        if let Some(prev) = previous {
            for name in prev.files.keys().filter(|n| !self.files.contains_key(*n)) {
                if crate::manifest::check_entry_name(name).is_ok() {
                    let _ = std::fs::remove_file(dir.join(name));
                }
            }
        }
        manifest.write(&dir.join(org_file::MANIFEST))?;
        Ok(manifest)
    }
}

fn parse<T: serde::de::DeserializeOwned>(set: &OrgFiles, name: &str) -> std::result::Result<T, String> {
    let bytes = set.files.get(name).ok_or_else(|| set.missing(name))?;
    crate::input::parse_json(&set.display_path(name), bytes).map_err(|e| e.to_string())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OrganizationFile {
    organization: OrganizationEntry,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OrganizationEntry {
    id: String,
    master_account_id: String,
    #[serde(default)]
    feature_set: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RootsFile {
    roots: Vec<RootEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RootEntry {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    policy_types: Vec<PolicyTypeEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyTypeEntry {
    #[serde(rename = "Type")]
    kind: String,
    status: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ChildrenFile {
    children: Vec<ChildEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ChildEntry {
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoliciesFile {
    policies: Vec<PolicySummary>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicySummary {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    aws_managed: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyFile {
    policy: PolicyEntry,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyEntry {
    content: serde_json::Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TargetsFile {
    targets: Vec<TargetEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TargetEntry {
    target_id: String,
    #[serde(default)]
    name: String,
    #[serde(default, rename = "Type")]
    kind: String,
}

fn roots_of(set: &OrgFiles) -> Option<Vec<String>> {
    parse::<RootsFile>(set, org_file::ROOTS)
        .ok()
        .map(|r| r.roots.into_iter().map(|r| r.id).collect())
}

fn children_of(set: &OrgFiles, name: &str) -> Option<Vec<String>> {
    parse::<ChildrenFile>(set, name)
        .ok()
        .map(|c| c.children.into_iter().map(|c| c.id).collect())
}

fn policy_ids(set: &OrgFiles, listing: &str) -> Vec<String> {
    parse::<PoliciesFile>(set, listing)
        .map(|p| {
            p.policies
                .into_iter()
                .map(|p| p.id)
                .filter(|id| is_policy_id(id))
                .collect()
        })
        .unwrap_or_default()
}

/// The policies of one type across the organization.
#[derive(Debug, Clone)]
enum TypeData {
    Unknown(String),
    NotEnabled(String),
    Known {
        /// By policy ID.
        policies: HashMap<String, OrgPolicy>,
        /// Policy IDs by target (root, OU or account ID), in listing order.
        attached: HashMap<String, Vec<String>>,
    },
}

/// What the organization data says: the organization, its tree and its policies.
#[derive(Debug, Clone)]
pub struct OrganizationData {
    /// Why nothing is known, when the organization itself could not be read.
    unknown: Option<String>,
    id: String,
    management: String,
    /// The parent of every OU and account reached (child ID → parent ID).
    parent: HashMap<String, String>,
    /// The roots' IDs.
    roots: Vec<String>,
    /// Names by ID (roots, OUs, accounts), from the roots and the policies' targets.
    names: HashMap<String, String>,
    /// Why the tree is incomplete (files of it that are missing), if it is.
    tree_gaps: Vec<String>,
    scp: TypeData,
    rcp: TypeData,
}

impl OrganizationData {
    /// The data of an organization run without organization files (`why` says so): every
    /// account's policies are unknown.
    pub fn unknown(why: impl Into<String>) -> OrganizationData {
        OrganizationData {
            unknown: Some(why.into()),
            id: String::new(),
            management: String::new(),
            parent: HashMap::new(),
            roots: Vec::new(),
            names: HashMap::new(),
            tree_gaps: Vec::new(),
            scp: TypeData::Unknown(String::new()),
            rcp: TypeData::Unknown(String::new()),
        }
    }

    /// Reads the organization data of the files.
    pub fn from_files(set: &OrgFiles) -> OrganizationData {
        let org: OrganizationFile = match parse(set, org_file::ORGANIZATION) {
            Ok(o) => o,
            Err(why) => return OrganizationData::unknown(why),
        };
        let roots: RootsFile = match parse(set, org_file::ROOTS) {
            Ok(r) => r,
            Err(why) => return OrganizationData::unknown(why),
        };
        let mut data = OrganizationData {
            unknown: None,
            id: org.organization.id.clone(),
            management: org.organization.master_account_id.clone(),
            parent: HashMap::new(),
            roots: roots.roots.iter().map(|r| r.id.clone()).collect(),
            names: roots.roots.iter().map(|r| (r.id.clone(), r.name.clone())).collect(),
            tree_gaps: Vec::new(),
            scp: TypeData::Unknown(String::new()),
            rcp: TypeData::Unknown(String::new()),
        };
        // The tree.
        let mut queue: Vec<String> = data.roots.clone();
        let mut seen = HashSet::new();
        while let Some(parent) = queue.pop() {
            if !seen.insert(parent.clone()) {
                continue;
            }
            if !(is_root_id(&parent) || is_ou_id(&parent)) {
                data.tree_gaps.push(format!(
                    "{:?} is not a root or organizational unit ID (in {ORG_DIR}/{})",
                    parent,
                    org_file::ROOTS
                ));
                continue;
            }
            for (name, is_ou) in [
                (org_file::children_ous(&parent), true),
                (org_file::children_accounts(&parent), false),
            ] {
                match parse::<ChildrenFile>(set, &name) {
                    Ok(c) => {
                        for child in c.children {
                            if is_ou {
                                queue.push(child.id.clone());
                            }
                            data.parent.entry(child.id).or_insert_with(|| parent.clone());
                        }
                    }
                    Err(why) => data.tree_gaps.push(why),
                }
            }
        }
        // The policies, by type.
        let feature_all = org.organization.feature_set.as_deref().is_none_or(|f| f == "ALL");
        for kind in [CeilingKind::ServiceControl, CeilingKind::ResourceControl] {
            let enabled: Vec<&RootEntry> = roots
                .roots
                .iter()
                .filter(|r| {
                    r.policy_types
                        .iter()
                        .any(|t| t.kind == policy_type(kind) && t.status == "ENABLED")
                })
                .collect();
            let pending: Vec<String> = roots
                .roots
                .iter()
                .flat_map(|r| {
                    r.policy_types
                        .iter()
                        .filter(|t| t.kind == policy_type(kind) && t.status != "ENABLED")
                        .map(move |t| format!("{} at root {}", t.status, r.id))
                })
                .collect();
            let state = if !feature_all {
                TypeData::NotEnabled(format!(
                    "the organization has only the consolidated billing features ({ORG_DIR}/{}): no {} apply",
                    org_file::ORGANIZATION,
                    kind.plural()
                ))
            } else if !pending.is_empty() {
                TypeData::Unknown(format!(
                    "the {} policy type is {} ({ORG_DIR}/{})",
                    policy_type(kind),
                    pending.join(", "),
                    org_file::ROOTS
                ))
            } else if enabled.is_empty() {
                TypeData::NotEnabled(format!(
                    "{} are not enabled at the root ({ORG_DIR}/{} lists no {} ENABLED)",
                    kind.plural(),
                    org_file::ROOTS,
                    policy_type(kind)
                ))
            } else {
                type_data(set, kind, &mut data.names)
            };
            match kind {
                CeilingKind::ServiceControl => data.scp = state,
                CeilingKind::ResourceControl => data.rcp = state,
            }
        }
        data
    }

    /// The organization's ID (empty when unknown).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The management account's ID (empty when unknown).
    pub fn management_account(&self) -> &str {
        &self.management
    }

    /// What the organization's policies are to `account`.
    pub fn policies_of(&self, account: &str) -> OrgPolicies {
        if let Some(why) = &self.unknown {
            return OrgPolicies::Unknown(why.clone());
        }
        let path = self.path_of(account);
        let state = |data: &TypeData| -> PolicyState {
            match (data, &path) {
                (TypeData::Unknown(why), _) => PolicyState::Unknown(why.clone()),
                (TypeData::NotEnabled(why), _) => PolicyState::NotEnabled(why.clone()),
                (_, Err(why)) => PolicyState::Unknown(why.clone()),
                (TypeData::Known { policies, attached }, Ok(path)) => {
                    let mut levels = Vec::with_capacity(path.len());
                    for node in path {
                        let mut here = Vec::new();
                        for id in attached.get(&node.id).map_or(&[][..], Vec::as_slice) {
                            match policies.get(id) {
                                Some(p) => here.push(p.clone()),
                                None => {
                                    return PolicyState::Unknown(format!(
                                        "policy {id}, attached to {}, is not in the policy listing",
                                        node.describe()
                                    ))
                                }
                            }
                        }
                        levels.push(here);
                    }
                    PolicyState::Attached(levels)
                }
            }
        };
        let (scp, rcp) = (state(&self.scp), state(&self.rcp));
        OrgPolicies::Known(Arc::new(AccountOrg::new(
            self.id.clone(),
            self.management.clone(),
            account.to_string(),
            path.unwrap_or_default(),
            scp,
            rcp,
        )))
    }

    /// The chain of `account` from its root, or why it is unknown.
    fn path_of(&self, account: &str) -> std::result::Result<Vec<OrgNode>, String> {
        let node = |kind, id: &str| OrgNode {
            kind,
            id: id.to_string(),
            name: self.names.get(id).cloned().unwrap_or_default(),
        };
        let mut path = vec![node(OrgNodeKind::Account, account)];
        let mut at = account.to_string();
        let mut seen = HashSet::new();
        loop {
            if self.roots.contains(&at) && at != account {
                break;
            }
            let Some(parent) = self.parent.get(&at) else {
                let gaps = if self.tree_gaps.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", self.tree_gaps.join("; "))
                };
                return Err(format!(
                    "account {account} was not found under the organization's root{gaps}"
                ));
            };
            if !seen.insert(parent.clone()) || seen.len() > 64 {
                return Err(format!("the organization's tree has a cycle at {parent}"));
            }
            let kind = if self.roots.contains(parent) {
                OrgNodeKind::Root
            } else {
                OrgNodeKind::OrganizationalUnit
            };
            path.push(node(kind, parent));
            at = parent.clone();
        }
        path.reverse();
        Ok(path)
    }
}

/// The policies of `kind`: every policy of the listing with its content and targets.
fn type_data(set: &OrgFiles, kind: CeilingKind, names: &mut HashMap<String, String>) -> TypeData {
    let listing: PoliciesFile = match parse(set, org_file::listing(kind)) {
        Ok(l) => l,
        Err(why) => return TypeData::Unknown(why),
    };
    let mut policies = HashMap::new();
    let mut attached: HashMap<String, Vec<String>> = HashMap::new();
    for (i, p) in listing.policies.into_iter().enumerate() {
        if !is_policy_id(&p.id) {
            return TypeData::Unknown(format!(
                "{ORG_DIR}/{} at Policies[{i}].Id: {:?} is not a policy ID",
                org_file::listing(kind),
                p.id
            ));
        }
        let described: PolicyFile = match parse(set, &org_file::policy(&p.id)) {
            Ok(d) => d,
            Err(why) => return TypeData::Unknown(why),
        };
        let path = set.display_path(&org_file::policy(&p.id));
        let document = match crate::policy::decode_document(&described.policy.content)
            .and_then(|json| Document::from_json(&json))
        {
            Ok(d) => d,
            Err(why) => return TypeData::Unknown(format!("{} at Policy.Content: {why}", path.display())),
        };
        let targets: TargetsFile = match parse(set, &org_file::targets(&p.id)) {
            Ok(t) => t,
            Err(why) => return TypeData::Unknown(why),
        };
        for t in targets.targets {
            if !t.name.is_empty() && t.kind != "ACCOUNT" {
                names.entry(t.target_id.clone()).or_insert(t.name);
            }
            let list = attached.entry(t.target_id).or_default();
            if !list.contains(&p.id) {
                list.push(p.id.clone());
            }
        }
        policies.insert(
            p.id.clone(),
            OrgPolicy {
                id: p.id,
                name: p.name,
                aws_managed: p.aws_managed,
                document: Arc::new(document),
            },
        );
    }
    TypeData::Known { policies, attached }
}

/// The organization data of a `collect --org` directory: its `organization/` folder, or
/// unknown when it has none.
pub fn read_collected_organization(top: &Path) -> Result<OrganizationData> {
    Ok(match OrgFiles::read_dir(top)? {
        Some(files) => OrganizationData::from_files(&files),
        None => OrganizationData::unknown(format!(
            "{} has no {ORG_DIR}/ folder (the organization's data was not collected; \
             `hipaa-iam collect --org` and scripts/collect-organization.sh make it)",
            top.display()
        )),
    })
}
