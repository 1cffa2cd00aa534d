//! The moto server the local commands run against: given (`--endpoint-url`), recorded (started by an
//! earlier `local up`), or started now, by the same launcher the tests use (tools/emulator/launch.py,
//! moto plus the CloudWatch CBOR proxy), from the project's `.local/venv`.

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// The region the local commands deploy into and run in: the one environments are built in.
pub const REGION: &str = env_core::aws::DEFAULT_REGION;

/// An SDK configuration for the emulator at `endpoints`.
pub async fn sdk_config(endpoints: &Endpoints) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .endpoint_url(&endpoints.endpoint)
        // The access key id names the caller to the emulator (its recorder and behaviours): the
        // caller's own when one is set, the tests' otherwise. moto checks no signature.
        .credentials_provider(aws_credential_types::Credentials::new(
            std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_else(|_| "test".to_owned()),
            "test",
            None,
            None,
            "local",
        ))
        .load()
        .await
}

/// Where the functions send their AWS calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    pub endpoint: String,
    /// aws-sdk-cloudwatch speaks only RPC v2 CBOR, which moto does not: the launcher's proxy does.
    pub cloudwatch: String,
}

impl Endpoints {
    /// The environment of a function binary pointed at these endpoints.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ENDPOINT_URL_CLOUDWATCH", self.cloudwatch.clone()),
            ("AWS_REGION", REGION.to_owned()),
            ("AWS_ACCESS_KEY_ID", "test".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
            // Keep the user's profiles out of the emulator's way.
            ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
        ]
    }

    /// Whether something listens at the endpoint.
    pub fn is_up(&self) -> bool {
        let address = self.endpoint.trim_start_matches("http://");
        address.parse().is_ok_and(|address| {
            TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok()
        })
    }
}

/// A moto started by `local up` that outlives it: `keeper` (a `sleep`) holds the write end of the
/// launcher's stdin, so stopping the keeper closes the pipe and the launcher shuts moto down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub endpoints: Endpoints,
    pub keeper_pid: u32,
}

pub fn record_path(root: &Path) -> PathBuf {
    root.join(".local/emulator.json")
}

/// The recorded emulator, if one is recorded and still answers.
pub fn recorded(root: &Path) -> Option<Record> {
    let text = std::fs::read_to_string(record_path(root)).ok()?;
    let record: Record = serde_json::from_str(&text).ok()?;
    record.endpoints.is_up().then_some(record)
}

fn python(root: &Path) -> anyhow::Result<PathBuf> {
    let default = root.join(".local/venv/bin/python");
    let python = std::env::var_os("MOTO_PYTHON").map_or(default, PathBuf::from);
    if !python.exists() {
        bail!(
            "moto is not installed ({} is missing): run `bash scripts/local-demo.sh` once, or pass --endpoint-url",
            python.display()
        );
    }
    Ok(python)
}

/// `ready <port> <cloudwatch port>`, the launcher's first line.
fn parse_ready(line: &str) -> anyhow::Result<Endpoints> {
    let ports: Option<Vec<&str>> = line
        .trim()
        .strip_prefix("ready ")
        .map(|ports| ports.split(' ').collect());
    let Some([port, cloudwatch]) = ports.as_deref() else {
        bail!("the moto launcher did not start: {line:?}")
    };
    Ok(Endpoints {
        endpoint: format!("http://127.0.0.1:{port}"),
        cloudwatch: format!("http://127.0.0.1:{cloudwatch}"),
    })
}

/// A moto that lives as long as this value: dropping it closes the launcher's stdin.
#[derive(Debug)]
pub struct Owned {
    pub endpoints: Endpoints,
    _process: (Child, ChildStdin),
}

pub fn start_owned(root: &Path) -> anyhow::Result<Owned> {
    let mut child = Command::new(python(root)?)
        .arg(root.join("tools/emulator/launch.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting the moto launcher")?;
    let mut line = String::new();
    let stdout = child.stdout.take().context("the launcher's stdout")?;
    BufReader::new(stdout).read_line(&mut line)?;
    let endpoints = parse_ready(&line)?;
    let stdin = child.stdin.take().context("the launcher's stdin")?;
    Ok(Owned {
        endpoints,
        _process: (child, stdin),
    })
}

/// Starts a moto that outlives this command and records it.
pub fn start_persistent(root: &Path) -> anyhow::Result<Record> {
    let python = python(root)?;
    std::fs::create_dir_all(root.join(".local"))?;
    let mut keeper = Command::new("sleep")
        .arg("infinity")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting the emulator's keeper (sleep)")?;
    let pipe = keeper.stdout.take().context("the keeper's stdout")?;
    let output = root.join(".local/emulator.out");
    Command::new(python)
        .arg(root.join("tools/emulator/launch.py"))
        .stdin(Stdio::from(pipe))
        .stdout(std::fs::File::create(&output)?)
        .stderr(std::fs::File::create(root.join(".local/emulator.log"))?)
        .spawn()
        .context("starting the moto launcher")?;
    // moto imports every service's backend on start: seconds, not minutes.
    let deadline = Instant::now() + Duration::from_secs(60);
    let endpoints = loop {
        let text = std::fs::read_to_string(&output)?;
        if text.ends_with('\n') || Instant::now() >= deadline {
            break parse_ready(&text)?;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let record = Record {
        endpoints,
        keeper_pid: keeper.id(),
    };
    std::fs::write(record_path(root), serde_json::to_string_pretty(&record)?)?;
    Ok(record)
}

/// Stops a recorded emulator (by its keeper's pid) and forgets it.
pub fn stop(root: &Path, record: &Record) -> anyhow::Result<()> {
    let status = Command::new("kill")
        .arg(record.keeper_pid.to_string())
        .status()
        .context("running kill")?;
    std::fs::remove_file(record_path(root))?;
    if !status.success() {
        bail!(
            "the emulator's keeper (pid {}) was already gone",
            record.keeper_pid
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launchers_ready_line_gives_both_endpoints() {
        assert_eq!(
            parse_ready("ready 5000 5001\n").unwrap(),
            Endpoints {
                endpoint: "http://127.0.0.1:5000".into(),
                cloudwatch: "http://127.0.0.1:5001".into()
            }
        );
        let error = parse_ready("Traceback").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the moto launcher did not start: \"Traceback\""
        );
    }
}
