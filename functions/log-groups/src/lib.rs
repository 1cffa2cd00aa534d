//! The CloudWatch Logs calls every component that owns a log group makes (the network's flow logs,
//! the service's request logs, the cache's slow log), one SDK call per method, so each function's
//! `Cloud` implementation delegates here instead of repeating them. The moto tests drive every
//! method through those functions' binaries.

use aws_config::SdkConfig;
use env_core::error::aws_error;
use env_core::tags::Tag;
use env_core::AwsCallError;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct LogGroups {
    logs: aws_sdk_cloudwatchlogs::Client,
}

impl LogGroups {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
        }
    }

    /// Whether the group of exactly this name exists.
    pub async fn exists(&self, name: &str) -> Result<bool, AwsCallError> {
        Ok(self.key(name).await?.is_some())
    }

    /// The key of the group of exactly this name: `None` when there is no such group, `Some(None)`
    /// when it has no key (one AWS made before the environment did, or a key taken off by hand).
    pub async fn key(&self, name: &str) -> Result<Option<Option<String>>, AwsCallError> {
        let output = self
            .logs
            .describe_log_groups()
            .log_group_name_prefix(name)
            .send()
            .await
            .map_err(aws_error("DescribeLogGroups"))?;
        // A prefix also matches longer names: only the exact one counts.
        Ok(output
            .log_groups()
            .iter()
            .find(|group| group.log_group_name() == Some(name))
            .map(|group| group.kms_key_id().map(str::to_owned)))
    }

    /// Encrypts what the group receives from now on with `kms_key_arn` (Logs API reference,
    /// AssociateKmsKey); a key made moments ago is retried as for [`LogGroups::create`].
    pub async fn associate_key(&self, name: &str, kms_key_arn: &str) -> Result<(), AwsCallError> {
        self.logs
            .associate_kms_key()
            .log_group_name(name)
            .kms_key_id(kms_key_arn)
            .send()
            .await
            .map_err(aws_error("AssociateKmsKey"))
            .map_err(key_not_usable_yet)?;
        Ok(())
    }

    /// A group encrypted with the environment's key and tagged as the environment.
    pub async fn create(
        &self,
        name: &str,
        kms_key_arn: &str,
        tags: &[Tag],
    ) -> Result<(), AwsCallError> {
        let tags: HashMap<String, String> = tags
            .iter()
            .map(|tag| (tag.key.to_owned(), tag.value.clone()))
            .collect();
        self.logs
            .create_log_group()
            .log_group_name(name)
            .kms_key_id(kms_key_arn)
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(aws_error("CreateLogGroup"))
            .map_err(key_not_usable_yet)?;
        Ok(())
    }

    pub async fn set_retention(&self, name: &str, days: i32) -> Result<(), AwsCallError> {
        self.logs
            .put_retention_policy()
            .log_group_name(name)
            .retention_in_days(days)
            .send()
            .await
            .map_err(aws_error("PutRetentionPolicy"))?;
        Ok(())
    }

    pub async fn delete(&self, name: &str) -> Result<(), AwsCallError> {
        self.logs
            .delete_log_group()
            .log_group_name(name)
            .send()
            .await
            .map_err(aws_error("DeleteLogGroup"))?;
        Ok(())
    }
}

/// The environment's key made moments ago is not usable by CloudWatch Logs yet (Logs API
/// reference, CreateLogGroup and AssociateKmsKey: InvalidParameterException when the key "does not
/// exist"; answered as AccessDeniedException "The specified KMS key does not exist or is not
/// allowed" too, hashicorp/terraform-provider-aws#29282): retried within the state machine's bound.
fn key_not_usable_yet(error: AwsCallError) -> AwsCallError {
    error
        .retryable_when("InvalidParameterException", "KMS key")
        .retryable_when("AccessDeniedException", "KMS key")
}
