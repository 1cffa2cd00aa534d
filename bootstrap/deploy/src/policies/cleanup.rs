//! The cleanup function: finds environments by tag and starts their teardown.

use super::statement::{any, Statement};
use crate::asl::{self, ArnScope};

pub fn statements(scope: &ArnScope) -> Vec<Statement> {
    let teardown = scope.state_machine(asl::TEARDOWN_NAME);
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
