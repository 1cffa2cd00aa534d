//! The environment's customer-managed KMS key: every log group, secret, database, cache and topic
//! of the environment is encrypted with it. The network function makes it because the network's
//! flow logs are the first thing that needs it.

use crate::api::{CallResult, Cloud};
use crate::waiting::Waiting;
use env_core::arn::ArnScope;
use env_core::context::Context;
use env_core::naming::{NameKind, Names};
use serde_json::{json, Value};

/// The shortest waiting period KMS allows before it deletes a key (KMS API reference,
/// ScheduleKeyDeletion `PendingWindowInDays`: 7–30).
pub const KEY_DELETION_WINDOW_DAYS: i32 = 7;

/// The environment's customer-managed key, found by alias. An alias left on a key that a teardown
/// already scheduled for deletion is moved off it: that key can no longer encrypt.
pub async fn ensure<C: Cloud>(cx: &Context<'_, C>, account: &str) -> CallResult<String> {
    let cloud = cx.cloud;
    let region = cx.fields().region.as_str();
    let alias = cx.names.of(NameKind::KmsAlias);
    let existing = cloud.key_by_alias(&alias).await?;
    if let Some(key) = &existing {
        if !key.pending_deletion {
            cloud.enable_key_rotation(&key.arn).await?;
            return Ok(key.arn.clone());
        }
        cloud.delete_alias(&alias).await?;
    }
    let key = cloud
        .create_key(&key_policy(account, region), &cx.tags)
        .await?;
    // The alias right away: it is how this function, and every later component, finds the key.
    cloud.create_alias(&alias, &key.arn).await?;
    cloud.enable_key_rotation(&key.arn).await?;
    Ok(key.arn)
}

/// The account administers the key through IAM (the KMS default key policy); CloudWatch Logs in
/// this region may use it only for this account's log groups (CloudWatch Logs user guide, "Encrypt
/// log data in CloudWatch Logs using AWS KMS"); CloudWatch alarms may use it only on behalf of this
/// account, to publish to the alarm topic the monitoring function encrypts with this key (SNS
/// developer guide, "Configuring AWS KMS permissions": a CloudWatch alarm needs kms:Decrypt and
/// kms:GenerateDataKey* to publish to an encrypted topic). No statement has an unconditioned `*`
/// principal.
///
/// The backend's functions get their uses of the key here, by their roles, rather than by tag in
/// their IAM policies: a key policy holds from the key's creation, while tags and aliases can take
/// up to five minutes to count for authorization (KMS developer guide, "Use tags to control access
/// to KMS keys"), which would deny the alias made right after the key and leave a second key behind
/// on the retry; and a right granted by tag would reach any key someone tags alike. KMS checks that
/// these roles exist (envctl deploy makes them first).
pub fn key_policy(account: &str, region: &str) -> String {
    let scope = ArnScope::new(region, account);
    let mut statements = service_statements(&scope, account, region);
    statements.extend(function_statements(&scope, region));
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// The account's own administration, and what CloudWatch Logs and CloudWatch alarms may do with
/// the key.
fn service_statements(scope: &ArnScope, account: &str, region: &str) -> Vec<Value> {
    vec![
        json!({
            "Sid": "AccountAdministersThroughIam",
            "Effect": "Allow",
            "Principal": {"AWS": scope.account_root()},
            "Action": "kms:*",
            "Resource": "*"
        }),
        json!({
            "Sid": "CloudWatchLogsEncryptsThisAccountsLogGroups",
            "Effect": "Allow",
            "Principal": {"Service": format!("logs.{region}.amazonaws.com")},
            "Action": [
                "kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*",
                "kms:GenerateDataKey*", "kms:Describe*"
            ],
            "Resource": "*",
            "Condition": {"ArnLike": {
                "kms:EncryptionContext:aws:logs:arn":
                    scope.regional("logs", "log-group:*")
            }}
        }),
        json!({
            "Sid": "CloudWatchAlarmsPublishToTheEncryptedAlarmTopic",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}}
        }),
    ]
}

/// What the backend's functions may do with the key, by their roles.
fn function_statements(scope: &ArnScope, region: &str) -> Vec<Value> {
    let role = |function: &str| scope.role(&env_core::iam::function_role(function));
    vec![
        json!({
            "Sid": "TheNetworkFunctionAdministersTheKey",
            "Effect": "Allow",
            "Principal": {"AWS": role("network")},
            "Action": [
                "kms:DescribeKey", "kms:EnableKeyRotation", "kms:CreateAlias",
                "kms:DeleteAlias", "kms:ScheduleKeyDeletion"
            ],
            "Resource": "*"
        }),
        json!({
            "Sid": "AuroraAndSecretsManagerUseTheKeyForTheDatabaseFunction",
            "Effect": "Allow",
            "Principal": {"AWS": role("database")},
            "Action": ["kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:ViaService": [
                format!("rds.{region}.amazonaws.com"),
                format!("secretsmanager.{region}.amazonaws.com")
            ]}}
        }),
        json!({
            "Sid": "AuroraHoldsGrantsForTheDatabaseFunction",
            "Effect": "Allow",
            "Principal": {"AWS": role("database")},
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {
                "StringEquals": {"kms:ViaService": format!("rds.{region}.amazonaws.com")},
                "Bool": {"kms:GrantIsForAWSResource": "true"}
            }
        }),
        json!({
            "Sid": "SecretsManagerUsesTheKeyForTheCacheFunction",
            "Effect": "Allow",
            "Principal": {"AWS": role("cache")},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {"StringEquals": {
                "kms:ViaService": format!("secretsmanager.{region}.amazonaws.com")
            }}
        }),
        json!({
            // ElastiCache supports no kms:ViaService (ElastiCache user guide, "At-Rest
            // Encryption in ElastiCache"): it reads the key, and its grant is bound to AWS
            // resources instead.
            "Sid": "ElastiCacheReadsTheKeyForTheCacheFunction",
            "Effect": "Allow",
            "Principal": {"AWS": role("cache")},
            "Action": "kms:DescribeKey",
            "Resource": "*"
        }),
        json!({
            "Sid": "ElastiCacheHoldsGrantsForTheCacheFunction",
            "Effect": "Allow",
            "Principal": {"AWS": role("cache")},
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}
        }),
    ]
}

/// Schedules the key's deletion after the shortest window KMS allows and deletes the alias at
/// once, so a new environment of the same name gets a new key.
pub async fn delete<C: Cloud>(
    cloud: &C,
    names: Names<'_>,
    waiting: &mut Waiting,
) -> CallResult<()> {
    let alias = names.of(NameKind::KmsAlias);
    let Some(key) = cloud.key_by_alias(&alias).await? else {
        return Ok(());
    };
    if !key.pending_deletion {
        cloud
            .schedule_key_deletion(&key.id, KEY_DELETION_WINDOW_DAYS)
            .await?;
    }
    waiting.settle(cloud.delete_alias(&alias).await, &alias, &[])
}
