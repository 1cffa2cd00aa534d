//! One moto server per test process, started on first use, stopped when the process ends.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// The running emulator. Holding `stdin` keeps it alive: the launcher exits when the pipe closes,
/// which happens when this process exits, however it exits.
#[derive(Debug)]
pub struct Emulator {
    endpoint: String,
    /// The launcher's CloudWatch proxy: aws-sdk-cloudwatch speaks only RPC v2 CBOR, which moto does
    /// not answer, so CloudWatch calls go through a test-only translator to moto's JSON protocol.
    cloudwatch_endpoint: String,
    _process: Mutex<(Child, ChildStdin)>,
}

/// The Python that has moto installed: `MOTO_PYTHON`, or the project's own virtualenv.
pub fn python() -> PathBuf {
    if let Some(path) = std::env::var_os("MOTO_PYTHON") {
        return PathBuf::from(path);
    }
    let venv = crate::workspace_root().join(".local/venv/bin/python");
    assert!(
        venv.exists(),
        "moto is not installed: run `bash .ci/test` once (it installs moto[server] into .local/venv), or set MOTO_PYTHON"
    );
    venv
}

pub fn emulator() -> &'static Emulator {
    static EMULATOR: OnceLock<Emulator> = OnceLock::new();
    EMULATOR.get_or_init(|| Emulator::launch(&RAISED_QUOTAS.map(std::ffi::OsStr::new)))
}

/// The shared emulator's account has its quotas raised, as a CI account running many environments
/// at once would: its tests run dozens of environments side by side, and `envctl env up` admits
/// against Service Quotas (an emulator of a test's own keeps AWS's defaults).
const RAISED_QUOTAS: [&str; 8] = [
    "--quota",
    "ec2/L-0263D0A3=1000",
    "--quota",
    "vpc/L-F678F1CE=1000",
    "--quota",
    "vpc/L-A4707A72=1000",
    "--quota",
    "vpc/L-FE5A380F=1000",
];

impl Emulator {
    /// A moto server of its own, for a test that must not share the process-wide one: with
    /// `record`, every request a principal other than the tests makes is written to that file
    /// (tools/emulator/recorder.py).
    pub fn recording(record: &std::path::Path) -> Self {
        Self::launch(&["--record".as_ref(), record.as_os_str()])
    }

    /// [`Emulator::recording`], with the machine's PostgreSQL standing in for Aurora clusters, so
    /// the rotations run and the rotation function's requests are recorded too. Hold
    /// [`crate::postgres::stand_in`] while it lives.
    pub fn recording_on_postgres(record: &std::path::Path) -> Self {
        Self::launch_with(
            &["--record".as_ref(), record.as_os_str()],
            crate::postgres::SUPERUSER,
        )
    }

    /// A moto server of its own with the local servers behind it: the machine's PostgreSQL for
    /// Aurora (create no cluster without [`crate::postgres::stand_in`]) and a Redis server with TLS
    /// of its own for replication groups (tools/emulator/local_cache.py).
    pub fn with_local_servers() -> Self {
        Self::launch_with(&[], crate::postgres::SUPERUSER)
    }

    /// A moto server of its own, for a test whose deploy must not meet another test's backend.
    pub fn own() -> Self {
        Self::launch(&[])
    }

    /// A moto server of its own behind the AWS behaviours layer, switched on as `behave` says
    /// (the launcher's `--behave` list, tools/emulator/README.md), acting on principals other than
    /// the tests.
    pub fn behaving(behave: &str) -> Self {
        Self::launch(&["--behave".as_ref(), behave.as_ref()])
    }

    /// [`Emulator::behaving`], with the machine's PostgreSQL standing in for Aurora clusters and
    /// rotations run as Secrets Manager runs them (tools/emulator/local_rotation.py). One such
    /// emulator at a time (the database function's names, `catalog`, `catalog_app`, are fixed):
    /// hold [`crate::postgres::stand_in`] while it lives.
    pub fn behaving_on_postgres(behave: &str) -> Self {
        Self::launch_with(
            &["--behave".as_ref(), behave.as_ref()],
            crate::postgres::SUPERUSER,
        )
    }

    /// The behaviours layer's counters (`GET /_behaviours`): per behaviour, the refusals by error
    /// code and the answers it changed.
    pub fn behaviours(&self) -> serde_json::Value {
        self.get("/_behaviours")
    }

