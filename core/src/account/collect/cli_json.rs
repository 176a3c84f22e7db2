//! The AWS SDK's output types rendered as the AWS CLI prints them: the same key names and
//! shapes, policy documents URL-decoded into JSON objects, timestamps in ISO 8601 UTC,
//! optional fields omitted when absent and present-but-empty lists kept.
//!
//! Secrets the API can return (a virtual MFA device's seed and QR code) are never rendered.

use aws_sdk_accessanalyzer::types as aa;
use aws_sdk_iam::types as iam;
use aws_sdk_identitystore::types as ids;
use aws_sdk_ssoadmin::types as sso;
use serde_json::{Map, Value};

/// A JSON object under construction, keys kept in insertion order (the API's member order).
#[derive(Default)]
pub(crate) struct Obj(Map<String, Value>);

impl Obj {
    pub(crate) fn new() -> Self {
        Obj::default()
    }

    /// Sets `key` to `value`.
    pub(crate) fn put(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_string(), value.into());
        self
    }

    /// Sets `key` when `value` is present.
    pub(crate) fn opt<T: Into<Value>>(mut self, key: &str, value: Option<T>) -> Self {
        if let Some(v) = value {
            self.0.insert(key.to_string(), v.into());
        }
        self
    }

    /// Sets `key` to the list rendered by `f` when the list is present (empty lists kept).
    pub(crate) fn list<T>(self, key: &str, items: Option<&[T]>, f: impl Fn(&T) -> Value) -> Self {
        self.opt(key, items.map(|xs| Value::Array(xs.iter().map(f).collect())))
    }

    /// Sets `key` to a timestamp when present.
    pub(crate) fn time(self, key: &str, t: Option<&aws_smithy_types::DateTime>) -> Self {
        self.opt(key, t.map(timestamp))
    }

    /// Sets `key` to a decoded policy document when present.
    pub(crate) fn policy(self, key: &str, doc: Option<&str>) -> Self {
        self.opt(key, doc.map(policy_document))
    }

    pub(crate) fn build(self) -> Value {
        Value::Object(self.0)
    }
}

/// A timestamp as ISO 8601 UTC (`2026-01-02T03:04:05Z`, fractional seconds when non-zero).
pub(crate) fn timestamp(t: &aws_smithy_types::DateTime) -> Value {
    Value::String(timestamp_string(t))
}

pub(crate) fn timestamp_string(t: &aws_smithy_types::DateTime) -> String {
    t.fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|_| t.secs().to_string())
}

/// A policy document as the AWS CLI prints it: the API's URL-encoded string decoded and
/// parsed as JSON; when that fails, the string as received (as the CLI does).
pub(crate) fn policy_document(encoded: &str) -> Value {
    percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| Value::String(encoded.to_string()))
}

fn string(s: &str) -> Value {
    Value::String(s.to_string())
}

fn tag(t: &iam::Tag) -> Value {
    Obj::new().put("Key", t.key()).put("Value", t.value()).build()
}

fn tags(t: &Option<Vec<iam::Tag>>) -> Option<&[iam::Tag]> {
    t.as_deref()
}

fn inline_policy(p: &iam::PolicyDetail) -> Value {
    Obj::new()
        .opt("PolicyName", p.policy_name())
        .policy("PolicyDocument", p.policy_document())
        .build()
}

fn attached_policy(p: &iam::AttachedPolicy) -> Value {
    Obj::new()
        .opt("PolicyName", p.policy_name())
        .opt("PolicyArn", p.policy_arn())
        .build()
}

fn boundary(b: &iam::AttachedPermissionsBoundary) -> Value {
    Obj::new()
        .opt(
            "PermissionsBoundaryType",
            b.permissions_boundary_type().map(|t| t.as_str()),
        )
        .opt("PermissionsBoundaryArn", b.permissions_boundary_arn())
        .build()
}

fn role_last_used(r: &iam::RoleLastUsed) -> Value {
    Obj::new()
        .time("LastUsedDate", r.last_used_date())
        .opt("Region", r.region())
        .build()
}

