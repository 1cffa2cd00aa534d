//! What a person (or CI role) running `envctl deploy` and `envctl undeploy` needs: the backend's
//! bucket, roles, boundary policy, functions, state machines and schedule, by their fixed names.
//! `envctl deploy --print-policy` prints it.
//!
//! Whoever deploys writes the backend's roles and their policies, so this policy is, by its
//! nature, able to grant those roles anything: it is for a trusted deployer, not for the
//! functions (cloudsplaining reports it as privilege escalation for that reason; README
//! "Permissions").

use super::FUNCTIONS;
use crate::asl::{self, ArnScope};
use crate::invocation;
use crate::resources::{self, Backend};
use env_core::arn::unscoped;
use env_core::policy::{any, boundary_arn, Arns, Statement};
use serde_json::json;

pub fn statements(scope: &ArnScope) -> Vec<Statement> {
    let arns = Arns::new(scope);
    let mut statements = artifacts_bucket(scope);
    statements.extend(roles(scope, &arns));
    statements.extend(functions_and_schedule(scope, &arns));
    statements
}

/// The artifacts bucket and its objects.
fn artifacts_bucket(scope: &ArnScope) -> Vec<Statement> {
    let backend = Backend::new(&scope.region, &scope.account);
    let bucket = unscoped("s3", &backend.bucket);
    vec![
        Statement::allow(
            "ArtifactsBucket",
            &[
                "s3:CreateBucket",
                "s3:PutBucketPublicAccessBlock",
                "s3:ListBucket",
                "s3:DeleteBucket",
            ],
            vec![bucket.clone()],
        ),
        Statement::allow(
            "ArtifactObjects",
            &["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            vec![format!("{bucket}/*")],
        ),
    ]
}

/// The backend's roles, the environments' role boundary, and passing each role to its service.
fn roles(scope: &ArnScope, arns: &Arns) -> Vec<Statement> {
    let function_roles: Vec<String> = FUNCTIONS
        .iter()
        .map(|policy| arns.role(&resources::function_role(policy.function)))
        .collect();
    let mut roles = function_roles.clone();
    roles.push(arns.role(resources::STATES_ROLE));
    roles.push(arns.role(resources::SCHEDULER_ROLE));
    vec![
        Statement::allow(
            "BackendRoles",
            &[
                "iam:GetRole",
                "iam:CreateRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:GetRolePolicy",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:DeleteRole",
            ],
            roles,
        ),
        Statement::allow(
            "EnvironmentRoleBoundary",
            &[
                "iam:GetPolicy",
                "iam:GetPolicyVersion",
                "iam:CreatePolicy",
                "iam:CreatePolicyVersion",
                "iam:ListPolicyVersions",
                "iam:DeletePolicyVersion",
                "iam:DeletePolicy",
            ],
            vec![boundary_arn(scope)],
        ),
        Statement::allow("PassFunctionRoles", &["iam:PassRole"], function_roles)
            .when(json!({"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}})),
        Statement::allow(
            "PassTheStateMachinesRole",
            &["iam:PassRole"],
            vec![arns.role(resources::STATES_ROLE)],
        )
        .when(json!({"StringEquals": {"iam:PassedToService": "states.amazonaws.com"}})),
        Statement::allow(
            "PassTheSchedulesRole",
            &["iam:PassRole"],
            vec![arns.role(resources::SCHEDULER_ROLE)],
        )
        .when(json!({"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}})),
    ]
}

/// The functions (the waker's invocation settings too), the state machines and the cleanup
/// schedule, and finding environments.
fn functions_and_schedule(scope: &ArnScope, arns: &Arns) -> Vec<Statement> {
    vec![
        Statement::allow(
            "Functions",
            &[
                "lambda:GetFunction",
                "lambda:CreateFunction",
                "lambda:UpdateFunctionCode",
                "lambda:UpdateFunctionConfiguration",
                "lambda:DeleteFunction",
            ],
            FUNCTIONS
                .iter()
                .map(|policy| scope.function(policy.function))
                .collect(),
        ),
        // The waker's reserved concurrency and the statement letting the load balancers invoke
        // it (crate::invocation). Service Authorization Reference, AWS Lambda: all four take the
        // `function` resource type; AddPermission also the `lambda:Principal` condition key, which
        // keeps the deployer from opening the function to any other principal. Removing a
        // statement only takes access away, so RemovePermission is not narrowed further.
        Statement::allow(
            "WakerPolicyAndConcurrency",
            &[
                "lambda:GetPolicy",
                "lambda:RemovePermission",
                "lambda:PutFunctionConcurrency",
            ],
            vec![scope.function(invocation::WAKER)],
        ),
        Statement::allow(
            "WakerInvokedByLoadBalancers",
            &["lambda:AddPermission"],
            vec![scope.function(invocation::WAKER)],
        )
        .when(json!({"StringEquals": {"lambda:Principal": invocation::LOAD_BALANCER_PRINCIPAL}})),
        Statement::allow(
            "StateMachines",
            &[
                "states:DescribeStateMachine",
                "states:CreateStateMachine",
                "states:UpdateStateMachine",
                "states:DeleteStateMachine",
            ],
            [asl::PROVISION_NAME, asl::TEARDOWN_NAME, asl::CLAIM_NAME]
                .iter()
                .map(|name| scope.state_machine(name))
                .collect(),
        ),
        Statement::allow(
            "CleanupSchedule",
            &[
                "scheduler:GetSchedule",
                "scheduler:CreateSchedule",
                "scheduler:UpdateSchedule",
                "scheduler:DeleteSchedule",
            ],
            vec![arns.regional(
                "scheduler",
                &format!("schedule/default/{}", resources::SCHEDULE),
            )],
        ),
        // `undeploy` refuses while environments exist: it looks for their tagged VPCs.
        Statement::allow("FindEnvironments", &["ec2:DescribeVpcs"], any()),
    ]
}
