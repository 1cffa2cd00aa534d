//! The warm pool's upkeep in each run (docs/warm-pool-design.md §3.4): unclaimed pool environments
//! past their expiry are retired, and the pool is brought back to its size.
//!
//! Step Functions is the record, not the tags (tags can lag: design §2): a pool environment is one
//! whose suffix is `pool-*` and has a provision execution (named `<suffix>--<request>`); it is
//! claimed once an execution `claim-<suffix>` of the claim machine exists. That name is the lock:
//! Step Functions lets one execution of a name exist per state machine ("must be unique for your
//! AWS account, region, and state machine for 90 days", StartExecution API reference), so the
//! cleanup retires an environment by starting the claim machine under that same name with
//! `{"retire": true, …}`, and exactly one of a claim and a retirement wins.
//!
//! A claim is kept only so long: Step Functions deletes closed executions 90 days after they end
//! ("Step Functions service quotas", execution history retention). A pull request's environment
//! older than that has no claim any more, but its latest provision is the pull request's, not on
//! standby; so only a pool environment whose latest provision is a standby one is the pool's.

use crate::api::{CallResult, Cloud, ExecutionSummary, EXECUTION_ALREADY_EXISTS};
use crate::pool_settings::{with_suffix, PoolSettings};
use crate::report::{Refill, Report, Teardown};
use crate::settings::execution_arn;
use crate::teardown;
use env_core::pool::{
    claim_execution_name, claimed_suffix, is_pool_suffix, pool_suffix, REFILL_REQUEST,
};
use env_core::spec::EnvironmentSuffix;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{SystemTime, UNIX_EPOCH};

/// The pool as the provision and claim machines record it at the start of a run.
#[derive(Debug)]
pub struct Pool<'a> {
    settings: &'a PoolSettings,
    /// The latest provision of each pool suffix.
    latest: BTreeMap<String, ExecutionSummary>,
    /// The claim-machine execution of each claimed (or retired) pool suffix.
    claims: BTreeMap<String, ExecutionSummary>,
    /// The spec of each unclaimed suffix's latest provision (its input's `spec`), when it has one.
    provisioned: BTreeMap<String, Value>,
    /// Suffixes this run retired, or found taken when it tried.
    retired: BTreeSet<String>,
}

/// Reads every execution of both machines, and the input of each unclaimed environment's latest
/// provision (ListExecutions lists no inputs).
pub async fn survey<'a, C: Cloud>(cloud: &C, settings: &'a PoolSettings) -> CallResult<Pool<'a>> {
    let mut latest: BTreeMap<String, ExecutionSummary> = BTreeMap::new();
    let provisions = all_executions(cloud, &settings.provision_arn).await?;
    for execution in provisions {
        // `<suffix>--<request>`: a suffix has no `--` (env_core::spec::suffix).
        let Some((suffix, _)) = execution.name.split_once("--") else {
            continue;
        };
        let suffix = suffix.to_owned();
        let newer = latest
            .get(&suffix)
            .is_none_or(|known| known.started < execution.started);
        if is_pool_suffix(&suffix) && newer {
            latest.insert(suffix, execution);
        }
    }
    let mut claims = BTreeMap::new();
    let claim_executions = all_executions(cloud, &settings.claim_arn).await?;
    for execution in claim_executions {
        if let Some(suffix) = claimed_suffix(&execution.name) {
            claims.insert(suffix.to_owned(), execution);
        }
    }
    let mut provisioned = BTreeMap::new();
    for (suffix, execution) in latest.iter().filter(|(s, _)| !claims.contains_key(*s)) {
        let input = cloud.execution_input(&execution.arn).await?;
        if let Some(spec) = spec_of(input.as_deref()) {
            provisioned.insert(suffix.clone(), spec);
        }
    }
    Ok(Pool {
        settings,
        latest,
        claims,
        provisioned,
        retired: BTreeSet::new(),
    })
}

/// Every execution of the state machine, all pages.
pub(crate) async fn all_executions<C: Cloud>(
    cloud: &C,
    arn: &str,
) -> CallResult<Vec<ExecutionSummary>> {
    let mut executions = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = cloud.executions(arn, token.as_deref()).await?;
        executions.extend(page.executions);
        match page.next {
            Some(next) => token = Some(next),
            None => return Ok(executions),
        }
    }
}

