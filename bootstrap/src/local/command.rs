//! The command-line side of `local …`.

use super::emulator::{self, Endpoints};
use super::{project_root, runner};
use crate::cli::{runtime, Global};
use crate::envs::cli::print_outputs;
use crate::envs::request::{spec_for, Overrides};
use crate::progress::Progress;
use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use env_core::spec::EnvironmentSpec;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum LocalCommand {
    /// Provision an environment locally; without --endpoint-url, in a moto that stays running.
    Up(LocalArgs),
    /// Tear a local environment down, then stop the moto `local up` started.
    Down(LocalArgs),
    /// The local emulator and the environments in it.
    Status(LocalArgs),
    /// The whole lifecycle in one go (up, outputs, down) in a moto of its own.
    Demo(LocalArgs),
}

#[derive(Debug, Args)]
pub struct LocalArgs {
    /// The environment suffix.
    #[arg(long, default_value = "demo")]
    pub suffix: String,

    /// The environment spec (JSON); without it, examples/pr.json's demo settings.
    #[arg(long)]
    pub spec: Option<PathBuf>,

    /// Where the function binaries are (default: next to envctl, as `cargo build --bins` leaves them).
    #[arg(long, value_name = "DIR")]
    pub functions: Option<PathBuf>,

    /// The repository checkout (default: found from the current directory).
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,

    /// The CloudWatch endpoint when --endpoint-url is given (moto needs the launcher's CBOR proxy).
    #[arg(long)]
    pub cloudwatch_endpoint_url: Option<String>,
}

struct Setting {
    root: PathBuf,
    functions: PathBuf,
}

fn setting(args: &LocalArgs) -> anyhow::Result<Setting> {
    let start = match &args.project {
        Some(dir) => dir.clone(),
        None => std::env::current_dir()?,
    };
    let root = project_root(&start)?;
    let functions = match &args.functions {
        Some(dir) => dir.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("envctl's directory")?
            .to_path_buf(),
    };
    Ok(Setting { root, functions })
}

fn given(global: &Global, args: &LocalArgs) -> Option<Endpoints> {
    global.endpoint_url.as_ref().map(|endpoint| Endpoints {
        endpoint: endpoint.clone(),
        cloudwatch: args
            .cloudwatch_endpoint_url
            .clone()
            .unwrap_or_else(|| endpoint.clone()),
    })
}

pub fn run(
    global: &Global,
    command: LocalCommand,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: bool,
) -> anyhow::Result<()> {
    let mut progress = Progress::new(err, terminal);
    match command {
        LocalCommand::Up(args) => {
            let spec = spec_for(&args.suffix, args.spec.as_deref(), &Overrides::default())?;
            let setting = setting(&args)?;
            let endpoints = match given(global, &args) {
                Some(endpoints) => endpoints,
                None => match emulator::recorded(&setting.root) {
                    Some(record) => record.endpoints,
                    None => {
                        progress.done("starting moto (it stays running until `envctl local down`)");
                        emulator::start_persistent(&setting.root)?.endpoints
                    }
                },
            };
            provision(&setting, &spec, &endpoints, global.json, out, &mut progress)
        }
        LocalCommand::Down(args) => {
            let spec = spec_for(&args.suffix, args.spec.as_deref(), &Overrides::default())?;
            let setting = setting(&args)?;
            let (endpoints, record) =
                match (given(global, &args), emulator::recorded(&setting.root)) {
                    (Some(endpoints), _) => (endpoints, None),
                    (None, Some(record)) => (record.endpoints.clone(), Some(record)),
                    (None, None) => {
                        writeln!(out, "no local emulator is running: nothing to tear down")?;
                        return Ok(());
                    }
                };
            teardown(&setting, &spec, &endpoints, global.json, out, &mut progress)?;
            if let Some(record) = record {
                emulator::stop(&setting.root, &record)?;
                progress.done("moto stopped");
            }
            Ok(())
        }
        LocalCommand::Status(args) => {
            let setting = setting(&args)?;
            let endpoints = match given(global, &args) {
                Some(endpoints) => endpoints,
                None => match emulator::recorded(&setting.root) {
                    Some(record) => record.endpoints,
                    None => {
                        writeln!(out, "no local emulator is running")?;
                        return Ok(());
                    }
                },
            };
            let environments = runtime()?.block_on(async {
                let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
                    .region(aws_config::Region::new("us-west-2"))
                    .endpoint_url(&endpoints.endpoint)
                    .credentials_provider(aws_sdk_ec2::config::Credentials::new(
                        "test", "test", None, None, "local",
                    ))
                    .load()
                    .await;
                crate::tagged::environments(&aws_sdk_ec2::Client::new(&config)).await
            });
            let environments = environments?;
            if global.json {
                let body = json!({"endpoint": endpoints.endpoint, "environments": environments});
                writeln!(out, "{body}")?;
            } else {
                writeln!(out, "emulator: {}", endpoints.endpoint)?;
                for environment in environments {
                    writeln!(out, "environment: {}", environment.suffix)?;
                }
            }
            Ok(())
        }
        LocalCommand::Demo(args) => {
            let spec = spec_for(&args.suffix, args.spec.as_deref(), &Overrides::default())?;
            let setting = setting(&args)?;
            // A moto of its own when none is given, kept (and stopped) until the demo ends.
            let mut owned = None;
            let endpoints = given(global, &args).map(Ok).unwrap_or_else(|| {
                progress.done("starting moto for this demo");
                let started = emulator::start_owned(&setting.root)?;
                let endpoints = started.endpoints.clone();
                owned = Some(started);
                anyhow::Ok(endpoints)
            });
            let endpoints = endpoints?;
            provision(&setting, &spec, &endpoints, global.json, out, &mut progress)?;
            teardown(&setting, &spec, &endpoints, global.json, out, &mut progress)
        }
    }
}

fn execute(
    setting: &Setting,
    workflow: &str,
    spec: &EnvironmentSpec,
    endpoints: &Endpoints,
    progress: &mut Progress<'_>,
) -> anyhow::Result<runner::Finished> {
    let input = json!({ "spec": spec });
    let finished = runner::run(
        &setting.root,
        &setting.functions,
        workflow,
        &input,
        endpoints,
        progress,
    )?;
    if !finished.succeeded() {
        let tail: Vec<&String> = finished.log.iter().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().map(String::as_str).collect();
        bail!(
            "{workflow} of {} {}: {}: {}\nthe functions' last log lines:\n{}",
            spec.suffix(),
            finished.body["status"].as_str().unwrap_or("FAILED"),
            finished.body["error"].as_str().unwrap_or("no error"),
            finished.body["cause"].as_str().unwrap_or("no cause"),
            tail.join("\n")
        );
    }
    progress.done(&format!("{workflow} of {}: SUCCEEDED", spec.suffix()));
    Ok(finished)
}

fn provision(
    setting: &Setting,
    spec: &EnvironmentSpec,
    endpoints: &Endpoints,
    json: bool,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let finished = execute(setting, "provision", spec, endpoints, progress)?;
    print_outputs(&finished.body["output"]["outputs"], json, out)
}

fn teardown(
    setting: &Setting,
    spec: &EnvironmentSpec,
    endpoints: &Endpoints,
    json: bool,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    execute(setting, "teardown", spec, endpoints, progress)?;
    if json {
        let body = json!({"suffix": spec.suffix().to_string(), "status": "DELETED"});
        writeln!(out, "{body}")?;
    } else {
        writeln!(out, "{}: deleted", spec.suffix())?;
    }
    Ok(())
}
