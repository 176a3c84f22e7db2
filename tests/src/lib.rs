//! Test harness shared by the workspace's tests.
//!
//! Tests that need AWS talk to a real moto server over HTTP. `.ci/run` starts one and
//! exports `AWS_ENDPOINT_URL`; [`moto`] reads it, serialises the tests of one test binary
//! that use it (cargo runs test binaries one after another), and resets moto's state.
//! The AWS CLI used to make fixtures is `$HIPAA_IAM_AWS_CLI`, or `aws` on `PATH`.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

static MOTO_LOCK: Mutex<()> = Mutex::new(());

/// The account ID moto uses by default.
pub const MOTO_ACCOUNT_ID: &str = "123456789012";

/// A reset moto server, held exclusively by one test until dropped.
#[derive(Debug)]
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    _guard: MutexGuard<'static, ()>,
}

/// The moto endpoint from `AWS_ENDPOINT_URL`; panics with how to start one.
pub fn moto_endpoint() -> String {
    match std::env::var("AWS_ENDPOINT_URL") {
        Ok(url) if !url.trim().is_empty() => url.trim_end_matches('/').to_string(),
        _ => panic!(
            "this test needs a moto server: run the whole suite with `.ci/run`, or start one with \
             `scripts/moto-server.sh start` and `export AWS_ENDPOINT_URL=http://127.0.0.1:PORT` \
             (the script prints the port) with dummy AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
        ),
    }
}

/// Takes the moto server for this test and resets its state.
pub fn moto() -> Moto {
    let endpoint = moto_endpoint();
    let guard = MOTO_LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let moto = Moto {
        endpoint,
        _guard: guard,
    };
    moto.post("/moto-api/reset", "");
    moto
}

impl Moto {
    /// `host:port` of the endpoint.
    fn authority(&self) -> String {
        self.endpoint.trim_start_matches("http://").to_string()
    }

    /// A raw HTTP POST to the moto server (its `/moto-api/...` control endpoints); returns
    /// the response body. Panics on a non-2xx status.
    pub fn post(&self, path: &str, body: &str) -> String {
        self.http("POST", path, body)
    }

    /// A raw HTTP GET to the moto server; returns the response body.
    pub fn get(&self, path: &str) -> String {
        self.http("GET", path, "")
    }

    fn http(&self, method: &str, path: &str, body: &str) -> String {
        let authority = self.authority();
        let mut stream = std::net::TcpStream::connect(&authority)
            .unwrap_or_else(|e| panic!("cannot reach moto at {authority}: {e}; is it running?"));
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response.split_whitespace().nth(1).unwrap_or("");
        assert!(
            status.starts_with('2'),
            "moto {method} {path} answered {status}: {response}"
        );
        let body = response.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
        if response.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            dechunk(body)
        } else {
            body.to_string()
        }
    }

    /// The environment that points an AWS client (the CLI, boto3, the SDK, `hipaa-iam`)
    /// at this moto server with dummy credentials.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("AWS_ENDPOINT_URL".into(), self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID".into(), "testing".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "testing".into()),
            ("AWS_SESSION_TOKEN".into(), "testing".into()),
            ("AWS_REGION".into(), "us-east-1".into()),
            ("AWS_DEFAULT_REGION".into(), "us-east-1".into()),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
            ("AWS_CONFIG_FILE".into(), "/dev/null".into()),
            ("AWS_SHARED_CREDENTIALS_FILE".into(), "/dev/null".into()),
        ]
    }

    /// Runs the AWS CLI against moto with `--output json` and returns the parsed output
    /// (`Null` for commands that print nothing). Panics with the CLI's stderr on failure.
    pub fn aws(&self, args: &[&str]) -> serde_json::Value {
        self.aws_json(args, None)
    }

    /// Like [`Moto::aws`], with `credentials` (e.g. from [`Moto::assume_role`]) instead of
    /// the dummy ones: moto works in the account the credentials belong to.
    pub fn aws_with(&self, credentials: &TempCredentials, args: &[&str]) -> serde_json::Value {
        self.aws_json(args, Some(credentials))
    }

    /// Calls moto's STS `AssumeRole` for `role_name` in `account` (moto grants it to
    /// anyone, and maps the credentials it returns to that account).
    pub fn assume_role(&self, account: &str, role_name: &str) -> TempCredentials {
        let arn = format!("arn:aws:iam::{account}:role/{role_name}");
        let out = self.aws(&[
            "sts",
            "assume-role",
            "--role-arn",
            &arn,
            "--role-session-name",
            "hipaa-iam-tests",
        ]);
        let c = &out["Credentials"];
        let field = |k: &str| {
            c[k].as_str()
                .unwrap_or_else(|| panic!("AssumeRole of {arn}: no {k} in {out}"))
                .to_string()
        };
        TempCredentials {
            access_key_id: field("AccessKeyId"),
            secret_access_key: field("SecretAccessKey"),
            session_token: field("SessionToken"),
        }
    }

    fn aws_json(&self, args: &[&str], credentials: Option<&TempCredentials>) -> serde_json::Value {
        let out = self.aws_raw_as(args, credentials);
        assert!(
            out.status.success(),
            "aws {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        if text.trim().is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("aws {}: output is not JSON ({e}): {text}", args.join(" ")))
        }
    }

    /// Runs `f` while moto records the requests it receives; returns what `f` returned and
    /// the body of every request (query-protocol calls carry `Action=<Operation>`).
    pub fn recording<T>(&self, f: impl FnOnce() -> T) -> (T, Vec<String>) {
        use base64::Engine as _;
        self.post("/moto-api/recorder/reset-recording", "");
        self.post("/moto-api/recorder/start-recording", "");
        let result = f();
        self.post("/moto-api/recorder/stop-recording", "");
        let bodies = self
            .get("/moto-api/recorder/download-recording")
            .lines()
            .map(|l| {
                let entry: serde_json::Value = serde_json::from_str(l).unwrap();
                let body = entry["body"].as_str().unwrap_or_default();
                if entry["body_encoded"] == true {
                    let bytes = base64::engine::general_purpose::STANDARD.decode(body).unwrap();
                    String::from_utf8_lossy(&bytes).into_owned()
                } else {
                    body.to_string()
                }
            })
            .collect();
        (result, bodies)
    }

    /// Runs the AWS CLI against moto and returns its raw output, success or not.
    pub fn aws_raw(&self, args: &[&str]) -> std::process::Output {
        self.aws_raw_as(args, None)
    }

    fn aws_raw_as(&self, args: &[&str], credentials: Option<&TempCredentials>) -> std::process::Output {
        let mut cmd = Command::new(aws_cli());
        cmd.args(args).args(["--output", "json"]).envs(self.env());
        if let Some(c) = credentials {
            cmd.env("AWS_ACCESS_KEY_ID", &c.access_key_id)
                .env("AWS_SECRET_ACCESS_KEY", &c.secret_access_key)
                .env("AWS_SESSION_TOKEN", &c.session_token);
        }
        cmd.output().unwrap_or_else(|e| {
            panic!(
                "cannot run the AWS CLI ({}): {e}; .ci/run installs it",
                aws_cli().display()
            )
        })
    }
}

