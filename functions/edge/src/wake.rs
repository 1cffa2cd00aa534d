//! Wake on request: the Lambda target group `tg-wake-<suffix>` holding the `waker` function, and
//! when the HTTPS listener sends every request to it.
//!
//! The group is made for every environment, asleep or not: a target group costs nothing (only
//! load balancers and their LCUs are billed), and a sleep then never waits on, or fails at, making
//! one. While the spec is asleep the wake rule ([`crate::rules`]) sends every request to it; the
//! waker answers with a "waking up" page and starts the wake. On waking the rule stays until the
//! service serves again: the edge converges before the service has tasks, and removing the rule
//! then would answer the load balancer's bare 503 for minutes; the provision workflow converges the
//! edge once more after the service is READY (`ConvergeEdgeAfterService`), which waits for a
//! healthy target and removes the rule.

use crate::api::{CallResult, Cloud, ElbCalls};
use crate::settings::Readiness;
use crate::tolerate::tolerate;
use env_core::arn::{account_of, region_of, ArnScope};
use env_core::context::Context;
use env_core::naming::{NameKind, Names};

/// The function the wake group forwards to, deployed by `envctl deploy` in every account and
/// region the environments live in; it identifies the environment from the group's name.
pub const WAKER_FUNCTION: &str = "waker";

/// DescribeTargetHealth's state of a target that receives requests (ELB API reference,
/// `TargetHealth.State`).
const HEALTHY: &str = "healthy";

/// The key of the service component's outputs in the request: present once the service answered
/// READY in this provision (statemachine/provision.asl.json, `RecordServiceOutputs`).
const SERVICE_OUTPUTS: &str = "service";

/// The wake group's ARN: made when missing, with the waker registered when it is not. The
/// waker's resource policy must already let elasticloadbalancing.amazonaws.com invoke it, for
/// this group's ARN, or RegisterTargets answers AccessDenied (ELB user guide, "Lambda functions as
/// targets"); `envctl deploy` adds that permission.
pub async fn ensure<C: Cloud>(cx: &Context<'_, C>, lb_arn: &str) -> CallResult<String> {
    let elb = cx.cloud.elb();
    let name = cx.names.of(NameKind::WakeTargetGroup);
    let arn = match elb.target_group(&name).await? {
        Some(arn) => arn,
        None => {
            let tags = cx.tags_named(name.clone());
            elb.create_lambda_target_group(&name, &tags).await?
        }
    };
    // The function and the group must be in the same account and region (ELB user guide,
    // "Lambda functions as targets"): the load balancer's.
    let waker = ArnScope::new(region_of(lb_arn), account_of(lb_arn)).function(WAKER_FUNCTION);
    let targets = elb.targets(&arn).await?;
    if !targets.iter().any(|target| target.id == waker) {
        elb.register_lambda(&arn, &waker).await?;
    }
    Ok(arn)
}

/// The wake group's ARN when it exists; read only.
pub async fn find<E: ElbCalls>(elb: &E, names: Names<'_>) -> CallResult<Option<String>> {
    elb.target_group(&names.of(NameKind::WakeTargetGroup)).await
}

/// Deletes the wake group; whether it was there. Called after the load balancer's deletion: a
/// group a rule still forwards to answers ResourceInUse and is deleted by the next call.
pub async fn delete<E: ElbCalls>(elb: &E, names: Names<'_>) -> CallResult<bool> {
    let Some(arn) = find(elb, names).await? else {
        return Ok(false);
    };
    tolerate(elb.delete_target_group(&arn).await, &["ResourceInUse"])?;
    Ok(true)
}

/// Whether the awake environment's service serves again, so that the wake rule may go.
pub async fn serving<E: ElbCalls>(
    elb: &E,
    readiness: Readiness,
    outputs: &env_core::contract::Outputs,
    groups: &[String],
) -> CallResult<bool> {
    if readiness == Readiness::Accepted {
        return Ok(service_ready(outputs));
    }
    for group in groups {
        let targets = elb.targets(group).await?;
        if targets.iter().any(|target| target.state == HEALTHY) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether the service component answered READY earlier in this provision.
pub fn service_ready(outputs: &env_core::contract::Outputs) -> bool {
    outputs.contains_key(SERVICE_OUTPUTS)
}
