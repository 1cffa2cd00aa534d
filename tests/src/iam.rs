//! The offline IAM check (tests/iam/check.py) run over an emulator's recording: every request a
//! principal made, against the policies that principal's role was deployed with.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The moto account the emulator answers for (moto's default, as the functions' ARNs show).
pub const ACCOUNT: &str = "123456789012";
/// The access key id `envctl deploy` signs with in the proof: the deployer's principal.
pub const DEPLOYER: &str = "deployer";

/// Runs the check over `record`; `policies` gives a principal that is no role of the recording
/// (the deployer) its documents; `extra` adds arguments (`--drop ROLE:ACTION`, `--necessity`).
pub fn check(record: &Path, policies: &[(&str, &Path)], extra: &[&str]) -> Value {
    let mut command = Command::new(crate::emulator::python());
    command
        .arg(crate::workspace_root().join("tests/iam/check.py"))
        .arg("--record")
        .arg(record)
        .args(["--account", ACCOUNT]);
    for (principal, path) in policies {
        command
            .arg("--policy")
            .arg(format!("{principal}={}", path.display()));
    }
    let output = command.args(extra).output().expect("the IAM check runs");
    assert!(
        output.status.success(),
        "the IAM check failed to run: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the IAM check prints a JSON report")
}

/// The denials of a report, one line each: `principal operation action resource (decision)`.
pub fn denials(report: &Value) -> Vec<String> {
    report["denied"]
        .as_array()
        .map(|denied| {
            denied
                .iter()
                .map(|d| {
                    format!(
                        "{} {} {} {} ({})",
                        d["principal"].as_str().unwrap_or_default(),
                        d["operation"].as_str().unwrap_or_default(),
                        d["action"].as_str().unwrap_or_default(),
                        d["resource"].as_str().unwrap_or_default(),
                        d["decision"].as_str().unwrap_or_default()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
