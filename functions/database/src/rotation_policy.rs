//! The IAM policy of the rotation function's execution role (it rotates the database
//! credentials, the API keys and the Redis AUTH token) (moved here from functions/rotation:
//! the database function deploys the rotation Lambda and puts this policy on its role).
//!
//! Least privilege (docs/compliance.md IAM.1): every action that supports resource ARNs is scoped
//! to them; `*` remains only for actions that support no resource (GetRandomPassword, and the
//! network-interface actions a VPC Lambda needs, as in AWS's AWSLambdaVPCAccessExecutionRole).

use env_core::arn::{account_of, region_of, ArnScope};
use serde_json::{json, Value};

/// What the policy is scoped to.
#[derive(Debug, Clone, Copy)]
pub struct PolicyArns<'a> {
    /// The application user's secret, rotated.
    pub secret: &'a str,
    /// The API keys secret, rotated by the same function (functions/rotation, `api_keys`).
    pub api_keys_secret: &'a str,
    /// The master user's secret (`masterarn`), read to create and alter the alternate user.
    pub master_secret: &'a str,
    /// The Redis AUTH token secret (the cache function makes it, so its ARN's random suffix is
    /// not known here: `-??????`, as the Secrets Manager user guide writes it for that suffix).
    pub cache_secret: &'a str,
    /// The replication group whose token it changes.
    pub replication_group: &'a str,
    /// The ECS service whose tasks it restarts after a token rotation.
    pub service: &'a str,
    /// The environment's KMS key that encrypts both secrets.
    pub key: &'a str,
    /// The function's log group.
    pub log_group: &'a str,
}

