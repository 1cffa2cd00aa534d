//! The CloudWatch Logs calls every component that owns a log group makes (the network's flow logs,
//! the service's request logs, the cache's slow log, the database's exported logs): one capability,
//! [`LogGroupCalls`], written once over the SDK ([`LogGroups`]) and once in memory for the unit
//! tests (`fake::FakeLogGroups`, feature `test-util`). Each function's `Cloud` hands out its
//! implementation instead of declaring the calls again. The metric filters on a group (the
//! monitoring function's) are [`MetricFilterCalls`], implemented by the same two. The moto tests
//! drive every SDK method through those functions' binaries.

mod metric_filters;

pub use metric_filters::{MetricFilter, MetricFilterCalls, Unit};

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
}

/// The calls on log groups every log-group owner makes.
// Only the workspace's own crates implement and call it, with concrete types.
#[allow(async_fn_in_trait)]
pub trait LogGroupCalls {
    /// The key of the group of exactly this name: `None` when there is no such group, `Some(None)`
    /// when it has no key (one AWS made before the environment did, or a key taken off by hand).
    async fn key(&self, name: &str) -> Result<Option<Option<String>>, AwsCallError>;
    /// Encrypts what the group receives from now on with `kms_key_arn`.
    async fn associate_key(&self, name: &str, kms_key_arn: &str) -> Result<(), AwsCallError>;
    /// A group encrypted with the environment's key and tagged as the environment.
    async fn create(&self, name: &str, kms_key_arn: &str, tags: &[Tag])
        -> Result<(), AwsCallError>;
    /// Keeps what the group receives `days` days.
    async fn set_retention(&self, name: &str, days: i32) -> Result<(), AwsCallError>;
    async fn delete(&self, name: &str) -> Result<(), AwsCallError>;

    /// Whether the group of exactly this name exists.
    async fn exists(&self, name: &str) -> Result<bool, AwsCallError> {
        Ok(self.key(name).await?.is_some())
    }
}

impl LogGroupCalls for LogGroups {
    async fn key(&self, name: &str) -> Result<Option<Option<String>>, AwsCallError> {
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
    async fn associate_key(&self, name: &str, kms_key_arn: &str) -> Result<(), AwsCallError> {
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
    async fn create(
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

    async fn set_retention(&self, name: &str, days: i32) -> Result<(), AwsCallError> {
        self.logs
            .put_retention_policy()
            .log_group_name(name)
            .retention_in_days(days)
            .send()
            .await
            .map_err(aws_error("PutRetentionPolicy"))?;
        Ok(())
    }

    async fn delete(&self, name: &str) -> Result<(), AwsCallError> {
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

#[cfg(any(test, feature = "test-util"))]
pub mod fake;

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::error::aws_failure_with_message;

    #[test]
    fn only_a_key_cloudwatch_logs_cannot_use_yet_is_retried() {
        let refused = |code, message| {
            key_not_usable_yet(aws_failure_with_message("CreateLogGroup", code, message))
        };
        let missing = "The specified KMS Key Id could not be found.";
        assert!(refused("InvalidParameterException", missing).is_retryable());
        let denied = "The specified KMS key does not exist or is not allowed to be used";
        assert!(refused("AccessDeniedException", denied).is_retryable());
        let other = "Log group name is invalid.";
        assert!(!refused("InvalidParameterException", other).is_retryable());
        assert!(!refused("AccessDeniedException", "not authorized").is_retryable());
    }
}
