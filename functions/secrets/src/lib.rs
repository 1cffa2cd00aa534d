//! The Secrets Manager calls every component that owns a secret makes (the cache's auth token, the
//! database's application credentials, the master secret RDS manages and the outputs' lookups): one
//! capability, [`SecretCalls`], written once over the SDK ([`Secrets`]) and once in memory for the
//! unit tests (`fake::FakeSecrets`, feature `test-util`). Each function's `Cloud` hands out its
//! implementation instead of declaring the calls again. The moto tests drive every SDK method
//! through those functions' binaries.
//!
//! The rotation function's calls on a secret's versions and staging labels are a second
//! capability, [`versions::SecretVersions`], over the same [`Secrets`]; its in-memory fake is the
//! rotation function's own (it shares one world with that function's PostgreSQL and ElastiCache).

use aws_config::SdkConfig;
use aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput;
use aws_sdk_secretsmanager::types::{RotationRulesType, Tag as SecretTag};
use env_core::error::{aws_error, found, Required};
use env_core::tags::Tag;
use env_core::AwsCallError;
use versions::{SecretVersions, AWSPENDING};

/// A secret value (a password, a token, a JSON document of credentials): the workspace's one
/// redaction type, so its `Debug` never shows it.
pub use env_core::redacted::Secret as SecretValue;

/// A secret's rotation as DescribeSecret tells it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rotation {
    /// `RotationEnabled`; absent, so false, until rotation was first configured (Secrets Manager
    /// API reference, DescribeSecret).
    pub enabled: bool,
    /// `RotationRules.AutomaticallyAfterDays`.
    pub days: Option<i64>,
    /// `RotationLambdaARN`; none for a rotation the owning service manages (Secrets Manager user
    /// guide, "Managed rotation").
    pub lambda_arn: Option<String>,
    /// `LastRotatedDate` is set: a rotation ran to its end at least once.
    pub rotated: bool,
}

impl Rotation {
    /// The function that rotates the secret and the days between rotations, while rotation with a
    /// function is on.
    pub fn by_function(&self) -> Option<(&str, Option<i64>)> {
        self.lambda_arn
            .as_deref()
            .filter(|_| self.enabled)
            .map(|lambda| (lambda, self.days))
    }
}

/// A secret as DescribeSecret tells it; never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub arn: String,
    /// `KmsKeyId`; none when the secret is encrypted with the account's `aws/secretsmanager` key.
    pub kms_key_id: Option<String>,
    pub rotation: Rotation,
    /// `DeletedDate` is set: the secret waits out its recovery window, unreadable, its name still
    /// taken, and RestoreSecret can bring it back (Secrets Manager API reference, DeleteSecret).
    pub scheduled_for_deletion: bool,
}

/// Everything CreateSecret is given. The value never reaches a log: its `Debug` is redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSecret {
    pub name: String,
    pub description: String,
    pub kms_key_arn: String,
    pub value: SecretValue,
    pub tags: Vec<Tag>,
}

/// What GetRandomPassword is asked for. Spaces are never included, and every kind of character
/// left (upper and lower case letters, digits, punctuation) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordRules<'a> {
    pub length: i64,
    /// Characters the password must not contain (for example those a URI would need quoted); a
    /// constant, or a setting read at start (the rotation function's).
    pub exclude_characters: &'a str,
    /// No punctuation at all (`! " # $ % & ' ( ) * + , - . / : ; < = > ? @ [ \ ] ^ _ ` { | } ~`).
    pub exclude_punctuation: bool,
}

/// What RotateSecret is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotationRequest<'a> {
    /// The rotation function; none to change the schedule only (a rotation the owning service
    /// manages, or one whose function is already set).
    pub lambda_arn: Option<&'a str>,
    pub days: i64,
    /// Rotates now as well; otherwise the first rotation comes in the next scheduled window.
    pub immediately: bool,
}

#[derive(Debug, Clone)]
pub struct Secrets {
    client: aws_sdk_secretsmanager::Client,
}

