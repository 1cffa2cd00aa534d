//! `env extend`: moves an environment's expiry. The scheduled cleanup tears an environment down only
//! when every one of its resources is past its expiry tag (functions/cleanup, `judge`), so one
//! resource with a later expiry keeps all of it: the VPC, which every environment has exactly one
//! of and which stands for it in `env list`. So `extend` moves the removal later, never earlier than
//! the latest expiry another resource carries (`env down` removes an environment now). A later
//! provision tags only what it creates; what exists, the VPC included, keeps its tags, so an
//! extension holds until the next `extend`.

use super::api::Workflows;
use anyhow::bail;
use env_core::spec::TtlHours;
use std::time::{Duration, SystemTime};

/// Sets the environment's expiry to `now + ttl` and answers it.
pub async fn extend<C: Workflows>(
    cloud: &C,
    suffix: &str,
    ttl: TtlHours,
    now: SystemTime,
) -> anyhow::Result<SystemTime> {
    // The cleanup removes an environment only once every resource is past its expiry; one
    // provisioned without a TTL has resources without one, which an expiry on the VPC cannot change.
    if cloud.expiry_tags(suffix).await?.contains(&None) {
        bail!(
            "{suffix} was provisioned without a TTL: the scheduled cleanup never removes it, and an expiry on its VPC would not change that; provision it again with --ttl, or remove it with `envctl env down`"
        );
    }
    let expires_at = now + Duration::from_secs(u64::from(ttl.get()) * 3600);
    let stamp = humantime::format_rfc3339_seconds(expires_at).to_string();
    if !cloud.set_expiry(suffix, &stamp).await? {
        bail!(
            "no environment {suffix}: no VPC carries the tag {}={suffix} (see `envctl env list`)",
            env_core::tags::ENVIRONMENT
        );
    }
    Ok(expires_at)
}

/// `--ttl` of `env extend`: hours or days (`48h`, `2d`) within the spec's `ttlHours` bounds.
pub(crate) fn parse_extension(text: &str) -> Result<TtlHours, String> {
    let hours = super::request::parse_ttl(text)?;
    TtlHours::try_from(u64::from(hours)).map_err(|allowed| format!("{text}: {allowed}"))
}
