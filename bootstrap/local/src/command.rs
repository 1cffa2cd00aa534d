//! The command-line side of `local …`.

use super::emulator::{self, Endpoints, REGION};
use super::workflows::{provision, teardown};
use super::{deployed, package, runner};
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
use envctl_deploy::pool::PoolSettings;
use envctl_deploy::rotation_package::CaBundle;
use envctl_envs::cli::print_outputs;
use envctl_envs::request::{spec_for, Overrides};
use envctl_envs::sleep::Wanted;
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
    /// The warm pool in the emulator (docs/warm-pool-design.md).
    #[command(subcommand)]
    Pool(PoolCommand),
    /// Put a local environment to sleep (as `env sleep`): no task, NAT gateway or cache.
    Sleep(LocalArgs),
    /// Wake a sleeping local environment (as `env wake`).
    Wake(LocalArgs),
    /// One request to the environment's URL as its load balancer hands it to the waker while it
    /// sleeps: prints the answer; a wake the waker starts is then run here.
    Request(super::request::RequestArgs),
}

#[derive(Debug, Subcommand)]
pub enum PoolCommand {
    /// Start standby provisions of new `pool-` environments until SIZE stand or are being made,
    /// then run each here as Step Functions would; prints their suffixes.
    Fill(FillArgs),
}

#[derive(Debug, Args)]
pub struct FillArgs {
    /// How many pool environments should stand.
    #[arg(long)]
    pub(crate) size: u32,

    #[command(flatten)]
    pub(crate) place: Place,
}

#[derive(Debug, Args)]
pub struct LocalArgs {
    /// The environment suffix (default: `pr-<N>` with --pr, else `demo`).
    #[arg(long)]
    pub(crate) suffix: Option<String>,

    /// The pull request: `up` claims a matching pool environment for it first (provisioning
    /// `pr-<N>` when none is available), `down` tears down the environment it holds, `sleep` and
    /// `wake` act on it.
    #[arg(long, value_name = "N")]
    pub(crate) pr: Option<u32>,

    /// Run against the backend an earlier `local deploy` left in the work directory, without
    /// deploying it again (several commands at once must not deploy into one emulator together).
    #[arg(long)]
    pub(crate) no_deploy: bool,

    #[command(flatten)]
    pub(crate) place: Place,
}

/// Where the spec, the checkout, the function binaries and the work directory are.
#[derive(Debug, Args)]
pub struct Place {
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

    /// The warm pool the deployed cleanup keeps: this many standby environments (as `envctl
    /// deploy --pool-size`). Every command that deploys sets it; without it, the pool is off.
    #[arg(long, value_name = "N")]
    pub(crate) pool_size: Option<u32>,

    /// The spec the cleanup provisions pool environments with (as `envctl deploy --pool-spec`).
    #[arg(long, value_name = "FILE")]
    pub(crate) pool_spec: Option<PathBuf>,
}

pub(super) struct Setting {
    pub(super) root: PathBuf,
    functions: PathBuf,
    pub(super) work: PathBuf,
    /// The cleanup's warm pool, checked before any AWS call.
    pool: PoolSettings,
}

impl LocalArgs {
    /// The environment the command is about: `--suffix`, else `pr-<N>` for `--pr N`, else `demo`.
    pub(super) fn suffix(&self) -> String {
        match (&self.suffix, self.pr) {
            (Some(suffix), _) => suffix.clone(),
            (None, Some(number)) => format!("pr-{number}"),
            (None, None) => "demo".to_owned(),
        }
    }

    /// The spec of [`LocalArgs::suffix`], with `pullRequest` set to `--pr`.
    fn spec(&self) -> anyhow::Result<EnvironmentSpec> {
        let (suffix, file) = (self.suffix(), self.place.spec.as_deref());
        let spec = spec_for(&suffix, file, &Overrides::default())?;
        match self.pr {
            Some(number) => super::pool::for_pull_request(&spec, number),
            None => Ok(spec),
        }
    }
}

