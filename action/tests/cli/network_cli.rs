//! Every AWS call is bounded: endpoints that accept a connection and never answer, that
//! trickle their answer a byte at a time, that send an endless answer or that refuse the
//! connection end the command with exit status 2 and an error that names the call and the
//! endpoint, soon, in bounded memory. The servers are started by the tests on 127.0.0.1.
//! And AWS's own errors (from moto) read as code, message, operation and endpoint, never as
//! the SDK's debug output; and `--regions` is checked the same way by every command.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A command of the tool pointed at `endpoint` with dummy credentials and nothing from
/// the environment that could send the traffic elsewhere (profiles, proxies, IMDS).
fn hipaa_iam(endpoint: &str, cwd: &Path) -> Command {
    let mut c = crate::common::hipaa_iam();
    c.current_dir(cwd)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_SESSION_TOKEN", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env("NO_PROXY", "*")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HIPAA_IAM_CONNECT_TIMEOUT",
        "HIPAA_IAM_READ_TIMEOUT",
        "HIPAA_IAM_ATTEMPT_TIMEOUT",
        "HIPAA_IAM_OPERATION_TIMEOUT",
        "HIPAA_IAM_MAX_RESPONSE_MIB",
    ] {
        c.env_remove(var);
    }
    c
}

/// Short timeouts, so that the tests end in seconds.
const SHORT: [&str; 8] = [
    "--connect-timeout",
    "1",
    "--read-timeout",
    "1",
    "--attempt-timeout",
    "2",
    "--operation-timeout",
    "3",
];

/// What a run did: its output, how long it took, and its peak resident memory in KiB.
struct Run {
    out: Output,
    took: Duration,
    peak_kib: u64,
}

impl Run {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
}

/// Runs `cmd`, killing it after `limit` (a hang is then a failed assertion, not a hung
/// test), and watching its peak memory (VmHWM) while it runs.
fn run(mut cmd: Command, limit: Duration) -> Run {
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    // Drain the pipes while waiting: a full pipe would block the child.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stdout.read_to_end(&mut b);
        b
    });
    let err_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stderr.read_to_end(&mut b);
        b
    });
    let mut peak_kib = 0;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            if let Some(kib) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak_kib = peak_kib.max(kib);
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = start.elapsed();
    Run {
        out: Output {
            status,
            stdout: out_reader.join().unwrap(),
            stderr: err_reader.join().unwrap(),
        },
        took,
        peak_kib,
    }
}

/// A server on 127.0.0.1 that hands every connection to `serve` on its own thread; the
/// endpoint URL.
fn server(serve: impl Fn(TcpStream) + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let serve = Arc::new(serve);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let serve = serve.clone();
            std::thread::spawn(move || serve(stream));
        }
    });
    endpoint
}

