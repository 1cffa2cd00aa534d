//! An existing cluster's Serverless v2 range brought to the spec's, so a pull request that changes
//! `dbMinCapacity`, `dbMaxCapacity` or `dbAutoPauseSeconds` reaches its environment on the next
//! provision instead of only a new one.

use crate::api::{Cloud, Cluster, Scaling};
use crate::engine;
use crate::handler::{DatabaseError, ENGINE, PARAMETER_FAMILY};

/// Whether this call changed the range. A cluster that reports none (not Serverless v2) is left as
/// it is; so is one whose engine version cannot hold the wanted range (a minimum of 0 needs a
/// version with auto-pause, RDS API reference, `ServerlessV2FeaturesSupport`): RDS would refuse
/// the change and roll the whole provision back, when the environment works as it is. Only a new
/// environment gets a newer version.
pub async fn converge<C: Cloud>(
    cloud: &C,
    cluster: &Cluster,
    wanted: &Scaling,
) -> Result<bool, DatabaseError> {
    let Some(current) = &cluster.scaling else {
        return Ok(false);
    };
    if current == wanted {
        return Ok(false);
    }
    let versions = cloud.engine_versions(ENGINE, PARAMETER_FAMILY).await?;
    let (min, max) = (wanted.min_capacity, wanted.max_capacity);
    let version = cluster.engine_version.as_deref().unwrap_or_default();
    if !engine::holds(&versions, version, min, max) {
        tracing::warn!(
            cluster = %cluster.id,
            version,
            min,
            max,
            "the cluster's engine version cannot hold the spec's capacity range; left as it is"
        );
        return Ok(false);
    }
    tracing::info!(cluster = %cluster.id, ?current, ?wanted, "capacity range changed");
    cloud.set_scaling(&cluster.id, wanted).await?;
    Ok(true)
}