/// A `UserDetailList` entry.
pub(crate) fn user_detail(u: &iam::UserDetail) -> Value {
    Obj::new()
        .opt("Path", u.path())
        .opt("UserName", u.user_name())
        .opt("UserId", u.user_id())
        .opt("Arn", u.arn())
        .time("CreateDate", u.create_date())
        .list("UserPolicyList", u.user_policy_list.as_deref(), inline_policy)
        .list("GroupList", u.group_list.as_deref(), |g| string(g))
        .list(
            "AttachedManagedPolicies",
            u.attached_managed_policies.as_deref(),
            attached_policy,
        )
        .opt("PermissionsBoundary", u.permissions_boundary().map(boundary))
        .list("Tags", tags(&u.tags), tag)
        .build()
}

/// A `GroupDetailList` entry.
pub(crate) fn group_detail(g: &iam::GroupDetail) -> Value {
    Obj::new()
        .opt("Path", g.path())
        .opt("GroupName", g.group_name())
        .opt("GroupId", g.group_id())
        .opt("Arn", g.arn())
        .time("CreateDate", g.create_date())
        .list("GroupPolicyList", g.group_policy_list.as_deref(), inline_policy)
        .list(
            "AttachedManagedPolicies",
            g.attached_managed_policies.as_deref(),
            attached_policy,
        )
        .build()
}

fn role(r: &iam::Role) -> Value {
    Obj::new()
        .put("Path", r.path())
        .put("RoleName", r.role_name())
        .put("RoleId", r.role_id())
        .put("Arn", r.arn())
        .put("CreateDate", timestamp(r.create_date()))
        .policy("AssumeRolePolicyDocument", r.assume_role_policy_document())
        .opt("Description", r.description())
        .opt("MaxSessionDuration", r.max_session_duration())
        .opt("PermissionsBoundary", r.permissions_boundary().map(boundary))
        .list("Tags", tags(&r.tags), tag)
        .opt("RoleLastUsed", r.role_last_used().map(role_last_used))
        .build()
}

fn instance_profile(p: &iam::InstanceProfile) -> Value {
    Obj::new()
        .put("Path", p.path())
        .put("InstanceProfileName", p.instance_profile_name())
        .put("InstanceProfileId", p.instance_profile_id())
        .put("Arn", p.arn())
        .put("CreateDate", timestamp(p.create_date()))
        .put("Roles", Value::Array(p.roles().iter().map(role).collect()))
        .list("Tags", tags(&p.tags), tag)
        .build()
}

/// A `RoleDetailList` entry.
pub(crate) fn role_detail(r: &iam::RoleDetail) -> Value {
    Obj::new()
        .opt("Path", r.path())
        .opt("RoleName", r.role_name())
        .opt("RoleId", r.role_id())
        .opt("Arn", r.arn())
        .time("CreateDate", r.create_date())
        .policy("AssumeRolePolicyDocument", r.assume_role_policy_document())
        .list(
            "InstanceProfileList",
            r.instance_profile_list.as_deref(),
            instance_profile,
        )
        .list("RolePolicyList", r.role_policy_list.as_deref(), inline_policy)
        .list(
            "AttachedManagedPolicies",
            r.attached_managed_policies.as_deref(),
            attached_policy,
        )
        .opt("PermissionsBoundary", r.permissions_boundary().map(boundary))
        .list("Tags", tags(&r.tags), tag)
        .opt("RoleLastUsed", r.role_last_used().map(role_last_used))
        .build()
}

fn policy_version(v: &iam::PolicyVersion) -> Value {
    Obj::new()
        .policy("Document", v.document())
        .opt("VersionId", v.version_id())
        .put("IsDefaultVersion", v.is_default_version())
        .time("CreateDate", v.create_date())
        .build()
}

/// A `Policies` entry.
pub(crate) fn managed_policy(p: &iam::ManagedPolicyDetail) -> Value {
    Obj::new()
        .opt("PolicyName", p.policy_name())
        .opt("PolicyId", p.policy_id())
        .opt("Arn", p.arn())
        .opt("Path", p.path())
        .opt("DefaultVersionId", p.default_version_id())
        .opt("AttachmentCount", p.attachment_count())
        .opt("PermissionsBoundaryUsageCount", p.permissions_boundary_usage_count())
        .put("IsAttachable", p.is_attachable())
        .opt("Description", p.description())
        .time("CreateDate", p.create_date())
        .time("UpdateDate", p.update_date())
        .list("PolicyVersionList", p.policy_version_list.as_deref(), policy_version)
        .build()
}