impl Secrets {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            client: aws_sdk_secretsmanager::Client::new(config),
        }
    }

    /// DescribeSecret, for both capabilities: what each reads of the answer differs.
    async fn describe_secret(&self, id: &str) -> Result<DescribeSecretOutput, AwsCallError> {
        self.client
            .describe_secret()
            .secret_id(id)
            .send()
            .await
            .map_err(aws_error("DescribeSecret"))
    }

    /// GetRandomPassword, for both capabilities.
    async fn generate_password(
        &self,
        rules: &PasswordRules<'_>,
    ) -> Result<SecretValue, AwsCallError> {
        let output = self
            .client
            .get_random_password()
            .password_length(rules.length)
            // Only when there are some: an empty ExcludeCharacters says nothing more.
            .set_exclude_characters(
                Some(rules.exclude_characters.to_owned()).filter(|c| !c.is_empty()),
            )
            .exclude_punctuation(rules.exclude_punctuation)
            // Both are GetRandomPassword's defaults (Secrets Manager API reference: without
            // IncludeSpace the password has no space; without RequireEachIncludedType it "contains
            // at least one of every character type"), stated here for every caller so what the
            // passwords hold is written where they are asked for.
            .include_space(false)
            .require_each_included_type(true)
            .send()
            .await
            .map_err(aws_error("GetRandomPassword"))?;
        let password = output
            .random_password()
            .required("GetRandomPassword.RandomPassword")?;
        Ok(SecretValue::new(password))
    }
}

