//! Who may read and change each secret of an environment, and the resource policy that says so.
//!
//! An identity policy can only grant: any role of the account that some other policy lets read
//! every secret (an administrator's, a CI role's) would read these too. So every secret an
//! environment makes carries a resource policy that denies reading it to every principal but its
//! readers, and changing its value to every principal but its writers; an explicit deny wins over
//! any allow (IAM user guide, "Policy evaluation logic"). The roles are named by
//! `aws:PrincipalArn`, which for a role session is the role's ARN (IAM user guide, "AWS global
//! condition context keys"), so a policy can name roles that do not exist yet (the service's roles
//! are made after the secrets) without Secrets Manager refusing an unknown principal.
//!
//! What stays open, so the backend is never locked out of its own environments: describing, tagging,
//! deleting and restoring a secret, and its resource policy itself (anyone allowed
//! `secretsmanager:DeleteResourcePolicy` can take the policy off). AWS services acting with their
//! own identity (`aws:PrincipalIsAWSService`) are not denied either.

use crate::arn::ArnScope;
use crate::iam::function_role;
use crate::naming::{NameKind, Names};
use serde_json::{json, Value};

/// The environment's own secrets (the master user's secret is RDS's, which manages it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvironmentSecret {
    /// The application user's database credentials (the database function makes it).
    DatabaseCredentials,
    /// The API keys (the database function makes it).
    ApiKeys,
    /// The Redis AUTH token and connection settings (the cache function makes it).
    CacheAuthToken,
}

/// A role that reads or writes a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A role of the environment (`role-…-<suffix>`).
    Environment(NameKind),
    /// The role a backend function runs as (`catalog-fn-<function>`).
    Function(&'static str),
}

impl Role {
    /// The role's name in the environment `names` belongs to.
    pub fn name(self, names: Names<'_>) -> String {
        match self {
            Role::Environment(kind) => names.of(kind),
            Role::Function(function) => function_role(function),
        }
    }
}

/// Every secret of an environment rotates this often: the request's "30-day cycle"
/// (docs/requirements.md), within the 90 days of docs/compliance.md SecretsManager.4.
pub const ROTATION_DAYS: i64 = 30;

/// Reading the value (GetSecretValue).
pub const READ_ACTIONS: [&str; 1] = ["secretsmanager:GetSecretValue"];
/// Changing the value or which version is current.
pub const WRITE_ACTIONS: [&str; 2] = [
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
];
/// The statement ids of the two denials, which the audit looks for.
pub const READERS_SID: &str = "OnlyItsReadersReadIt";
pub const WRITERS_SID: &str = "OnlyItsWritersChangeIt";

impl EnvironmentSecret {
    pub const ALL: [EnvironmentSecret; 3] = [
        EnvironmentSecret::DatabaseCredentials,
        EnvironmentSecret::ApiKeys,
        EnvironmentSecret::CacheAuthToken,
    ];

    pub fn name_kind(self) -> NameKind {
        match self {
            EnvironmentSecret::DatabaseCredentials => NameKind::DatabaseSecret,
            EnvironmentSecret::ApiKeys => NameKind::ApiKeysSecret,
            EnvironmentSecret::CacheAuthToken => NameKind::CacheAuthSecret,
        }
    }

    /// The roles that read the value, each for a reason the README's security section gives:
    /// ECS injects the credentials and the token at task start (execution role); the API reads
    /// its secrets while it runs (task role); the rotation function rotates all three; the cache
    /// function completes its secret with the group's endpoint.
    pub fn readers(self) -> &'static [Role] {
        use NameKind::{ExecutionRole, RotationRole, TaskRole};
        match self {
            EnvironmentSecret::DatabaseCredentials => &[
                Role::Environment(ExecutionRole),
                Role::Environment(TaskRole),
                Role::Environment(RotationRole),
            ],
            EnvironmentSecret::ApiKeys => {
                &[Role::Environment(TaskRole), Role::Environment(RotationRole)]
            }
            EnvironmentSecret::CacheAuthToken => &[
                Role::Environment(ExecutionRole),
                Role::Environment(TaskRole),
                Role::Environment(RotationRole),
                Role::Function("cache"),
            ],
        }
    }

    /// The roles that change the value: the rotation function, and the cache function for its
    /// own secret (the endpoint, once the group exists). The functions that create a secret give its first value with CreateSecret.
    pub fn writers(self) -> &'static [Role] {
        match self {
            EnvironmentSecret::DatabaseCredentials | EnvironmentSecret::ApiKeys => {
                &[Role::Environment(NameKind::RotationRole)]
            }
            EnvironmentSecret::CacheAuthToken => &[
                Role::Environment(NameKind::RotationRole),
                Role::Function("cache"),
            ],
        }
    }

    /// The secret's resource policy in the environment of `names`, in `account`.
    pub fn policy(self, names: Names<'_>, account: &str) -> Value {
        // IAM is global: the region plays no part in a role's ARN.
        let scope = ArnScope::new("", account);
        let arns = |roles: &[Role]| -> Vec<String> {
            roles
                .iter()
                .map(|role| scope.role(&role.name(names)))
                .collect()
        };
        json!({
            "Version": "2012-10-17",
            "Statement": [
                deny_all_but(READERS_SID, &READ_ACTIONS, arns(self.readers())),
                deny_all_but(WRITERS_SID, &WRITE_ACTIONS, arns(self.writers())),
            ]
        })
    }
}

