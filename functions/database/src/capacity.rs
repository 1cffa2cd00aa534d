//! An existing cluster's minimum capacity and auto-pause time brought to the spec's, so a pull
//! request that lets its database pause (`dbMinCapacity`, `dbAutoPauseSeconds`) reaches its
//! environment on the next provision instead of only a new one.
//!
//! The maximum stays what the cluster was created with: Aurora sizes `max_connections` from the
//! maximum only when an instance starts (Aurora user guide, "Managing Aurora Serverless v2 DB
//! clusters": parameters derived from the maximum ACUs take effect at the next reboot), so a raised
//! maximum without a reboot would leave the spec's connection budget checked against a limit the
//! instances do not have. A new `dbMaxCapacity` reaches a new environment.

use crate::api::{Cloud, Cluster, RdsCalls, Scaling};
use crate::engine;
use crate::handler::{DatabaseError, ENGINE, PARAMETER_FAMILY};

/// RDS's answers to a change it will not make: the range does not fit the cluster's engine or
/// Serverless v2 platform version (RDS API reference, ModifyDBCluster errors).
const REFUSED: [&str; 2] = ["InvalidParameterCombination", "InvalidParameterValue"];

/// Whether the range still differs from the wanted one (the database is not READY then). A cluster
/// that reports none (not Serverless v2) is left as it is; so is one whose engine version, as RDS
/// lists it, cannot hold the wanted range, or whose change RDS refuses (the Serverless v2 platform
/// version has its own limits, RDS API reference, `ServerlessV2FeaturesSupport`): failing would roll
/// back a provision of an environment that works as it is, so it is logged and kept.
pub async fn converge<C: Cloud>(
    cloud: &C,
    cluster: &Cluster,
    spec: &Scaling,
) -> Result<bool, DatabaseError> {
    let Some(current) = &cluster.scaling else {
        return Ok(false);
    };
    let wanted = Scaling {
        max_capacity: current.max_capacity,
        ..spec.clone()
    };
    if *current == wanted {
        return Ok(false);
    }
    let versions = cloud
        .rds()
        .engine_versions(ENGINE, PARAMETER_FAMILY)
        .await?;
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
    match cloud.rds().set_scaling(&cluster.id, &wanted).await {
        Ok(()) => Ok(true),
        // Still applying an earlier change (RDS applies a range asynchronously): a later call sees
        // the range it reports and tries again if it still differs.
        Err(error) if error.is_code("InvalidDBClusterStateFault") => Ok(true),
        Err(error) if REFUSED.iter().any(|code| error.is_code(code)) => {
            tracing::warn!(cluster = %cluster.id, %error, "capacity range refused; left as it is");
            Ok(false)
        }
        Err(error) => Err(error.into()),
    }
}
