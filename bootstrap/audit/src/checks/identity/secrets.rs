//! The environment's secrets: rotation, their key, and who may read or change them.

use super::policy::{list, open_principal, statements};
use crate::checks::missing;
use crate::facts::Environment;
use crate::outcome::{Finding, Outcome};
use env_core::naming::Names;
use env_core::secret_policy::{READ_ACTIONS, WRITE_ACTIONS};
use env_core::spec::EnvironmentSuffix;
use serde_json::Value;

/// docs/compliance.md SecretsManager.4: at most 90 days between rotations.
const MAX_ROTATION_DAYS: i64 = 90;

pub(super) fn rotation(env: &Environment) -> Outcome {
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

pub(super) fn rotation_period(env: &Environment) -> Outcome {
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

pub(super) fn secrets_customer_key(env: &Environment) -> Outcome {
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
pub(super) fn readers_only(env: &Environment) -> Outcome {
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

#[cfg(test)]
mod tests {
    use crate::checks::sample::{compliant, fired};
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
}