fn deny_all_but(sid: &str, actions: &[&str], roles: Vec<String>) -> Value {
    json!({
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": actions,
        "Resource": "*",
        // Both must hold: a principal that is none of the roles (`ArnNotEquals` on
        // `aws:PrincipalArn`, as the IAM user guide recommends over `NotPrincipal`), and not an AWS
        // service acting with its own service principal (AWS's data perimeter examples,
        // aws-samples/data-perimeter-policy-examples).
        "Condition": {
            "ArnNotEquals": {"aws:PrincipalArn": roles},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::EnvironmentSuffix;

    fn denied_roles(policy: &Value, sid: &str) -> Vec<String> {
        let statement = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|statement| statement["Sid"] == sid)
            .unwrap();
        assert_eq!(statement["Effect"], "Deny");
        assert_eq!(statement["Principal"], "*");
        assert_eq!(
            statement["Condition"]["BoolIfExists"]["aws:PrincipalIsAWSService"],
            "false"
        );
        serde_json::from_value(statement["Condition"]["ArnNotEquals"]["aws:PrincipalArn"].clone())
            .unwrap()
    }

    #[test]
    fn each_secret_is_read_only_by_its_readers_and_changed_only_by_its_writers() {
        let suffix = EnvironmentSuffix::parse("pr-42").unwrap();
        let names = Names::new(&suffix);
        let role = |name: &str| format!("arn:aws:iam::123456789012:role/{name}");
        let credentials = EnvironmentSecret::DatabaseCredentials.policy(names, "123456789012");
        assert_eq!(
            denied_roles(&credentials, READERS_SID),
            [
                role("role-ecs-execution-pr-42"),
                role("role-ecs-task-pr-42"),
                role("role-rotation-pr-42")
            ]
        );
        assert_eq!(
            denied_roles(&credentials, WRITERS_SID),
            [role("role-rotation-pr-42")]
        );
        let keys = EnvironmentSecret::ApiKeys.policy(names, "123456789012");
        assert_eq!(
            denied_roles(&keys, READERS_SID),
            [role("role-ecs-task-pr-42"), role("role-rotation-pr-42")]
        );
        let token = EnvironmentSecret::CacheAuthToken.policy(names, "123456789012");
        assert_eq!(
            denied_roles(&token, READERS_SID),
            [
                role("role-ecs-execution-pr-42"),
                role("role-ecs-task-pr-42"),
                role("role-rotation-pr-42"),
                role("catalog-fn-cache")
            ]
        );
        assert_eq!(
            denied_roles(&token, WRITERS_SID),
            [role("role-rotation-pr-42"), role("catalog-fn-cache")]
        );
        assert_eq!(token["Statement"][0]["Action"], json!(READ_ACTIONS));
        assert_eq!(token["Statement"][1]["Action"], json!(WRITE_ACTIONS));
    }

    #[test]
    fn deleting_describing_and_the_policy_itself_stay_open() {
        let suffix = EnvironmentSuffix::parse("pr-1").unwrap();
        for secret in EnvironmentSecret::ALL {
            let policy = secret.policy(Names::new(&suffix), "123456789012");
            let actions: Vec<&str> = policy["Statement"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|statement| statement["Action"].as_array().unwrap())
                .filter_map(Value::as_str)
                .collect();
            assert_eq!(
                actions,
                [
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage"
                ]
            );
        }
        assert_eq!(
            EnvironmentSecret::ApiKeys.name_kind(),
            NameKind::ApiKeysSecret
        );
        assert_eq!(
            EnvironmentSecret::DatabaseCredentials.name_kind(),
            NameKind::DatabaseSecret
        );
        assert_eq!(
            EnvironmentSecret::CacheAuthToken.name_kind(),
            NameKind::CacheAuthSecret
        );
    }
}