pub(super) fn setting(args: &Place) -> anyhow::Result<Setting> {
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
    let pool = PoolSettings::from_args(args.pool_size, args.pool_spec.as_deref())?;
    Ok(Setting {
        root,
        functions,
        work,
        pool,
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
        let place = (REGION, HOST_ARCHITECTURE);
        let outcomes =
            apply::deploy_with_pool(&cloud, &packages, place, &setting.pool, progress).await?;
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
pub(super) fn running(
    global: &Global,
    setting: &Setting,
) -> Option<(Endpoints, Option<emulator::Record>)> {
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
        LocalCommand::Pool(PoolCommand::Fill(args)) => fill(global, &args, out, &mut progress),
        LocalCommand::Sleep(args) => {
            super::sleep::run(global, (&args, Wanted::Asleep), out, &mut progress)
        }
        LocalCommand::Wake(args) => {
            super::sleep::run(global, (&args, Wanted::Awake), out, &mut progress)
        }
        LocalCommand::Request(args) => super::request::run(global, &args, out, &mut progress),
    }
}

fn up(
    global: &Global,
    args: &LocalArgs,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let spec = args.spec()?;
    let setting = setting(&args.place)?;
    let endpoints = persistent_endpoints(global, &setting, progress)?;
    runner::check_installed(&setting.root)?;
    let manifest = manifest(&setting, &endpoints, args.no_deploy, progress)?;
    if args.pr.is_none() {
        let outputs = provision(&setting, &manifest, &spec, &endpoints, progress)?;
        return print_outputs(&outputs, global.json, out);
    }
    let run = super::pool::Run {
        setting: &setting,
        manifest: &manifest,
        endpoints: &endpoints,
    };
    let held = match super::pool::claim(&run, &spec, progress)? {
        Some(held) => held,
        None => super::pool::Held {
            suffix: spec.suffix().to_string(),
            how: "provisioned",
            status: "SUCCEEDED".to_owned(),
            outputs: provision(&setting, &manifest, &spec, &endpoints, progress)?,
        },
    };
    held.print(global.json, out)
}

/// `local pool fill`: the pool filled in the emulator, each provision it started run here.
fn fill(
    global: &Global,
    args: &FillArgs,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let spec = spec_for("pool", args.place.spec.as_deref(), &Overrides::default())?;
    let setting = setting(&args.place)?;
    let endpoints = persistent_endpoints(global, &setting, progress)?;
    runner::check_installed(&setting.root)?;
    let manifest = deploy_locally(&setting, &endpoints, progress)?;
    let run = super::pool::Run {
        setting: &setting,
        manifest: &manifest,
        endpoints: &endpoints,
    };
    let started = super::pool::fill(&run, &spec, args.size, progress)?;
    if global.json {
        writeln!(out, "{}", json!({ "started": started }))?;
        return Ok(());
    }
    let (count, listed) = (started.len(), started.join(", "));
    writeln!(out, "{count} pool environment(s) started: [{listed}]")?;
    Ok(())
}

/// The deployed backend the runner runs: deployed now, or (`no_deploy`) the one an earlier deploy
/// read back into the work directory.
pub(super) fn manifest(
    setting: &Setting,
    endpoints: &Endpoints,
    no_deploy: bool,
    progress: &mut Progress<'_>,
) -> anyhow::Result<PathBuf> {
    if !no_deploy {
        return deploy_locally(setting, endpoints, progress);
    }
    let manifest = setting.work.join("deployed").join(deployed::MANIFEST);
    if !manifest.exists() {
        bail!(
            "--no-deploy: no deployed backend was read back into {}: run `envctl local deploy` first",
            manifest.display()
        );
    }
    Ok(manifest)
}

fn run_cleanup(
    global: &Global,
    args: &LocalArgs,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let setting = setting(&args.place)?;
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
    let setting = setting(&args.place)?;
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
    let spec = args.spec()?;
    let setting = setting(&args.place)?;
    let Some((endpoints, record)) = running(global, &setting) else {
        writeln!(out, "no local emulator is running: nothing to tear down")?;
        return Ok(());
    };
    runner::check_installed(&setting.root)?;
    let manifest = manifest(&setting, &endpoints, args.no_deploy, progress)?;
    if let Some(number) = args.pr {
        let run = super::pool::Run {
            setting: &setting,
            manifest: &manifest,
            endpoints: &endpoints,
        };
        // The pool and the other pull requests' environments live in the same emulator: it stays.
        if let Some(suffix) = super::pool::tear_down_held(&run, number, progress)? {
            return print_deleted(&suffix, global.json, out);
        }
    }
    let place = (&setting, manifest.as_path(), &endpoints);
    let torn_down = teardown(place, &spec, global.json, out, progress);
    torn_down?;
    if let Some(record) = record.filter(|_| args.pr.is_none()) {
        emulator::stop(&setting.root, &record)?;
        progress.done("moto stopped");
    }
    Ok(())
}

fn status(global: &Global, args: &LocalArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let setting = setting(&args.place)?;
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
    let spec = args.spec()?;
    let setting = setting(&args.place)?;
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
    runner::check_installed(&setting.root)?;
    let manifest = deploy_locally(&setting, &endpoints, progress)?;
    let outputs = provision(&setting, &manifest, &spec, &endpoints, progress)?;
    print_outputs(&outputs, global.json, out)?;
    let place = (&setting, manifest.as_path(), &endpoints);
    teardown(place, &spec, global.json, out, progress)
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
    let root = &setting.root;
    runner::run(root, manifest, workflow, input, endpoints, progress)
        .and_then(|finished| succeeded(workflow, subject, finished, progress))
}

/// `finished` when it succeeded; otherwise its error, its cause and the functions' last log lines.
pub(super) fn succeeded(
    workflow: &str,
    subject: &str,
    finished: runner::Finished,
    progress: &mut Progress<'_>,
) -> anyhow::Result<runner::Finished> {
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

pub(super) fn print_deleted(suffix: &str, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    if json {
        let body = json!({"suffix": suffix, "status": "DELETED"});
        writeln!(out, "{body}")?;
    } else {
        writeln!(out, "{suffix}: deleted")?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "command_tests.rs"]
mod tests;
