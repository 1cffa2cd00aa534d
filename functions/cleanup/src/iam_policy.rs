//! The IAM policy of the cleanup function's role (`catalog-fn-cleanup`), beside the function it
//! authorizes: `envctl deploy` writes it with the logging every function gets (bootstrap/deploy,
//! `policies`), and the integration test `permissions` proves it against every request the function
//! makes (tests/iam).
//!
//! The cleanup function: finds environments by tag and starts their teardown; keeps the warm pool
//! by reading the provision and claim machines' executions, retiring through the claim machine and
//! refilling through the provision machine (docs/warm-pool-design.md §3.4); puts idle environments
//! to sleep through the provision machine, after reading every machine's executions and each load
//! balancer's request count (crate `sleep`).

use env_core::arn::ArnScope;
use env_core::policy::{any, Statement};

/// The names the provision and claim state machines are deployed under (bootstrap/deploy, `asl`;
/// the cleanup's `PROVISION_STATE_MACHINE_ARN` and `CLAIM_STATE_MACHINE_ARN` name them).
pub const PROVISION_MACHINE: &str = "provision";
pub const CLAIM_MACHINE: &str = "claim";

/// `teardown` is the name the teardown state machine is deployed under.
pub fn statements(scope: &ArnScope, teardown: &str) -> Vec<Statement> {
    let teardown = scope.state_machine(teardown);
    let pool = [PROVISION_MACHINE, CLAIM_MACHINE].map(|name| scope.state_machine(name));
    vec![
        // The Resource Groups Tagging API supports no resource type.
        Statement::allow("FindEnvironments", &["tag:GetResources"], any()),
        Statement::allow(
            "StartTeardowns",
            &["states:StartExecution"],
            vec![teardown.clone()],
        ),
        Statement::allow(
            "FollowTeardowns",
            &["states:DescribeExecution"],
            vec![executions(&teardown)],
        ),
        // The Service Authorization Reference authorizes StartExecution and ListExecutions on the
        // stateMachine resource type, DescribeExecution on execution
        // (arn:${Partition}:states:${Region}:${Account}:execution:${StateMachineName}:${ExecutionId}).
        Statement::allow(
            "KeepThePool",
            &["states:StartExecution", "states:ListExecutions"],
            pool.to_vec(),
        ),
        Statement::allow(
            "ReadThePoolsExecutions",
            &["states:DescribeExecution"],
            pool.iter().map(|machine| executions(machine)).collect(),
        ),
        // The idle sleep leaves an environment alone while any of its executions runs, teardowns
        // included; it starts and reads provisions and claims under the pool's statements.
        Statement::allow("ListTeardowns", &["states:ListExecutions"], vec![teardown]),
        // A load balancer's RequestCount. GetMetricData has no resource type and no condition key
        // (Service Authorization Reference, "Actions defined by Amazon CloudWatch"), so it is
        // granted on "*"; it reads metric data only.
        Statement::allow("ReadRequestCounts", &["cloudwatch:GetMetricData"], any()),
    ]
}

/// Every execution of the state machine `machine` (its ARN).
fn executions(machine: &str) -> String {
    machine.replacen(":stateMachine:", ":execution:", 1) + ":*"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_rights_are_on_the_provision_and_claim_machines_only() {
        let scope = ArnScope::new("us-west-2", "123456789012");
        let statements: Vec<serde_json::Value> = statements(&scope, "teardown")
            .iter()
            .map(Statement::to_json)
            .collect();
        let machine = "arn:aws:states:us-west-2:123456789012:stateMachine";
        let execution = "arn:aws:states:us-west-2:123456789012:execution";
        assert_eq!(statements[3]["Sid"], "KeepThePool");
        assert_eq!(
            statements[3]["Resource"],
            serde_json::json!([format!("{machine}:provision"), format!("{machine}:claim")])
        );
        assert_eq!(
            statements[4]["Resource"],
            serde_json::json!([
                format!("{execution}:provision:*"),
                format!("{execution}:claim:*")
            ])
        );
        assert_eq!(
            statements[2]["Resource"],
            serde_json::json!([format!("{execution}:teardown:*")])
        );
    }

    #[test]
    fn the_idle_sleep_lists_teardowns_and_reads_request_counts_only() {
        let scope = ArnScope::new("us-west-2", "123456789012");
        let statements: Vec<serde_json::Value> = statements(&scope, "teardown")
            .iter()
            .map(Statement::to_json)
            .collect();
        assert_eq!(statements[5]["Sid"], "ListTeardowns");
        assert_eq!(
            statements[5]["Action"],
            serde_json::json!(["states:ListExecutions"])
        );
        assert_eq!(
            statements[5]["Resource"],
            serde_json::json!(["arn:aws:states:us-west-2:123456789012:stateMachine:teardown"])
        );
        assert_eq!(statements[6]["Sid"], "ReadRequestCounts");
        assert_eq!(
            statements[6]["Action"],
            serde_json::json!(["cloudwatch:GetMetricData"])
        );
        assert_eq!(statements[6]["Resource"], serde_json::json!(["*"]));
        assert_eq!(statements.len(), 7);
    }
}