    /// The rotations the emulator ran (`GET /_emulator/rotations`): the server it used, or why none,
    /// and each rotation's steps.
    pub fn rotations(&self) -> serde_json::Value {
        self.get("/_emulator/rotations")
    }

    fn get(&self, path: &str) -> serde_json::Value {
        use std::io::{Read, Write};
        let address = self.endpoint.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).expect("the emulator answers");
        write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n")
            .expect("the request is sent");
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .expect("the answer is read");
        let (_, body) = answer
            .split_once("\r\n\r\n")
            .expect("an HTTP answer with a body");
        serde_json::from_str(body).unwrap_or_else(|error| panic!("not JSON ({error}): {body}"))
    }

    /// Without PostgreSQL: tests run in parallel, and only one emulator may map Aurora to it.
    fn launch(args: &[&std::ffi::OsStr]) -> Self {
        Self::launch_with(args, "none")
    }

    fn launch_with(args: &[&std::ffi::OsStr], postgres: &str) -> Self {
        let launcher = crate::workspace_root().join("tools/emulator/launch.py");
        let mut child = Command::new(python())
            .arg(&launcher)
            .args(args)
            .args(["--postgres", postgres])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the moto launcher starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the launcher reports its port");
        let ports: Vec<u16> = line
            .trim()
            .strip_prefix("ready ")
            .map(|ports| {
                ports
                    .split(' ')
                    .filter_map(|port| port.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        let [port, cloudwatch_port] = ports[..] else {
            panic!("the moto launcher did not start: {line:?}")
        };
        let stdin = child.stdin.take().expect("piped stdin");
        Emulator {
            endpoint: format!("http://127.0.0.1:{port}"),
            cloudwatch_endpoint: format!("http://127.0.0.1:{cloudwatch_port}"),
            _process: Mutex::new((child, stdin)),
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The environment a function binary needs to talk to the emulator instead of AWS.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            (
                "AWS_ENDPOINT_URL_CLOUDWATCH",
                self.cloudwatch_endpoint.clone(),
            ),
            ("AWS_REGION", "us-west-2".to_owned()),
            ("AWS_ACCESS_KEY_ID", "test".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
            // Keep profile files on the test machine out of the picture.
            ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
            // moto cannot run the rotation Lambda that an immediate rotation invokes (tools/emulator/README.md):
            // the database function only turns rotation on (functions/database/src/settings.rs).
            ("ROTATE_IMMEDIATELY", "false".to_owned()),
            // The stand-in rotation package the launcher puts into the emulator's S3
            // (tools/emulator/launch.py), where the database function deploys it from.
            ("ROTATION_CODE_BUCKET", "catalog-local-artifacts".to_owned()),
            ("ROTATION_CODE_KEY", "rotation/bootstrap.zip".to_owned()),
            // Lambda's CodeSha256 of that package (the 22-byte empty zip), so the database
            // function takes the function it made as up to date.
            (
                "ROTATION_CODE_SHA256",
                "hznHbmgfkAkjuQDJ3w73XPQh05yrtUZQxLmtGbanbYU=".to_owned(),
            ),
            ("ROTATION_ARCHITECTURE", "x86_64".to_owned()),
            // The permissions boundary the functions put on the roles they create, as `envctl
            // deploy` names it in moto's default account.
            (
                env_core::iam::ROLE_BOUNDARY_VAR,
                format!(
                    "arn:aws:iam::123456789012:policy/{}",
                    env_core::iam::ROLE_BOUNDARY_POLICY
                ),
            ),
        ]
    }

    /// The CloudWatch proxy in front of moto (see the launcher).
    pub fn cloudwatch_endpoint(&self) -> &str {
        &self.cloudwatch_endpoint
    }

    /// A CloudWatch client for the test itself, through the proxy.
    pub async fn cloudwatch(&self) -> aws_sdk_cloudwatch::Client {
        let config = aws_sdk_cloudwatch::config::Builder::from(&self.sdk_config().await)
            .endpoint_url(&self.cloudwatch_endpoint)
            .build();
        aws_sdk_cloudwatch::Client::from_conf(config)
    }

    /// An SDK configuration for the test itself, pointed at the emulator.
    pub async fn sdk_config(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(Region::new("us-west-2"))
            .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
                "test", "test", None, None, "moto",
            ))
            .load()
            .await
    }
}
