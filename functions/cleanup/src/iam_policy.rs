//! The IAM policy of the cleanup function's role (`catalog-fn-cleanup`), beside the function it
//! authorizes: `envctl deploy` writes it with the logging every function gets (bootstrap/deploy,
//! `policies`), and the integration test `permissions` proves it against every request the function
//! makes (tests/iam).
//!
//! The cleanup function: finds environments by tag and starts their teardown; keeps the warm pool
//! by reading the provision and claim machines' executions, retiring through the claim machine and
//! refilling through the provision machine (docs/warm-pool-design.md §3.4).

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
}
