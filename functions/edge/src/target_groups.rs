//! The blue and green target groups, with the health checks the compliance rows ask for.

use crate::api::{CallResult, Cloud, ElbCalls, TargetGroupSettings};
use crate::tolerate::tolerate;
use env_core::context::Context;
use env_core::naming::{Color, NameKind, Names};
use env_core::spec::EnvironmentSpec;

/// CKV_AWS_261: explicit health-check thresholds. Two passes in a row mark a new task healthy
/// (30 s at a 15 s interval), three failures take it out; 5 s leaves room for a slow first request.
pub const HEALTHY_THRESHOLD: i32 = 2;
pub const UNHEALTHY_THRESHOLD: i32 = 3;
pub const HEALTH_CHECK_INTERVAL_SECONDS: i32 = 15;
pub const HEALTH_CHECK_TIMEOUT_SECONDS: i32 = 5;
pub const HEALTH_CHECK_MATCHER: &str = "200";

/// Both groups' ARNs, blue first: created when missing, their settings and deregistration delay
/// put back on every call.
pub async fn ensure<C: Cloud>(cx: &Context<'_, C>, vpc_id: &str) -> CallResult<Vec<String>> {
    let elb = cx.cloud.elb();
    let mut groups = Vec::new();
    for color in Color::ALL {
        let settings = settings(cx.spec, cx.names.of(NameKind::TargetGroup(color)), vpc_id);
        let arn = match elb.target_group(&settings.name).await? {
            Some(arn) => {
                elb.modify_target_group(&arn, &settings).await?;
                arn
            }
            None => {
                let tags = cx.tags_named(settings.name.clone());
                elb.create_target_group(&settings, &tags).await?
            }
        };
        let delay = i32::from(cx.fields().deregistration_delay_seconds.get());
        elb.set_deregistration_delay(&arn, delay).await?;
        groups.push(arn);
    }
    Ok(groups)
}

/// Both groups' ARNs, blue first, each `None` while it does not exist; read only.
pub async fn find<E: ElbCalls>(elb: &E, names: Names<'_>) -> CallResult<Vec<Option<String>>> {
    let mut groups = Vec::new();
    for color in Color::ALL {
        let name = names.of(NameKind::TargetGroup(color));
        groups.push(elb.target_group(&name).await?);
    }
    Ok(groups)
}

fn settings(spec: &EnvironmentSpec, name: String, vpc_id: &str) -> TargetGroupSettings {
    let fields = spec.fields();
    TargetGroupSettings {
        name,
        vpc_id: vpc_id.to_owned(),
        port: i32::from(fields.container_port.get()),
        health_check_path: fields.health_check_path.as_str().to_owned(),
        healthy_threshold: HEALTHY_THRESHOLD,
        unhealthy_threshold: UNHEALTHY_THRESHOLD,
        interval_seconds: HEALTH_CHECK_INTERVAL_SECONDS,
        timeout_seconds: HEALTH_CHECK_TIMEOUT_SECONDS,
        matcher: HEALTH_CHECK_MATCHER.to_owned(),
    }
}

/// Deletes both groups; whether either was there. One still held by the load balancer being
/// deleted is deleted by the next call.
pub async fn delete<E: ElbCalls>(elb: &E, names: Names<'_>) -> CallResult<bool> {
    let mut found = false;
    for color in Color::ALL {
        if let Some(arn) = elb
            .target_group(&names.of(NameKind::TargetGroup(color)))
            .await?
        {
            found = true;
            tolerate(elb.delete_target_group(&arn).await, &["ResourceInUse"])?;
        }
    }
    Ok(found)
}
