//! Idle environments put to sleep (README, "Sleep and wake"): an environment whose current spec has
//! `sleepAfterIdleMinutes`, is awake (not on standby, not asleep), has nothing under way, and whose
//! load balancer had no request for that many minutes gets a provision of the same spec with
//! `asleep: true`, the same execution `envctl env sleep` starts. The components converge on the
//! asleep shape; the cleanup only starts the workflow.
//!
//! - **The spec** is the input of the environment's latest provision or claim ([`crate::history`]).
//! - **Idle** is read from CloudWatch: `RequestCount` of `AWS/ApplicationELB` by the
//!   `LoadBalancer` dimension, `Sum` per minute. ELB reports it "only when requests are flowing
//!   through the load balancer ... If there are no requests flowing through the load balancer or no
//!   data for a metric, the metric is not reported", and its metrics "exclude health check
//!   requests" (Elastic Load Balancing user guide, "CloudWatch metrics for your Application Load
//!   Balancer"): no value in the window means no request. GetMetricData rather than
//!   GetMetricStatistics: both are `cloudwatch:` actions without a resource type (Service
//!   Authorization Reference, Amazon CloudWatch), and GetMetricData answers whether its data is
//!   complete (`StatusCode`), so a partial answer is never taken for silence.
//! - **Awake long enough**: the window must lie wholly after the latest provision ended, since
//!   before it the environment may have been asleep or not yet built (no requests either way).
//! - **Idempotent**: the execution is named `<suffix>--sleep-<start of the latest provision>`, the
//!   same in every run until a newer provision (the sleep itself, or a wake) replaces it; an
//!   environment with an execution running on any machine is left alone, so a second run meets the
//!   sleep running and starts nothing. The schedule runs hourly, so sleep comes between the idle
//!   minutes and one run later.
//!
//! A part that cannot be read is reported and changes nothing: no executions, no sleep this run
//! ([`Report::sleep_error`]); a call about one environment failing, that environment stays awake
//! with the error's name ([`NotSlept::error`]). Expiries and the pool are not held up by either.

use crate::api::{Cloud, TaggedResource, EXECUTION_ALREADY_EXISTS, METRIC_DATA_COMPLETE};
use crate::history::{histories, History};
use crate::report::{ErrorReport, NotSlept, Report, Slept};
use crate::settings::SleepSettings;
use crate::teardown::compact_time;
use env_core::error::NamedError;
use env_core::spec::{EnvironmentSpec, EnvironmentSuffix};
use env_core::AwsCallError;
use serde_json::{json, Map, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// An environment the cleanup found that is not expiring this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub suffix: EnvironmentSuffix,
    /// Its load balancer's `LoadBalancer` dimension, when one of its resources is the load balancer.
    pub load_balancer: Option<String>,
}

/// The `LoadBalancer` dimension of the Application Load Balancer among `resources`: the part of its
/// ARN after `loadbalancer/`, `app/<name>/<id>` (Elastic Load Balancing user guide, "CloudWatch
/// metrics for your Application Load Balancer", dimensions).
pub fn load_balancer(resources: &[TaggedResource]) -> Option<String> {
    resources.iter().find_map(|resource| {
        let (_, dimension) = resource.arn.split_once(":loadbalancer/")?;
        dimension.starts_with("app/").then(|| dimension.to_owned())
    })
}

/// Puts each idle candidate to sleep, and reports every one whose spec asks to sleep.
pub async fn put_idle_to_sleep<C: Cloud>(
    cloud: &C,
    settings: &SleepSettings,
    teardown_arn: &str,
    candidates: &[Candidate],
    now: SystemTime,
    report: &mut Report,
) {
    if candidates.is_empty() {
        return;
    }
    let mut bring_up = vec![settings.provision_arn.as_str()];
    bring_up.extend(settings.claim_arn.as_deref());
    let histories = match histories(cloud, &bring_up, teardown_arn).await {
        Ok(histories) => histories,
        Err(error) => {
            tracing::error!(%error, "executions unreadable: no environment sleeps this run");
            report.sleep_error = Some(ErrorReport {
                error: error.error_name().as_str().to_owned(),
                message: error.to_string(),
            });
            return;
        }
    };
    for candidate in candidates {
        let Some(history) = histories.get(candidate.suffix.as_str()) else {
            continue;
        };
        let decided = decide(cloud, &settings.provision_arn, candidate, history, now).await;
        match decided {
            Some(Ok(slept)) => {
                tracing::info!(environment = %slept.environment, execution = %slept.execution, "idle: put to sleep");
                report.slept.push(slept);
            }
            Some(Err(not_slept)) => report.not_slept.push(not_slept),
            None => {}
        }
    }
}

