//! The application load balancer, with the attributes the compliance rows ask for.

use crate::api::{CallResult, Cloud, ElbCalls, LoadBalancer, LoadBalancerSettings};
use crate::handler::EdgeError;
use crate::inputs::Inputs;
use env_core::context::Context;
use env_core::naming::{NameKind, Names};
use env_core::spec::EnvironmentSpec;

/// ELB.12: `defensive` is AWS's default and the level FSBP asks for at least.
pub const DESYNC_MITIGATION: &str = "defensive";
/// AWS's default idle timeout, set explicitly so a drifted value is put back.
pub const IDLE_TIMEOUT_SECONDS: u32 = 60;

/// The load balancer, created in the public subnets when missing. A failed one fails the
/// component: only a new environment gets past it.
pub async fn ensure<C: Cloud>(
    cx: &Context<'_, C>,
    inputs: &Inputs,
) -> Result<LoadBalancer, EdgeError> {
    let name = cx.names.of(NameKind::LoadBalancer);
    let elb = cx.cloud.elb();
    let lb = match elb.load_balancer(&name).await? {
        Some(lb) => lb,
        None => {
            let settings = LoadBalancerSettings {
                name: name.clone(),
                subnets: inputs.public_subnets.clone(),
                security_group: inputs.alb_group.clone(),
            };
            let tags = cx.tags_named(name.clone());
            elb.create_load_balancer(&settings, &tags).await?
        }
    };
    usable(name, lb)
}

/// The load balancer, unless it failed: a failed one fails the component, whether `create` or
/// `status` meets it.
pub fn usable(name: String, lb: LoadBalancer) -> Result<LoadBalancer, EdgeError> {
    if lb.state.as_deref() == Some("failed") {
        return Err(EdgeError::LoadBalancerFailed(name));
    }
    Ok(lb)
}

/// Whether it serves traffic yet: one still provisioning, or answered without a state, is waited on.
pub fn active(lb: &LoadBalancer) -> bool {
    lb.state.as_deref() == Some("active")
}

/// Sets the attributes on every call, so a drifted one is put back.
pub async fn configure<C: Cloud>(
    cx: &Context<'_, C>,
    lb: &LoadBalancer,
    bucket: &str,
) -> CallResult<()> {
    cx.cloud
        .elb()
        .set_load_balancer_attributes(&lb.arn, &attributes(cx.spec, bucket))
        .await
}

/// The part of an ELB ARN CloudWatch uses as its dimension value: `app/<name>/<id>` for a load
/// balancer, `targetgroup/<name>/<id>` for a target group (the resource after the last `:`).
pub fn arn_suffix(arn: &str) -> &str {
    let resource = arn.rsplit(':').next().unwrap_or_default();
    resource.strip_prefix("loadbalancer/").unwrap_or(resource)
}

/// The load balancer's attributes as the compliance rows want them (ELB.4, 5, 6, 12).
fn attributes(spec: &EnvironmentSpec, bucket: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "routing.http.drop_invalid_header_fields.enabled",
            "true".into(),
        ),
        (
            "routing.http.desync_mitigation_mode",
            DESYNC_MITIGATION.into(),
        ),
        (
            "idle_timeout.timeout_seconds",
            IDLE_TIMEOUT_SECONDS.to_string(),
        ),
        // Always on for an ALB; set so the audit reads it back.
        ("load_balancing.cross_zone.enabled", "true".into()),
        ("access_logs.s3.enabled", "true".into()),
        ("access_logs.s3.bucket", bucket.into()),
        (
            "deletion_protection.enabled",
            spec.fields().deletion_protection.to_string(),
        ),
    ]
}

/// Deletes the load balancer with its listeners and their rules; whether there was one. A
/// protected load balancer is refused unless the spec says `forceDestroy`, before anything is
/// deleted, so a refused teardown leaves the edge whole.
pub async fn delete<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    names: Names<'_>,
) -> Result<bool, EdgeError> {
    let name = names.of(NameKind::LoadBalancer);
    let elb = cloud.elb();
    let Some(lb) = elb.load_balancer(&name).await? else {
        return Ok(false);
    };
    let attributes = elb.load_balancer_attributes(&lb.arn).await?;
    let protected = attributes
        .iter()
        .any(|(key, value)| key == "deletion_protection.enabled" && value == "true");
    if protected {
        if !spec.fields().force_destroy {
            return Err(EdgeError::DeletionProtected(name));
        }
        let off = [("deletion_protection.enabled", "false".to_owned())];
        elb.set_load_balancer_attributes(&lb.arn, &off).await?;
    }
    for listener in elb.listeners(&lb.arn).await? {
        // Deleting a listener deletes its rules too; deleted first all the same, so that an
        // interrupted teardown never leaves a rule behind whatever the emulator does.
        for rule in elb.rules(&listener.arn).await? {
            elb.delete_rule(&rule.arn).await?;
        }
        elb.delete_listener(&listener.arn).await?;
    }
    elb.delete_load_balancer(&lb.arn).await?;
    Ok(true)
}