pub fn document(arns: PolicyArns<'_>) -> Value {
    let scope = ArnScope::new(region_of(arns.secret), account_of(arns.secret));
    let mut statements = what_rotation_changes(&arns);
    statements.extend(what_rotation_reads(&arns));
    statements.extend(what_lambda_needs(&arns, &scope));
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The secrets it rotates, the cache's token and the service whose tasks hold it.
fn what_rotation_changes(arns: &PolicyArns<'_>) -> Vec<Value> {
    vec![
        json!({
            "Sid": "RotateTheSecret",
            "Effect": "Allow",
            // No ListSecretVersionIds: only the single-user recovery lists versions, and an
            // environment's secret alternates users (it names its master).
            "Action": [
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue",
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecretVersionStage"
            ],
            "Resource": [arns.secret, arns.api_keys_secret, arns.cache_secret]
        }),
        json!({
            // The token's rotation dates the current version (when it was made) against the
            // service's deployments.
            "Sid": "DateTheTokensVersions",
            "Effect": "Allow",
            "Action": ["secretsmanager:ListSecretVersionIds"],
            "Resource": arns.cache_secret
        }),
        json!({
            "Sid": "ChangeTheCacheToken",
            "Effect": "Allow",
            "Action": [
                "elasticache:DescribeReplicationGroups",
                "elasticache:ModifyReplicationGroup"
            ],
            "Resource": arns.replication_group
        }),
        json!({
            "Sid": "RestartTheTasksHoldingTheToken",
            "Effect": "Allow",
            "Action": ["ecs:DescribeServices", "ecs:UpdateService"],
            "Resource": arns.service
        }),
    ]
}

/// The master secret, new passwords, and the key through Secrets Manager only.
fn what_rotation_reads(arns: &PolicyArns<'_>) -> Vec<Value> {
    vec![
        json!({
            "Sid": "ReadTheMasterSecret",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": arns.master_secret
        }),
        json!({
            "Sid": "GeneratePasswords",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetRandomPassword"],
            "Resource": "*"
        }),
        json!({
            "Sid": "UseTheKeyThroughSecretsManagerOnly",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": arns.key,
            "Condition": {"StringEquals": {
                "kms:ViaService": format!("secretsmanager.{}.amazonaws.com", region_of(arns.secret))
            }}
        }),
    ]
}

/// What Lambda needs to run the function in the VPC and keep its logs.
fn what_lambda_needs(arns: &PolicyArns<'_>, scope: &ArnScope) -> Vec<Value> {
    let interfaces: Vec<String> = ["network-interface/*", "subnet/*", "security-group/*"]
        .iter()
        .map(|resource| scope.regional("ec2", resource))
        .collect();
    vec![
        json!({
            // Lambda makes, re-addresses and removes the function's interfaces in its subnets
            // with its security group (Lambda developer guide, "Giving Lambda functions access
            // to resources in an Amazon VPC"); the interfaces' ids are Lambda's, so the account
            // and region are the scope.
            "Sid": "VpcNetworkInterfaces",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses"
            ],
            "Resource": interfaces
        }),
        json!({
            // DescribeNetworkInterfaces works only on all resources (same guide).
            "Sid": "ListNetworkInterfaces",
            "Effect": "Allow",
            "Action": ["ec2:DescribeNetworkInterfaces"],
            "Resource": "*"
        }),
        json!({
            // The database function creates the log group first, keyed and with its
            // retention; without CreateLogGroup here, the function cannot make one of its own
            // that keeps logs forever (Lambda developer guide, "Sending Lambda function logs
            // to CloudWatch Logs": it creates the group when missing, if allowed).
            "Sid": "WriteLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [arns.log_group.to_owned(), format!("{}:*", arns.log_group)]
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "arn:aws:secretsmanager:us-west-2:123456789012:secret:db-app-pr-1-AbCdEf";
    const MASTER: &str = "arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!cluster-1-XyZ";
    const API_KEYS: &str =
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:api-keys-pr-1-GhIjKl";
    const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const LOGS: &str = "arn:aws:logs:us-west-2:123456789012:log-group:/aws/lambda/rotation-pr-1";

    fn statement(document: &Value, sid: &str) -> Value {
        document["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|statement| statement["Sid"] == sid)
            .expect("the statement exists")
            .clone()
    }

    const TOKEN: &str =
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-redis-auth-pr-1-??????";
    const GROUP: &str = "arn:aws:elasticache:us-west-2:123456789012:replicationgroup:redis-pr-1";
    const SERVICE: &str = "arn:aws:ecs:us-west-2:123456789012:service/ecs-pr-1/api-pr-1";

    fn policy() -> Value {
        document(PolicyArns {
            secret: SECRET,
            api_keys_secret: API_KEYS,
            master_secret: MASTER,
            cache_secret: TOKEN,
            replication_group: GROUP,
            service: SERVICE,
            key: KEY,
            log_group: LOGS,
        })
    }

    #[test]
    fn the_rotated_secrets_get_exactly_the_protocol_actions() {
        let rotate = statement(&policy(), "RotateTheSecret");
        assert_eq!(
            rotate["Action"],
            json!([
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue",
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecretVersionStage"
            ])
        );
        assert_eq!(rotate["Resource"], json!([SECRET, API_KEYS, TOKEN]));
        let versions = statement(&policy(), "DateTheTokensVersions");
        assert_eq!(
            versions["Action"],
            json!(["secretsmanager:ListSecretVersionIds"])
        );
        assert_eq!(versions["Resource"], TOKEN);
        let token = statement(&policy(), "ChangeTheCacheToken");
        assert_eq!(token["Resource"], GROUP);
        assert_eq!(
            statement(&policy(), "RestartTheTasksHoldingTheToken")["Action"],
            json!(["ecs:DescribeServices", "ecs:UpdateService"])
        );
        let master = statement(&policy(), "ReadTheMasterSecret");
        assert_eq!(master["Action"], json!(["secretsmanager:GetSecretValue"]));
        assert_eq!(master["Resource"], MASTER);
    }

    #[test]
    fn the_key_is_usable_only_through_secrets_manager_in_the_secrets_region() {
        let kms = statement(&policy(), "UseTheKeyThroughSecretsManagerOnly");
        assert_eq!(kms["Action"], json!(["kms:Decrypt", "kms:GenerateDataKey"]));
        assert_eq!(kms["Resource"], KEY);
        assert_eq!(
            kms["Condition"]["StringEquals"]["kms:ViaService"],
            "secretsmanager.us-west-2.amazonaws.com"
        );
    }

    #[test]
    fn wildcards_only_for_actions_without_resource_level_permissions() {
        let policy = policy();
        for statement in policy["Statement"].as_array().unwrap() {
            let actions = statement["Action"].as_array().unwrap();
            assert!(actions.iter().all(|a| !a.as_str().unwrap().contains('*')));
            if statement["Resource"] == "*" {
                assert!(
                    ["GeneratePasswords", "ListNetworkInterfaces"]
                        .contains(&statement["Sid"].as_str().unwrap()),
                    "{statement}"
                );
            }
        }
        let interfaces = statement(&policy, "VpcNetworkInterfaces");
        assert_eq!(interfaces["Action"].as_array().unwrap().len(), 4);
        assert_eq!(
            interfaces["Resource"],
            json!([
                "arn:aws:ec2:us-west-2:123456789012:network-interface/*",
                "arn:aws:ec2:us-west-2:123456789012:subnet/*",
                "arn:aws:ec2:us-west-2:123456789012:security-group/*"
            ])
        );
        assert_eq!(
            statement(&policy, "WriteLogs")["Resource"],
            json!([LOGS, format!("{LOGS}:*")])
        );
    }
}
