//! The environment's IAM roles: named actions on scoped resources, and iam:PassRole scoped.

use super::policy::{allows, list, statements};
use crate::checks::missing;
use crate::facts::Environment;
use crate::outcome::{Finding, Outcome};
use env_core::iam::{ECR_LOGIN, LOAD_BALANCER_READS, PUT_METRIC_DATA};
use serde_json::Value;

/// Actions that accept no resource ARN, so `"Resource": "*"` is the only way to grant them (Service
/// Authorization Reference, the "Resource types" column is empty for each).
pub const ACTIONS_WITHOUT_RESOURCES: [&str; 13] = [
    "secretsmanager:GetRandomPassword",
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "logs:DescribeLogGroups",
    ECR_LOGIN,
    PUT_METRIC_DATA,
    LOAD_BALANCER_READS[0],
    LOAD_BALANCER_READS[1],
    LOAD_BALANCER_READS[2],
    LOAD_BALANCER_READS[3],
];

fn role_findings(
    env: &Environment,
    judge: impl Fn(&Value) -> Option<String>,
    fix: &str,
) -> Outcome {
    if env.roles.is_empty() {
        return missing("IAM roles", "run the components' create again");
    }
    let mut findings = Vec::new();
    for role in &env.roles {
        for statement in role
            .documents
            .iter()
            .flat_map(statements)
            .filter(|s| allows(s))
        {
            if let Some(problem) = judge(statement) {
                findings.push(Finding::new(format!("role {}", role.name), problem, fix));
            }
        }
    }
    Outcome::from_findings(findings)
}

pub(super) fn no_wildcards(env: &Environment) -> Outcome {
    role_findings(
        env,
        |statement| {
            let actions = list(statement.get("Action"));
            let resources = list(statement.get("Resource"));
            if actions.iter().any(|a| *a == "*" || a.ends_with(":*")) {
                return Some(format!(
                    "allows the wildcard action(s) {}",
                    actions.join(", ")
                ));
            }
            if statement.get("NotAction").is_some() {
                return Some("allows everything but a list (NotAction)".to_owned());
            }
            let scoped: Vec<&str> = actions
                .iter()
                .copied()
                .filter(|a| !ACTIONS_WITHOUT_RESOURCES.contains(a))
                .collect();
            (resources.contains(&"*") && !scoped.is_empty())
                .then(|| format!("grants {} on every resource", scoped.join(", ")))
        },
        "name the actions, and scope them to the environment's resource ARNs",
    )
}

pub(super) fn pass_role_scoped(env: &Environment) -> Outcome {
    role_findings(
        env,
        |statement| {
            let passes = list(statement.get("Action"))
                .iter()
                .any(|a| *a == "iam:PassRole" || *a == "iam:*");
            (passes && list(statement.get("Resource")).contains(&"*"))
                .then(|| "iam:PassRole on every role".to_owned())
        },
        "scope iam:PassRole to the roles it hands on",
    )
}

#[cfg(test)]
mod tests {
    use crate::checks::sample::{compliant, fired};
    use crate::facts::Role;
    use serde_json::json;

    #[test]
    fn iam_documents_name_actions_and_scope_resources() {
        let mut env = compliant();
        env.roles.push(Role {
            name: "role-x".into(),
            documents: vec![json!({"Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b"},
                {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
                {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:GetRandomPassword"], "Resource": "*"},
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": ["*"]},
                {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "elasticloadbalancing:DescribeRules"], "Resource": "*"},
                {"Effect": "Deny", "Action": "*", "Resource": "*"}
            ]})],
        });
        assert_eq!(
            fired(&env, "IAM.1"),
            [
                "role role-x: allows the wildcard action(s) s3:*",
                "role role-x: allows everything but a list (NotAction)",
                "role role-x: grants secretsmanager:GetSecretValue on every resource",
                "role role-x: grants iam:PassRole on every resource",
            ]
        );
        assert_eq!(
            fired(&env, "PassRole"),
            ["role role-x: iam:PassRole on every role"]
        );
    }
}
