//! `local sleep|wake`: what `env sleep|wake` does (envctl-envs decides from the executions Step
//! Functions recorded), against the emulator. moto records the provision and runs none; the local
//! runner runs it here and its outcome is recorded there (`outcome`), so the next `sleep`, `wake`
//! or `down` reads the same history AWS would hold.

use super::command::{manifest, running, setting, LocalArgs};
use super::emulator::{self, Endpoints, REGION};
use super::pool::Run;
use env_core::arn::ArnScope;
use envctl_common::global::Global;
use envctl_common::progress::Progress;
use envctl_common::sdk::runtime;
use envctl_envs::api::Workflows;
use envctl_envs::aws::AwsWorkflows;
use envctl_envs::pool::{environment_of, Machines};
use envctl_envs::sleep::{self, Plan, Refusal, Wanted};
use serde_json::json;
use std::io::Write;

/// `local sleep` or `local wake`: the environment of `--suffix` (or the one pull request `--pr`
/// holds) put in the `wanted` state by a provision run here, or left as it is when it is there.
pub(super) fn run(
    global: &Global,
    (args, wanted): (&LocalArgs, Wanted),
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let setting = setting(&args.place)?;
    let Some((endpoints, _)) = running(global, &setting) else {
        // moto keeps nothing once stopped: no environment stands without one.
        return Err(Refusal::NotFound {
            suffix: args.suffix(),
        }
        .into());
    };
    super::runner::check_installed(&setting.root)?;
    let manifest = manifest(&setting, &endpoints, args.no_deploy, progress)?;
    let runtime = runtime()?;
    let (cloud, scope) = runtime.block_on(connect(&endpoints))?;
    let suffix = match (&args.suffix, args.pr) {
        (None, Some(number)) => {
            runtime.block_on(environment_of(&cloud, &Machines::new(&scope), number))?
        }
        _ => args.suffix(),
    };
    let planned = runtime.block_on(sleep::plan(&cloud, &scope, &suffix, wanted))?;
    match planned {
        Plan::AlreadyThere(execution) => {
            if global.json {
                writeln!(out, "{}", sleep::already(&suffix, wanted, &execution))?;
            } else {
                writeln!(out, "{}", sleep::already_line(&suffix, wanted, &execution))?;
            }
            Ok(())
        }
        // moto runs nothing: a running record is another command's, which runs it here.
        Plan::Running { machine, execution } => {
            let name = &execution.name;
            let said = if global.json {
                let body = json!({"suffix": suffix, "state": "RUNNING", "started": false, "execution": name});
                body.to_string()
            } else {
                format!("{suffix}: {machine} {name} is RUNNING (another command runs it): nothing started")
            };
            writeln!(out, "{said}")?;
            Ok(())
        }
        Plan::Start { name, input } => {
            let machine = scope.state_machine(envctl_deploy::asl::PROVISION_NAME);
            let _started = runtime.block_on(cloud.start(&machine, &name, &input))?;
            progress.done(&format!("provision {name}: started ({})", wanted.command()));
            let arn = sleep::provision_arn(&scope, &name);
            let place = Run {
                setting: &setting,
                manifest: &manifest,
                endpoints: &endpoints,
            };
            let finished = place.recorded("provision", &suffix, &arn, &input, progress)?;
            let outputs = &finished.body["output"]["outputs"];
            envctl_envs::cli::print_outputs(outputs, global.json, out)
        }
    }
}

/// The emulator's Step Functions through envctl-envs, and the scope of its account.
pub(super) async fn connect(endpoints: &Endpoints) -> anyhow::Result<(AwsWorkflows, ArnScope)> {
    let config = emulator::sdk_config(endpoints).await;
    let cloud = AwsWorkflows::new(&config);
    let account = cloud.account().await?;
    Ok((cloud, ArnScope::new(REGION, &account)))
}