/// Temporary credentials from STS `AssumeRole` (moto's: they hold no real secret).
#[derive(Debug, Clone)]
pub struct TempCredentials {
    /// `ASIA...`.
    pub access_key_id: String,
    /// The secret part.
    pub secret_access_key: String,
    /// The session token.
    pub session_token: String,
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&tail[..n.min(tail.len())]);
        rest = tail.get(n + 2..).unwrap_or("");
    }
    out
}

/// The AWS CLI: `$HIPAA_IAM_AWS_CLI`, or `aws` on `PATH`.
pub fn aws_cli() -> PathBuf {
    std::env::var_os("HIPAA_IAM_AWS_CLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("aws"))
}

/// The Python interpreter with boto3 (the test venv's): `$HIPAA_IAM_PYTHON`, or `python3`.
pub fn python() -> PathBuf {
    std::env::var_os("HIPAA_IAM_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"))
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `examples/demo-account`.
pub fn demo_account() -> PathBuf {
    workspace_root().join("examples").join("demo-account")
}

/// A fresh temporary directory.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Writes `files` (relative path, contents) into a new temporary directory: a small
/// exports directory for one test.
pub fn exports_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = temp_dir();
    for (name, contents) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    dir
}

/// `(check_id, resource_name, status)` of every finding of a report in `audit --format
/// json`'s shape: what a test compares between two audits.
pub fn finding_triples(report: &serde_json::Value) -> std::collections::BTreeSet<(String, String, String)> {
    report["findings"]
        .as_array()
        .expect("a report has a findings array")
        .iter()
        .map(|f| {
            let field = |k: &str| {
                f[k].as_str()
                    .unwrap_or_else(|| panic!("finding without {k}: {f}"))
                    .to_string()
            };
            (field("check_id"), field("resource_name"), field("status"))
        })
        .collect()
}

/// The account ID in `examples/demo-account`.
pub const DEMO_ACCOUNT_ID: &str = "123456789012";

/// Every file under `dir` by its relative path (`/`-separated), with its bytes.
pub fn read_tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The demo account's exports under account ID `id`, with `edit` applied to each file's
/// text (by relative path); `edit` returning `None` leaves the file out.
pub fn demo_account_as(id: &str, edit: impl Fn(&str, String) -> Option<String>) -> tempfile::TempDir {
    let files: Vec<(String, String)> = read_tree(&demo_account())
        .into_iter()
        .filter_map(|(rel, bytes)| {
            let text = String::from_utf8(bytes).unwrap().replace(DEMO_ACCOUNT_ID, id);
            edit(&rel, text).map(|t| (rel, t))
        })
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    exports_dir(&refs)
}

impl Moto {
    /// Creates the virtual MFA device `device` with the AWS CLI (its seed goes to a
    /// temporary file that is deleted) and, when `user` is given, enables it for that
    /// user. Returns the device's serial number.
    pub fn virtual_mfa(&self, device: &str, user: Option<&str>) -> String {
        let seeds = temp_dir();
        let seed = seeds.path().join(format!("{device}.seed"));
        let created = self.aws(&[
            "iam",
            "create-virtual-mfa-device",
            "--virtual-mfa-device-name",
            device,
            "--outfile",
            seed.to_str().unwrap(),
            "--bootstrap-method",
            "Base32StringSeed",
        ]);
        let serial = created["VirtualMFADevice"]["SerialNumber"]
            .as_str()
            .unwrap()
            .to_string();
        if let Some(user) = user {
            self.aws(&[
                "iam",
                "enable-mfa-device",
                &format!("--user-name={user}"),
                "--serial-number",
                &serial,
                "--authentication-code1",
                "123456",
                "--authentication-code2",
                "654321",
            ]);
        }
        serial
    }
}