/// Whether `candidate` sleeps now: the sleep started, why it stays awake, or `None` when its spec
/// does not ask to sleep when idle (or it sleeps already), which is not worth a line.
async fn decide<C: Cloud>(
    cloud: &C,
    provision_arn: &str,
    candidate: &Candidate,
    history: &History,
    now: SystemTime,
) -> Option<Result<Slept, NotSlept>> {
    let environment = candidate.suffix.to_string();
    let awake = |reason: String| {
        Some(Err(NotSlept {
            environment: environment.clone(),
            reason,
            error: None,
        }))
    };
    let failed = |error: AwsCallError| {
        Some(Err(NotSlept {
            environment: environment.clone(),
            reason: error.to_string(),
            error: Some(error.error_name().as_str().to_owned()),
        }))
    };
    let bring_up = history.bring_up.as_ref()?;
    let input = match cloud.execution_input(&bring_up.arn).await {
        Ok(input) => input?,
        Err(error) => return failed(error),
    };
    let mut spec = asks_to_sleep(&input)?;
    spec.insert("asleep".to_owned(), Value::Bool(true));
    let asleep = match EnvironmentSpec::from_value(&Value::Object(spec)) {
        Ok(asleep) => asleep,
        Err(invalid) => {
            return awake(format!(
                "its spec (the input of {}) cannot sleep: {invalid}",
                bring_up.name
            ))
        }
    };
    let minutes = asleep.fields().sleep_after_idle_minutes?.get();
    if let Some(running) = history.running.first() {
        return awake(format!("{running} is running"));
    }
    let later_teardown = history
        .teardown
        .as_ref()
        .filter(|t| t.started > bring_up.started);
    if let Some(teardown) = later_teardown {
        return awake(format!(
            "{} ({}) tore it down after its latest provision {}",
            teardown.name, teardown.status, bring_up.name
        ));
    }
    if bring_up.status != "SUCCEEDED" {
        return awake(format!(
            "its latest provision {} ended {}",
            bring_up.name, bring_up.status
        ));
    }
    let Some(load_balancer) = candidate.load_balancer.clone() else {
        return awake(
            "no load balancer of it is tagged, so its requests cannot be read".to_owned(),
        );
    };
    let since = now - Duration::from_secs(60 * u64::from(minutes));
    // Requests first: an environment in use stays awake whatever else holds.
    let counts = match cloud.request_counts(&load_balancer, since, now).await {
        Ok(counts) => counts,
        Err(error) => return failed(error),
    };
    if counts.status != METRIC_DATA_COMPLETE {
        return awake(format!(
            "CloudWatch answered its request count {}, not {METRIC_DATA_COMPLETE}: idle or not cannot be told",
            counts.status
        ));
    }
    let requests: f64 = counts.values.iter().sum();
    if requests > 0.0 {
        return awake(format!(
            "{requests} request(s) to {load_balancer} in the last {minutes} minutes"
        ));
    }
    // A provision that succeeded has ended; without an end it counts as ending now.
    let up_since = bring_up.stopped.unwrap_or_else(|| seconds(now));
    if up_since > seconds(since) {
        return awake(format!(
            "awake only since {} ({} ended): less than its {minutes} idle minutes",
            time_text(up_since),
            bring_up.name
        ));
    }
    let execution = format!(
        "{environment}--sleep-{}",
        compact_time(at(bring_up.started))
    );
    let input = json!({ "spec": asleep }).to_string();
    match cloud
        .start_execution(provision_arn, &execution, &input)
        .await
    {
        Ok(_) => Some(Ok(Slept {
            environment: environment.clone(),
            execution,
            idle_minutes: minutes,
            load_balancer,
        })),
        // Started by a run overlapping this one, after it listed the executions.
        Err(error) if error.is_code(EXECUTION_ALREADY_EXISTS) => {
            awake(format!("{execution} was started already, by another run"))
        }
        Err(error) => failed(error),
    }
}

/// The spec of a provision's or claim's `input` when it asks to sleep when idle and is not asleep
/// already; `None` for anything else, a retirement included.
fn asks_to_sleep(input: &str) -> Option<Map<String, Value>> {
    let input: Value = serde_json::from_str(input).ok()?;
    if input["retire"] == Value::Bool(true) {
        return None;
    }
    let spec = input.get("spec")?.as_object()?;
    let asks = spec.contains_key("sleepAfterIdleMinutes");
    let asleep = spec.get("asleep") == Some(&Value::Bool(true));
    (asks && !asleep).then(|| spec.clone())
}

/// `time` in whole seconds since the epoch, as Step Functions' dates are read.
fn seconds(time: SystemTime) -> i64 {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
}

/// The time `seconds` after the epoch.
fn at(seconds: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).unwrap_or_default())
}

fn time_text(seconds: i64) -> String {
    humantime::format_rfc3339_seconds(at(seconds)).to_string()
}

#[cfg(test)]
#[path = "sleep_tests.rs"]
mod tests;