/// `get-account-password-policy`.
pub(crate) fn password_policy(p: &iam::PasswordPolicy) -> Value {
    let policy = Obj::new()
        .opt("MinimumPasswordLength", p.minimum_password_length())
        .put("RequireSymbols", p.require_symbols())
        .put("RequireNumbers", p.require_numbers())
        .put("RequireUppercaseCharacters", p.require_uppercase_characters())
        .put("RequireLowercaseCharacters", p.require_lowercase_characters())
        .put("AllowUsersToChangePassword", p.allow_users_to_change_password())
        .put("ExpirePasswords", p.expire_passwords())
        .opt("MaxPasswordAge", p.max_password_age())
        .opt("PasswordReusePrevention", p.password_reuse_prevention())
        .opt("HardExpiry", p.hard_expiry())
        .build();
    Obj::new().put("PasswordPolicy", policy).build()
}

/// `get-account-summary` (keys sorted: the SDK hands the map over unordered).
pub(crate) fn account_summary(map: Option<&std::collections::HashMap<iam::SummaryKeyType, i32>>) -> Value {
    let mut entries: Vec<(&str, i32)> = map.into_iter().flatten().map(|(k, v)| (k.as_str(), *v)).collect();
    entries.sort();
    let summary = entries.into_iter().fold(Obj::new(), |o, (k, v)| o.put(k, v)).build();
    Obj::new().put("SummaryMap", summary).build()
}

fn mfa_user(u: &iam::User) -> Value {
    Obj::new()
        .put("Path", u.path())
        .put("UserName", u.user_name())
        .put("UserId", u.user_id())
        .put("Arn", u.arn())
        .put("CreateDate", timestamp(u.create_date()))
        .time("PasswordLastUsed", u.password_last_used())
        .opt("PermissionsBoundary", u.permissions_boundary().map(boundary))
        .list("Tags", tags(&u.tags), tag)
        .build()
}

/// A `VirtualMFADevices` entry, without `Base32StringSeed` and `QRCodePNG` (secrets).
pub(crate) fn virtual_mfa_device(d: &iam::VirtualMfaDevice) -> Value {
    Obj::new()
        .put("SerialNumber", d.serial_number())
        .opt("User", d.user().map(mfa_user))
        .time("EnableDate", d.enable_date())
        .list("Tags", tags(&d.tags), tag)
        .build()
}

fn string_map(m: &std::collections::HashMap<String, String>) -> Value {
    let mut entries: Vec<_> = m.iter().collect();
    entries.sort();
    entries
        .into_iter()
        .fold(Obj::new(), |o, (k, v)| o.put(k, v.as_str()))
        .build()
}

fn analyzer_configuration(c: &aa::AnalyzerConfiguration) -> Value {
    match c {
        aa::AnalyzerConfiguration::UnusedAccess(u) => {
            let rule = u.analysis_rule().map(|r| {
                Obj::new()
                    .list("exclusions", r.exclusions.as_deref(), |e| {
                        Obj::new()
                            .list("accountIds", e.account_ids.as_deref(), |a| string(a))
                            .list("resourceTags", e.resource_tags.as_deref(), string_map)
                            .build()
                    })
                    .build()
            });
            let inner = Obj::new()
                .opt("unusedAccessAge", u.unused_access_age())
                .opt("analysisRule", rule)
                .build();
            Obj::new().put("unusedAccess", inner).build()
        }
        aa::AnalyzerConfiguration::InternalAccess(i) => {
            let rule = i.analysis_rule().map(|r| {
                Obj::new()
                    .list("inclusions", r.inclusions.as_deref(), |e| {
                        Obj::new()
                            .list("accountIds", e.account_ids.as_deref(), |a| string(a))
                            .list("resourceTypes", e.resource_types.as_deref(), |t| string(t.as_str()))
                            .list("resourceArns", e.resource_arns.as_deref(), |a| string(a))
                            .build()
                    })
                    .build()
            });
            Obj::new()
                .put("internalAccess", Obj::new().opt("analysisRule", rule).build())
                .build()
        }
        _ => Obj::new().build(),
    }
}

