//! The IAM policy of the cleanup function's role (`catalog-fn-cleanup`), beside the function it
//! authorizes: `envctl deploy` writes it with the logging every function gets (bootstrap/deploy,
//! `policies`), and the integration test `permissions` proves it against every request the function
//! makes (tests/iam).
//!
//! The cleanup function: finds environments by tag and starts their teardown.

use env_core::arn::ArnScope;
use env_core::policy::{any, Statement};

/// `teardown` is the name the teardown state machine is deployed under.
pub fn statements(scope: &ArnScope, teardown: &str) -> Vec<Statement> {
    let teardown = scope.state_machine(teardown);
    let executions = teardown.replacen(":stateMachine:", ":execution:", 1) + ":*";
    vec![
        // The Resource Groups Tagging API supports no resource type.
        Statement::allow("FindEnvironments", &["tag:GetResources"], any()),
        Statement::allow("StartTeardowns", &["states:StartExecution"], vec![teardown]),
        Statement::allow(
            "FollowTeardowns",
            &["states:DescribeExecution"],
            vec![executions],
        ),
    ]
}
