//! The service's log group and Container Insights' group, both under the environment's key.

use crate::api::{CallResult, Cloud};
use crate::inputs::Inputs;
use env_core::context::Context;
use env_core::naming::{AwsLogGroup, NameKind, Names};
use env_core::tags::Tag;
use log_groups::LogGroupCalls;

/// Both groups. Container Insights' before the cluster: ECS would create it itself, keeping logs
/// forever.
pub async fn ensure<C: Cloud>(cx: &Context<'_, C, &Inputs>) -> CallResult<()> {
    let key = &cx.inputs.key_arn;
    let logs = cx.cloud.logs();
    let service = cx.names.of(NameKind::ServiceLogGroup);
    ensure_group(logs, &service, key, &cx.tags).await?;
    let insights = cx.names.aws_log_group(AwsLogGroup::ContainerInsights);
    ensure_group(logs, &insights, key, &cx.tags).await
}

/// A log group with the environment's key, created when missing or given the key when it lacks
/// it, its retention set on every call so a hand-changed one is put back.
async fn ensure_group(
    logs: &impl LogGroupCalls,
    name: &str,
    key_arn: &str,
    tags: &[Tag],
) -> CallResult<()> {
    match logs.key(name).await? {
        // Made meanwhile by a concurrent call, or by ECS for Container Insights: ours to keep.
        None => match logs.create(name, key_arn, tags).await {
            Err(error) if error.is_code("ResourceAlreadyExistsException") => {}
            created => created?,
        },
        // One ECS made before the environment did, or a key changed by hand: the environment's
        // key from now on.
        Some(key) if key.as_deref() != Some(key_arn) => {
            logs.associate_key(name, key_arn).await?;
        }
        Some(_) => {}
    }
    logs.set_retention(name, env_core::LOG_RETENTION_DAYS).await
}

/// Whether the service's group and Container Insights' group exist, in that order: what `status`
/// reads (retention and key are put right by every `create`).
pub async fn found<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<[bool; 2]> {
    let service = names.of(NameKind::ServiceLogGroup);
    let insights = names.aws_log_group(AwsLogGroup::ContainerInsights);
    let service = cloud.logs().exists(&service).await?;
    let insights = cloud.logs().exists(&insights).await?;
    Ok([service, insights])
}

/// Deletes the service's group; whether there was one.
pub async fn delete_service_group<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<bool> {
    delete_group(cloud.logs(), &names.of(NameKind::ServiceLogGroup)).await
}

/// Deletes Container Insights' group; whether there was one. Only once the cluster is gone: ECS's
/// service-linked role may create this group (AmazonECSServiceRolePolicy, CWLogGroupManagement),
/// and a report still on its way when the cluster is deleted would make it again, without our key.
pub async fn delete_insights_group<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<bool> {
    let insights = names.aws_log_group(AwsLogGroup::ContainerInsights);
    delete_group(cloud.logs(), &insights).await
}

async fn delete_group(logs: &impl LogGroupCalls, name: &str) -> CallResult<bool> {
    let found = logs.exists(name).await?;
    if found {
        logs.delete(name).await?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::recorder::SharedRecorder;
    use log_groups::fake::{FakeLogGroups, StoredLogGroup};

    const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/k";
    const INSIGHTS: &str = "/aws/ecs/containerinsights/ecs-cluster-pr-42/performance";

    /// CloudWatch Logs where ECS makes a group, without a key, between our lookup and our
    /// CreateLogGroup, as it may make Container Insights' group on its own.
    struct MadeMeanwhile(FakeLogGroups);

    impl LogGroupCalls for MadeMeanwhile {
        async fn key(&self, name: &str) -> CallResult<Option<Option<String>>> {
            self.0.key(name).await
        }

        async fn associate_key(&self, name: &str, kms_key_arn: &str) -> CallResult<()> {
            self.0.associate_key(name, kms_key_arn).await
        }

        async fn create(&self, name: &str, kms_key_arn: &str, tags: &[Tag]) -> CallResult<()> {
            // ECS's call, not the function's: not recorded.
            let made = StoredLogGroup {
                kms_key_arn: None,
                retention_days: None,
                tags: Vec::new(),
            };
            self.0.groups().insert(name.to_owned(), made);
            self.0.create(name, kms_key_arn, tags).await
        }

        async fn set_retention(&self, name: &str, days: i32) -> CallResult<()> {
            self.0.set_retention(name, days).await
        }

        async fn delete(&self, name: &str) -> CallResult<()> {
            self.0.delete(name).await
        }
    }

    #[tokio::test]
    async fn a_group_made_meanwhile_is_taken_as_made_and_gets_its_retention_then_our_key() {
        let recorder = SharedRecorder::default();
        let logs = MadeMeanwhile(FakeLogGroups::new(recorder.clone()));
        ensure_group(&logs, INSIGHTS, KEY, &[]).await.unwrap();
        let raced = StoredLogGroup {
            kms_key_arn: None,
            retention_days: Some(14),
            tags: Vec::new(),
        };
        assert_eq!(logs.0.groups()[INSIGHTS], raced);
        assert_eq!(
            recorder.lock().calls,
            ["DescribeLogGroups", "CreateLogGroup", "PutRetentionPolicy"]
        );
        assert_eq!(recorder.lock().changes, ["PutRetentionPolicy"]);
        // The next call gives it the environment's key; the teardown deletes it as ours.
        ensure_group(&logs, INSIGHTS, KEY, &[]).await.unwrap();
        assert_eq!(logs.0.groups()[INSIGHTS].kms_key_arn.as_deref(), Some(KEY));
        assert!(delete_group(&logs, INSIGHTS).await.unwrap());
        assert!(logs.0.groups().is_empty());
        assert!(!delete_group(&logs, INSIGHTS).await.unwrap());
    }
}
