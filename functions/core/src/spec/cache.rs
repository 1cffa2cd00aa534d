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
