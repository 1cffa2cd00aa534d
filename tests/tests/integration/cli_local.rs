//! `envctl local …` in a checkout of its own (a temporary directory linking this one's state
//! machines, launcher and runner): the moto `local up` starts without --endpoint-url and records,
//! the one `local status` and `local down` find recorded, and the ways the commands refuse to run.

use integration_tests::emulator::{emulator, Emulator};
use integration_tests::functions::binary;
use integration_tests::scratch::ScratchDir;
use integration_tests::{unique_suffix, workspace_root};
use serde_json::Value;
use std::net::TcpStream;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// What the runner needs of the checkout: linked from this one, node_modules only if asked for.
/// Removed when the test ends, with the backend `local` deployed into its `.local`.
fn project(name: &str, node_modules: bool) -> ScratchDir {
    // A new directory: one left by an earlier run with this pid would hold its record.
    let root = ScratchDir::new(&format!("envctl-it-project-{name}"));
    let here = workspace_root();
    std::fs::create_dir_all(root.join("tools/workflow")).expect("a temporary directory");
    symlink(here.join("statemachine"), root.join("statemachine")).expect("a link");
    symlink(here.join("tools/emulator"), root.join("tools/emulator")).expect("a link");
    symlink(
        here.join("tools/workflow/run.mjs"),
        root.join("tools/workflow/run.mjs"),
    )
    .expect("a link");
    if node_modules {
        symlink(
            here.join("tools/workflow/node_modules"),
            root.join("tools/workflow/node_modules"),
        )
        .expect("a link");
    }
    root
}

/// A checkout whose runner is `script` (JavaScript) instead of run.mjs.
fn project_with_runner(name: &str, script: &str) -> ScratchDir {
    let root = project(name, false);
    let runner = root.join("tools/workflow");
    std::fs::remove_file(runner.join("run.mjs")).expect("the link is there");
    // Like run.mjs, it reads its input first.
    let script = format!("import {{ readFileSync }} from 'node:fs';\nreadFileSync(0);\n{script}");
    std::fs::write(runner.join("run.mjs"), script).expect("the fake runner is written");
    std::fs::create_dir_all(runner.join("node_modules/aws-local-stepfunctions"))
        .expect("a temporary directory");
    root
}

fn functions() -> PathBuf {
    binary("validate")
        .parent()
        .expect("the binaries have a directory")
        .to_path_buf()
}

fn moto_python() -> String {
    std::env::var("MOTO_PYTHON").unwrap_or_else(|_| {
        workspace_root()
            .join(".local/venv/bin/python")
            .to_string_lossy()
            .into_owned()
    })
}

