//! The statements of the roles a function creates (each within the environments' permissions
//! boundary) and of the service-linked roles AWS makes on a service's first use.

use super::{Arns, Statement};
use crate::arn::ArnScope;
use serde_json::json;

/// The permissions boundary every role an environment gets must carry (`envctl deploy` writes it:
/// bootstrap/deploy, `policies::boundary`), as the functions pass it to CreateRole.
pub fn boundary_arn(scope: &ArnScope) -> String {
    Arns::new(scope).global(
        "iam",
        &format!("policy/{}", crate::iam::ROLE_BOUNDARY_POLICY),
    )
}

/// Roles named as `roles` say that the function creates: created and given inline policies only with
/// the environments' permissions boundary (IAM user guide, "Permissions boundaries for IAM
/// entities": a role can never do more than its boundary allows, so no inline policy the function
/// writes can reach beyond it), read, tagged and deleted by name, and passed only to `service`.
pub fn own_roles(
    scope: &ArnScope,
    prefix: &str,
    roles: &[(String, &'static str)],
) -> Vec<Statement> {
    let arns = Arns::new(scope);
    let names: Vec<String> = roles.iter().map(|(name, _)| arns.role(name)).collect();
    let mut statements = vec![
        Statement::allow(
            format!("{prefix}CreateWithinTheBoundary"),
            &["iam:CreateRole", "iam:PutRolePolicy"],
            names.clone(),
        )
        .when(json!({"StringEquals": {"iam:PermissionsBoundary": boundary_arn(scope)}})),
        Statement::allow(
            format!("{prefix}Manage"),
            &[
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:TagRole",
                "iam:DeleteRolePolicy",
                "iam:DeleteRole",
            ],
            names,
        ),
    ];
    let mut services: Vec<&'static str> = roles.iter().map(|(_, service)| *service).collect();
    services.sort_unstable();
    services.dedup();
    for (index, service) in services.into_iter().enumerate() {
        let passed: Vec<String> = roles
            .iter()
            .filter(|(_, s)| *s == service)
            .map(|(name, _)| arns.role(name))
            .collect();
        statements.push(
            Statement::allow(format!("{prefix}Pass{index}"), &["iam:PassRole"], passed)
                .when(json!({"StringEquals": {"iam:PassedToService": service}})),
        );
    }
    statements
}

/// Lets each service create its service-linked role on first use in an account, and only that
/// role (IAM user guide, "Service-linked role permissions": `iam:AWSServiceName`).
pub fn service_linked_roles(scope: &ArnScope, roles: &[(&'static str, &str)]) -> Statement {
    let arns = Arns::new(scope);
    let services: Vec<&str> = roles.iter().map(|(service, _)| *service).collect();
    Statement::allow(
        "CreateServiceLinkedRolesOnFirstUse",
        &["iam:CreateServiceLinkedRole"],
        roles
            .iter()
            .map(|(service, role)| arns.service_linked_role(service, role))
            .collect(),
    )
    .when(json!({"StringEquals": {"iam:AWSServiceName": services}}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> ArnScope {
        ArnScope::new("us-west-2", "123456789012")
    }

    #[test]
    fn own_roles_are_made_within_the_boundary_and_passed_to_their_service_only() {
        let roles = [
            ("role-a-*".to_owned(), "ecs-tasks.amazonaws.com"),
            ("role-b-*".to_owned(), "ecs.amazonaws.com"),
            ("role-c-*".to_owned(), "ecs-tasks.amazonaws.com"),
        ];
        let statements = own_roles(&scope(), "Task", &roles);
        let sids: Vec<&str> = statements.iter().map(|s| s.sid.as_str()).collect();
        assert_eq!(
            sids,
            [
                "TaskCreateWithinTheBoundary",
                "TaskManage",
                "TaskPass0",
                "TaskPass1"
            ]
        );
        assert_eq!(
            statements[0].condition.as_ref().unwrap()["StringEquals"]["iam:PermissionsBoundary"],
            "arn:aws:iam::123456789012:policy/catalog-environments-role-boundary"
        );
        // By service, in order ("-" sorts before "."): both task roles together, then the other.
        assert_eq!(statements[2].resources.len(), 2);
        assert_eq!(
            statements[2].condition.as_ref().unwrap()["StringEquals"]["iam:PassedToService"],
            "ecs-tasks.amazonaws.com"
        );
        assert_eq!(
            statements[3].resources,
            ["arn:aws:iam::123456789012:role/role-b-*"]
        );
    }

    #[test]
    fn a_service_may_make_only_its_own_service_linked_role() {
        let statement =
            service_linked_roles(&scope(), &[("rds.amazonaws.com", "AWSServiceRoleForRDS")]);
        assert_eq!(
            statement.condition.unwrap()["StringEquals"]["iam:AWSServiceName"],
            json!(["rds.amazonaws.com"])
        );
        assert_eq!(statement.resources.len(), 1);
    }
}