/// Reads the request's head (and whatever follows in the same packets), so the client is
/// not blocked writing it.
fn read_head(stream: &mut TcpStream) {
    let mut buf = [0u8; 65536];
    let mut seen = Vec::new();
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

/// Accepts, reads the request, and never answers (the connection stays open until the
/// client gives up).
fn silent_server() -> String {
    server(|mut s| {
        read_head(&mut s);
        let mut buf = [0u8; 4096];
        while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
    })
}

/// Answers one byte every 200 ms: the status line and headers never complete.
fn trickling_head_server() -> String {
    server(|mut s| {
        read_head(&mut s);
        for b in b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n".iter().cycle() {
            if s.write_all(&[*b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    })
}

/// Sends the headers at once, then the body one byte every 100 ms.
fn trickling_body_server() -> String {
    server(|mut s| {
        read_head(&mut s);
        if s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n<Get")
            .is_err()
        {
            return;
        }
        loop {
            if s.write_all(b" ").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    })
}

/// Answers 200 with an endless chunked body, as fast as the client reads; counts the
/// bytes it managed to send.
fn endless_server(sent: Arc<AtomicU64>) -> String {
    server(move |mut s| {
        read_head(&mut s);
        if s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n")
            .is_err()
        {
            return;
        }
        let data = vec![b'x'; 64 * 1024];
        let chunk = [format!("{:x}\r\n", data.len()).into_bytes(), data, b"\r\n".to_vec()].concat();
        while s.write_all(&chunk).is_ok() {
            sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
    })
}

/// An endpoint where nothing listens: the connection is refused.
fn refusing_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    endpoint
}

/// The error line is readable: no Rust debug output, no HTTP dump, one line.
fn assert_readable(stderr: &str) {
    for bad in [
        "DispatchFailure",
        "TimeoutError",
        "ResponseError",
        "ConnectorError",
        "{",
        "}",
        "Some(",
        "HttpResponse",
        "SdkBody",
    ] {
        assert!(!stderr.contains(bad), "`{bad}` in: {stderr}");
    }
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
}

/// The run ended with exit status 2 within 20 seconds, and its one readable error line
/// holds `error` and names `endpoint`. Returns that line.
fn assert_failed_soon(r: &Run, error: &str, endpoint: &str) -> String {
    let stderr = r.stderr();
    assert_eq!(r.out.status.code(), Some(2), "{stderr}");
    assert!(r.took < Duration::from_secs(20), "took {:?}: {stderr}", r.took);
    assert!(stderr.contains(error), "`{error}` in: {stderr}");
    assert!(stderr.contains(&format!("(endpoint {endpoint})")), "{stderr}");
    assert_readable(&stderr);
    stderr
}

#[test]
fn collect_from_an_endpoint_that_never_answers_ends_with_exit_2_naming_call_and_endpoint() {
    let endpoint = silent_server();
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = hipaa_iam(&endpoint, tmp.path());
    cmd.args(["collect", "--output", "out"]).args(SHORT);
    let r = run(cmd, Duration::from_secs(60));
    let stderr = assert_failed_soon(&r, "AWS GetCallerIdentity failed: Timeout: ", &endpoint);
    assert!(stderr.starts_with("hipaa-iam: error: AWS "), "{stderr}");
    assert!(stderr.contains("--operation-timeout"), "names the setting: {stderr}");
    assert!(!tmp.path().join("out").exists(), "nothing written");
}

#[test]
fn audit_from_an_endpoint_that_never_answers_ends_the_same_way_and_env_vars_set_the_timeouts() {
    let endpoint = silent_server();
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = hipaa_iam(&endpoint, tmp.path());
    cmd.args(["audit", "--format", "json"])
        .env("HIPAA_IAM_CONNECT_TIMEOUT", "1")
        .env("HIPAA_IAM_READ_TIMEOUT", "0.5")
        .env("HIPAA_IAM_ATTEMPT_TIMEOUT", "1")
        .env("HIPAA_IAM_OPERATION_TIMEOUT", "2");
    let r = run(cmd, Duration::from_secs(60));
    let stderr = assert_failed_soon(&r, "AWS GetCallerIdentity failed: Timeout: ", &endpoint);
    assert!(
        stderr.contains("after 2s"),
        "the operation timeout from the environment: {stderr}"
    );
    assert!(r.out.stdout.is_empty(), "no report");
}

#[test]
fn a_trickling_answer_ends_with_exit_2_whether_the_headers_or_the_body_trickle() {
    for (what, endpoint) in [("headers", trickling_head_server()), ("body", trickling_body_server())] {
        let tmp = tempfile::tempdir().unwrap();
        let mut cmd = hipaa_iam(&endpoint, tmp.path());
        cmd.args(["collect", "--output", "out"]).args(SHORT);
        let r = run(cmd, Duration::from_secs(60));
        eprintln!("the {what} trickle");
        assert_failed_soon(
            &r,
            "AWS GetCallerIdentity failed: Timeout: no answer in time: ",
            &endpoint,
        );
    }
}

#[test]
fn an_endless_answer_is_refused_at_the_size_limit_in_bounded_memory() {
    let sent = Arc::new(AtomicU64::new(0));
    let endpoint = endless_server(sent.clone());
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = hipaa_iam(&endpoint, tmp.path());
    // Long timeouts: only the size limit can end this run quickly.
    cmd.args([
        "collect",
        "--output",
        "out",
        "--max-response-mib",
        "1",
        "--attempt-timeout",
        "100",
        "--operation-timeout",
        "100",
    ]);
    let r = run(cmd, Duration::from_secs(60));
    assert_failed_soon(
        &r,
        "AWS GetCallerIdentity failed: ResponseTooLarge: the answer is larger than the limit of 1 MiB \
         (--max-response-mib)",
        &endpoint,
    );
    // Not asked again (it would only be as large), and read no further than the limit plus
    // what the sockets buffer.
    let sent = sent.load(Ordering::Relaxed);
    assert!(sent < 24 * 1024 * 1024, "the server sent {sent} bytes");
    assert!(r.peak_kib > 0, "memory was measured");
    assert!(r.peak_kib < 200 * 1024, "peak memory {} KiB", r.peak_kib);
}

#[test]
fn a_refused_connection_names_the_call_the_endpoint_and_the_cause() {
    let endpoint = refusing_endpoint();
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = hipaa_iam(&endpoint, tmp.path());
    cmd.args(["audit"]).args(SHORT);
    let r = run(cmd, Duration::from_secs(60));
    let stderr = assert_failed_soon(&r, "AWS GetCallerIdentity failed: ", &endpoint);
    assert!(stderr.contains("Connection refused"), "the cause: {stderr}");
}

#[test]
fn a_remediation_step_against_a_refused_endpoint_reads_the_same_way() {
    let endpoint = refusing_endpoint();
    let tmp = tempfile::tempdir().unwrap();
    let demo = hipaa_iam_tests::demo_account();
    let mut cmd = hipaa_iam(&endpoint, tmp.path());
    cmd.args([
        "remediate",
        "password-policy",
        "--exports",
        demo.to_str().unwrap(),
        "--yes",
    ])
    .args(SHORT);
    let r = run(cmd, Duration::from_secs(60));
    // The step fails (exit 1), or the command does before applying (exit 2); either way
    // the one error line names the call, the cause and the endpoint.
    let all = format!("{}{}", String::from_utf8_lossy(&r.out.stdout), r.stderr());
    assert!(matches!(r.out.status.code(), Some(1 | 2)), "{all}");
    assert!(r.took < Duration::from_secs(20), "took {:?}: {all}", r.took);
    let line = all
        .lines()
        .find(|l| l.contains("Connection refused"))
        .unwrap_or_else(|| panic!("no error line: {all}"));
    assert!(line.contains(" failed: "), "{line}");
    assert!(line.contains(&format!("(endpoint {endpoint})")), "{line}");
    assert_readable(line);
}

#[test]
fn network_settings_are_checked_naming_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    for (flag, value, why) in [
        ("--operation-timeout", "0", "from 0.001 to 3600"),
        ("--read-timeout", "soon", "number of seconds"),
        ("--connect-timeout", "-1", "from 0.001 to 3600"),
        ("--max-response-mib", "0", "1..=4096"),
    ] {
        let mut cmd = hipaa_iam("http://127.0.0.1:9", tmp.path());
        cmd.args(["collect", "--output", "out", &format!("{flag}={value}")]);
        let r = run(cmd, Duration::from_secs(30));
        let stderr = r.stderr();
        assert_eq!(r.out.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert!(
            stderr.contains(flag) && stderr.contains(why),
            "{flag} {value}: {stderr}"
        );
    }
    // The defaults are in --help.
    let mut cmd = hipaa_iam("http://127.0.0.1:9", tmp.path());
    cmd.args(["audit", "--help"]);
    let help = String::from_utf8_lossy(&run(cmd, Duration::from_secs(30)).out.stdout).into_owned();
    for part in [
        "--operation-timeout <SECS>",
        "HIPAA_IAM_OPERATION_TIMEOUT",
        "[default: 100]",
        "--max-response-mib <MIB>",
    ] {
        assert!(help.contains(part), "`{part}` in: {help}");
    }
}

#[test]
fn every_command_refuses_a_region_that_is_not_a_region_name() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = hipaa_iam_tests::demo_account();
    let demo = demo.to_str().unwrap();
    for args in [
        vec!["audit", "--exports", demo, "--regions", "../x"],
        vec!["audit", "--exports", demo, "--regions", "us-east-1,../x"],
        vec!["audit", "--org", "--exports", demo, "--regions", "../x"],
        vec!["collect", "--output", "out", "--regions", "../x"],
        vec!["collect", "--org", "--output", "out", "--regions", "../x"],
        vec!["mfa", "--exports", demo, "--regions", "../x"],
        vec![
            "remediate",
            "access-analyzer",
            "--exports",
            demo,
            "--regions",
            "../x",
            "--dry-run",
        ],
    ] {
        let mut cmd = hipaa_iam("http://127.0.0.1:9", tmp.path());
        cmd.args(&args);
        let r = run(cmd, Duration::from_secs(30));
        let stderr = r.stderr();
        assert_eq!(r.out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("--regions") && stderr.contains("`../x` is not an AWS region name"),
            "{args:?}: {stderr}"
        );
        assert!(r.out.stdout.is_empty(), "{args:?}: nothing audited");
    }
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn a_region_in_the_configuration_file_is_checked_naming_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("hipaa-iam.toml"),
        "human_users_group = \"human-users\"\nregions = [\"us-east-1\", \"../../etc\"]\n",
    )
    .unwrap();
    let demo = hipaa_iam_tests::demo_account();
    let mut cmd = hipaa_iam("http://127.0.0.1:9", tmp.path());
    cmd.args(["audit", "--exports", demo.to_str().unwrap()]);
    let r = run(cmd, Duration::from_secs(30));
    let stderr = r.stderr();
    assert_eq!(r.out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("hipaa-iam.toml: line 2: regions: `../../etc` is not an AWS region name"),
        "{stderr}"
    );
}

/// Turns moto's authentication on (every request must carry an access key moto knows:
/// the dummy one does not) until dropped, when the previous setting comes back.
struct MotoAuth<'a> {
    moto: &'a hipaa_iam_tests::Moto,
    previous: String,
}

impl<'a> MotoAuth<'a> {
    fn on(moto: &'a hipaa_iam_tests::Moto) -> MotoAuth<'a> {
        let answer: serde_json::Value = serde_json::from_str(&moto.post("/moto-api/reset-auth", "0")).unwrap();
        let previous = answer["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]
            .as_str()
            .unwrap_or("inf")
            .to_string();
        MotoAuth { moto, previous }
    }
}

impl Drop for MotoAuth<'_> {
    fn drop(&mut self) {
        self.moto.post("/moto-api/reset-auth", &self.previous);
    }
}

#[test]
fn an_aws_error_reads_as_code_message_operation_and_endpoint_on_moto() {
    let moto = hipaa_iam_tests::moto();
    let tmp = tempfile::tempdir().unwrap();
    let r = {
        let _auth = MotoAuth::on(&moto);
        let mut cmd = hipaa_iam(&moto.endpoint, tmp.path());
        cmd.args(["collect", "--output", "out"]);
        run(cmd, Duration::from_secs(120))
    };
    let stderr = r.stderr();
    assert_eq!(r.out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "hipaa-iam: error: AWS GetCallerIdentity failed: InvalidClientTokenId: The security token \
             included in the request is invalid. (endpoint {})",
            moto.endpoint
        )
    );
    assert_readable(&stderr);
}