/// `envctl <args>` in `dir`, with no endpoint and no AWS profile: exit code, stdout, stderr. The
/// functions run with their deployed settings.
fn envctl_in(dir: &Path, args: &[&str], python: &str) -> (i32, String, String) {
    let output = Command::new(binary("envctl"))
        .args(args)
        .current_dir(dir)
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_CLOUDWATCH")
        .env("MOTO_PYTHON", python)
        // Tests run in parallel; one emulator at a time may map Aurora to the machine's PostgreSQL
        // (tools/emulator/local_rotation.py): the behaviours lifecycle's.
        .env("CATALOG_LOCAL_POSTGRES", "none")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .expect("envctl runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `envctl <args> --project <root> --functions <binaries>`.
fn local(root: &Path, args: &[&str]) -> (i32, String, String) {
    let functions = functions();
    let mut argv = args.to_vec();
    argv.extend([
        "--project",
        root.to_str().expect("a UTF-8 path"),
        "--functions",
        functions.to_str().expect("a UTF-8 path"),
    ]);
    envctl_in(&std::env::temp_dir(), &argv, &moto_python())
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

fn answers(endpoint: &str) -> bool {
    let address = endpoint
        .trim_start_matches("http://")
        .parse()
        .expect("an address");
    TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok()
}

#[test]
fn local_up_without_an_endpoint_starts_a_moto_that_status_and_down_use_then_stop() {
    let root = project("persistent", true);
    let record_path = root.join(".local/emulator.json");
    let _stopped_even_on_failure = StopsRecordedEmulator(record_path.clone());

    let (code, out, err) = local(&root, &["local", "status"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "no local emulator is running\n"),
        "{err}"
    );
    let suffix = unique_suffix().to_string();
    let (code, out, err) = local(&root, &["local", "down", "--suffix", &suffix]);
    assert_eq!(
        (code, out.as_str()),
        (0, "no local emulator is running: nothing to tear down\n"),
        "{err}"
    );

    let (code, out, err) = local(&root, &["local", "up", "--suffix", &suffix]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("starting moto (it stays running until `envctl local down`)"),
        "{err}"
    );
    assert!(
        err.contains(&format!("provision of {suffix}: SUCCEEDED")),
        "{err}"
    );
    assert!(!out.is_empty(), "the outputs: {err}");
    // The backend was deployed into it from this build first.
    assert!(err.contains("function network: created"), "{err}");
    let record = json(&std::fs::read_to_string(&record_path).expect("the emulator is recorded"));
    let endpoint = record["endpoints"]["endpoint"]
        .as_str()
        .expect("the recorded endpoint")
        .to_owned();
    assert_ne!(endpoint, emulator().endpoint(), "a moto of its own");
    assert!(answers(&endpoint), "{record}");

    let (code, out, err) = local(&root, &["local", "status"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with(&format!("emulator: {endpoint}\n")), "{out}");
    assert!(out.contains(&format!("environment: {suffix}\n")), "{out}");

    // The workflows ran as deployed: the backend read back, each function's package unpacked.
    let manifest = json(
        &std::fs::read_to_string(root.join(".local/deployed/manifest.json"))
            .expect("the deployed backend was read back"),
    );
    let network = &manifest["functions"]["arn:aws:lambda:us-west-2:123456789012:function:network"];
    assert_eq!(network["runtime"], "provided.al2023");
    assert_eq!(
        network["roleArn"],
        "arn:aws:iam::123456789012:role/catalog-fn-network"
    );
    assert!(
        root.join(".local/deployed/functions/network/bootstrap")
            .exists(),
        "{network}"
    );

    // The hourly cleanup, once, here: an environment whose expiry passed (a VPC tagged as the
    // functions tag, expired in 2020) is torn down by the teardown the deployed cleanup starts; one
    // expiring in 2100 is not; the one `up` made asked for no expiry (the demo spec has no TTL) and
    // is left alone.
    let expired = unique_suffix().to_string();
    let vpc = create_tagged_vpc(&endpoint, &expired, "2020-01-01T00:00:00Z");
    let later = unique_suffix().to_string();
    create_tagged_vpc(&endpoint, &later, "2100-01-01T00:00:00Z");
    let (code, out, err) = local(&root, &["local", "cleanup"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(&format!(
            "{expired}: expired, torn down (cleanup-{expired}-20200101T000000Z)\n"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("{later}: expires 2100-01-01T00:00:00Z\n")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{suffix}: left alone: ")) && out.contains("did not ask to expire"),
        "{out}"
    );
    assert!(out.ends_with("1 environment(s) torn down\n"), "{out}");
    assert!(
        err.contains("schedule of catalog-environments-cleanup: SUCCEEDED"),
        "{err}"
    );
    assert!(
        err.contains(&format!("teardown of {expired}: SUCCEEDED")),
        "{err}"
    );
    assert!(!vpc_exists(&endpoint, &vpc), "the expired VPC is gone");
    let (code, out, err) = local(&root, &["--json", "local", "cleanup"]);
    assert_eq!(code, 0, "{err}");
    let body = json(&out);
    assert_eq!(body["tornDown"], 0, "{body}");
    assert_eq!(
        body["report"]["notExpired"][0]["environment"],
        later.as_str()
    );
    assert_eq!(body["report"]["skipped"][0]["environment"], suffix.as_str());

    // Deployed again from the same build: nothing changes, and the manifest is where it was.
    let (code, out, err) = local(&root, &["local", "deploy"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!("{}\n", root.join(".local/deployed/manifest.json").display())
    );
    assert!(
        err.contains("backend deployed into the emulator: 0 change(s)"),
        "{err}"
    );

    // A second `local up` uses the recorded moto: it does not start another, and the packaging
    // finds no function binaries where it is told to look.
    let empty = root.join("no-binaries");
    std::fs::create_dir_all(&empty).expect("a temporary directory");
    let (code, _, err) = envctl_in(
        &root,
        &[
            "local",
            "up",
            "--suffix",
            &suffix,
            "--functions",
            empty.to_str().expect("a UTF-8 path"),
        ],
        &moto_python(),
    );
    assert_eq!(code, 1);
    assert_eq!(
        err,
        format!(
            "error: no binary {}: build the functions with `cargo build --bins` and pass --functions target/debug: No such file or directory (os error 2)\n",
            empty.join("validate").display()
        )
    );

    let (code, out, err) = local(&root, &["--json", "local", "down", "--suffix", &suffix]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        json(&out),
        serde_json::json!({"suffix": suffix, "status": "DELETED"})
    );
    assert!(err.contains("moto stopped"), "{err}");
    assert!(!record_path.exists(), "the record is gone");
    let deadline = Instant::now() + Duration::from_secs(30);
    while answers(&endpoint) {
        assert!(
            Instant::now() < deadline,
            "moto at {endpoint} still answers"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let (code, out, _) = local(&root, &["local", "status"]);
    assert_eq!((code, out.as_str()), (0, "no local emulator is running\n"));
    let (code, out, _) = local(&root, &["local", "cleanup"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "no local emulator is running: nothing to clean up\n")
    );
}

/// Stops the moto a `local up` recorded when the test ends, also when it fails half-way (when it
/// passes, `local down` already did): its keeper killed, the launcher ends with its stdin.
struct StopsRecordedEmulator(PathBuf);

impl Drop for StopsRecordedEmulator {
    fn drop(&mut self) {
        let Ok(text) = std::fs::read_to_string(&self.0) else {
            return;
        };
        if let Some(pid) = json(&text)["keeper_pid"].as_u64() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

fn ec2_at(endpoint: &str) -> (tokio::runtime::Runtime, aws_sdk_ec2::Client) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let config = runtime.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(aws_config::Region::new("us-west-2"))
            .credentials_provider(aws_sdk_ec2::config::Credentials::new(
                "test", "test", None, None, "moto",
            ))
            .load(),
    );
    (runtime, aws_sdk_ec2::Client::new(&config))
}

/// A VPC of environment `suffix` carrying the tags the functions put on everything, expiring at
/// `expires_at`: what the cleanup finds as an environment. Its id.
fn create_tagged_vpc(endpoint: &str, suffix: &str, expires_at: &str) -> String {
    let (runtime, ec2) = ec2_at(endpoint);
    runtime.block_on(integration_tests::tagged::create_vpc(
        &ec2,
        suffix,
        expires_at,
        "10.41.0.0/16",
    ))
}

fn vpc_exists(endpoint: &str, vpc: &str) -> bool {
    let (runtime, ec2) = ec2_at(endpoint);
    let described = runtime
        .block_on(ec2.describe_vpcs().send())
        .expect("the emulator lists VPCs");
    described
        .vpcs()
        .iter()
        .any(|found| found.vpc_id() == Some(vpc))
}

#[test]
fn local_demo_without_an_endpoint_runs_in_a_moto_of_its_own_found_from_the_current_directory() {
    let root = project("demo", true);
    let suffix = unique_suffix().to_string();
    // No --project and no --functions: the checkout around the current directory, the binaries next
    // to envctl.
    let (code, out, err) = envctl_in(
        &root.join("statemachine"),
        &["local", "demo", "--suffix", &suffix],
        &moto_python(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("starting moto for this demo"), "{err}");
    assert!(
        err.contains(&format!("provision of {suffix}: SUCCEEDED")),
        "{err}"
    );
    assert!(
        err.contains(&format!("teardown of {suffix}: SUCCEEDED")),
        "{err}"
    );
    assert!(out.ends_with(&format!("{suffix}: deleted\n")), "{out}");
    assert!(
        !root.join(".local/emulator.json").exists(),
        "nothing recorded"
    );
}

#[test]
fn local_down_reports_a_recorded_emulator_whose_keeper_is_already_gone() {
    let root = project("stale", true);
    // Its own: `down` deploys the backend first, which the deploy test of the shared one must not meet.
    let shared = Emulator::own();
    std::fs::create_dir_all(root.join(".local")).expect("a temporary directory");
    // The shared moto answers, but no process has this pid (above any pid_max).
    let record = serde_json::json!({
        "endpoints": {"endpoint": shared.endpoint(), "cloudwatch": shared.cloudwatch_endpoint()},
        "keeper_pid": 2_147_483_646u32,
    });
    std::fs::write(root.join(".local/emulator.json"), record.to_string()).expect("written");
    let suffix = unique_suffix().to_string();
    let (code, out, err) = local(&root, &["local", "down", "--suffix", &suffix]);
    assert_eq!(code, 1);
    assert_eq!(out, format!("{suffix}: deleted\n"));
    assert!(
        err.ends_with("error: the emulator's keeper (pid 2147483646) was already gone\n"),
        "{err}"
    );
    assert!(!root.join(".local/emulator.json").exists(), "forgotten");
}

#[test]
fn local_sleep_without_an_emulator_running_finds_no_environment_and_starts_none() {
    let root = project("sleep-nothing", false);
    for command in ["sleep", "wake"] {
        let (code, out, err) = local(&root, &["local", command, "--suffix", "pr-3"]);
        assert_eq!((code, out.as_str()), (1, ""), "{err}");
        assert_eq!(
            err,
            "error: EnvironmentNotFound: no execution of any workflow names pr-3: bring it up with `envctl env up` first\n"
        );
    }
    assert!(
        !root.join(".local/emulator.json").exists(),
        "no moto started"
    );
}

#[test]
fn local_up_without_moto_installed_says_how_to_install_it() {
    let root = project("no-moto", true);
    let (code, out, err) = envctl_in(
        &std::env::temp_dir(),
        &[
            "local",
            "up",
            "--project",
            root.to_str().expect("a UTF-8 path"),
        ],
        "/nonexistent/python",
    );
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("starting moto"), "{err}");
    assert!(
        err.ends_with("error: moto is not installed (/nonexistent/python is missing): run `bash scripts/local-demo.sh` once, or pass --endpoint-url\n"),
        "{err}"
    );
    assert!(!root.join(".local/emulator.json").exists());
}

/// `envctl --endpoint-url <a moto of its own> local <command> …` in `root`: the backend is deployed
/// into it before the (fake) runner starts.
fn local_given(root: &Path, command: &str) -> (i32, String, String) {
    let emulator = Emulator::own();
    local(
        root,
        &[
            "--endpoint-url",
            emulator.endpoint(),
            "local",
            command,
            "--suffix",
            "fake",
            "--cloudwatch-endpoint-url",
            emulator.cloudwatch_endpoint(),
        ],
    )
}

#[test]
fn local_up_without_the_runner_installed_says_how_to_install_it() {
    let root = project("no-runner", false);
    let (code, out, err) = local_given(&root, "up");
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        format!(
            "error: the local workflow runner is not installed in {}: run `bash scripts/local-demo.sh` once (npm ci there)\n",
            root.join("tools/workflow").display()
        )
    );
}

#[test]
fn a_runner_that_prints_no_result_is_reported_with_its_log() {
    let root = project_with_runner("silent", "console.error('function: crashed');\n");
    let (code, out, err) = local_given(&root, "up");
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.ends_with(
            "error: the runner printed no result: \"\"; its log:\nfunction: crashed: EOF while parsing a value at line 1 column 0\n"
        ),
        "{err}"
    );
}

#[test]
fn a_failed_workflow_is_reported_with_the_functions_last_log_lines() {
    let script = r#"
console.error('teardown: Network');
for (let i = 1; i <= 25; i++) console.error(`log line ${i}`);
console.log(JSON.stringify({status: 'FAILED', error: 'States.TaskFailed', cause: 'boom'}));
"#;
    let root = project_with_runner("failed", script);
    let (code, out, err) = local_given(&root, "down");
    assert_eq!((code, out.as_str()), (1, ""));
    let lines: Vec<String> = (6..=25).map(|i| format!("log line {i}")).collect();
    assert!(
        err.ends_with(&format!(
            "error: teardown of fake FAILED: States.TaskFailed: boom\nthe functions' last log lines:\n{}\n",
            lines.join("\n")
        )),
        "{err}"
    );
    assert!(err.contains("teardown: Network"), "{err}");

    let root = project_with_runner("bare", "console.log('{}');\n");
    let (code, _, err) = local_given(&root, "up");
    assert_eq!(code, 1);
    assert!(
        err.ends_with("error: provision of fake FAILED: no error: no cause\nthe functions' last log lines:\n\n"),
        "{err}"
    );
}
