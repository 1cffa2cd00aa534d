//! Secrets, keys, IAM, logs, certificates, alarms and repositories.

use super::{missing, Control};
use crate::facts::Environment;
use crate::outcome::{Finding, Outcome};
use env_core::iam::{ECR_LOGIN, LOAD_BALANCER_READS, PUT_METRIC_DATA};
use env_core::naming::Names;
use env_core::secret_policy::{READ_ACTIONS, WRITE_ACTIONS};
use env_core::spec::EnvironmentSuffix;
use serde_json::Value;

pub(crate) const CONTROLS: [Control; 12] = [
    (
        "SecretsManager.1",
        "fsbp-secretsmanager-1-rotation",
        rotation,
    ),
    (
        "SecretsManager.4",
        "fsbp-secretsmanager-4-rotation-period",
        rotation_period,
    ),
    (
        "CKV_AWS_149",
        "ckv-aws-149-secrets-customer-key",
        secrets_customer_key,
    ),
    ("SECRET-READERS", "secret-readers-only", readers_only),
    ("KMS.4", "fsbp-kms-4-key-rotation", key_rotation),
    ("KMS.5", "fsbp-kms-5-no-open-principal", no_open_principal),
    ("IAM.1", "fsbp-iam-1-no-wildcards", no_wildcards),
    ("PassRole", "cfn-nag-f38-passrole-scoped", pass_role_scoped),
    ("LOGS", "ckv-aws-66-158-log-groups", log_groups),
    ("ACM.2", "fsbp-acm-2-key-algorithm", key_algorithm),
    (
        "CloudWatch.15/17",
        "fsbp-cloudwatch-15-17-alarm-actions",
        alarm_actions,
    ),
    ("ECR.1/2/3", "fsbp-ecr-1-2-3-repositories", repositories),
];

/// docs/compliance.md SecretsManager.4: at most 90 days between rotations.
const MAX_ROTATION_DAYS: i64 = 90;

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

