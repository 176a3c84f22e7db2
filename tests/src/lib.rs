//! Test harness shared by the workspace's tests.
//!
//! Tests that need AWS talk to a real moto server over HTTP. `.ci/run` starts one and
//! exports `AWS_ENDPOINT_URL` (and `HIPAA_IAM_MOTO_ENDPOINTS` when it starts several);
//! [`moto`] gives each test one server to itself, reset, while other tests use the others
//! (cargo runs test binaries one after another, and the tests of one binary side by side).
//! The AWS CLI used to make fixtures is `$HIPAA_IAM_AWS_CLI`, or `aws` on `PATH`.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

pub mod account;
pub mod identity_center;

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::Duration;

/// A command for a test to run, usually the `hipaa-iam` binary under test: without what the
/// caller's environment could change (colour, terminal width, an AWS profile, GitHub
/// Actions' variables) and with stdin closed. Tests add their arguments, directory and
/// environment with `Command`'s own methods, and run it with [`output`].
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut c = Command::new(program);
    c.env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .env_remove("AWS_PROFILE")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(Stdio::null());
    c
}

/// [`command`] for a program that must not reach any AWS endpoint: dummy credentials, no
/// configuration files, no instance metadata, and an endpoint that does not answer.
pub fn offline_command(program: impl AsRef<OsStr>) -> Command {
    let mut c = command(program);
    c.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    c
}

/// How long a command run by [`output`] may take before it is killed and the test fails.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `cmd` to its end and returns its output. A command that runs longer than
/// [`COMMAND_TIMEOUT`] is killed and the test fails naming it: nothing a test runs may hang
/// the suite (a FIFO in place of a file, a server that never answers).
pub fn output(cmd: &mut Command) -> Output {
    let what = format!("{cmd:?}");
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(COMMAND_TIMEOUT) {
        Ok(out) => out.unwrap_or_else(|e| panic!("{what}: {e}")),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("{what} did not end within {} s", COMMAND_TIMEOUT.as_secs());
        }
    }
}

/// stdout and stderr of `out` as text (invalid UTF-8 replaced).
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The account ID moto uses by default.
pub const MOTO_ACCOUNT_ID: &str = "123456789012";

/// A reset moto server, held exclusively by one test until dropped.
#[derive(Debug)]
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    slot: usize,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let pool = pool();
        let mut free = pool.free.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        free[self.slot] = true;
        pool.freed.notify_all();
    }
}

/// The moto servers of this test process: one test holds one at a time.
struct Pool {
    endpoints: Vec<String>,
    free: Mutex<Vec<bool>>,
    freed: Condvar,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let endpoints = moto_endpoints();
        Pool {
            free: Mutex::new(vec![true; endpoints.len()]),
            endpoints,
            freed: Condvar::new(),
        }
    })
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

/// The moto servers the tests may use: `HIPAA_IAM_MOTO_ENDPOINTS` (comma-separated; `.ci/run`
/// starts several so that tests needing moto run side by side), else [`moto_endpoint`].
pub fn moto_endpoints() -> Vec<String> {
    let listed: Vec<String> = std::env::var("HIPAA_IAM_MOTO_ENDPOINTS")
        .unwrap_or_default()
        .split(',')
        .map(|e| e.trim().trim_end_matches('/').to_string())
        .filter(|e| !e.is_empty())
        .collect();
    if listed.is_empty() {
        vec![moto_endpoint()]
    } else {
        listed
    }
}

/// Takes a moto server for this test (waiting until one is free) and resets its state.
/// Programs the test runs reach it through [`Moto::env`] or [`Moto::command`].
pub fn moto() -> Moto {
    take_moto(|_| true)
}

/// Takes the moto server of this process's own environment (`AWS_ENDPOINT_URL`), for a test
/// that calls AWS in-process (the library, the C ABI), where the SDK reads the endpoint from
/// the environment; waits until that one is free.
pub fn moto_in_process() -> Moto {
    let own = moto_endpoint();
    take_moto(|endpoint| endpoint == own)
}

fn take_moto(usable: impl Fn(&str) -> bool) -> Moto {
    let pool = pool();
    assert!(
        pool.endpoints.iter().any(|e| usable(e)),
        "no moto server for this test among {:?} (AWS_ENDPOINT_URL must be one of HIPAA_IAM_MOTO_ENDPOINTS)",
        pool.endpoints
    );
    let mut free = pool.free.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let slot = loop {
        if let Some(i) = (0..free.len()).find(|&i| free[i] && usable(&pool.endpoints[i])) {
            free[i] = false;
            break i;
        }
        free = pool.freed.wait(free).unwrap_or_else(|poisoned| poisoned.into_inner());
    };
    drop(free);
    let moto = Moto {
        endpoint: pool.endpoints[slot].clone(),
        slot,
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

    /// [`command`] pointed at this moto server with dummy credentials ([`Moto::env`]).
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = command(program);
        c.envs(self.env());
        c
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

/// Every file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every file under `dir` by its relative path (`/`-separated), with its bytes.
pub fn read_tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            let bytes = std::fs::read(&p).unwrap();
            (rel, bytes)
        })
        .collect()
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