/// An `analyzers` entry of `list-analyzers`.
pub(crate) fn analyzer(a: &aa::AnalyzerSummary) -> Value {
    Obj::new()
        .put("arn", a.arn())
        .put("name", a.name())
        .put("type", a.r#type().as_str())
        .put("createdAt", timestamp(a.created_at()))
        .opt("lastResourceAnalyzed", a.last_resource_analyzed())
        .time("lastResourceAnalyzedAt", a.last_resource_analyzed_at())
        .opt("tags", a.tags.as_ref().map(string_map))
        .put("status", a.status().as_str())
        .opt(
            "statusReason",
            a.status_reason()
                .map(|r| Obj::new().put("code", r.code().as_str()).build()),
        )
        .opt("configuration", a.configuration().map(analyzer_configuration))
        .build()
}

/// A `findings` entry of `list-findings-v2`.
pub(crate) fn finding(f: &aa::FindingSummaryV2) -> Value {
    Obj::new()
        .put("analyzedAt", timestamp(f.analyzed_at()))
        .put("createdAt", timestamp(f.created_at()))
        .opt("error", f.error())
        .put("id", f.id())
        .opt("resource", f.resource())
        .put("resourceType", f.resource_type().as_str())
        .put("resourceOwnerAccount", f.resource_owner_account())
        .put("status", f.status().as_str())
        .put("updatedAt", timestamp(f.updated_at()))
        .opt("findingType", f.finding_type().map(|t| t.as_str()))
        .build()
}

// IAM Identity Center (sso-admin) and its identity store.

/// A string the SDK models as required, which it sets to `""` when the answer lacks it:
/// printed only when the service sent it, as the CLI does.
fn required(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// A boolean the SDK reads as `false` when the answer lacks it: printed when `true` (an
/// absent flag and `false` mean the same: not the primary one).
fn flag(b: bool) -> Option<bool> {
    b.then_some(true)
}

fn region_metadata(r: &sso::RegionMetadata) -> Value {
    Obj::new()
        .opt("RegionName", r.region_name())
        .opt("Status", r.status().map(|s| s.as_str()))
        .time("AddedDate", r.added_date())
        .put("IsPrimaryRegion", r.is_primary_region())
        .build()
}

/// An `Instances` entry of `aws sso-admin list-instances`.
pub(crate) fn sso_instance(i: &sso::InstanceMetadata) -> Value {
    Obj::new()
        .opt("InstanceArn", i.instance_arn())
        .opt("IdentityStoreId", i.identity_store_id())
        .opt("IdentityStoreArn", i.identity_store_arn())
        .opt("OwnerAccountId", i.owner_account_id())
        .opt("Name", i.name())
        .time("CreatedDate", i.created_date())
        .opt("Status", i.status().map(|s| s.as_str()))
        .opt("StatusReason", i.status_reason())
        .opt("PrimaryRegion", i.primary_region())
        .list("Regions", i.regions.as_deref(), region_metadata)
        .build()
}

/// `aws sso-admin describe-permission-set`'s `PermissionSet`.
pub(crate) fn permission_set(p: &sso::PermissionSet) -> Value {
    Obj::new()
        .opt("Name", p.name())
        .opt("PermissionSetArn", p.permission_set_arn())
        .opt("Description", p.description())
        .time("CreatedDate", p.created_date())
        .opt("SessionDuration", p.session_duration())
        .opt("RelayState", p.relay_state())
        .build()
}

/// An `AttachedManagedPolicies` entry.
pub(crate) fn attached_managed_policy(p: &sso::AttachedManagedPolicy) -> Value {
    Obj::new().opt("Name", p.name()).opt("Arn", p.arn()).build()
}

/// A `CustomerManagedPolicyReferences` entry (also a boundary's reference).
pub(crate) fn customer_managed_policy_reference(r: &sso::CustomerManagedPolicyReference) -> Value {
    Obj::new().put("Name", r.name()).opt("Path", r.path()).build()
}

/// `aws sso-admin get-permissions-boundary-for-permission-set`'s `PermissionsBoundary`.
pub(crate) fn permissions_boundary(b: &sso::PermissionsBoundary) -> Value {
    Obj::new()
        .opt(
            "CustomerManagedPolicyReference",
            b.customer_managed_policy_reference()
                .map(customer_managed_policy_reference),
        )
        .opt("ManagedPolicyArn", b.managed_policy_arn())
        .build()
}

/// An `AccountAssignments` entry of `aws sso-admin list-account-assignments`.
pub(crate) fn account_assignment(a: &sso::AccountAssignment) -> Value {
    Obj::new()
        .opt("AccountId", a.account_id())
        .opt("PermissionSetArn", a.permission_set_arn())
        .opt("PrincipalType", a.principal_type().map(|t| t.as_str()))
        .opt("PrincipalId", a.principal_id())
        .build()
}

fn external_id(e: &ids::ExternalId) -> Value {
    Obj::new().put("Issuer", e.issuer()).put("Id", e.id()).build()
}

fn person_name(n: &ids::Name) -> Value {
    Obj::new()
        .opt("Formatted", n.formatted())
        .opt("FamilyName", n.family_name())
        .opt("GivenName", n.given_name())
        .opt("MiddleName", n.middle_name())
        .opt("HonorificPrefix", n.honorific_prefix())
        .opt("HonorificSuffix", n.honorific_suffix())
        .build()
}

fn email(e: &ids::Email) -> Value {
    Obj::new()
        .opt("Value", e.value())
        .opt("Type", e.r#type())
        .opt("Primary", flag(e.primary()))
        .build()
}

fn address(a: &ids::Address) -> Value {
    Obj::new()
        .opt("StreetAddress", a.street_address())
        .opt("Locality", a.locality())
        .opt("Region", a.region())
        .opt("PostalCode", a.postal_code())
        .opt("Country", a.country())
        .opt("Formatted", a.formatted())
        .opt("Type", a.r#type())
        .opt("Primary", flag(a.primary()))
        .build()
}

fn phone_number(p: &ids::PhoneNumber) -> Value {
    Obj::new()
        .opt("Value", p.value())
        .opt("Type", p.r#type())
        .opt("Primary", flag(p.primary()))
        .build()
}

fn photo(p: &ids::Photo) -> Value {
    Obj::new()
        .opt("Value", required(p.value()))
        .opt("Type", p.r#type())
        .opt("Display", p.display())
        .opt("Primary", flag(p.primary()))
        .build()
}

fn user_role(r: &ids::Role) -> Value {
    Obj::new()
        .opt("Value", r.value())
        .opt("Type", r.r#type())
        .opt("Primary", flag(r.primary()))
        .build()
}

/// A JSON document the SDK holds as a [`aws_smithy_types::Document`].
fn document(d: &aws_smithy_types::Document) -> Value {
    use aws_smithy_types::{Document, Number};
    match d {
        Document::Object(m) => {
            let mut entries: Vec<_> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k.clone(), document(v))).collect())
        }
        Document::Array(xs) => Value::Array(xs.iter().map(document).collect()),
        Document::Number(Number::PosInt(n)) => Value::from(*n),
        Document::Number(Number::NegInt(n)) => Value::from(*n),
        Document::Number(Number::Float(f)) => Value::from(*f),
        Document::String(s) => string(s),
        Document::Bool(b) => Value::Bool(*b),
        Document::Null => Value::Null,
    }
}

/// A `Users` entry of `aws identitystore list-users`.
pub(crate) fn identity_store_user(u: &ids::User) -> Value {
    let extensions = u.extensions.as_ref().map(|m| {
        let mut entries: Vec<_> = m.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        entries
            .into_iter()
            .fold(Obj::new(), |o, (k, v)| o.put(k, document(v)))
            .build()
    });
    Obj::new()
        .opt("IdentityStoreId", required(u.identity_store_id()))
        .opt("UserId", required(u.user_id()))
        .opt("UserArn", required(u.user_arn()))
        .opt("Revision", required(u.revision()))
        .opt("UserName", u.user_name())
        .list("ExternalIds", u.external_ids.as_deref(), external_id)
        .opt("Name", u.name().map(person_name))
        .opt("DisplayName", u.display_name())
        .opt("NickName", u.nick_name())
        .opt("ProfileUrl", u.profile_url())
        .list("Emails", u.emails.as_deref(), email)
        .list("Addresses", u.addresses.as_deref(), address)
        .list("PhoneNumbers", u.phone_numbers.as_deref(), phone_number)
        .opt("UserType", u.user_type())
        .opt("Title", u.title())
        .opt("PreferredLanguage", u.preferred_language())
        .opt("Locale", u.locale())
        .opt("Timezone", u.timezone())
        .opt("UserStatus", u.user_status().map(|s| s.as_str()))
        .list("Photos", u.photos.as_deref(), photo)
        .opt("Website", u.website())
        .opt("Birthdate", u.birthdate())
        .list("Roles", u.roles.as_deref(), user_role)
        .time("CreatedAt", u.created_at())
        .opt("CreatedBy", u.created_by())
        .time("UpdatedAt", u.updated_at())
        .opt("UpdatedBy", u.updated_by())
        .opt("Extensions", extensions)
        .build()
}

/// A `Groups` entry of `aws identitystore list-groups`.
pub(crate) fn identity_store_group(g: &ids::Group) -> Value {
    Obj::new()
        .opt("IdentityStoreId", required(g.identity_store_id()))
        .opt("GroupId", required(g.group_id()))
        .opt("GroupArn", required(g.group_arn()))
        .opt("Revision", required(g.revision()))
        .opt("DisplayName", g.display_name())
        .list("ExternalIds", g.external_ids.as_deref(), external_id)
        .opt("Description", g.description())
        .time("CreatedAt", g.created_at())
        .time("UpdatedAt", g.updated_at())
        .opt("CreatedBy", g.created_by())
        .opt("UpdatedBy", g.updated_by())
        .build()
}

/// A `GroupMemberships` entry of `aws identitystore list-group-memberships`. A member of
/// a kind this SDK does not know is printed as an empty object.
pub(crate) fn group_membership(m: &ids::GroupMembership) -> Value {
    let member = m.member_id().map(|id| match id {
        ids::MemberId::UserId(user) => Obj::new().put("UserId", user.as_str()).build(),
        _ => Obj::new().build(),
    });
    Obj::new()
        .opt("IdentityStoreId", required(m.identity_store_id()))
        .opt("MembershipId", required(m.membership_id()))
        .opt("MembershipArn", required(m.membership_arn()))
        .opt("GroupId", m.group_id())
        .opt("MemberId", member)
        .time("CreatedAt", m.created_at())
        .time("UpdatedAt", m.updated_at())
        .opt("CreatedBy", m.created_by())
        .opt("UpdatedBy", m.updated_by())
        .build()
}

/// `value` as the AWS CLI prints JSON: 4-space indentation and a trailing newline.
pub(crate) fn pretty(value: &Value) -> Vec<u8> {
    use serde::Serialize;
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Serialising a `Value` into a Vec cannot fail.
    let _ = value.serialize(&mut ser);
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_documents_are_decoded_like_the_cli() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(
            policy_document(encoded),
            serde_json::json!({"Version": "2012-10-17", "Statement": []})
        );
        // Not JSON once decoded: kept as received.
        assert_eq!(policy_document("not%20json"), Value::String("not%20json".into()));
    }

    #[test]
    fn pretty_json_has_four_space_indent_and_newline() {
        let text = String::from_utf8(pretty(&serde_json::json!({"A": [1], "B": []}))).unwrap_or_default();
        assert_eq!(text, "{\n    \"A\": [\n        1\n    ],\n    \"B\": []\n}\n");
    }

    #[test]
    fn timestamps_are_iso_8601_utc() {
        let t = aws_smithy_types::DateTime::from_secs(1_700_000_000);
        assert_eq!(timestamp_string(&t), "2023-11-14T22:13:20Z");
    }
}