fn list(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// The statements of a policy document, whether `Statement` is one object or a list.
pub fn statements(document: &Value) -> Vec<&Value> {
    match document.get("Statement") {
        Some(Value::Array(many)) => many.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => vec![],
    }
}

fn allows(statement: &Value) -> bool {
    statement.get("Effect").and_then(Value::as_str) == Some("Allow")
}

fn rotation(env: &Environment) -> Outcome {
    let credentials: Vec<_> = env.secrets.iter().collect();
    if credentials.is_empty() {
        return missing(
            "secrets that must rotate (database credentials, API keys, Redis AUTH token)",
            "run the database component's create again",
        );
    }
    Outcome::from_findings(
        credentials
            .iter()
            .filter(|s| !s.rotation_enabled)
            .map(|s| {
                Finding::new(
                    format!("secret {}", s.name),
                    "rotation is off",
                    "turn rotation on, every 30 days",
                )
            })
            .collect(),
    )
}

fn rotation_period(env: &Environment) -> Outcome {
    if env.secrets.is_empty() {
        return missing(
            "secrets",
            "run the database and cache components' create again",
        );
    }
    Outcome::from_findings(
        env.secrets
            .iter()
            .filter(|s| s.rotation_enabled)
            .filter(|s| s.rotation_days.is_none_or(|d| d > MAX_ROTATION_DAYS))
            .map(|s| {
                Finding::new(
                    format!("secret {}", s.name),
                    format!(
                        "rotates every {} days",
                        s.rotation_days.map_or("?".to_owned(), |d| d.to_string())
                    ),
                    "rotate at most every 90 days (the environments use 30)",
                )
            })
            .collect(),
    )
}

fn secrets_customer_key(env: &Environment) -> Outcome {
    if env.secrets.is_empty() {
        return missing(
            "secrets",
            "run the database and cache components' create again",
        );
    }
    let key = env.key.as_ref().map(|k| k.arn.as_str());
    Outcome::from_findings(
        env.secrets
            .iter()
            .filter(|s| s.kms_key_id.is_none() || (key.is_some() && s.kms_key_id.as_deref() != key))
            .map(|s| {
                Finding::new(
                    format!("secret {}", s.name),
                    "not encrypted with the environment's key",
                    "set KmsKeyId to the environment's key",
                )
            })
            .collect(),
    )
}

/// SECRET-READERS: each of the environment's own secrets denies reading it to every principal but
/// its readers, and changing it to every principal but its writers (env_core::secret_policy).
fn readers_only(env: &Environment) -> Outcome {
    let Ok(suffix) = EnvironmentSuffix::parse(&env.suffix) else {
        return missing(
            "the environment's suffix",
            "audit an environment by its suffix",
        );
    };
    let names = Names::new(&suffix);
    let owned: Vec<_> = env
        .secrets
        .iter()
        .filter_map(|secret| secret.kind.map(|kind| (secret, kind)))
        .collect();
    if owned.is_empty() {
        return missing(
            "the environment's secrets",
            "run the database and cache components' create again",
        );
    }
    let mut findings = Vec::new();
    for (secret, kind) in owned {
        let rules = [
            (READ_ACTIONS[0], kind.readers()),
            (WRITE_ACTIONS[0], kind.writers()),
        ];
        for (action, roles) in rules {
            let allowed: Vec<String> = roles.iter().map(|role| role.name(names)).collect();
            let resource = format!("secret {}", secret.name);
            match exempted(secret.resource_policy.as_ref(), action) {
                None => findings.push(Finding::new(
                    resource,
                    format!("no resource policy denies {action} to other principals"),
                    "put the environment's secret policy back: run the component's create again",
                )),
                Some(exempt) => {
                    let extra: Vec<String> = exempt
                        .into_iter()
                        .filter(|role| !allowed.contains(role))
                        .collect();
                    if !extra.is_empty() {
                        findings.push(Finding::new(
                            resource,
                            format!("{action} is not denied to {}", extra.join(", ")),
                            &format!("exempt only {}", allowed.join(", ")),
                        ));
                    }
                }
            }
        }
    }
    Outcome::from_findings(findings)
}

/// The names of the roles exempted from a statement that denies `action` to every principal;
/// `None` when the policy has no such statement. A statement with a condition of another kind
/// than the environment's (roles by `ArnNotEquals`, AWS services by `BoolIfExists`) may deny less
/// than it seems, so it does not count.
fn exempted(policy: Option<&Value>, action: &str) -> Option<Vec<String>> {
    statements(policy?).into_iter().find_map(|statement| {
        let known_conditions = statement
            .get("Condition")
            .and_then(Value::as_object)
            .is_none_or(|condition| {
                condition
                    .keys()
                    .all(|operator| ["ArnNotEquals", "BoolIfExists"].contains(&operator.as_str()))
            });
        let denies = statement.get("Effect").and_then(Value::as_str) == Some("Deny")
            && open_principal(statement)
            && known_conditions
            && list(statement.get("Action")).contains(&action);
        let exempt = statement
            .get("Condition")
            .and_then(|condition| condition.get("ArnNotEquals"))
            .and_then(|equals| equals.get("aws:PrincipalArn"));
        denies.then(|| {
            list(exempt)
                .into_iter()
                .map(|arn| arn.rsplit('/').next().unwrap_or(arn).to_owned())
                .collect()
        })
    })
}

fn key_rotation(env: &Environment) -> Outcome {
    match &env.key {
        Some(key) if key.rotation_enabled => Outcome::Pass,
        Some(key) => Outcome::Findings(vec![Finding::new(
            key.arn.as_str(),
            "key rotation is off",
            "enable key rotation",
        )]),
        None => missing("KMS key", "run the network component's create again"),
    }
}

/// `"*"` or `{"AWS": "*"}` as a principal.
fn open_principal(statement: &Value) -> bool {
    match statement.get("Principal") {
        Some(Value::String(star)) => star == "*",
        Some(principal) => list(principal.get("AWS")).contains(&"*"),
        None => false,
    }
}

fn no_open_principal(env: &Environment) -> Outcome {
    let Some(key) = &env.key else {
        return missing("KMS key", "run the network component's create again");
    };
    Outcome::from_findings(
        statements(&key.policy)
            .into_iter()
            .filter(|s| allows(s) && open_principal(s) && s.get("Condition").is_none())
            .map(|s| {
                Finding::new(
                    key.arn.as_str(),
                    format!(
                        "statement {:?} allows any principal without a condition",
                        s.get("Sid").and_then(Value::as_str).unwrap_or("(no Sid)")
                    ),
                    "name the principals, or add a condition such as aws:SourceAccount",
                )
            })
            .collect(),
    )
}

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

fn no_wildcards(env: &Environment) -> Outcome {
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

fn pass_role_scoped(env: &Environment) -> Outcome {
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

fn log_groups(env: &Environment) -> Outcome {
    if env.log_groups.is_empty() {
        return missing(
            "log groups",
            "run the network and service components' create again",
        );
    }
    let app = format!("ecs-logs-{}", env.suffix);
    let mut findings = Vec::new();
    for group in &env.log_groups {
        match group.retention_days {
            None => findings.push(Finding::new(
                format!("log group {}", group.name),
                "kept forever",
                "set a retention period",
            )),
            Some(days) if group.name == app && days != env_core::LOG_RETENTION_DAYS => findings
                .push(Finding::new(
                    format!("log group {}", group.name),
                    format!("kept {days} days"),
                    "keep the application's logs exactly 14 days",
                )),
            Some(_) => {}
        }
        if group.kms_key_id.is_none() {
            findings.push(Finding::new(
                format!("log group {}", group.name),
                "not encrypted with a KMS key",
                "associate the environment's key",
            ));
        }
    }
    Outcome::from_findings(findings)
}

/// RSA of at least 2048 bits or an elliptic curve of at least 256 (ACM API reference, `KeyAlgorithm`).
fn strong_key(algorithm: &str) -> bool {
    matches!(
        algorithm,
        "RSA_2048" | "RSA_3072" | "RSA_4096" | "EC_prime256v1" | "EC_secp384r1" | "EC_secp521r1"
    )
}

fn key_algorithm(env: &Environment) -> Outcome {
    if env.certificates.is_empty() {
        return missing("certificate", "run the edge component's create again");
    }
    Outcome::from_findings(
        env.certificates
            .iter()
            .filter(|c| !strong_key(&c.key_algorithm))
            .map(|c| {
                Finding::new(
                    c.arn.as_str(),
                    format!("key algorithm {}", c.key_algorithm),
                    "use RSA 2048 or ECDSA P-256 or stronger",
                )
            })
            .collect(),
    )
}

fn alarm_actions(env: &Environment) -> Outcome {
    if env.alarms.is_empty() {
        return missing("alarms", "run the monitoring component's create again");
    }
    Outcome::from_findings(
        env.alarms
            .iter()
            .filter(|a| !a.actions_enabled || a.alarm_actions == 0)
            .map(|a| {
                Finding::new(
                    format!("alarm {}", a.name),
                    "no enabled alarm action",
                    "notify the environment's alarm topic, actions enabled",
                )
            })
            .collect(),
    )
}

fn repositories(env: &Environment) -> Outcome {
    let Some(wanted) = &env.image_repository else {
        return Outcome::waived(
            "containerImage",
            "the image is not in a private ECR repository, the only kind ECR.1/2/3 apply to",
        );
    };
    let (problem, fix) = match &env.repository {
        None => (
            format!(
                "not found in registry {} ({})",
                wanted.account, wanted.region
            ),
            "push the image to that repository, or correct containerImage",
        ),
        Some(r) if r.scan_on_push && r.immutable_tags && r.lifecycle_policy => {
            return Outcome::Pass
        }
        Some(_) => (
            "scan on push, immutable tags or a lifecycle policy is missing".to_owned(),
            "turn on scan on push and tag immutability, and add a lifecycle policy",
        ),
    };
    Outcome::Findings(vec![Finding::new(
        format!("repository {}", wanted.name),
        problem,
        fix,
    )])
}

#[cfg(test)]
mod tests {
    use super::super::sample::{compliant, fired};
    use super::*;
    use crate::facts::{Alarm, Repository, Role};
    use env_core::spec::service::EcrRepository;
    use serde_json::json;

    #[test]
    fn secrets_rotate_within_90_days_with_the_environment_key() {
        let mut env = compliant();
        env.secrets[1].rotation_enabled = false;
        env.secrets[3].rotation_enabled = false;
        env.secrets[0].rotation_days = Some(120);
        env.secrets[2].kms_key_id = None;
        env.secrets[3].kms_key_id = Some("arn:aws:kms:us-west-2:123456789012:key/other".into());
        assert_eq!(
            fired(&env, "SecretsManager.1"),
            [
                "secret secret-db-app-pr-42: rotation is off",
                "secret secret-api-keys-pr-42: rotation is off"
            ]
        );
        assert_eq!(
            fired(&env, "SecretsManager.4"),
            ["secret rds!cluster-1: rotates every 120 days"]
        );
        assert_eq!(
            fired(&env, "CKV_AWS_149"),
            [
                "secret secret-redis-auth-pr-42: not encrypted with the environment's key",
                "secret secret-api-keys-pr-42: not encrypted with the environment's key",
            ]
        );
        env.secrets[0].rotation_days = None;
        assert_eq!(
            fired(&env, "SecretsManager.4"),
            ["secret rds!cluster-1: rotates every ? days"]
        );
    }

    #[test]
    fn each_secret_denies_reading_to_all_but_its_readers_and_changing_to_all_but_its_writers() {
        let mut env = compliant();
        // No policy on the credentials; the token's also exempts another role from both denials.
        env.secrets[1].resource_policy = None;
        let token = env.secrets[2].resource_policy.as_mut().unwrap();
        for statement in token["Statement"].as_array_mut().unwrap() {
            let exempt = &mut statement["Condition"]["ArnNotEquals"]["aws:PrincipalArn"];
            exempt
                .as_array_mut()
                .unwrap()
                .push(json!("arn:aws:iam::123456789012:role/admin"));
        }
        assert_eq!(
            fired(&env, "SECRET-READERS"),
            [
                "secret secret-db-app-pr-42: no resource policy denies secretsmanager:GetSecretValue to other principals",
                "secret secret-db-app-pr-42: no resource policy denies secretsmanager:PutSecretValue to other principals",
                "secret secret-redis-auth-pr-42: secretsmanager:GetSecretValue is not denied to admin",
                "secret secret-redis-auth-pr-42: secretsmanager:PutSecretValue is not denied to admin",
            ]
        );
        // A statement that denies something else, allows, or denies under another condition,
        // limits nothing; one without a condition denies everyone.
        env.secrets[3].resource_policy = Some(json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
            {"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:DeleteSecret", "Resource": "*"},
            {"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/admin"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:PutSecretValue", "Resource": "*"}
        ]}));
        assert_eq!(
            fired(&env, "SECRET-READERS")[4..],
            ["secret secret-api-keys-pr-42: no resource policy denies secretsmanager:GetSecretValue to other principals"]
        );
        env.suffix = "Not a suffix".into();
        assert_eq!(
            fired(&env, "SECRET-READERS"),
            ["the environment's suffix: not found"]
        );
        env.suffix = "pr-42".into();
        // Only the master user's secret (RDS's): nothing of the environment's own to judge.
        env.secrets.retain(|secret| secret.kind.is_none());
        assert_eq!(
            fired(&env, "SECRET-READERS"),
            ["the environment's secrets: not found"]
        );
    }

    #[test]
    fn the_key_rotates_and_names_its_principals() {
        let mut env = compliant();
        let key = env.key.as_mut().unwrap();
        key.rotation_enabled = false;
        key.policy = json!({"Statement": {"Sid": "Open", "Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "kms:Decrypt", "Resource": "*"}});
        assert_eq!(
            fired(&env, "KMS.4"),
            [format!(
                "{}: key rotation is off",
                super::super::sample::KEY
            )]
        );
        assert_eq!(
            fired(&env, "KMS.5"),
            [format!(
                "{}: statement \"Open\" allows any principal without a condition",
                super::super::sample::KEY
            )]
        );
        env.key.as_mut().unwrap().policy = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]});
        assert_eq!(fired(&env, "KMS.5").len(), 1);
        assert!(fired(&env, "KMS.5")[0].contains("(no Sid)"));
        // With a condition, or denying, an open principal is fine.
        env.key.as_mut().unwrap().policy = json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}
        ]});
        assert!(fired(&env, "KMS.5").is_empty());
        env.key.as_mut().unwrap().policy = json!({});
        assert!(fired(&env, "KMS.5").is_empty());
        // A statement without a principal (as in an IAM policy) opens nothing.
        env.key.as_mut().unwrap().policy =
            json!({"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]});
        assert!(fired(&env, "KMS.5").is_empty());
    }

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

    #[test]
    fn log_groups_keep_logs_for_a_while_encrypted() {
        let mut env = compliant();
        env.log_groups[0].retention_days = Some(30);
        env.log_groups[1].retention_days = None;
        env.log_groups[1].kms_key_id = None;
        assert_eq!(
            fired(&env, "LOGS"),
            [
                "log group ecs-logs-pr-42: kept 30 days",
                "log group vpc-flow-logs-pr-42: kept forever",
                "log group vpc-flow-logs-pr-42: not encrypted with a KMS key",
            ]
        );
    }

    #[test]
    fn certificates_alarms_and_repositories() {
        let mut env = compliant();
        env.certificates[0].key_algorithm = "RSA_1024".into();
        env.alarms.push(Alarm {
            name: "alarm-x".into(),
            actions_enabled: false,
            alarm_actions: 1,
        });
        env.repository = Some(Repository {
            scan_on_push: true,
            immutable_tags: false,
            lifecycle_policy: true,
        });
        assert_eq!(
            fired(&env, "ACM.2"),
            ["arn:aws:acm:us-west-2:123456789012:certificate/c-1: key algorithm RSA_1024"]
        );
        assert_eq!(
            fired(&env, "CloudWatch.15/17"),
            ["alarm alarm-x: no enabled alarm action"]
        );
        let ecr = |env: &Environment| {
            let checks = super::super::run(env);
            let check = checks.into_iter().find(|c| c.id == "ECR.1/2/3").unwrap();
            check.outcome.label()
        };
        // Waived while the image is not in a private ECR repository, whatever else is there.
        assert_eq!(ecr(&env), "waived");
        env.image_repository = Some(EcrRepository {
            account: "123456789012".into(),
            region: "us-east-1".into(),
            name: "catalog".into(),
        });
        assert_eq!(
            fired(&env, "ECR.1/2/3"),
            ["repository catalog: scan on push, immutable tags or a lifecycle policy is missing"]
        );
        env.repository = Some(Repository {
            scan_on_push: true,
            immutable_tags: true,
            lifecycle_policy: true,
        });
        assert_eq!(ecr(&env), "pass");
        env.repository = None;
        assert_eq!(
            fired(&env, "ECR.1/2/3"),
            ["repository catalog: not found in registry 123456789012 (us-east-1)"]
        );
        for algorithm in [
            "RSA_2048",
            "RSA_3072",
            "RSA_4096",
            "EC_prime256v1",
            "EC_secp384r1",
            "EC_secp521r1",
        ] {
            assert!(strong_key(algorithm), "{algorithm}");
        }
    }

    #[test]
    fn statements_come_as_one_object_or_a_list() {
        assert_eq!(
            statements(&json!({"Statement": {"Effect": "Allow"}})).len(),
            1
        );
        assert_eq!(statements(&json!({"Statement": [{}, {}]})).len(), 2);
        assert!(statements(&json!({"Statement": "x"})).is_empty());
        assert!(list(Some(&json!(3))).is_empty());
    }
}
