//! What a serverless cache costs (`cacheMode: serverless`): ElastiCache Serverless for Valkey bills
//! no node-hour, only the data stored and the requests run, with a floor while idle.
//!
//! - Data stored is billed in GB-hours, an hourly average of samples taken several times a minute,
//!   and "each ElastiCache Serverless cache is metered for a minimum of … 100 MB for Valkey" (Amazon
//!   ElastiCache pricing, "Serverless"; the same in the Cost and Usage Report's `CachedData` usage
//!   type). Idle, the cache holds next to nothing, so it bills that minimum: 0.1 GB × the GB-hour.
//! - Requests are billed in ElastiCache Processing Units (ECPUs): "reads and writes require 1 ECPU
//!   for each kilobyte (KB) of data transferred" (same page). An idle environment sends the cache
//!   (almost) nothing, so idle counts 0 ECPUs: even one small command a second, 3,600 an hour, would
//!   add $0.000008 an hour, below the report's last printed digit.
//! - At peak the cache is at the usage limits it is created with (`CacheUsageLimits`), which bound
//!   it: the data storage maximum held all hour and the ECPU-per-second maximum used every second.
//! - Asleep the cache component deletes the serverless cache, as it deletes the cluster's
//!   replication group, so asleep it bills nothing; its user, user group and AUTH secret stay for the
//!   wake (secrets are priced in their own line).
//!
//! The prices and their sources are in `prices/us-west-2.json` under `serverlessCache`, dated
//! separately from the rest of the table (docs/serverless-cache.md).

use crate::Item;
use env_core::spec::{SERVERLESS_DATA_STORAGE_GB, SERVERLESS_ECPU_PER_SECOND};
use serde::Deserialize;

/// ElastiCache Serverless for Valkey in us-west-2, from the bundled table.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerlessCachePrices {
    pub collected: String,
    pub source: String,
    /// Per GB-hour of data stored.
    pub data_gb_hour: f64,
    /// Per million ECPUs.
    pub million_ecpu: f64,
    /// The data storage every cache is metered for at least, in GB.
    pub minimum_gb: f64,
}

/// The cache's `CacheUsageLimits.DataStorage.Maximum`, in GB, as the cache function sets it.
const DATA_STORAGE_GB: f64 = SERVERLESS_DATA_STORAGE_GB as f64;

/// The cache's `CacheUsageLimits.ECPUPerSecond.Maximum`, likewise.
const ECPU_PER_SECOND: f64 = SERVERLESS_ECPU_PER_SECOND as f64;

const SECONDS_PER_HOUR: f64 = 3600.0;

/// Why nothing of the cache is billed while asleep.
pub(crate) const ASLEEP: &str =
    "none: the serverless cache is deleted; its user, user group and AUTH secret stay";

/// The serverless cache's line of the estimate.
pub(crate) fn item(prices: &ServerlessCachePrices) -> Item {
    let idle = prices.minimum_gb * prices.data_gb_hour;
    let peak_ecpu = ECPU_PER_SECOND * SECONDS_PER_HOUR / 1e6 * prices.million_ecpu;
    Item {
        name: "ElastiCache Serverless",
        quantity: format!(
            "Valkey, {}..{DATA_STORAGE_GB} GB, 0..{ECPU_PER_SECOND} ECPU/s",
            prices.minimum_gb
        ),
        idle_hour: idle,
        peak_hour: DATA_STORAGE_GB * prices.data_gb_hour + peak_ecpu,
        asleep_hour: 0.0,
        asleep: ASLEEP.to_owned(),
    }
}

/// The assumptions behind the line, under the text report of a spec with a serverless cache.
pub(crate) fn note(prices: &ServerlessCachePrices) -> String {
    format!(
        "serverless cache: idle bills the {} GB minimum metered storage at ${}/GB-hour and no ECPU \
         (an idle environment sends the cache next to nothing); peak is the cache's limits, \
         {DATA_STORAGE_GB} GB stored and {ECPU_PER_SECOND} ECPU/s at ${}/million ECPUs (prices \
         collected {})\n",
        prices.minimum_gb, prices.data_gb_hour, prices.million_ecpu, prices.collected
    )
}

#[cfg(test)]
#[path = "serverless_tests.rs"]
mod tests;
