//! The IAM policy of the guard function's role, beside the function it authorizes: `envctl deploy`
//! writes it with the logging every function gets.
//!
//! The guard lists the running executions of the provision, claim and teardown state machines and
//! stops provisions and claims; nothing else (it reads no execution's input and starts nothing).
//! In the Service Authorization Reference ("Actions, resources, and condition keys for AWS Step
//! Functions"), `states:ListExecutions` is authorized on the `stateMachine` resource type
//! (`arn:${Partition}:states:${Region}:${Account}:stateMachine:${StateMachineName}`) and
//! `states:StopExecution` on `execution`
//! (`arn:${Partition}:states:${Region}:${Account}:execution:${StateMachineName}:${ExecutionId}`);
//! neither lists a condition key the guard could narrow them further with. The stop passes no
//! `error` and no `cause`, so it needs no KMS permission even for a state machine encrypted with a
//! customer managed key (API reference, StopExecution: "A caller can stop an execution without
//! using any AWS KMS permissions ... if the caller provides a null value for both error and
//! cause"), and none is granted.

use env_core::arn::ArnScope;
use env_core::policy::Statement;

/// The names the state machines are deployed under (bootstrap/deploy, `asl`; the guard's
/// `*_STATE_MACHINE_ARN` settings name them).
pub const PROVISION_MACHINE: &str = "provision";
pub const CLAIM_MACHINE: &str = "claim";
pub const TEARDOWN_MACHINE: &str = "teardown";

pub fn statements(scope: &ArnScope) -> Vec<Statement> {
    let machines =
        [PROVISION_MACHINE, CLAIM_MACHINE, TEARDOWN_MACHINE].map(|name| scope.state_machine(name));
    vec![
        Statement::allow(
            "FindRunningExecutions",
            &["states:ListExecutions"],
            machines.to_vec(),
        ),
        // A teardown's own executions are never stopped: only the provisions and claims it races.
        Statement::allow(
            "StopProvisionsForTeardown",
            &["states:StopExecution"],
            machines[..2]
                .iter()
                .map(|machine| sfn::execution_arn(machine, "*"))
                .collect(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn it_lists_the_three_machines_and_stops_provisions_and_claims_only() {
        let scope = ArnScope::new("us-west-2", "123456789012");
        let statements: Vec<serde_json::Value> =
            statements(&scope).iter().map(Statement::to_json).collect();
        let machine = "arn:aws:states:us-west-2:123456789012:stateMachine";
        let execution = "arn:aws:states:us-west-2:123456789012:execution";
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[0]["Sid"], "FindRunningExecutions");
        assert_eq!(statements[0]["Action"], json!(["states:ListExecutions"]));
        assert_eq!(
            statements[0]["Resource"],
            json!([
                format!("{machine}:provision"),
                format!("{machine}:claim"),
                format!("{machine}:teardown")
            ])
        );
        assert_eq!(statements[1]["Sid"], "StopProvisionsForTeardown");
        assert_eq!(statements[1]["Action"], json!(["states:StopExecution"]));
        assert_eq!(
            statements[1]["Resource"],
            json!([
                format!("{execution}:provision:*"),
                format!("{execution}:claim:*")
            ])
        );
    }
}
