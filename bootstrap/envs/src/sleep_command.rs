//! `env sleep|wake`: the command-line side of [`super::sleep`], in AWS.

use super::api::Workflows;
use super::cli::{print_execution, TargetArgs};
use super::commands::{self, Follow};
use super::sleep::{self, Plan, Wanted};
use clap::Args;
use env_core::arn::ArnScope;
use envctl_common::global::Global;
use envctl_common::progress::Progress;
use envctl_deploy::asl;
use std::io::Write;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct SleepArgs {
    #[command(flatten)]
    pub(crate) target: TargetArgs,

    /// Start the provision and return without following it.
    #[arg(long)]
    pub(crate) no_wait: bool,

    /// How long to follow the provision before giving up (it keeps running).
    #[arg(long, default_value = "2h", value_parser = humantime::parse_duration)]
    pub(crate) timeout: Duration,

    /// How often to poll the provision.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    pub(crate) poll: Duration,
}

/// Puts the environment in the `wanted` state through a provision of its current spec, follows it
/// as `env up` does, and prints how it ended; or says that it is in that state already.
pub(crate) async fn run<C: Workflows>(
    cloud: &C,
    global: &Global,
    (args, wanted): (&SleepArgs, Wanted),
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let region = global.region.as_str();
    let suffix = args.target.suffix(cloud, region).await?;
    let scope = ArnScope::new(region, cloud.account().await?);
    let follow = Follow {
        timeout: (!args.no_wait).then_some(args.timeout),
        poll: args.poll,
    };
    let (machine, name, arn) = match sleep::plan(cloud, &scope, &suffix, wanted).await? {
        Plan::AlreadyThere(execution) => {
            if global.json {
                writeln!(out, "{}", sleep::already(&suffix, wanted, &execution))?;
            } else {
                writeln!(out, "{}", sleep::already_line(&suffix, wanted, &execution))?;
            }
            return Ok(());
        }
        Plan::Running { machine, execution } => {
            progress.done(&format!(
                "{machine} {}: RUNNING already, making it {}",
                execution.name,
                wanted.word()
            ));
            (machine, execution.name, execution.arn)
        }
        Plan::Start { name, input } => {
            // A name taken already is this request's provision, started by a concurrent `sleep`
            // between the plan and now: it is followed as `env up` follows its own.
            let machine_arn = scope.state_machine(asl::PROVISION_NAME);
            let _started = cloud.start(&machine_arn, &name, &input).await?;
            progress.done(&format!(
                "{} {name}: started ({})",
                asl::PROVISION_NAME,
                wanted.command()
            ));
            let arn = sleep::provision_arn(&scope, &name);
            (asl::PROVISION_NAME, name, arn)
        }
    };
    let execution =
        commands::follow_execution(cloud, (machine, &name, &arn), &suffix, follow, progress)
            .await?;
    print_execution(commands::succeeded(execution)?, global.json, out)
}