impl Pool<'_> {
    /// Handles the expired environment `suffix` when it is an unclaimed pool environment (retires
    /// it) or one being retired or retired (reports it); `false` for every other environment, which
    /// expires as before through a teardown. A claimed pool environment is the pull request's: it
    /// expires like any other, and so does one whose retirement ended without success.
    pub async fn expire<C: Cloud>(
        &mut self,
        cloud: &C,
        suffix: &EnvironmentSuffix,
        expires_at: String,
        report: &mut Report,
    ) -> CallResult<bool> {
        if !is_pool_suffix(suffix.as_str()) {
            return Ok(false);
        }
        let entry = Teardown {
            environment: suffix.to_string(),
            execution: claim_execution_name(suffix.as_str()),
            expires_at,
            status: None,
        };
        if let Some(claim) = self.claims.get(suffix.as_str()) {
            let input = cloud.execution_input(&claim.arn).await?;
            // A failed retirement cannot run again under its name (taken for 90 days): the
            // teardown, under its own name, is the retry.
            let ended_badly = RETIREMENT_FAILED.contains(&claim.status.as_str());
            if !is_retirement(input.as_deref()) || ended_badly {
                return Ok(false);
            }
            let status = Some(claim.status.clone());
            report.already_started.push(Teardown { status, ..entry });
            return Ok(true);
        }
        let provisioned = self.provisioned.get(suffix.as_str());
        if provisioned.is_some_and(|spec| !is_standby(spec)) {
            // A pull request's whose claim Step Functions no longer keeps.
            return Ok(false);
        }
        // Without a provision record (older than Step Functions keeps them), the spec the cleanup
        // tears any environment down with.
        let spec = provisioned.cloned().unwrap_or_else(|| {
            tracing::warn!(environment = %suffix, "no provision input: retiring with the teardown spec");
            teardown::input(suffix)["spec"].clone()
        });
        let input = json!({"retire": true, "spec": spec}).to_string();
        let started = cloud
            .start_execution(&self.settings.claim_arn, &entry.execution, &input)
            .await;
        self.retired.insert(suffix.to_string());
        match started {
            Ok(_) => {
                tracing::info!(environment = %suffix, "pool environment retired");
                report.retired.push(entry);
            }
            // Claimed or retired by someone else since the survey: the lock did its job.
            Err(error) if error.is_code(EXECUTION_ALREADY_EXISTS) => {
                report.already_started.push(entry);
            }
            Err(error) => return Err(error),
        }
        Ok(true)
    }

    /// Unclaimed pool environments on standby that are ready (their latest provision, a standby
    /// one, succeeded) or on their way (it is running).
    pub fn counted(&self) -> usize {
        self.latest
            .iter()
            .filter(|(suffix, _)| {
                !self.claims.contains_key(*suffix) && !self.retired.contains(*suffix)
            })
            .filter(|(suffix, _)| self.provisioned.get(*suffix).is_some_and(is_standby))
            .filter(|(_, provision)| matches!(provision.status.as_str(), "SUCCEEDED" | "RUNNING"))
            .count()
    }

    /// Starts provisions of new pool environments until the pool has its size, each named
    /// `<suffix>--refill` with the pool spec on standby. A name already taken (another run in the
    /// same second with the same entropy) is left for the next run.
    pub async fn refill<C: Cloud>(
        &self,
        cloud: &C,
        now: SystemTime,
        report: &mut Report,
    ) -> CallResult<()> {
        let missing = (self.settings.size as usize).saturating_sub(self.counted());
        let Some(spec) = self.settings.spec.as_ref().filter(|_| missing > 0) else {
            return Ok(());
        };
        let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
        for n in 0..missing {
            // Suffixes differ within a run by `n`, and between runs by the second and the
            // microseconds; a suffix must never repeat, since its claim name stays taken 90 days.
            let entropy = since.subsec_micros() + n as u32;
            let suffix = pool_suffix(since.as_secs(), entropy);
            let execution = format!("{suffix}--{REFILL_REQUEST}");
            let input = json!({"spec": with_suffix(spec, suffix.as_str())}).to_string();
            let started = cloud
                .start_execution(&self.settings.provision_arn, &execution, &input)
                .await;
            match started {
                Ok(_) => report.refilled.push(Refill {
                    environment: suffix.to_string(),
                    execution,
                }),
                Err(error) if error.is_code(EXECUTION_ALREADY_EXISTS) => {
                    tracing::warn!(%execution, "refill name taken; the next run starts another");
                }
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}

/// The statuses of an execution that ended without success (API reference, ExecutionStatus).
const RETIREMENT_FAILED: [&str; 3] = ["FAILED", "TIMED_OUT", "ABORTED"];

/// Why an expired pool environment is left alone in a run whose survey failed.
pub const SURVEY_FAILED: &str = "the pool could not be read this run (see poolError)";

/// An expired pool environment in a run whose survey failed: `None` when its claim says it is a
/// pull request's (it expires through a teardown as ever), else why it is left for a later run,
/// which retires it with the survey in hand.
pub async fn unsurveyed<C: Cloud>(
    cloud: &C,
    settings: &PoolSettings,
    suffix: &EnvironmentSuffix,
) -> Option<String> {
    let arn = execution_arn(&settings.claim_arn, &claim_execution_name(suffix.as_str()));
    match cloud.execution_input(&arn).await {
        Ok(Some(input)) if !is_retirement(Some(&input)) => None,
        Ok(_) => Some(format!(
            "{SURVEY_FAILED}: unclaimed or being retired, it is retired by a later run"
        )),
        Err(error) => Some(format!("{SURVEY_FAILED}, nor its claim: {error}")),
    }
}

/// The `spec` object of a provision's input, when the input is JSON that has one.
fn spec_of(input: Option<&str>) -> Option<Value> {
    let input: Value = serde_json::from_str(input?).ok()?;
    input.get("spec").filter(|spec| spec.is_object()).cloned()
}

/// Whether a provision's spec is a standby one (`"standby": true`), as the cleanup's refills are.
fn is_standby(spec: &Value) -> bool {
    spec["standby"] == Value::Bool(true)
}

/// Whether a claim-machine execution's input is a retirement (`"retire": true`), not a claim.
fn is_retirement(input: Option<&str>) -> bool {
    input
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .is_some_and(|input| input["retire"] == Value::Bool(true))
}

#[cfg(test)]
#[path = "pool_tests.rs"]
mod tests;
