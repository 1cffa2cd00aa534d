//! What an environment costs while it sleeps (README, "Sleep and wake"): every item of the estimate
//! says what of it stays and at what price, and why the rest is gone. The shape is the one the
//! components converge on with `asleep: true`:
//!
//! - the NAT gateways are deleted and their Elastic IPs released: a NAT gateway is billed for each
//!   hour it exists and a public IPv4 address for each hour it is held (Amazon VPC pricing, "NAT
//!   gateway pricing" and "Public IPv4 addresses"), so neither bills once gone;
//! - the load balancer stays with its 3 public addresses, billed "for each hour or partial hour
//!   that an Application Load Balancer is running, and the number of Load Balancer Capacity Units
//!   (LCU) used per hour" (Elastic Load Balancing pricing): with no traffic it uses no LCU, so
//!   asleep it costs its hour alone;
//! - no task runs (desired count 0, as on standby) and the cache's replication group (or the
//!   serverless cache) is deleted: Fargate and ElastiCache bill per running task and per node-hour,
//!   or per GB-hour stored and ECPU while a serverless cache exists (AWS Fargate pricing, Amazon
//!   ElastiCache pricing);
//! - Aurora is left alone: nothing connects while asleep, so with `dbMinCapacity` 0 it pauses and
//!   bills no compute (Aurora user guide, "Scaling to Zero ACUs with automatic pause and resume for
//!   Aurora Serverless v2"), and otherwise it runs at its minimum, as at idle;
//! - the secrets (the Redis AUTH token's with them, for the wake), the key, the alarms but the two
//!   per cache node (which go with the nodes), the metric filters and the dashboard stay.
//!
//! Usage-based charges (Aurora storage, log storage, a final cache snapshot if one is kept) are
//! left out, as everywhere in the estimate.

use crate::{Item, PriceTable};
use env_core::spec::EnvironmentSpec;

pub(crate) const NAT_GATEWAYS: &str =
    "none: deleted while asleep, their Elastic IPs released; made again on wake";
pub(crate) const LOAD_BALANCER: &str =
    "stays, with no LCU: no traffic reaches it while asleep (wake-on-request is not built)";
pub(crate) const TASKS: &str = "none: the service's desired count is 0 while asleep";
pub(crate) const CACHE_NODES: &str =
    "none: the replication group is deleted; its AUTH secret, subnet group and slow-log group stay";
pub(crate) const SECRETS: &str = "stay (the Redis AUTH token's too: the wake reuses it)";
/// The line `spec cost` prints above the table of a spec that says `asleep: true`.
pub(crate) const PRICED_ASLEEP: &str =
    "the spec says asleep: true: idle and peak are what it costs asleep\n";

/// The load balancer's addresses stay, the NAT gateways' go.
pub(crate) fn addresses(load_balancer: u32) -> String {
    format!("{load_balancer} load balancer; the NAT addresses are released")
}

/// Aurora asleep, with `min_capacity` ACUs its minimum, over `instances` instances.
pub(crate) fn aurora(min_capacity: f64, instances: u32) -> String {
    if min_capacity == 0.0 {
        "paused: nothing connects while asleep (dbMinCapacity 0); storage not priced".to_owned()
    } else {
        format!("{instances} instances at {min_capacity} ACU: with dbMinCapacity above 0 Aurora never pauses")
    }
}

/// The alarms that stay: all but the per-node cache alarms.
pub(crate) fn alarms(fixed: u32) -> String {
    format!("{fixed}: the cache alarms (2 per node, or the serverless cache's 2) go with the cache")
}

/// What the environment built from `spec` costs per hour while asleep, asleep or not: the figure
/// `spec cost` prints in its asleep column, for a caller that needs only the total (the pull
/// request comment, the pool status). Errors as [`crate::estimate`] does (a cache node type the
/// table does not price).
pub fn asleep_hour(spec: &EnvironmentSpec, prices: &PriceTable) -> anyhow::Result<f64> {
    let items = crate::estimate(spec, prices)?;
    Ok(items.iter().map(|item| item.asleep_hour).sum())
}

/// Each item's asleep figure with what stays of it and why: the lines under the table.
pub(crate) fn to_text(items: &[Item]) -> String {
    let mut text =
        "asleep (envctl env sleep, or sleepAfterIdleMinutes without requests):\n".to_owned();
    for item in items {
        text.push_str(&format!(
            "  {:<28} {:>10.4}  {}\n",
            item.name, item.asleep_hour, item.asleep
        ));
    }
    text
}
