//! The service's autoscaling: a scalable target between the spec's task bounds (none for a
//! standby or sleeping environment) and a CPU target-tracking policy.

use crate::api::{CallResult, Cloud};
use env_core::naming::{NameKind, Names};
use env_core::spec::SpecFields;

/// The target-tracking policy's name; policy names are scoped to their scalable target.
pub const CPU_POLICY: &str = "cpu-target-tracking";
/// Scale out fast for flash sales, scale in slowly so a short lull does not drop capacity that
/// is needed again a minute later (Application Auto Scaling user guide, "Target tracking
/// scaling policies": cooldowns).
pub const SCALE_OUT_COOLDOWN_SECONDS: i32 = 60;
pub const SCALE_IN_COOLDOWN_SECONDS: i32 = 300;

/// Whether the spec wants no task at all: a standby (warm-pool) environment until a claim, a
/// sleeping one (`asleep`) until a wake. Both keep everything else of the service.
pub fn runs_no_task(fields: &SpecFields) -> bool {
    fields.standby || fields.asleep
}

/// The service's task bounds, (min, max). A standby or sleeping environment runs no task until a
/// claim or a wake: (0, 0). Application Auto Scaling allows a minimum of 0 for ECS services, and
/// registering moves the current capacity inside the range, so a standby environment converged
/// again stays at 0 (API reference, RegisterScalableTarget: `MinCapacity` "For certain resources,
/// the minimum value allowed is 0. This includes … ECS services"; "it changes the resource's
/// current capacity to a value that is inside of this range",
/// https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html).
pub fn bounds(fields: &SpecFields) -> (i32, i32) {
    if runs_no_task(fields) {
        (0, 0)
    } else {
        (
            i32::from(fields.min_tasks.get()),
            i32::from(fields.max_tasks.get()),
        )
    }
}

/// Registering again with the same bounds changes nothing; the desired count the autoscaler
/// chose is kept unless it falls outside them.
pub async fn ensure<C: Cloud>(cloud: &C, names: Names<'_>, fields: &SpecFields) -> CallResult<()> {
    let resource = resource(names);
    let (min, max) = bounds(fields);
    cloud.register_scalable_target(&resource, min, max).await?;
    cloud
        .put_cpu_policy(
            &resource,
            CPU_POLICY,
            f64::from(fields.cpu_target_percent.get()),
            (SCALE_OUT_COOLDOWN_SECONDS, SCALE_IN_COOLDOWN_SECONDS),
        )
        .await
}

/// Whether the target has the spec's bounds and the CPU policy is on it; `None` when neither the
/// target nor a policy exists.
pub async fn found<C: Cloud>(
    cloud: &C,
    names: Names<'_>,
    fields: &SpecFields,
) -> CallResult<Option<bool>> {
    let resource = resource(names);
    let target = cloud.scalable_target(&resource).await?;
    let policies = cloud.scaling_policies(&resource).await?;
    if target.is_none() && policies.is_empty() {
        return Ok(None);
    }
    let has_policy = policies.iter().any(|policy| policy == CPU_POLICY);
    Ok(Some(target == Some(bounds(fields)) && has_policy))
}

/// Deletes the policies, then the target; whether either was there.
pub async fn delete<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<bool> {
    let resource = resource(names);
    let policies = cloud.scaling_policies(&resource).await?;
    for policy in &policies {
        cloud.delete_scaling_policy(&resource, policy).await?;
    }
    let target = cloud.scalable_target(&resource).await?.is_some();
    if target {
        cloud.deregister_scalable_target(&resource).await?;
    }
    Ok(target || !policies.is_empty())
}

/// Application Auto Scaling's id of an ECS service.
fn resource(names: Names<'_>) -> String {
    format!(
        "service/{}/{}",
        names.of(NameKind::EcsCluster),
        names.of(NameKind::EcsService)
    )
}
