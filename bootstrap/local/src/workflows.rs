//! `local up` and `local down` (and `local demo`): a provision or a teardown started in the
//! emulator's Step Functions under a name new in the environment's history, run here by the local
//! runner and its outcome recorded there. So Step Functions holds what it would in AWS (the latest
//! provision, its spec and whether it succeeded), which `local sleep|wake` decide by, as `env
//! sleep|wake` do.

use super::command::{print_deleted, Setting};
use super::emulator::{Endpoints, REGION};
use super::pool::Run;
use super::rotation_report;
use env_core::spec::EnvironmentSpec;
use envctl_common::progress::Progress;
use envctl_common::sdk::runtime;
use envctl_deploy::asl;
use std::io::Write;
use std::path::Path;

/// Runs `machine` for `spec` here, recorded; answers what the runner printed.
fn recorded(
    run: &Run<'_>,
    machine: &str,
    spec: &EnvironmentSpec,
    progress: &mut Progress<'_>,
) -> anyhow::Result<super::runner::Finished> {
    let runtime = runtime()?;
    let (cloud, _) = runtime.block_on(super::sleep::connect(run.endpoints))?;
    let started = envctl_envs::start_next(&cloud, REGION, machine, spec);
    let (arn, input) = runtime.block_on(started)?;
    let subject = spec.suffix().to_string();
    run.recorded(machine, &subject, &arn, &input, progress)
}

/// Provisions `spec` here; answers its outputs.
pub(super) fn provision(
    setting: &Setting,
    manifest: &Path,
    spec: &EnvironmentSpec,
    endpoints: &Endpoints,
    progress: &mut Progress<'_>,
) -> anyhow::Result<serde_json::Value> {
    let run = Run {
        setting,
        manifest,
        endpoints,
    };
    let finished = recorded(&run, asl::PROVISION_NAME, spec, progress)?;
    progress.done(&runtime()?.block_on(rotation_report::line(endpoints)));
    Ok(finished.body["output"]["outputs"].clone())
}

/// Tears `spec` down here (`place`: the setting, the deployed backend, the emulator), once every
/// provision of it still recorded as running is stopped (as `env down` does: a provision left
/// running by another command, or by one that ended half-way, would otherwise read as converging).
pub(super) fn teardown(
    (setting, manifest, endpoints): (&Setting, &Path, &Endpoints),
    spec: &EnvironmentSpec,
    json: bool,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let run = Run {
        setting,
        manifest,
        endpoints,
    };
    let runtime = runtime()?;
    let (cloud, _) = runtime.block_on(super::sleep::connect(endpoints))?;
    let suffix = spec.suffix().as_str();
    let stopping = envctl_envs::stop_running_provisions(&cloud, REGION, suffix, progress);
    runtime.block_on(stopping)?;
    recorded(&run, asl::TEARDOWN_NAME, spec, progress)?;
    print_deleted(suffix, json, out)
}
