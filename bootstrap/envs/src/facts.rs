//! What `env comment` says about an environment, read from AWS: where it stands (its latest
//! execution, a rollback told as its provision's failure), the URL of what stands now, the cost of
//! the spec it ran with, and the expiry the scheduled cleanup will act on.

use super::api::Workflows;
use super::commands::{describe_named, last_succeeded_provision, status};
use super::pool::CLAIM_MACHINE;
use super::stage::Stage;
use env_core::pool::claimed_suffix;
use env_core::spec::EnvironmentSpec;
use envctl_deploy::asl;
use std::time::SystemTime;

/// Everything the comment says.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub suffix: String,
    pub pull_request: Option<u32>,
    pub stage: Stage,
    /// `httpsUrl` of the latest provision that succeeded since the latest teardown.
    pub url: Option<String>,
    /// Idle and peak cost per hour of the spec it was provisioned with, in USD.
    pub cost_per_hour: Option<(f64, f64)>,
    pub expires_at: Expiry,
}

/// When the scheduled cleanup removes the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    At(SystemTime),
    /// A resource has no expiry (or one that does not read): the cleanup leaves it alone.
    Never,
    /// No resource carries the environment's tags (yet, or any more).
    NotKnown,
}

pub async fn facts<C: Workflows>(
    cloud: &C,
    region: &str,
    suffix: &str,
    pull_request: Option<u32>,
) -> anyhow::Result<Facts> {
    let report = status(cloud, region, suffix).await?;
    let mut facts = Facts {
        suffix: suffix.to_owned(),
        pull_request,
        stage: Stage::Unknown,
        url: None,
        cost_per_hour: None,
        expires_at: Expiry::NotKnown,
    };
    if let (Some(workflow), Some(execution)) = (report.workflow, &report.execution) {
        let rolled_back = execution.name.strip_prefix("rollback-");
        // A claim brings a pool environment up: it reads as a provision.
        facts.stage = match (workflow != asl::TEARDOWN_NAME, rolled_back) {
            (true, _) => Stage::of_provision(execution, report.current_state.clone()),
            (false, Some(provision)) => {
                let machine = match claimed_suffix(provision) {
                    Some(_) => CLAIM_MACHINE,
                    None => asl::PROVISION_NAME,
                };
                let provision = describe_named(cloud, region, machine, provision);
                Stage::of_rollback(execution, &provision.await?)
            }
            (false, None) => Stage::of_teardown(execution),
        };
        // Both workflows take the spec as their input.
        let spec = EnvironmentSpec::from_value(&execution.input["spec"]).ok();
        facts.cost_per_hour = spec.as_ref().map(hourly_cost).transpose()?;
    }
    let standing = last_succeeded_provision(cloud, region, suffix).await?;
    facts.url = standing
        .and_then(|provision| provision.output)
        .and_then(|output| output["outputs"]["httpsUrl"].as_str().map(str::to_owned));
    facts.expires_at = expiry(&cloud.expiry_tags(suffix).await?);
    let tagged = cloud.environments().await?;
    let recorded = tagged
        .into_iter()
        .find(|environment| environment.suffix == suffix)
        .and_then(|environment| environment.pull_request?.parse().ok());
    facts.pull_request = facts.pull_request.or(recorded);
    Ok(facts)
}

/// When the scheduled cleanup removes the environment, judged as it judges (functions/cleanup,
/// `judge`): once every resource is past its expiry, so at the latest one; never when a resource
/// has no expiry tag or one that does not read as an RFC 3339 time. GetResources does not return
/// IAM roles (Resource Groups Tagging API reference, "Services that support the Resource Groups
/// Tagging API"), so neither counts them.
fn expiry(tags: &[Option<String>]) -> Expiry {
    let mut latest = None;
    for tag in tags {
        let parsed = tag.as_deref().map(humantime::parse_rfc3339);
        let Some(Ok(at)) = parsed else {
            return Expiry::Never;
        };
        latest = latest.max(Some(at));
    }
    latest.map_or(Expiry::NotKnown, Expiry::At)
}

/// Idle and peak cost per hour, from the bundled price table; for a sleeping spec, its cost
/// asleep for both (nothing scales while no task runs).
fn hourly_cost(spec: &EnvironmentSpec) -> anyhow::Result<(f64, f64)> {
    let prices = envctl_cost::PriceTable::bundled()?;
    if spec.fields().asleep {
        let asleep = envctl_cost::asleep_hour(spec, &prices)?;
        return Ok((asleep, asleep));
    }
    let items = envctl_cost::estimate(spec, &prices)?;
    Ok((
        items.iter().map(|item| item.idle_hour).sum(),
        items.iter().map(|item| item.peak_hour).sum(),
    ))
}

#[cfg(test)]
mod tests {
    use super::{expiry, Expiry};

    #[test]
    fn the_expiry_is_the_latest_unless_a_resource_has_none_or_an_unreadable_one() {
        let tag = |text: &str| Some(text.to_owned());
        let at = |text: &str| Expiry::At(humantime::parse_rfc3339(text).unwrap());
        let tags = [tag("2026-12-07T10:00:00Z"), tag("2026-12-09T08:00:00Z")];
        assert_eq!(expiry(&tags), at("2026-12-09T08:00:00Z"));
        assert_eq!(expiry(&[tag("2026-12-07T10:00:00Z"), None]), Expiry::Never);
        let unreadable = [tag("2026-12-07T10:00:00Z"), tag("tomorrow")];
        assert_eq!(expiry(&unreadable), Expiry::Never);
        // Nothing tagged yet (a first provision) or any more: not known, not "never".
        assert_eq!(expiry(&[]), Expiry::NotKnown);
    }
}
