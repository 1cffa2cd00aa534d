//! Which shape the environment's cache takes: the node-based cluster or ElastiCache Serverless.

use super::field::SpecField;
use serde::{Deserialize, Serialize};

/// The cache's shape.
///
/// `Cluster` is the request's production shape (cacheShards × cacheReplicasPerShard nodes of
/// cacheNodeType, cluster mode enabled). `Serverless` makes an ElastiCache Serverless Valkey cache
/// instead: ready in about a minute and billed by the data stored and the ECPUs used, which suits a
/// short-lived pull request environment better than nodes billed by the hour. Both speak TLS and
/// the cluster protocol, so the service connects to either unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheMode {
    #[default]
    Cluster,
    Serverless,
}

impl CacheMode {
    /// The default, which a spec leaves out when it writes itself.
    pub fn is_cluster(&self) -> bool {
        *self == CacheMode::Cluster
    }

    /// The spec's spelling, also written into the cache's outputs as `mode`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CacheMode::Cluster => "cluster",
            CacheMode::Serverless => "serverless",
        }
    }
}

/// The most a serverless cache may use, bounding what it can cost: its
/// `CacheUsageLimits.DataStorage.Maximum` in GB and `ECPUPerSecond.Maximum`. ElastiCache accepts 1
/// to 5,000 GB and 1,000 to 15,000,000 ECPUs per second (ElastiCache user guide, "Scaling
/// ElastiCache": "Setting scaling limits to manage costs"; at a maximum, keys with a TTL are
/// evicted and then writes refused, and requests beyond the ECPU rate are throttled). A pull
/// request's test data fits in far less than 5 GB, and 10,000 ECPUs per second is some 10,000
/// simple reads or writes a second, well above what one environment's tests drive, while keeping
/// the worst hour to a few dollars. One place for the cache function that sets them, monitoring
/// that alarms near them and the cost estimate that prices them.
pub const SERVERLESS_DATA_STORAGE_GB: u32 = 5;
pub const SERVERLESS_ECPU_PER_SECOND: u32 = 10_000;

impl SpecField for CacheMode {
    const ALLOWED: &'static str = "\"cluster\" (a node-based cluster of cacheShards × cacheReplicasPerShard cacheNodeType nodes) or \"serverless\" (ElastiCache Serverless Valkey, billed by use)";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::field::check;
    use serde_json::json;

    #[test]
    fn modes_are_written_in_lowercase_and_default_to_the_cluster() {
        assert_eq!(CacheMode::default(), CacheMode::Cluster);
        assert_eq!(json!(CacheMode::Serverless), json!("serverless"));
        assert_eq!(
            serde_json::from_value::<CacheMode>(json!("cluster")).unwrap(),
            CacheMode::Cluster
        );
        assert_eq!(CacheMode::Cluster.as_str(), "cluster");
        assert_eq!(CacheMode::Serverless.as_str(), "serverless");
        assert!(CacheMode::Cluster.is_cluster() && !CacheMode::Serverless.is_cluster());
        assert_eq!(
            check::<CacheMode>(&json!("Serverless")),
            Err(CacheMode::ALLOWED.to_owned())
        );
    }
}
