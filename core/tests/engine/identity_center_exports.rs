//! Reading the Identity Center files of an exports directory (`ExportSet::read_dir`): every
//! file of the layout, nested as it is, and nothing else; names that are not a region or an
//! ID are ignored, never followed into a path; the size limit and the refusal of what is
//! not a regular file hold for the nested files as for the others; a symbolic link back up
//! the tree does not make the walk endless.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;

use hipaa_iam_core::account::{file, ExportSet, InputLimits};
use hipaa_iam_tests::exports_dir;

const INSTANCE: &str = "ssoins-1234567890abcdef";
const PS: &str = "ps-0123456789abcdef";
const GROUP: &str = "906744f5d8-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
const ACCOUNT: &str = "111122223333";

/// Every Identity Center file of one instance with one permission set, one account and one
/// group, in `region`.
fn layout(region: &str) -> Vec<String> {
    let mut names = vec![
        file::identity_center_instances(region),
        file::identity_center_permission_sets(region, INSTANCE),
        file::identity_center_users(region, INSTANCE),
        file::identity_center_groups(region, INSTANCE),
        file::identity_center_group_memberships(region, INSTANCE, GROUP),
        file::identity_center_assignments(region, INSTANCE, PS, ACCOUNT),
    ];
    for leaf in file::permission_set::FILES {
        names.push(file::identity_center_permission_set(region, INSTANCE, PS, leaf));
    }
    names
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn every_layout_file_is_read_and_nothing_else() {
    let dir = exports_dir(&[]);
    let mut expected = BTreeSet::new();
    for region in ["us-east-1", "eu-west-1"] {
        for name in layout(region) {
            write(dir.path(), &name, &format!("{{\"file\": \"{name}\"}}\n"));
            expected.insert(name);
        }
    }
    assert_eq!(
        file::identity_center_assignments("us-east-1", INSTANCE, PS, ACCOUNT),
        format!("identity-center/us-east-1/{INSTANCE}/permission-sets/{PS}/assignments/{ACCOUNT}.json"),
        "the layout's paths"
    );
    // Beside them: names no collection makes, which are not read.
    let base = format!("identity-center/us-east-1/{INSTANCE}");
    for other in [
        "identity-center/US-EAST-1/instances.json".to_string(),
        "identity-center/us-east-1/not a region/instances.json".to_string(),
        "identity-center/notes.json".to_string(),
        "identity-center/us-east-1/bad id/users.json".to_string(),
        format!("identity-center/us-east-1/.{INSTANCE}/users.json"),
        format!("{base}/notes.txt"),
        format!("{base}/users.json.bak"),
        format!("{base}/group-memberships/g 2.json"),
        format!("{base}/group-memberships/.{GROUP}.json.tmp-1"),
        format!("{base}/group-memberships/{GROUP}.txt"),
        format!("{base}/permission-sets/{PS}/extra.json"),
        format!("{base}/permission-sets/{PS}/assignments/-1.json"),
        format!("{base}/permission-sets/ps 2/permission-set.json"),
    ] {
        write(dir.path(), &other, "{}\n");
    }
    // A link back up the tree, in an instance's place.
    #[cfg(unix)]
    std::os::unix::fs::symlink("..", dir.path().join("identity-center/us-east-1/ssoins-loop")).unwrap();

    let set = ExportSet::read_dir(dir.path()).unwrap();
    let read: BTreeSet<String> = set.files.keys().cloned().collect();
    assert_eq!(read, expected);
    for name in &expected {
        assert_eq!(
            set.get(name).unwrap(),
            format!("{{\"file\": \"{name}\"}}\n").as_bytes(),
            "{name}"
        );
    }
}

#[test]
fn how_to_make_names_the_aws_cli_command_of_each_file() {
    for (name, command) in [
        (
            file::identity_center_instances("us-east-1"),
            "aws sso-admin list-instances",
        ),
        (
            file::identity_center_permission_sets("us-east-1", INSTANCE),
            "aws sso-admin list-permission-sets",
        ),
        (
            file::identity_center_permission_set("us-east-1", INSTANCE, PS, file::permission_set::DESCRIPTION),
            "aws sso-admin describe-permission-set",
        ),
        (
            file::identity_center_permission_set("us-east-1", INSTANCE, PS, file::permission_set::PERMISSIONS_BOUNDARY),
            "aws sso-admin get-permissions-boundary-for-permission-set",
        ),
        (
            file::identity_center_assignments("us-east-1", INSTANCE, PS, ACCOUNT),
            "aws sso-admin list-account-assignments",
        ),
        (
            file::identity_center_group_memberships("us-east-1", INSTANCE, GROUP),
            "aws identitystore list-group-memberships",
        ),
        (
            file::identity_center_users("us-east-1", INSTANCE),
            "aws identitystore list-users",
        ),
    ] {
        assert!(
            file::how_to_make(&name).starts_with(command),
            "{name}: {}",
            file::how_to_make(&name)
        );
    }
    assert_eq!(
        file::how_to_make("identity-center/us-east-1/x/unknown.json"),
        "hipaa-iam collect --output DIR"
    );
}

#[test]
fn a_nested_file_over_the_size_limit_is_an_error_naming_it() {
    let dir = exports_dir(&[]);
    let name = file::identity_center_assignments("us-east-1", INSTANCE, PS, ACCOUNT);
    write(
        dir.path(),
        &name,
        &format!("{{\"AccountAssignments\": [{}]}}", " ".repeat(2000)),
    );
    let e = ExportSet::read_dir_with(dir.path(), InputLimits::uniform(1000))
        .unwrap_err()
        .to_string();
    assert!(e.contains(&dir.path().join(&name).display().to_string()), "{e}");
    assert!(e.contains("over the limit"), "{e}");
}

#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_a_nested_file_is_an_error_naming_it_not_a_hang() {
    let dir = exports_dir(&[]);
    let name = file::identity_center_users("us-east-1", INSTANCE);
    let path = dir.path().join(&name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = std::process::Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(status.success());
    let (tx, rx) = std::sync::mpsc::channel();
    let root = dir.path().to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(ExportSet::read_dir(&root).map(|_| ()));
    });
    let e = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("reading blocked")
        .unwrap_err()
        .to_string();
    assert!(e.contains(&path.display().to_string()) && e.contains("FIFO"), "{e}");
}
