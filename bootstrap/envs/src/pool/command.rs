//! `envctl pool fill|status`: the warm pool in AWS, through the deployed state machines.

use super::{check_pool, fill, pool_spec_of, status, Machines, PoolState, PoolStatus};
use crate::api::Workflows;
use crate::aws::AwsWorkflows;
use crate::request::{spec_for, Overrides};
use clap::{Args, Subcommand};
use env_core::arn::ArnScope;
use env_core::pool::POOL_PREFIX;
use env_core::spec::EnvironmentSpec;
use envctl_common::global::Global;
use envctl_common::sdk::{runtime, sdk_config};
use envctl_cost::PriceTable;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

#[derive(Debug, Subcommand)]
pub enum PoolCommand {
    /// Start standby provisions of new pool-… environments until SIZE of them are available or
    /// being provisioned; prints the suffixes started.
    Fill(FillArgs),
    /// Every pool environment (available, refilling, claiming, claimed, retiring, failed), and what
    /// the environments standing by cost.
    Status,
}

#[derive(Debug, Args)]
pub struct FillArgs {
    /// How many environments the pool keeps standing by.
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=i64::from(super::MAX_POOL_SIZE)))]
    size: u32,

    /// The pool spec (JSON, no pullRequest); without it, examples/pr.json's settings, as `env up`.
    #[arg(long)]
    spec: Option<PathBuf>,
}

pub fn run(global: &Global, command: PoolCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let config = sdk_config(global).await;
        let cloud = AwsWorkflows::new(&config);
        run_with(&cloud, global, command, out).await
    })
}

/// The pool spec of `file`, or the default one; its suffix is a placeholder each fill replaces.
pub fn pool_spec(file: Option<&Path>) -> anyhow::Result<EnvironmentSpec> {
    spec_for(&format!("{POOL_PREFIX}spec"), file, &Overrides::default())
}

/// The `pool` commands against any [`Workflows`].
pub(crate) async fn run_with<C: Workflows>(
    cloud: &C,
    global: &Global,
    command: PoolCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match command {
        PoolCommand::Fill(args) => {
            // Checked before anything reaches AWS.
            let spec = pool_spec(args.spec.as_deref())?;
            check_pool(&spec, args.size)?;
            let machines = machines(cloud, global).await?;
            let started = fill(cloud, &machines, &spec, args.size, SystemTime::now()).await?;
            if global.json {
                writeln!(out, "{}", json!({ "started": started }))?;
            } else if started.is_empty() {
                let full = format!(
                    "the pool has {} environments standing by or on the way",
                    args.size
                );
                writeln!(out, "{full}")?;
            } else {
                for suffix in &started {
                    writeln!(out, "{suffix}: provision started")?;
                }
            }
            Ok(())
        }
        PoolCommand::Status => {
            let machines = machines(cloud, global).await?;
            let report = status(cloud, &machines).await?;
            print_status(cloud, &machines, &report, global.json, out).await
        }
    }
}

async fn machines<C: Workflows>(cloud: &C, global: &Global) -> anyhow::Result<Machines> {
    let scope = ArnScope::new(global.region.as_str(), cloud.account().await?);
    Ok(Machines::new(&scope))
}

/// The environments, then the idle cost of those standing by (available or being provisioned),
/// priced from the pool spec of one of them (or the default pool spec when none stands by).
async fn print_status<C: Workflows>(
    cloud: &C,
    machines: &Machines,
    report: &PoolStatus,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let waiting: Vec<&str> = report
        .environments
        .iter()
        .filter(|e| matches!(e.state, PoolState::Available | PoolState::Refilling))
        .map(|e| e.suffix.as_str())
        .collect();
    let spec = match waiting.first() {
        Some(suffix) => pool_spec_of(cloud, machines, suffix).await?,
        None => pool_spec(None)?,
    };
    let prices = PriceTable::bundled()?;
    let size = u32::try_from(waiting.len())?;
    let cost = envctl_cost::pool(&spec, size, &prices)?;
    if json {
        let mut body = serde_json::to_value(report)?;
        body["cost"] = envctl_cost::pool_to_json(&cost, &prices);
        writeln!(out, "{body}")?;
        return Ok(());
    }
    writeln!(out, "SUFFIX\tSTATE\tPR\tEXECUTION")?;
    for environment in &report.environments {
        let state = serde_json::to_value(environment.state)?;
        let number = environment
            .pull_request
            .map_or_else(|| "-".to_owned(), |n| n.to_string());
        let line = format!(
            "{}\t{}\t{number}\t{}",
            environment.suffix,
            state.as_str().unwrap_or_default(),
            environment.execution
        );
        writeln!(out, "{line}")?;
    }
    writeln!(out)?;
    out.write_all(envctl_cost::pool_to_text(&cost, &prices).as_bytes())?;
    Ok(())
}
