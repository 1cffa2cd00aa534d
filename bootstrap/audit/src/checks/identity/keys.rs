//! The environment's KMS key: it rotates, and its policy opens it to no one unnamed.

use super::policy::{allows, open_principal, statements};
use crate::checks::missing;
use crate::facts::Environment;
use crate::outcome::{Finding, Outcome};
use serde_json::Value;

pub(super) fn key_rotation(env: &Environment) -> Outcome {
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

pub(super) fn no_open_principal(env: &Environment) -> Outcome {
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

#[cfg(test)]
mod tests {
    use crate::checks::sample::{compliant, fired, KEY};
    use serde_json::json;

    #[test]
    fn the_key_rotates_and_names_its_principals() {
        let mut env = compliant();
        let key = env.key.as_mut().unwrap();
        key.rotation_enabled = false;
        key.policy = json!({"Statement": {"Sid": "Open", "Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "kms:Decrypt", "Resource": "*"}});
        assert_eq!(
            fired(&env, "KMS.4"),
            [format!("{}: key rotation is off", KEY)]
        );
        assert_eq!(
            fired(&env, "KMS.5"),
            [format!(
                "{}: statement \"Open\" allows any principal without a condition",
                KEY
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
}