/// The calls on secrets every secret owner makes. `id` is a secret's name or ARN, as Secrets
/// Manager's `SecretId` accepts either.
// Only the workspace's own crates implement and call it, with concrete types.
#[allow(async_fn_in_trait)]
pub trait SecretCalls {
    /// DescribeSecret; `None` when there is no such secret.
    async fn describe(&self, id: &str) -> Result<Option<Secret>, AwsCallError>;
    /// GetRandomPassword.
    async fn random_password(&self, rules: &PasswordRules<'_>)
        -> Result<SecretValue, AwsCallError>;
    /// CreateSecret; the new secret's ARN.
    async fn create(&self, secret: &NewSecret) -> Result<String, AwsCallError>;
    /// The `AWSCURRENT` value, always asked for by stage (moto answers an older version
    /// otherwise); `None` when it is binary (`SecretBinary`).
    async fn current_value(&self, id: &str) -> Result<Option<SecretValue>, AwsCallError>;
    /// PutSecretValue: a new `AWSCURRENT` version.
    async fn put_value(&self, id: &str, value: &SecretValue) -> Result<(), AwsCallError>;
    /// PutResourcePolicy, replacing the secret's policy whole, with BlockPublicPolicy.
    async fn put_policy(&self, id: &str, policy: &str) -> Result<(), AwsCallError>;
    /// RestoreSecret: cancels a scheduled deletion.
    async fn restore(&self, id: &str) -> Result<(), AwsCallError>;
    /// DeleteSecret: at once when `without_recovery`, else after Secrets Manager's default
    /// recovery window of 30 days.
    async fn delete(&self, id: &str, without_recovery: bool) -> Result<(), AwsCallError>;
    /// RotateSecret.
    async fn rotate(&self, id: &str, request: &RotationRequest<'_>) -> Result<(), AwsCallError>;
    /// CancelRotateSecret: rotation off, a rotation in progress cancelled; the function and the
    /// schedule stay, for RotateSecret to turn it on again (Secrets Manager API reference,
    /// CancelRotateSecret).
    async fn cancel_rotation(&self, id: &str) -> Result<(), AwsCallError>;
    /// Whether a rotation that did not finish left `AWSPENDING` on a version other than
    /// `AWSCURRENT`'s (DescribeSecret's `VersionIdsToStages`).
    async fn pending_left(&self, id: &str) -> Result<bool, AwsCallError>;
    /// Takes such an `AWSPENDING` off its version (UpdateSecretVersionStage); nothing when there is
    /// none. `AWSCURRENT` stays where it is: the value every client uses.
    async fn drop_pending_left(&self, id: &str) -> Result<(), AwsCallError>;

    /// Turns rotation off for good: CancelRotateSecret while it is on, then the `AWSPENDING` an
    /// unfinished rotation left is taken off (CancelRotateSecret leaves it: "You might need to
    /// remove the staging label AWSPENDING from the partially created version", Secrets Manager
    /// API reference, CancelRotateSecret). In that order: a rotation step already running (it
    /// checked that rotation was on) can still write an `AWSPENDING` version until the cancel,
    /// so the label is looked for after it. Idempotent: called with rotation already off, it only
    /// drops such a label, so a caller that finds one ([`SecretCalls::pending_left`]) calls it
    /// again, which also finishes whichever of the two calls failed before.
    async fn stop_rotation(&self, id: &str) -> Result<(), AwsCallError> {
        let on = self
            .describe(id)
            .await?
            .is_some_and(|secret| secret.rotation.enabled);
        if on {
            self.cancel_rotation(id).await?;
        }
        self.drop_pending_left(id).await
    }

    /// The secret, restored first when it was deleted with a recovery window (its name stays taken
    /// until the window ends, so restoring is the only way to have it sooner); `None` when there is
    /// no such secret.
    async fn restored(&self, id: &str) -> Result<Option<Secret>, AwsCallError> {
        let Some(secret) = self.describe(id).await? else {
            return Ok(None);
        };
        if secret.scheduled_for_deletion {
            self.restore(&secret.arn).await?;
            tracing::info!(secret = id, "restored a secret scheduled for deletion");
        }
        Ok(Some(Secret {
            scheduled_for_deletion: false,
            ..secret
        }))
    }
}

fn secret_of(output: &DescribeSecretOutput) -> Result<Secret, AwsCallError> {
    Ok(Secret {
        arn: output.arn().required("DescribeSecret.ARN")?.to_owned(),
        kms_key_id: output.kms_key_id().map(str::to_owned),
        rotation: Rotation {
            enabled: output.rotation_enabled().unwrap_or(false),
            days: output
                .rotation_rules()
                .and_then(RotationRulesType::automatically_after_days),
            lambda_arn: output.rotation_lambda_arn().map(str::to_owned),
            rotated: output.last_rotated_date().is_some(),
        },
        scheduled_for_deletion: output.deleted_date().is_some(),
    })
}

impl SecretCalls for Secrets {
    async fn describe(&self, id: &str) -> Result<Option<Secret>, AwsCallError> {
        let result = self.describe_secret(id).await;
        found(result, &["ResourceNotFoundException"])?
            .as_ref()
            .map(secret_of)
            .transpose()
    }

    async fn random_password(
        &self,
        rules: &PasswordRules<'_>,
    ) -> Result<SecretValue, AwsCallError> {
        self.generate_password(rules).await
    }

    async fn create(&self, secret: &NewSecret) -> Result<String, AwsCallError> {
        let tags = secret
            .tags
            .iter()
            .map(|tag| SecretTag::builder().key(tag.key).value(&tag.value).build())
            .collect();
        let output = self
            .client
            .create_secret()
            .name(&secret.name)
            .description(&secret.description)
            .kms_key_id(&secret.kms_key_arn)
            .secret_string(secret.value.expose())
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(aws_error("CreateSecret"))
            .map_err(deletion_not_finished)?;
        Ok(output.arn().required("CreateSecret.ARN")?.to_owned())
    }

    async fn current_value(&self, id: &str) -> Result<Option<SecretValue>, AwsCallError> {
        let output = self
            .client
            .get_secret_value()
            .secret_id(id)
            .version_stage("AWSCURRENT")
            .send()
            .await
            .map_err(aws_error("GetSecretValue"))?;
        // None for a value stored as SecretBinary (Secrets Manager API reference, GetSecretValue).
        Ok(output.secret_string().map(SecretValue::new))
    }

    async fn put_value(&self, id: &str, value: &SecretValue) -> Result<(), AwsCallError> {
        self.client
            .put_secret_value()
            .secret_id(id)
            .secret_string(value.expose())
            .send()
            .await
            .map_err(aws_error("PutSecretValue"))?;
        Ok(())
    }

    async fn put_policy(&self, id: &str, policy: &str) -> Result<(), AwsCallError> {
        self.client
            .put_resource_policy()
            .secret_id(id)
            .resource_policy(policy)
            // Refused if the policy granted broad access (Secrets Manager API reference,
            // PutResourcePolicy); the environments' policies only deny.
            .block_public_policy(true)
            .send()
            .await
            .map_err(aws_error("PutResourcePolicy"))?;
        Ok(())
    }

    async fn restore(&self, id: &str) -> Result<(), AwsCallError> {
        self.client
            .restore_secret()
            .secret_id(id)
            .send()
            .await
            .map_err(aws_error("RestoreSecret"))?;
        Ok(())
    }

    async fn delete(&self, id: &str, without_recovery: bool) -> Result<(), AwsCallError> {
        self.client
            .delete_secret()
            .secret_id(id)
            // Only set when true: the API refuses it together with a recovery window, and false
            // is its default.
            .set_force_delete_without_recovery(without_recovery.then_some(true))
            .send()
            .await
            .map_err(aws_error("DeleteSecret"))?;
        Ok(())
    }

    async fn rotate(&self, id: &str, request: &RotationRequest<'_>) -> Result<(), AwsCallError> {
        let rules = RotationRulesType::builder()
            .automatically_after_days(request.days)
            .build();
        self.client
            .rotate_secret()
            .secret_id(id)
            .set_rotation_lambda_arn(request.lambda_arn.map(str::to_owned))
            .rotation_rules(rules)
            .rotate_immediately(request.immediately)
            .send()
            .await
            .map_err(aws_error("RotateSecret"))
            .map_err(rotation_in_progress)?;
        Ok(())
    }

    async fn cancel_rotation(&self, id: &str) -> Result<(), AwsCallError> {
        self.client
            .cancel_rotate_secret()
            .secret_id(id)
            .send()
            .await
            .map_err(aws_error("CancelRotateSecret"))?;
        Ok(())
    }

    async fn pending_left(&self, id: &str) -> Result<bool, AwsCallError> {
        let metadata = SecretVersions::describe(self, id).await?;
        Ok(metadata.pending_left().is_some())
    }

    async fn drop_pending_left(&self, id: &str) -> Result<(), AwsCallError> {
        let metadata = SecretVersions::describe(self, id).await?;
        if let Some(pending) = metadata.pending_left() {
            self.move_stage(id, AWSPENDING, None, Some(pending)).await?;
            tracing::info!(
                secret = id,
                version = pending,
                "unfinished rotation's AWSPENDING removed"
            );
        }
        Ok(())
    }
}

/// A secret deleted without recovery moments ago still holds its name: Secrets Manager deletes it
/// in the background and refuses a new secret of that name until then (Secrets Manager API
/// reference, DeleteSecret, ForceDeleteWithoutRecovery: "there can be a short delay before the
/// operation completes … include appropriate back off and retry logic"). Retried within the state
/// machine's bound.
fn deletion_not_finished(error: AwsCallError) -> AwsCallError {
    error.retryable_when("InvalidRequestException", "scheduled for deletion")
}

/// A rotation still runs (the secret's own service rotating a managed secret, or a rotation whose
/// `AWSPENDING` version has not become `AWSCURRENT`): RotateSecret answers "A previous rotation
/// isn't complete. That rotation will be reattempted." (Secrets Manager API reference,
/// RotateSecret: a later invocation "assumes that a previous rotation request is still in progress
/// and returns an error"). Retried within the state machine's bound, which also ends the wait for
/// one that never completes.
fn rotation_in_progress(error: AwsCallError) -> AwsCallError {
    error.retryable_when("InvalidRequestException", "previous rotation")
}

pub mod versions;

#[cfg(any(test, feature = "test-util"))]
pub mod fake;

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::error::{aws_failure_with_message, ErrorName};
    use env_core::NamedError;

    #[test]
    fn only_an_enabled_rotation_with_a_function_names_it() {
        let mut rotation = Rotation {
            enabled: true,
            days: Some(30),
            lambda_arn: Some("arn:aws:lambda:us-west-2:123456789012:function:r".into()),
            rotated: false,
        };
        assert_eq!(
            rotation.by_function(),
            Some(("arn:aws:lambda:us-west-2:123456789012:function:r", Some(30)))
        );
        rotation.enabled = false;
        assert_eq!(rotation.by_function(), None);
        let managed = Rotation {
            enabled: true,
            days: Some(7),
            ..Rotation::default()
        };
        assert_eq!(managed.by_function(), None);
    }

    #[test]
    fn only_a_name_still_held_or_a_rotation_still_running_is_retried() {
        type Classify = fn(AwsCallError) -> AwsCallError;
        let cases: [(Classify, &str, &str, bool); 4] = [
            (
                deletion_not_finished,
                "CreateSecret",
                "You can't create this secret because a secret with this name is already scheduled for deletion.",
                true,
            ),
            (
                deletion_not_finished,
                "CreateSecret",
                "You can't use a KMS key that is disabled.",
                false,
            ),
            (
                rotation_in_progress,
                "RotateSecret",
                "A previous rotation isn't complete. That rotation will be reattempted.",
                true,
            ),
            (
                rotation_in_progress,
                "RotateSecret",
                "No Lambda rotation function ARN is associated with this secret.",
                false,
            ),
        ];
        for (classify, operation, message, retried) in cases {
            let error = aws_failure_with_message(operation, "InvalidRequestException", message);
            let name = classify(error).error_name();
            assert_eq!(name == ErrorName::Retryable, retried, "{message}");
        }
    }
}
