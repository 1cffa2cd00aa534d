//! The backend's resources: their names and the policies of the roles that are not a function's.

use crate::asl::{self, ArnScope};
use crate::policies::FUNCTIONS;
use serde_json::{json, Value};

pub(crate) const STATES_ROLE: &str = "catalog-environments-states";
pub(crate) const SCHEDULER_ROLE: &str = "catalog-environments-scheduler";
pub const SCHEDULE: &str = "catalog-environments-cleanup";
pub(crate) const CLEANUP_FUNCTION: &str = "cleanup";
/// Hourly: expiry tags are whole hours, so an environment outlives its TTL by at most an hour.
pub(crate) const CLEANUP_RATE: &str = "rate(1 hour)";

/// The role of one function: `catalog-fn-<function>`.
pub(crate) fn function_role(function: &str) -> String {
    env_core::iam::function_role(function)
}

/// Names that depend on the account and region.
#[derive(Debug, Clone)]
pub(crate) struct Backend {
    pub scope: ArnScope,
    /// Bucket names are global across accounts (S3 user guide, "Bucket naming rules"): the account
    /// and region make ours unique.
    pub bucket: String,
}

impl Backend {
    pub(crate) fn new(region: &str, account: &str) -> Self {
        Self {
            scope: ArnScope {
                region: region.to_owned(),
                account: account.to_owned(),
            },
            bucket: format!("catalog-environments-{account}-{region}"),
        }
    }
}

/// A trust policy letting `service` assume the role.
pub(crate) fn trust(service: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole"
        }]
    })
}

/// A function's role: Lambda alone may assume it. The Lambda developer guide asks only for the
/// service principal and documents no `aws:SourceAccount` / `aws:SourceArn` for execution roles, so
/// none is required here (a condition Lambda does not send would make the role unusable).
pub(crate) fn lambda_trust(_scope: &ArnScope, _function: &str) -> Value {
    trust("lambda.amazonaws.com")
}

/// The state machines' role: Step Functions of this account, for this account's state machines
/// (the confused-deputy keys Step Functions sends when it assumes the role).
pub(crate) fn states_trust(scope: &ArnScope) -> Value {
    confined_trust(
        "states.amazonaws.com",
        &scope.account,
        &scope.state_machine("*"),
    )
}

/// The schedule's role: EventBridge Scheduler of this account, for the default schedule group
/// (EventBridge Scheduler user guide: since 2023-09-07 `aws:SourceArn` is the schedule group's ARN).
pub(crate) fn scheduler_trust(scope: &ArnScope) -> Value {
    confined_trust(
        "scheduler.amazonaws.com",
        &scope.account,
        &scope.regional("scheduler", "schedule-group/default"),
    )
}

/// `service` may assume the role only on behalf of `account` and of a resource matching
/// `source_arn` (IAM user guide, "The confused deputy problem").
fn confined_trust(service: &str, account: &str, source_arn: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": source_arn}
            }
        }]
    })
}

/// The state machines' role, shared by provision, teardown and claim: invoke the functions; run
/// teardown (provision's and claim's rollback, claim's retirement) as a nested `.sync` execution, which
/// needs StartExecution on it, Describe/StopExecution on its executions and the managed EventBridge
/// rule Step Functions uses to learn it finished (Step Functions developer guide, "IAM policies for
/// starting Step Functions workflow executions", synchronous `.sync` pattern).
pub(crate) fn states_policy(scope: &ArnScope) -> Value {
    // The waker is the load balancers' to invoke (crate::invocation), never a Task's.
    let functions: Vec<String> = FUNCTIONS
        .iter()
        .filter(|policy| policy.function != crate::invocation::WAKER)
        .map(|policy| scope.function(policy.function))
        .collect();
    let teardown = scope.state_machine(asl::TEARDOWN_NAME);
    let executions = scope.regional("states", &format!("execution:{}:*", asl::TEARDOWN_NAME));
    let rule = scope.regional(
        "events",
        "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",
    );
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Functions", "Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": functions},
            {"Sid": "StartTeardown", "Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [teardown]},
            {"Sid": "FollowTeardown", "Effect": "Allow", "Action": ["states:DescribeExecution", "states:StopExecution"], "Resource": [executions]},
            {"Sid": "SyncRule", "Effect": "Allow", "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"], "Resource": [rule]}
        ]
    })
}

/// The schedule's role: invoke the cleanup function, nothing else (EventBridge Scheduler user guide,
/// "Set up the execution role").
pub(crate) fn scheduler_policy(scope: &ArnScope) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": ["lambda:InvokeFunction"],
            "Resource": [scope.function(CLEANUP_FUNCTION)]
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_states_role_reaches_the_functions_and_the_teardown_only() {
        let backend = Backend::new("us-west-2", "123456789012");
        assert_eq!(
            backend.bucket,
            "catalog-environments-123456789012-us-west-2"
        );
        let policy = states_policy(&backend.scope);
        let statements = policy["Statement"].as_array().unwrap();
        assert_eq!(
            statements[0]["Resource"].as_array().unwrap().len(),
            FUNCTIONS.len() - 1
        );
        assert!(!statements[0]["Resource"]
            .as_array()
            .unwrap()
            .contains(&json!(
                "arn:aws:lambda:us-west-2:123456789012:function:waker"
            )));
        assert_eq!(
            statements[1]["Resource"][0],
            "arn:aws:states:us-west-2:123456789012:stateMachine:teardown"
        );
        assert_eq!(
            statements[2]["Resource"][0],
            "arn:aws:states:us-west-2:123456789012:execution:teardown:*"
        );
        assert_eq!(
            statements[3]["Action"],
            json!(["events:PutTargets", "events:PutRule", "events:DescribeRule"])
        );
        let scheduler = scheduler_policy(&backend.scope);
        assert_eq!(
            scheduler["Statement"][0]["Resource"][0],
            "arn:aws:lambda:us-west-2:123456789012:function:cleanup"
        );
        assert_eq!(
            trust("states.amazonaws.com")["Statement"][0]["Principal"]["Service"],
            "states.amazonaws.com"
        );
    }
}
