//! `envctl local …` against a test's own emulator, with a work directory several commands share:
//! one `local deploy` into it, then commands that run the backend it read back (`--no-deploy`), so
//! concurrent commands never deploy into one emulator at once.

use crate::emulator::Emulator;
use crate::functions::{binary, run};
use crate::workspace_root;
use std::path::Path;

/// `envctl <args>` against `emulator` with `work` as its work directory, this checkout as the
/// project and this build's function binaries: exit code, stdout, stderr.
pub fn local_in_dir(emulator: &Emulator, work: &Path, args: &[&str]) -> (i32, String, String) {
    let functions = binary("validate")
        .parent()
        .expect("the binaries have a directory")
        .to_path_buf();
    let mut argv: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    argv.extend([
        "--endpoint-url".into(),
        emulator.endpoint().into(),
        "--cloudwatch-endpoint-url".into(),
        emulator.cloudwatch_endpoint().into(),
        "--functions".into(),
        functions.to_string_lossy().into_owned(),
        "--project".into(),
        workspace_root().to_string_lossy().into_owned(),
        "--work-dir".into(),
        work.to_string_lossy().into_owned(),
    ]);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let output = run("envctl", &argv, "", &emulator.env());
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `envctl <args>` in a checkout of its own with no emulator given or recorded (the checkout
/// holds only what envctl looks for to find one, so nothing could be started from it): exit
/// code, stdout, stderr.
pub fn local_without_emulator(name: &str, args: &[&str]) -> (i32, String, String) {
    let root = crate::scratch::ScratchDir::new(&format!("envctl-it-bare-{name}"));
    for marker in ["statemachine/placeholders.json", "tools/workflow/run.mjs"] {
        let path = root.join(marker);
        std::fs::create_dir_all(path.parent().expect("a directory")).expect("a scratch directory");
        std::fs::write(&path, "").expect("a marker file");
    }
    let mut argv: Vec<&str> = args.to_vec();
    argv.extend(["--project", root.to_str().expect("a UTF-8 path")]);
    let output = std::process::Command::new(binary("envctl"))
        .args(&argv)
        .env_remove("AWS_ENDPOINT_URL")
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
