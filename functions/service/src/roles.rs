//! The task's two roles with their inline policies, and the infrastructure role blue/green
//! deployments hand ECS.

use crate::api::{CallResult, Cloud};
use crate::inputs::{BlueGreenInputs, Inputs};
use crate::policy::{self, TaskScope};
use env_core::arn::{account_of, region_of};
use env_core::context::Context;
use env_core::naming::{NameKind, Names};
use env_core::tags::Tag;
use iam_roles::RoleCalls;
use serde_json::Value;

/// The inline policy names of the two roles.
pub const EXECUTION_POLICY: &str = "ecs-execution";
pub const TASK_POLICY: &str = "catalog-api";
/// The inline policy of the infrastructure role blue/green deployments use.
pub const INFRASTRUCTURE_POLICY: &str = "ecs-blue-green";
/// The description IAM shows for each of the three roles.
const ROLE_DESCRIPTION: &str = "A role of the catalog API's ECS service";

/// The ARNs of the roles a task runs with.
pub struct TaskRoles {
    /// ECS's, to pull the image, write the logs and inject the secrets at start.
    pub execution: String,
    /// The API's own, while it runs.
    pub task: String,
}

/// Both roles, created when missing, their policies put on every call.
pub async fn ensure<C: Cloud>(cx: &Context<'_, C, &Inputs>) -> CallResult<TaskRoles> {
    let (cloud, names, inputs) = (cx.cloud, cx.names, cx.inputs);
    let execution_role = names.of(NameKind::ExecutionRole);
    let task_role = names.of(NameKind::TaskRole);
    // The key's ARN (the network's) names the account before either role exists.
    let key_account = account_of(&inputs.key_arn);
    let trust = policy::tasks_trust_policy(key_account);
    let task_trust = policy::task_role_trust_policy(key_account, region_of(&inputs.key_arn));
    let execution = role(cloud, &execution_role, &trust, &cx.tags).await?;
    let task = role(cloud, &task_role, &task_trust, &cx.tags).await?;
    let account = account_of(&execution);
    // ECS injects the credentials at start (execution role); the API itself also reads its keys,
    // by stage, while it runs (task role).
    let secrets = [
        inputs.db_secret_arn.as_str(),
        inputs.cache_secret_arn.as_str(),
    ];
    let task_secrets = [
        inputs.db_secret_arn.as_str(),
        inputs.cache_secret_arn.as_str(),
        inputs.api_keys_secret_arn.as_str(),
    ];
    let document = policy::execution_policy(
        account,
        &names.of(NameKind::ServiceLogGroup),
        &secrets,
        &inputs.key_arn,
        cx.fields().container_image.as_str(),
    );
    cloud
        .roles()
        .put_policy(&execution_role, EXECUTION_POLICY, &document.to_string())
        .await?;
    let scope = TaskScope {
        db_resource_id: inputs.db_resource_id.as_deref(),
        replication_group: &names.of(NameKind::CacheReplicationGroup),
        metric_namespace: &names.of(NameKind::MetricNamespace),
    };
    let document = policy::task_policy(account, &task_secrets, &inputs.key_arn, scope);
    cloud
        .roles()
        .put_policy(&task_role, TASK_POLICY, &document.to_string())
        .await?;
    Ok(TaskRoles { execution, task })
}

/// The infrastructure role of blue/green deployments, with its policy on this environment's rules
/// and target groups; its ARN.
pub async fn infrastructure<C: Cloud>(
    cx: &Context<'_, C, &Inputs>,
    blue_green: &BlueGreenInputs,
) -> CallResult<String> {
    let name = cx.names.of(NameKind::EcsInfrastructureRole);
    let trust = policy::trust_policy(policy::ECS_PRINCIPAL);
    let arn = role(cx.cloud, &name, &trust, &cx.tags).await?;
    let document = policy::infrastructure_policy(
        &[
            blue_green.production_rule.as_str(),
            blue_green.test_rule.as_str(),
        ],
        &[
            cx.inputs.blue_target_group.as_str(),
            blue_green.green_target_group.as_str(),
        ],
    );
    cx.cloud
        .roles()
        .put_policy(&name, INFRASTRUCTURE_POLICY, &document.to_string())
        .await?;
    Ok(arn)
}

/// The role's ARN, created with `trust` when missing.
async fn role<C: Cloud>(cloud: &C, name: &str, trust: &Value, tags: &[Tag]) -> CallResult<String> {
    let roles = cloud.roles();
    match roles.arn(name).await? {
        Some(arn) => Ok(arn),
        None => {
            let trust = trust.to_string();
            roles.create(name, ROLE_DESCRIPTION, &trust, tags).await
        }
    }
}

/// A role as `status` finds it.
#[derive(Debug)]
pub struct FoundRole {
    pub arn: String,
    /// It carries the inline policy `create` puts on it.
    pub has_policy: bool,
}

/// The role `name` and whether it carries `policy`; `None` without such a role.
pub async fn found<C: Cloud>(cloud: &C, name: &str, policy: &str) -> CallResult<Option<FoundRole>> {
    let Some(arn) = cloud.roles().arn(name).await? else {
        return Ok(None);
    };
    let policies = cloud.roles().policy_names(name).await?;
    let has_policy = policies.iter().any(|attached| attached == policy);
    Ok(Some(FoundRole { arn, has_policy }))
}

/// Deletes all three roles with their inline policies; whether any was there.
pub async fn delete<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<bool> {
    let mut found = false;
    let roles = [
        NameKind::ExecutionRole,
        NameKind::TaskRole,
        NameKind::EcsInfrastructureRole,
    ];
    let iam = cloud.roles();
    for role in roles.map(|kind| names.of(kind)) {
        if iam.arn(&role).await?.is_some() {
            found = true;
            // IAM refuses to delete a role that still has inline policies (DeleteConflict).
            for policy in iam.policy_names(&role).await? {
                iam.delete_policy(&role, &policy).await?;
            }
            iam.delete(&role).await?;
        }
    }
    Ok(found)
}
