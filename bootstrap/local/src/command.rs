//! The command-line side of `local …`.

use super::emulator::{self, Endpoints, REGION};
use super::{deployed, package, rotation_report, runner};
use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use env_core::spec::EnvironmentSpec;
use envctl_common::global::Global;
use envctl_common::progress::Progress;
use envctl_common::project::project_root;
use envctl_common::sdk::runtime;
use envctl_deploy::api::Cloud;
use envctl_deploy::apply::{self, Change, Packages};
use envctl_deploy::asl::ArnScope;
use envctl_deploy::aws::AwsCloud;
use envctl_deploy::rotation_package::CaBundle;
use envctl_envs::cli::print_outputs;
use envctl_envs::request::{spec_for, Overrides};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

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
    /// Deploy the backend into the emulator from this build, as `envctl deploy` does in AWS, and
    /// read it back for the local runner (up, down and demo do this first); prints the manifest.
    Deploy(LocalArgs),
    /// One run of the deployed cleanup schedule, then the teardowns it started, run here as Step
    /// Functions would run them.
    Cleanup(LocalArgs),
}

#[derive(Debug, Args)]
pub struct LocalArgs {
    /// The environment suffix.
    #[arg(long, default_value = "demo")]
    pub(crate) suffix: String,

    /// The environment spec (JSON); without it, examples/pr.json's demo settings.
    #[arg(long)]
    pub(crate) spec: Option<PathBuf>,

    /// Where the function binaries are (default: next to envctl, as `cargo build --bins` leaves them).
    #[arg(long, value_name = "DIR")]
    pub(crate) functions: Option<PathBuf>,

    /// The repository checkout (default: found from the current directory).
    #[arg(long, value_name = "DIR")]
    pub(crate) project: Option<PathBuf>,

    /// Where the packages and the deployed backend read back are kept (default: the checkout's
    /// `.local`).
    #[arg(long, value_name = "DIR")]
    pub(crate) work_dir: Option<PathBuf>,
}

pub(super) struct Setting {
    pub(super) root: PathBuf,
    functions: PathBuf,
    work: PathBuf,
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
    // Absolute: the runner starts the unpacked functions from here, in their own directories.
    let work = std::path::absolute(args.work_dir.clone().unwrap_or_else(|| root.join(".local")))?;
    Ok(Setting {
        root,
        functions,
        work,
    })
}

/// What `deploy` packages: every function of the backend, and the rotation function the database
/// function deploys per environment.
fn packaged() -> Vec<&'static str> {
    envctl_deploy::policies::FUNCTIONS
        .iter()
        .map(|policy| policy.function)
        .chain(["rotation"])
        .collect()
}

/// The processor this machine runs, as Lambda names it: the local runner runs only packages built
/// for it.
#[cfg(target_arch = "aarch64")]
const HOST_ARCHITECTURE: &str = "arm64";
#[cfg(not(target_arch = "aarch64"))]
const HOST_ARCHITECTURE: &str = "x86_64";

/// Deploys the backend into the emulator from the binaries of this build, packaged as Lambda
/// packages, by the code `envctl deploy` runs; then reads it back as Lambda and Step Functions
/// would run it. Returns the manifest the runner reads.
pub(super) fn deploy_locally(
    setting: &Setting,
    endpoints: &Endpoints,
    progress: &mut Progress<'_>,
) -> anyhow::Result<PathBuf> {
    let dir = package::package_binaries(
        &setting.functions,
        &packaged(),
        &setting.work.join("packages"),
    )?;
    let packages = Packages {
        dir,
        ca_bundle: CaBundle::shipped(),
    };
    runtime()?.block_on(async {
        let config = emulator::sdk_config(endpoints).await;
        let cloud = AwsCloud::new(&config, REGION);
        let outcomes =
            apply::deploy(&cloud, &packages, REGION, HOST_ARCHITECTURE, progress).await?;
        let changed = outcomes
            .iter()
            .filter(|outcome| !matches!(outcome.change, Change::Unchanged))
            .count();
        progress.done(&format!(
            "backend deployed into the emulator: {changed} change(s)"
        ));
        let scope = ArnScope {
            region: REGION.to_owned(),
            account: cloud.account().await?,
        };
        deployed::read_back(&config, &scope, &setting.work.join("deployed")).await
    })
}

