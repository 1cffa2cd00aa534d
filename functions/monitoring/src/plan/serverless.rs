//! What watches a serverless cache (`cacheMode: serverless`): it has no node to measure, so instead
//! of each node's memory and engine CPU the two alarms watch how close the cache is to the usage
//! limits it is created with, on the metrics ElastiCache publishes for a serverless cache.
//!
//! - Namespace `AWS/ElastiCache`, one dimension `clusterId` = the serverless cache's name: the
//!   node-based `CacheClusterId` dimension returns no data for a serverless cache (ElastiCache user
//!   guide, "Serverless metrics and events for Valkey and Redis OSS"; `aws cloudwatch list-metrics
//!   --namespace AWS/ElastiCache` lists serverless caches under `clusterId`).
//! - `BytesUsedForCache` ("the total number of bytes used by the data stored in your cache") against
//!   the cache's `DataStorage` maximum: at that maximum ElastiCache evicts keys with a TTL (LRU), and
//!   with none left to evict, writes fail with out-of-memory errors.
//! - `ElastiCacheProcessingUnits` ("the total number of ECPUs consumed by the requests") against its
//!   `ECPUPerSecond` maximum: above it ElastiCache throttles requests (`ThrottledCmds`). Both facts
//!   and the advice to alarm below each maximum (AWS suggests 75 %) are from the user guide, "Scaling
//!   ElastiCache", "Setting scaling limits to manage costs".
//!
//! The alarms keep the per-node names (`alarm-redis-memory-<suffix>-0001-001`, `…-cpu-…`): a
//! serverless cache shows its clients all slots "as being owned by a single virtual node" (user
//! guide, "Valkey and Redis OSS configuration and limits", serverless caches), and the naming scheme
//! and everything that finds an environment's alarms by it stay as they are. A switch between the
//! modes replaces node 0001-001's alarms in place and removes the others as stale.

use super::Inputs;
use cloudwatch::{AlarmMetric, Comparison, MissingData, Statistic};
use env_core::naming::CacheNode;
use env_core::spec::{SpecFields, SERVERLESS_DATA_STORAGE_GB, SERVERLESS_ECPU_PER_SECOND};

/// The virtual node of a serverless cache, whose two alarms stand for the whole cache.
pub(super) const VIRTUAL_NODE: CacheNode = CacheNode { shard: 1, node: 1 };

/// The cache's `CacheUsageLimits.DataStorage.Maximum`, in GB, as the cache function sets it.
pub(super) const DATA_STORAGE_GB: u32 = SERVERLESS_DATA_STORAGE_GB;

/// The cache's `CacheUsageLimits.ECPUPerSecond.Maximum`, likewise.
pub(super) const ECPU_PER_SECOND: u32 = SERVERLESS_ECPU_PER_SECOND;

/// `DataStorage` is "expressed in Gigabytes" (API reference, CacheUsageLimits); counted as 10^9
/// bytes, the smaller reading, so the alarm fires early rather than late if AWS means GiB.
const BYTES_PER_GB: f64 = 1e9;

/// The alarm periods are a minute: ECPUs summed over one are 60 × the per-second rate.
const SECONDS_PER_PERIOD: f64 = 60.0;

fn metric(inputs: &Inputs, name: &'static str, statistic: Statistic) -> AlarmMetric {
    AlarmMetric::Single {
        namespace: "AWS/ElastiCache".to_owned(),
        name,
        dimensions: vec![("clusterId", inputs.cache_group.clone())],
        statistic,
    }
}

/// The bytes above which the data-storage alarm fires: `cacheMemoryAlarmPercent` of the maximum.
pub(super) fn storage_threshold(fields: &SpecFields) -> f64 {
    f64::from(fields.cache_memory_alarm_percent.get()) / 100.0
        * f64::from(DATA_STORAGE_GB)
        * BYTES_PER_GB
}

/// The ECPUs a minute above which the ECPU alarm fires: `cacheCpuAlarmPercent` of the maximum rate.
pub(super) fn ecpu_threshold(fields: &SpecFields) -> f64 {
    f64::from(fields.cache_cpu_alarm_percent.get()) / 100.0
        * f64::from(ECPU_PER_SECOND)
        * SECONDS_PER_PERIOD
}

/// The data stored, against the storage maximum. Without data the alarm shows INSUFFICIENT_DATA,
/// as the node alarms do: a cache that stopped reporting is worth a look.
pub(super) fn storage(
    fields: &SpecFields,
    inputs: &Inputs,
) -> (AlarmMetric, f64, Comparison, MissingData) {
    (
        metric(inputs, "BytesUsedForCache", Statistic::Maximum),
        storage_threshold(fields),
        Comparison::GreaterThan,
        MissingData::Missing,
    )
}

/// The ECPUs consumed each minute, against the per-second maximum. A cache nobody uses may publish
/// no data point for a minute; that is no breach.
pub(super) fn ecpu(
    fields: &SpecFields,
    inputs: &Inputs,
) -> (AlarmMetric, f64, Comparison, MissingData) {
    (
        metric(inputs, "ElastiCacheProcessingUnits", Statistic::Sum),
        ecpu_threshold(fields),
        Comparison::GreaterThan,
        MissingData::NotBreaching,
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::{serverless_outputs, spec};
    use super::*;
    use serde_json::json;

    #[test]
    fn the_thresholds_are_the_spec_percentages_of_the_usage_limits() {
        let spec = spec(json!({"cacheMode": "serverless"}));
        // 80 % (the default) of 5 GB, and 80 % of 10,000 ECPUs a second over a minute.
        assert_eq!(storage_threshold(spec.fields()), 4_000_000_000.0);
        assert_eq!(ecpu_threshold(spec.fields()), 480_000.0);
        let tighter = super::super::tests::spec(
            json!({"cacheMode": "serverless", "cacheMemoryAlarmPercent": 75, "cacheCpuAlarmPercent": 50}),
        );
        assert_eq!(storage_threshold(tighter.fields()), 3_750_000_000.0);
        assert_eq!(ecpu_threshold(tighter.fields()), 300_000.0);
    }

    #[test]
    fn both_watch_the_cache_by_its_name_under_the_cluster_id_dimension() {
        let spec = spec(json!({"cacheMode": "serverless"}));
        let inputs = Inputs::from_outputs(&serverless_outputs(), spec.fields().cache_mode).unwrap();
        let (metric, _, comparison, missing) = ecpu(spec.fields(), &inputs);
        assert_eq!(
            metric,
            AlarmMetric::Single {
                namespace: "AWS/ElastiCache".into(),
                name: "ElastiCacheProcessingUnits",
                dimensions: vec![("clusterId", "valkey-pr-42".into())],
                statistic: Statistic::Sum
            }
        );
        assert_eq!(comparison, Comparison::GreaterThan);
        assert_eq!(missing, MissingData::NotBreaching);
        let (metric, ..) = storage(spec.fields(), &inputs);
        assert!(
            matches!(
                &metric,
                AlarmMetric::Single {
                    name: "BytesUsedForCache",
                    statistic: Statistic::Maximum,
                    ..
                }
            ),
            "{metric:?}"
        );
    }
}
