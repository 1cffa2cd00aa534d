//! The command-line side of `deploy` and `undeploy`: arguments, packages, the report.

use super::api::Cloud;
use super::apply::{self, Change, Outcome, Packages};
use super::aws::AwsCloud;
use super::pool::PoolSettings;
use super::rotation_package::CaBundle;
use anyhow::bail;
use clap::{Args, ValueEnum};
use envctl_common::global::Global;
use envctl_common::progress::Progress;
use envctl_common::sdk::{runtime, sdk_config};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Architecture {
    #[value(name = "x86_64")]
    X86_64,
    Arm64,
}

impl Architecture {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The Lambda packages: <DIR>/<function>.zip or <DIR>/<function>/bootstrap.zip (cargo-lambda's layout).
    #[arg(long, value_name = "DIR", required_unless_present_any = ["build", "print_policy"])]
    pub(crate) packages: Option<PathBuf>,

    /// Print the IAM policy the person or CI role running `deploy` and `undeploy` needs, and deploy
    /// nothing.
    #[arg(long, conflicts_with_all = ["packages", "build"])]
    pub(crate) print_policy: bool,

    /// With --print-policy: the account to write it for (default: the caller's, from STS).
    #[arg(long, value_name = "ID", requires = "print_policy")]
    pub(crate) account: Option<String>,

    /// Build the packages first with `cargo lambda build --release --output-format zip`.
    #[arg(long, conflicts_with = "packages")]
    pub(crate) build: bool,

    /// The functions' processor architecture.
    #[arg(long, value_enum, default_value = "x86_64")]
    pub(crate) architecture: Architecture,

    /// The RDS CA bundle the rotation function verifies the database with (default: the one
    /// envctl ships, for 27 regions); AWS's current global-bundle.pem for a newer region.
    #[arg(long, value_name = "FILE")]
    pub(crate) rds_ca_bundle: Option<PathBuf>,

    /// Keep N standby environments the hourly cleanup refills, for pull requests to claim
    /// (README, "Warm pool"); 0, or leaving it out, turns the pool off.
    #[arg(long, value_name = "N", conflicts_with = "print_policy")]
    pub(crate) pool_size: Option<u32>,

    /// The spec the pool's environments are provisioned with (`-` reads stdin); its
    /// environmentSuffix, if any, is replaced by each environment's own.
    #[arg(long, value_name = "FILE", requires = "pool_size")]
    pub(crate) pool_spec: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct UndeployArgs {
    /// Remove the backend even though environments still exist (they are left running, orphaned).
    #[arg(long)]
    pub(crate) force: bool,
}

fn report(outcomes: &[Outcome], json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let changed = outcomes
        .iter()
        .filter(|outcome| !matches!(outcome.change, Change::Unchanged | Change::Absent))
        .count();
    if json {
        let body = serde_json::json!({"resources": outcomes, "changed": changed});
        writeln!(out, "{body}")?;
        return Ok(());
    }
    for outcome in outcomes {
        let line = format!(
            "{} {}: {}",
            outcome.kind,
            outcome.name,
            outcome.change.describe()
        );
        writeln!(out, "{line}")?;
    }
    let summary = if changed == 0 {
        "no changes".to_owned()
    } else {
        format!("{changed} change(s)")
    };
    writeln!(out, "{summary}")?;
    Ok(())
}

pub fn deploy(
    global: &Global,
    args: &DeployArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: bool,
) -> anyhow::Result<()> {
    if args.print_policy {
        return print_policy(global, args.account.as_deref(), out);
    }
    let architecture = args.architecture.as_str();
    let ca_bundle = match &args.rds_ca_bundle {
        Some(path) => CaBundle::from_file(path)?,
        None => CaBundle::shipped(),
    };
    ca_bundle.check_region(&global.region)?;
    let pool = PoolSettings::from_args(args.pool_size, args.pool_spec.as_deref())?;
    let dir = match &args.packages {
        Some(dir) => dir.clone(),
        None => {
            let root = envctl_common::project::project_root(&std::env::current_dir()?)?;
            let status = apply::build_command(&root, architecture).status()?;
            if !status.success() {
                bail!("cargo lambda build failed ({status}): is cargo-lambda installed? (`cargo install --locked cargo-lambda`)");
            }
            root.join("target/lambda")
        }
    };
    let packages = Packages { dir, ca_bundle };
    let runtime = runtime()?;
    let outcomes = runtime.block_on(async {
        let config = sdk_config(global).await;
        let cloud = AwsCloud::new(&config, &global.region);
        let mut progress = Progress::new(err, terminal);
        apply::deploy_with_pool(
            &cloud,
            &packages,
            (&global.region, architecture),
            &pool,
            &mut progress,
        )
        .await
    })?;
    report(&outcomes, global.json, out)
}

/// `deploy --print-policy`: the deployer's policy document, for `account` or the caller's.
/// The account of the credentials `global` names.
async fn caller_account(global: &Global) -> anyhow::Result<String> {
    let config = sdk_config(global).await;
    AwsCloud::new(&config, &global.region).account().await
}

fn print_policy(global: &Global, account: Option<&str>, out: &mut dyn Write) -> anyhow::Result<()> {
    let account = match account {
        Some(account) => {
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                bail!("--account {account:?}: an AWS account id is 12 digits");
            }
            account.to_owned()
        }
        None => runtime()?.block_on(caller_account(global))?,
    };
    let scope = crate::asl::ArnScope {
        region: global.region.clone(),
        account,
    };
    let document = crate::policies::deployer_document(&scope);
    writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
    Ok(())
}

pub fn undeploy(
    global: &Global,
    args: &UndeployArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: bool,
) -> anyhow::Result<()> {
    let runtime = runtime()?;
    let outcomes = runtime.block_on(async {
        let config = sdk_config(global).await;
        let cloud = AwsCloud::new(&config, &global.region);
        let mut progress = Progress::new(err, terminal);
        apply::undeploy(&cloud, &global.region, args.force, &mut progress).await
    })?;
    report(&outcomes, global.json, out)
}