/// The endpoints `local up` and `local deploy` use: given, recorded, or a moto started now that
/// stays running.
fn persistent_endpoints(
    global: &Global,
    setting: &Setting,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Endpoints> {
    if let Some((endpoints, _)) = running(global, setting) {
        return Ok(endpoints);
    }
    progress.done("starting moto (it stays running until `envctl local down`)");
    Ok(emulator::start_persistent(&setting.root)?.endpoints)
}

/// The emulator the command talks to: the one given (`--endpoint-url`) or else the one `local up`
/// recorded, with its record (what `local down` stops); `None` when neither is there.
fn running(global: &Global, setting: &Setting) -> Option<(Endpoints, Option<emulator::Record>)> {
    match given(global) {
        Some(endpoints) => Some((endpoints, None)),
        None => {
            emulator::recorded(&setting.root).map(|record| (record.endpoints.clone(), Some(record)))
        }
    }
}

fn given(global: &Global) -> Option<Endpoints> {
    global.endpoint_url.as_ref().map(|endpoint| Endpoints {
        endpoint: endpoint.clone(),
        cloudwatch: global.cloudwatch_endpoint().unwrap_or(endpoint.clone()),
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
        LocalCommand::Up(args) => up(global, &args, out, &mut progress),
        LocalCommand::Cleanup(args) => run_cleanup(global, &args, out, &mut progress),
        LocalCommand::Deploy(args) => deploy(global, &args, out, &mut progress),
        LocalCommand::Down(args) => down(global, &args, out, &mut progress),
        LocalCommand::Status(args) => status(global, &args, out),
        LocalCommand::Demo(args) => demo(global, &args, out, &mut progress),
    }
}

fn up(
    global: &Global,
    args: &LocalArgs,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let spec = spec_for(&args.suffix, args.spec.as_deref(), &Overrides::default())?;
    let setting = setting(args)?;
    let endpoints = persistent_endpoints(global, &setting, progress)?;
    provision(&setting, &spec, &endpoints, global.json, out, progress)
}

fn run_cleanup(
    global: &Global,
    args: &LocalArgs,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let setting = setting(args)?;
    let Some((endpoints, _)) = running(global, &setting) else {
        writeln!(out, "no local emulator is running: nothing to clean up")?;
        return Ok(());
    };
    super::cleanup::run(&setting, &endpoints, global.json, out, progress)
}

fn deploy(
    global: &Global,
    args: &LocalArgs,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let setting = setting(args)?;
    let endpoints = persistent_endpoints(global, &setting, progress)?;
    let manifest = deploy_locally(&setting, &endpoints, progress)?;
    if global.json {
        writeln!(out, "{}", json!({"manifest": manifest}))?;
    } else {
        writeln!(out, "{}", manifest.display())?;
    }
    Ok(())
}

fn down(
    global: &Global,
    args: &LocalArgs,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let spec = spec_for(&args.suffix, args.spec.as_deref(), &Overrides::default())?;
    let setting = setting(args)?;
    let Some((endpoints, record)) = running(global, &setting) else {
        writeln!(out, "no local emulator is running: nothing to tear down")?;
        return Ok(());
    };
    teardown(&setting, &spec, &endpoints, global.json, out, progress)?;
    if let Some(record) = record {
        emulator::stop(&setting.root, &record)?;
        progress.done("moto stopped");
    }
    Ok(())
}

fn status(global: &Global, args: &LocalArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let setting = setting(args)?;
    let Some((endpoints, _)) = running(global, &setting) else {
        writeln!(out, "no local emulator is running")?;
        return Ok(());
    };
    let environments = runtime()?.block_on(async {
        let config = emulator::sdk_config(&endpoints).await;
        envctl_common::tagged::environments(&aws_sdk_ec2::Client::new(&config)).await
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

fn demo(
    global: &Global,
    args: &LocalArgs,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let spec = spec_for(&args.suffix, args.spec.as_deref(), &Overrides::default())?;
    let setting = setting(args)?;
    // A moto of its own when none is given, kept (and stopped) until the demo ends.
    let mut owned = None;
    let endpoints = given(global).map(Ok).unwrap_or_else(|| {
        progress.done("starting moto for this demo");
        let started = emulator::start_owned(&setting.root)?;
        let endpoints = started.endpoints.clone();
        owned = Some(started);
        anyhow::Ok(endpoints)
    });
    let endpoints = endpoints?;
    provision(&setting, &spec, &endpoints, global.json, out, progress)?;
    teardown(&setting, &spec, &endpoints, global.json, out, progress)
}

fn execute(
    setting: &Setting,
    workflow: &str,
    spec: &EnvironmentSpec,
    endpoints: &Endpoints,
    progress: &mut Progress<'_>,
) -> anyhow::Result<runner::Finished> {
    runner::check_installed(&setting.root)?;
    let manifest = deploy_locally(setting, endpoints, progress)?;
    let input = json!({ "spec": spec });
    let subject = spec.suffix().to_string();
    run_workflow(
        setting, &manifest, workflow, &subject, &input, endpoints, progress,
    )
}

/// Runs `workflow` of the deployed backend (`manifest`) with `input`; fails with its error, its
/// cause and the functions' last log lines unless it succeeded. `subject` names what it ran for.
pub(super) fn run_workflow(
    setting: &Setting,
    manifest: &Path,
    workflow: &str,
    subject: &str,
    input: &serde_json::Value,
    endpoints: &Endpoints,
    progress: &mut Progress<'_>,
) -> anyhow::Result<runner::Finished> {
    let finished = runner::run(
        &setting.root,
        manifest,
        workflow,
        input,
        endpoints,
        progress,
    )?;
    if !finished.succeeded() {
        let tail: Vec<&String> = finished.log.iter().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().map(String::as_str).collect();
        bail!(
            "{workflow} of {subject} {}: {}: {}\nthe functions' last log lines:\n{}",
            finished.body["status"].as_str().unwrap_or("FAILED"),
            finished.body["error"].as_str().unwrap_or("no error"),
            finished.body["cause"].as_str().unwrap_or("no cause"),
            tail.join("\n")
        );
    }
    progress.done(&format!("{workflow} of {subject}: SUCCEEDED"));
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
    progress.done(&runtime()?.block_on(rotation_report::line(endpoints)));
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
