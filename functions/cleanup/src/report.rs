//! What one cleanup run did, as the function's response (and the CLI's and the logs' record of it).

use serde::Serialize;

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Teardowns this run started.
    pub started: Vec<Teardown>,
    /// Expired environments whose teardown an earlier run (or a concurrent one) already started.
    pub already_started: Vec<Teardown>,
    pub not_expired: Vec<NotExpired>,
    /// Environments (or stray resources) left alone, with the reason.
    pub skipped: Vec<Skipped>,
    /// Unclaimed pool environments past their expiry whose retirement this run started: an
    /// execution of the claim machine named `claim-<suffix>`, the claim's own lock.
    pub retired: Vec<Teardown>,
    /// Pool environments this run started to bring the pool back to its size.
    pub refilled: Vec<Refill>,
    /// Why the pool could not be read this run, when it could not: no retirement or refill ran, and
    /// expired pool environments not claimed were left for a later run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool_error: Option<ErrorReport>,
    /// Environments idle past their `sleepAfterIdleMinutes` whose sleep this run started.
    pub slept: Vec<Slept>,
    /// Environments whose spec asks to sleep when idle that this run left awake, and why.
    pub not_slept: Vec<NotSlept>,
    /// Why the executions the idle sleep decides from could not be read this run, when they could
    /// not: no environment was put to sleep, and everything else ran as ever.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sleep_error: Option<ErrorReport>,
}

/// A part of the run that could not be done, by its error's name (`Retryable`, `AwsRejected` …)
/// and its message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorReport {
    pub error: String,
    pub message: String,
}

/// A sleep this run started: a provision of the environment's current spec with `asleep: true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Slept {
    pub environment: String,
    /// The provision execution's name, `<suffix>--sleep-<start of the provision it replaces>`.
    pub execution: String,
    /// The spec's `sleepAfterIdleMinutes`: the load balancer had no request for that long.
    pub idle_minutes: u16,
    /// The load balancer's `LoadBalancer` dimension whose `RequestCount` was read.
    pub load_balancer: String,
}

/// An environment that asks to sleep when idle, left awake this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotSlept {
    pub environment: String,
    pub reason: String,
    /// The error's name when a call about this environment failed (the next run tries again).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refill {
    pub environment: String,
    /// The provision execution's name, `<suffix>--refill`.
    pub execution: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Teardown {
    pub environment: String,
    /// The execution name, the same in every run for this environment.
    pub execution: String,
    /// The latest expiry among the environment's resources.
    pub expires_at: String,
    /// The execution's status as Step Functions reported it, when this run asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotExpired {
    pub environment: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    /// The environment tag's value; absent for a resource that has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The resource's ARN, for a resource without an environment tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_report_is_camel_case_and_leaves_out_what_is_unknown() {
        let report = Report {
            started: vec![Teardown {
                environment: "pr-1".into(),
                execution: "cleanup-pr-1-20261126T030000Z".into(),
                expires_at: "2026-11-26T03:20:00Z".into(),
                status: None,
            }],
            already_started: vec![],
            not_expired: vec![NotExpired {
                environment: "pr-2".into(),
                expires_at: "2026-11-27T00:00:00Z".into(),
            }],
            skipped: vec![Skipped {
                environment: None,
                resource: Some("arn:x".into()),
                reason: "why".into(),
            }],
            retired: vec![Teardown {
                environment: "pool-tqagd007".into(),
                execution: "claim-pool-tqagd007".into(),
                expires_at: "2026-11-26T03:00:00Z".into(),
                status: None,
            }],
            refilled: vec![Refill {
                environment: "pool-tqagd008".into(),
                execution: "pool-tqagd008--refill".into(),
            }],
            pool_error: Some(ErrorReport {
                error: "Retryable".into(),
                message: "ListExecutions failed: ThrottlingException".into(),
            }),
            slept: vec![Slept {
                environment: "pr-3".into(),
                execution: "pr-3--sleep-20261126T010000Z".into(),
                idle_minutes: 30,
                load_balancer: "app/alb-pr-3/50dc6c495c0c9188".into(),
            }],
            not_slept: vec![
                NotSlept {
                    environment: "pr-4".into(),
                    reason: "12 requests in the last 30 minutes".into(),
                    error: None,
                },
                NotSlept {
                    environment: "pr-5".into(),
                    reason: "GetMetricData failed: ThrottlingException".into(),
                    error: Some("Retryable".into()),
                },
            ],
            sleep_error: Some(ErrorReport {
                error: "AwsRejected".into(),
                message: "ListExecutions failed: AccessDeniedException".into(),
            }),
        };
        assert_eq!(
            serde_json::to_value(&report).unwrap(),
            json!({
                "started": [{
                    "environment": "pr-1",
                    "execution": "cleanup-pr-1-20261126T030000Z",
                    "expiresAt": "2026-11-26T03:20:00Z"
                }],
                "alreadyStarted": [],
                "notExpired": [{"environment": "pr-2", "expiresAt": "2026-11-27T00:00:00Z"}],
                "skipped": [{"resource": "arn:x", "reason": "why"}],
                "retired": [{
                    "environment": "pool-tqagd007",
                    "execution": "claim-pool-tqagd007",
                    "expiresAt": "2026-11-26T03:00:00Z"
                }],
                "refilled": [{"environment": "pool-tqagd008", "execution": "pool-tqagd008--refill"}],
                "poolError": {
                    "error": "Retryable",
                    "message": "ListExecutions failed: ThrottlingException"
                },
                "slept": [{
                    "environment": "pr-3",
                    "execution": "pr-3--sleep-20261126T010000Z",
                    "idleMinutes": 30,
                    "loadBalancer": "app/alb-pr-3/50dc6c495c0c9188"
                }],
                "notSlept": [
                    {"environment": "pr-4", "reason": "12 requests in the last 30 minutes"},
                    {
                        "environment": "pr-5",
                        "reason": "GetMetricData failed: ThrottlingException",
                        "error": "Retryable"
                    }
                ],
                "sleepError": {
                    "error": "AwsRejected",
                    "message": "ListExecutions failed: AccessDeniedException"
                }
            })
        );
    }
}
