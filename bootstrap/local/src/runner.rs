//! One workflow run by the local runner: `node tools/workflow/run.mjs <workflow> - --deployed
//! MANIFEST`, the definitions and functions deployed into the emulator (see `deployed`), each Lambda
//! task running its package's `bootstrap` with its deployed settings.

use super::emulator::Endpoints;
use anyhow::{bail, Context};
use envctl_common::progress::Progress;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// What the runner printed: `{status, output | error + cause, transitions, invocations}`.
#[derive(Debug)]
pub struct Finished {
    pub body: Value,
    /// The functions' own log lines, for the error report when the workflow fails.
    pub log: Vec<String>,
}

impl Finished {
    pub fn succeeded(&self) -> bool {
        self.body["status"] == "SUCCEEDED"
    }
}

/// Refuses, saying how to install it, when the runner's packages are not installed.
pub fn check_installed(root: &Path) -> anyhow::Result<()> {
    let runner = root.join("tools/workflow");
    if !runner.join("node_modules/aws-local-stepfunctions").exists() {
        bail!(
            "the local workflow runner is not installed in {}: run `bash scripts/local-demo.sh` once (npm ci there)",
            runner.display()
        );
    }
    Ok(())
}

pub fn run(
    root: &Path,
    manifest: &Path,
    workflow: &str,
    input: &Value,
    endpoints: &Endpoints,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Finished> {
    check_installed(root)?;
    let runner = root.join("tools/workflow");
    let mut child = Command::new("node")
        .arg(runner.join("run.mjs"))
        .args([workflow, "-", "--deployed"])
        .arg(manifest)
        .envs(endpoints.env())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting node (the local runner needs Node.js 20 or later)")?;
    child
        .stdin
        .take()
        .context("the runner's stdin")?
        .write_all(input.to_string().as_bytes())?;
    let mut stdout = child.stdout.take().context("the runner's stdout")?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let mut log = Vec::new();
    let stderr = child.stderr.take().context("the runner's stderr")?;
    for line in BufReader::new(stderr).lines() {
        let line = line?;
        // The runner's own lines name the state entered; everything else is a function's log.
        match line.split_once(": ") {
            Some((name, state)) if name == workflow || name == "teardown" => {
                progress.state(&format!("{name}: {state}"));
            }
            _ => log.push(line),
        }
    }
    child.wait()?;
    let text = reader
        .join()
        .expect("reading a pipe to a string does not panic")?;
    let body: Value = serde_json::from_str(&text).context(format!(
        "the runner printed no result: {text:?}; its log:\n{}",
        log.join("\n")
    ))?;
    Ok(Finished { body, log })
}
