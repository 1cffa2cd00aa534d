//! The log groups AWS would create for the database on its own: Aurora's `postgresql` export and
//! the rotation function's logs. A group a service creates has no retention (logs kept forever)
//! and no key of ours, and outlives the environment; so the function creates each first, with
//! the environment's key and its retention, and deletes it at teardown.

use crate::api::created;
use crate::handler::DatabaseError;
use env_core::naming::{AwsLogGroup, Names};
use env_core::tags::Tag;
use log_groups::LogGroupCalls;

/// Whose log groups: the cluster's export and the rotation function's.
pub const GROUPS: [AwsLogGroup; 2] = [AwsLogGroup::AuroraPostgresql, AwsLogGroup::RotationFunction];

/// Creates the group when it is missing (a concurrent call may have made it meanwhile), gives one
/// without the environment's key that key (one AWS made before the environment did, or a key
/// changed by hand), and sets its retention on every call, so a hand-changed retention is put back.
pub async fn ensure(
    logs: &impl LogGroupCalls,
    name: &str,
    key_arn: &str,
    tags: &[Tag],
) -> Result<(), DatabaseError> {
    match logs.key(name).await? {
        None => {
            let result = logs.create(name, key_arn, tags).await;
            created(result, "ResourceAlreadyExistsException")?;
        }
        Some(key) if key.as_deref() != Some(key_arn) => {
            logs.associate_key(name, key_arn).await?;
        }
        Some(_) => {}
    }
    logs.set_retention(name, env_core::LOG_RETENTION_DAYS)
        .await?;
    Ok(())
}

/// Deletes both groups that exist: once the cluster and the function are gone, nothing writes to
/// them any more.
pub async fn delete(logs: &impl LogGroupCalls, names: Names<'_>) -> Result<(), DatabaseError> {
    for name in GROUPS.map(|group| names.aws_log_group(group)) {
        if logs.exists(&name).await? {
            let deleted = logs.delete(&name).await;
            crate::api::found(deleted, &["ResourceNotFoundException"])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::recorder::SharedRecorder;
    use env_core::spec::EnvironmentSuffix;
    use env_core::AwsCallError;
    use log_groups::fake::FakeLogGroups;

    const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/k-1";

    /// CloudWatch Logs where a concurrent call creates the group between this call's lookup and
    /// its own create, which is then refused as existing (ResourceAlreadyExistsException).
    struct MadeMeanwhile(FakeLogGroups);

    impl LogGroupCalls for MadeMeanwhile {
        async fn key(&self, name: &str) -> Result<Option<Option<String>>, AwsCallError> {
            self.0.key(name).await
        }

        async fn associate_key(&self, name: &str, kms_key_arn: &str) -> Result<(), AwsCallError> {
            self.0.associate_key(name, kms_key_arn).await
        }

        async fn create(
            &self,
            name: &str,
            kms_key_arn: &str,
            tags: &[Tag],
        ) -> Result<(), AwsCallError> {
            // The concurrent call's create, which succeeds.
            self.0.create(name, kms_key_arn, tags).await.unwrap();
            self.0.create(name, kms_key_arn, tags).await
        }

        async fn set_retention(&self, name: &str, days: i32) -> Result<(), AwsCallError> {
            self.0.set_retention(name, days).await
        }

        async fn delete(&self, name: &str) -> Result<(), AwsCallError> {
            self.0.delete(name).await
        }
    }

    #[tokio::test]
    async fn a_group_a_concurrent_call_made_meanwhile_is_used_and_kept_14_days() {
        let recorder = SharedRecorder::default();
        let logs = MadeMeanwhile(FakeLogGroups::new(recorder.clone()));
        let suffix = EnvironmentSuffix::parse("pr-42").unwrap();
        let names = Names::new(&suffix);
        let export = names.aws_log_group(AwsLogGroup::AuroraPostgresql);
        ensure(&logs, &export, KEY, &[]).await.unwrap();
        assert_eq!(logs.0.groups()[&export].retention_days, Some(14));
        assert_eq!(
            recorder.lock().calls,
            [
                "DescribeLogGroups",
                "CreateLogGroup",
                "CreateLogGroup",
                "PutRetentionPolicy"
            ]
        );
        // The other call's create, then this call's retention: the refused create changed nothing.
        assert_eq!(
            recorder.lock().changes,
            ["CreateLogGroup", "PutRetentionPolicy"]
        );
        // From then on it is a group like any: given the environment's key when it has another,
        // deleted at teardown.
        let other_key = "arn:aws:kms:us-west-2:123456789012:key/k-2";
        ensure(&logs, &export, other_key, &[]).await.unwrap();
        assert_eq!(
            logs.0.groups()[&export].kms_key_arn.as_deref(),
            Some(other_key)
        );
        delete(&logs, names).await.unwrap();
        assert!(logs.0.groups().is_empty());
    }
}
