//! The IAM policy of the waker function's role, beside the function it authorizes: `envctl deploy`
//! writes it with the logging every function gets.
//!
//! The waker reads each environment's latest execution of the provision, claim and teardown state
//! machines and starts the wake through the provision machine; nothing else. In the Service
//! Authorization Reference ("Actions, resources, and condition keys for AWS Step Functions"),
//! `states:ListExecutions` and `states:StartExecution` are authorized on the `stateMachine`
//! resource type (`arn:${Partition}:states:${Region}:${Account}:stateMachine:${StateMachineName}`)
//! and `states:DescribeExecution` on `execution`
//! (`arn:${Partition}:states:${Region}:${Account}:execution:${StateMachineName}:${ExecutionId}`);
//! none of the three lists a condition key the waker could narrow them further with.

use env_core::arn::ArnScope;
use env_core::policy::Statement;

/// The names the state machines are deployed under (bootstrap/deploy, `asl`; the waker's
/// `*_STATE_MACHINE_ARN` settings name them).
pub const PROVISION_MACHINE: &str = "provision";
pub const CLAIM_MACHINE: &str = "claim";
pub const TEARDOWN_MACHINE: &str = "teardown";

pub fn statements(scope: &ArnScope) -> Vec<Statement> {
    let machines =
        [PROVISION_MACHINE, CLAIM_MACHINE, TEARDOWN_MACHINE].map(|name| scope.state_machine(name));
    vec![
        Statement::allow(
            "FindLatestExecutions",
            &["states:ListExecutions"],
            machines.to_vec(),
        ),
        // The input of the latest provision or claim: the spec a wake repeats awake. A
        // teardown's input is never read.
        Statement::allow(
            "ReadTheSpecs",
            &["states:DescribeExecution"],
            machines[..2]
                .iter()
                .map(|machine| sfn::execution_arn(machine, "*"))
                .collect(),
        ),
        Statement::allow(
            "StartTheWake",
            &["states:StartExecution"],
            vec![scope.state_machine(PROVISION_MACHINE)],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn it_lists_the_three_machines_reads_bring_ups_and_starts_provisions_only() {
        let scope = ArnScope::new("us-west-2", "123456789012");
        let statements: Vec<serde_json::Value> =
            statements(&scope).iter().map(Statement::to_json).collect();
        let machine = "arn:aws:states:us-west-2:123456789012:stateMachine";
        let execution = "arn:aws:states:us-west-2:123456789012:execution";
        assert_eq!(statements.len(), 3);
        assert_eq!(statements[0]["Action"], json!(["states:ListExecutions"]));
        assert_eq!(
            statements[0]["Resource"],
            json!([
                format!("{machine}:provision"),
                format!("{machine}:claim"),
                format!("{machine}:teardown")
            ])
        );
        assert_eq!(statements[1]["Action"], json!(["states:DescribeExecution"]));
        assert_eq!(
            statements[1]["Resource"],
            json!([
                format!("{execution}:provision:*"),
                format!("{execution}:claim:*")
            ])
        );
        assert_eq!(statements[2]["Action"], json!(["states:StartExecution"]));
        assert_eq!(
            statements[2]["Resource"],
            json!([format!("{machine}:provision")])
        );
    }
}
