//! The backend deployed into an emulator of its own by `envctl deploy`, signed as the deployer, and
//! the settings the functions then run with: what the IAM proof and the AWS-behaviours lifecycle
//! share.

use crate::emulator::Emulator;
use crate::functions::{run, PACKAGED};
use crate::iam::{ACCOUNT, DEPLOYER};
use env_core::spec::EnvironmentSuffix;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One empty zip per function in `dir/packages-<content>` (moto stores packages without running
/// them); `content` changes each package's bytes, so a second deploy updates code.
pub fn empty_packages(dir: &Path, content: u8) -> PathBuf {
    let packages = dir.join(format!("packages-{content}"));
    std::fs::create_dir_all(&packages).expect("the packages directory");
    // An end-of-central-directory record with its comment length set: a valid empty zip whose
    // bytes (and hash) differ by `content`.
    let mut zip = b"PK\x05\x06".to_vec();
    zip.extend([0u8; 16]);
    zip.extend([1, 0, content]);
    for function in PACKAGED {
        std::fs::write(packages.join(format!("{function}.zip")), &zip).expect("a package");
    }
    packages
}

/// `envctl --endpoint-url <emulator> <args>`, signed as the deployer; it must succeed.
pub fn envctl(emulator: &Emulator, args: &[&str]) -> String {
    let mut argv = vec!["--endpoint-url", emulator.endpoint()];
    argv.extend_from_slice(args);
    let output = run("envctl", &argv, "", &as_role(&emulator.env(), DEPLOYER));
    assert!(
        output.status.success(),
        "envctl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `envctl local deploy`, signed as the deployer: this build's binaries packaged as `envctl deploy`
/// takes them, deployed into `emulator` and read back into `dir` (packages, unpacked functions).
/// Returns the manifest the runner's `--deployed` runs: the deployed definitions and functions.
pub fn deploy_built(emulator: &Emulator, dir: &Path) -> PathBuf {
    let functions = crate::functions::binary("validate");
    let functions = functions.parent().expect("the binaries' directory");
    let out = envctl(
        emulator,
        &[
            "--json",
            "local",
            "deploy",
            "--functions",
            functions.to_str().expect("UTF-8"),
            "--work-dir",
            dir.to_str().expect("UTF-8"),
            "--project",
            crate::workspace_root().to_str().expect("UTF-8"),
            "--cloudwatch-endpoint-url",
            emulator.cloudwatch_endpoint(),
        ],
    );
    let printed: Value = serde_json::from_str(&out).expect("local deploy prints JSON");
    PathBuf::from(printed["manifest"].as_str().expect("the manifest's path"))
}

/// `env` with the access key of `role`: what a principal other than the tests signs with.
pub fn as_role(env: &[(&'static str, String)], role: &str) -> Vec<(&'static str, String)> {
    let mut env = env.to_vec();
    env.retain(|(key, _)| *key != "AWS_ACCESS_KEY_ID");
    env.push(("AWS_ACCESS_KEY_ID", role.to_owned()));
    env
}

/// A log object in environment `suffix`'s access-log bucket, as the load balancer writes them, so a
/// teardown has a bucket to empty.
pub async fn put_access_log(config: &aws_config::SdkConfig, suffix: &EnvironmentSuffix) {
    let bucket = env_core::naming::Names::new(suffix).bucket(ACCOUNT);
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    )
    .put_object()
    .bucket(&bucket)
    .key("AWSLogs/elb.log.gz")
    .body(b"log".to_vec().into())
    .send()
    .await
    .expect("the emulator stores the object");
}
