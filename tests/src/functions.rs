//! The function binaries, run the way the local workflow runner runs them: `<binary> invoke`.

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// Every function `envctl deploy` packages (the rotation function goes to S3, for the database
/// function to deploy per environment).
pub const PACKAGED: [&str; 12] = [
    "validate",
    "guard",
    "network",
    "database",
    "cache",
    "edge",
    "service",
    "monitoring",
    "outputs",
    "cleanup",
    "waker",
    "rotation",
];

/// Where cargo put the workspace's binaries for this build (the directory above `deps/`, where
/// this test binary lives), so a coverage build tests its own instrumented binaries; or, for the
/// benchmark, the directory `FUNCTION_BINARIES` names (the release packages, unpacked).
pub fn binary(name: &str) -> PathBuf {
    let dir = match std::env::var_os("FUNCTION_BINARIES") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let exe = std::env::current_exe().expect("the test binary has a path");
            exe.parent()
                .and_then(|deps| deps.parent())
                .expect("target/<profile>/deps")
                .to_path_buf()
        }
    };
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build the function binaries first (`cargo build --workspace --bins`, as .ci/test does)",
        path.display()
    );
    path
}

/// The outcome of one local invocation.
#[derive(Debug)]
pub struct Invocation {
    pub success: bool,
    pub exit_code: Option<i32>,
    pub body: Value,
    pub stderr: String,
}

/// Runs `<binary> <args>` with `input` on stdin and `env` added to the environment.
pub fn run(name: &str, args: &[&str], input: &str, env: &[(&str, String)]) -> Output {
    let mut child = Command::new(binary(name))
        .args(args)
        .envs(env.iter().map(|(key, value)| (*key, value.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the function binary starts");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input.as_bytes())
        .expect("the event is written");
    child.wait_with_output().expect("the function binary ends")
}

/// `<binary> invoke` with `event` on stdin; the stdout JSON is the response or the error body.
pub fn invoke(name: &str, event: &Value, env: &[(&str, String)]) -> Invocation {
    let output = run(name, &["invoke"], &event.to_string(), env);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let body = serde_json::from_str(&stdout)
        .unwrap_or_else(|error| panic!("{name} printed no JSON ({error}): {stdout:?}"));
    Invocation {
        success: output.status.success(),
        exit_code: output.status.code(),
        body,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A zip archive of `entries` (name, content): a Lambda package of the tests' own.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("the test setup holds");
        writer.write_all(content).expect("the test setup holds");
    }
    writer.finish().expect("the test setup holds").into_inner()
}

/// `outputs` (the earlier components' keys side by side, as tests gather them) handed on as the
/// workflows do: each component's under its own key, complete, with env-core's example values for
/// what a test does not set (no cluster resource id unless given, so the service's
/// `rds-db:connect` is not narrowed to an example cluster).
pub fn handed_on(outputs: &serde_json::Value) -> serde_json::Value {
    use env_core::outputs::{example, ComponentOutputs};
    let mut database = example::database();
    database.db_cluster_resource_id.clear();
    let components = [
        ("network", example::network().into_outputs()),
        ("database", database.into_outputs()),
        ("cache", example::cache().into_outputs()),
        ("edge", example::edge().into_outputs()),
        ("service", example::service().into_outputs()),
    ];
    let mut handed_on = serde_json::Map::new();
    for (component, mut fields) in components {
        for (key, value) in fields.iter_mut() {
            if let Some(given) = outputs.get(key) {
                *value = given.clone();
            }
        }
        handed_on.insert(component.to_owned(), serde_json::Value::Object(fields));
    }
    serde_json::Value::Object(handed_on)
}
