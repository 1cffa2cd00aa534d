//! `env up --pr N` with a warm pool: claim a standby environment first, else provision as before
//! (docs/warm-pool-design.md §3.2, §3.4).

use super::{
    claim_expiring, claim_input, new_suffix, pool_spec_of, provision_standby, respec, ClaimOutcome,
    Machines, CLAIM_MACHINE,
};
use crate::api::{Execution, Workflows};
use crate::commands::{self, Follow};
use env_core::arn::ArnScope;
use env_core::pool::claim_execution_name;
use env_core::spec::EnvironmentSpec;
use envctl_common::progress::Progress;
use envctl_deploy::asl;
use std::time::SystemTime;

/// What `env up --pr N` asks of the pool.
#[derive(Debug, Clone, Copy)]
pub struct PoolUp<'a> {
    pub region: &'a str,
    pub request: Option<&'a str>,
    pub follow: Follow,
    /// Start no replacement after a claim (the hourly cleanup refills the pool anyway).
    pub no_refill: bool,
}

/// Claims a pool environment for `spec` (the pull request's, under its own suffix, which it keeps
/// when the pool has no match) and follows the claim; `None` when the pull request's own environment
/// stands already or no pool environment matches: the caller provisions as without a pool.
pub async fn up<C: Workflows>(
    cloud: &C,
    spec: &EnvironmentSpec,
    asked: PoolUp<'_>,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Option<Execution>> {
    let own = commands::status(cloud, asked.region, spec.suffix().as_str()).await?;
    if own.workflow == Some(asl::PROVISION_NAME) {
        // Provisioned before (without the pool): its pushes keep going there.
        return Ok(None);
    }
    let scope = ArnScope::new(asked.region, cloud.account().await?);
    let machines = Machines::new(&scope);
    let (suffix, arn, fresh) = match claim_expiring(cloud, &machines, spec).await? {
        ClaimOutcome::Empty => return Ok(None),
        ClaimOutcome::Claimed {
            suffix,
            execution_arn,
            ..
        } => (suffix, execution_arn, true),
        ClaimOutcome::AlreadyHeld {
            suffix,
            execution_arn,
        } => (suffix, execution_arn, false),
    };
    let name = claim_execution_name(&suffix);
    progress.done(&format!(
        "{CLAIM_MACHINE} {name}: pool environment {suffix}"
    ));
    let execution = commands::follow_execution(
        cloud,
        (CLAIM_MACHINE, &name, &arn),
        &suffix,
        asked.follow,
        progress,
    )
    .await?;
    if execution.status != "SUCCEEDED" {
        return Ok(Some(execution));
    }
    if fresh {
        if !asked.no_refill {
            replace(cloud, &machines, &suffix, progress).await;
        }
        return Ok(Some(execution));
    }
    if execution.input == claim_input(spec, &suffix)? {
        return Ok(Some(execution));
    }
    // A later push of the pull request: an ordinary provision of its pool environment, as for any
    // environment (design §3.2).
    let redeploy = respec(spec, &suffix, false)?;
    let provision = commands::start(
        cloud,
        asked.region,
        asl::PROVISION_NAME,
        &redeploy,
        asked.request,
        asked.follow,
        progress,
    )
    .await?;
    Ok(Some(provision))
}

/// Starts one standby provision in place of the environment just claimed, from its pool spec. A
/// failure is reported and not the command's: the claim succeeded, and the cleanup refills the
/// pool every hour.
async fn replace<C: Workflows>(
    cloud: &C,
    machines: &Machines,
    claimed: &str,
    progress: &mut Progress<'_>,
) {
    let replaced = async {
        let pool_spec = pool_spec_of(cloud, machines, claimed).await?;
        let suffix = new_suffix(SystemTime::now());
        provision_standby(cloud, machines, &pool_spec, &suffix).await?;
        anyhow::Ok(suffix)
    };
    match replaced.await {
        Ok(suffix) => progress.done(&format!("replacement {suffix}: provision started")),
        Err(error) => progress.done(&format!(
            "no replacement started for {claimed} (the hourly cleanup refills the pool): {error:#}"
        )),
    }
}
