//! `envctl spec cost FILE` and the audit's cost: what an environment built from a spec costs per hour
//! and per month, at idle (minimum tasks and ACUs) and at peak (maximum), itemised, from the dated
//! us-west-2 price table kept in `bootstrap/cost/prices/us-west-2.json` (its figures and sources:
//! docs/pricing.md).
//!
//! Usage-based charges (NAT and load-balancer traffic beyond one LCU, log ingestion, data transfer,
//! storage and I/O) depend on traffic, not on the spec, and are left out; the report says so.
//!
//! A standby spec (a warm-pool environment waiting to be claimed) runs no task, and [`pool`]
//! prices a warm pool of such environments (`envctl spec cost --pool N`). Every item also says what
//! it costs while the environment sleeps ([`asleep`]: `envctl env sleep`, or `sleepAfterIdleMinutes`
//! without requests), and a spec with `asleep: true` is priced asleep, idle and at peak alike. A spec
//! with `cacheMode: serverless` has a serverless cache's line instead of the nodes' (`serverless`).

mod asleep;
mod pool;
mod serverless;

pub use asleep::asleep_hour;
pub use pool::{pool, pool_report, pool_to_json, pool_to_text, PoolCost};
pub use serverless::ServerlessCachePrices;

use anyhow::{anyhow, Context};
use env_core::spec::{CacheMode, CpuArchitecture, EnvironmentSpec, NatStrategy, SpecFields};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

const TABLE: &str = include_str!("../prices/us-west-2.json");

/// The alarms the monitoring function creates besides the two per cache node (memory and engine CPU;
/// a serverless cache's data stored and ECPUs, on its one virtual node): service CPU, tasks at max,
/// target 5xx, unhealthy hosts, target p99, API p99, DB connections, DB ACU.
const FIXED_ALARMS: u32 = 8;
/// ResponseTime and ServerErrors, from the service's log metric filters.
const CUSTOM_METRICS: u32 = 2;
/// The Aurora master secret, the application's database secret, the API keys and the Redis AUTH token.
const SECRETS: u32 = 4;
/// An ALB spans the 3 public subnets, one public IPv4 address in each.
const LOAD_BALANCER_ADDRESSES: u32 = 3;
/// A writer and a reader instance, each billed for its own ACUs.
const AURORA_INSTANCES: u32 = 2;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceTable {
    pub collected: String,
    pub source: String,
    pub hours_per_month: f64,
    pub nat_gateway_hour: f64,
    pub public_ipv4_hour: f64,
    pub load_balancer_hour: f64,
    pub load_balancer_lcu_hour: f64,
    pub fargate_vcpu_hour: f64,
    pub fargate_gb_hour: f64,
    pub fargate_arm_vcpu_hour: f64,
    pub fargate_arm_gb_hour: f64,
    pub aurora_acu_hour: f64,
    pub cache_node_hour: BTreeMap<String, f64>,
    pub secret_month: f64,
    pub kms_key_month: f64,
    pub alarm_month: f64,
    pub custom_metric_month: f64,
    pub dashboard_month: f64,
    /// ElastiCache Serverless for Valkey, for `cacheMode: serverless`, dated on its own.
    pub serverless_cache: ServerlessCachePrices,
}

impl PriceTable {
    pub fn bundled() -> anyhow::Result<Self> {
        serde_json::from_str(TABLE).context("reading the bundled price table")
    }
}

/// One line of the estimate: what it is, how many, and its cost per hour at idle, at peak and
/// asleep.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub name: &'static str,
    pub quantity: String,
    pub idle_hour: f64,
    pub peak_hour: f64,
    /// Per hour while the environment sleeps (README, "Sleep and wake").
    pub asleep_hour: f64,
    /// What of it stays while asleep, or why nothing does.
    pub asleep: String,
}

pub fn estimate(spec: &EnvironmentSpec, prices: &PriceTable) -> anyhow::Result<Vec<Item>> {
    estimate_fields(spec.fields(), prices)
}

/// The estimate of a spec's fields; [`pool`] gives it a standby copy of a spec's.
fn estimate_fields(f: &SpecFields, prices: &PriceTable) -> anyhow::Result<Vec<Item>> {
    let (cache, nodes) = cache_item(f, prices)?;
    let mut items = network_items(f, prices);
    items.extend(compute_and_data_items(f, prices));
    items.push(cache);
    items.extend(monthly_items(prices, FIXED_ALARMS + 2 * nodes));
    if f.asleep {
        // Asleep it costs what stays, whatever the load would have been.
        for item in &mut items {
            item.idle_hour = item.asleep_hour;
            item.peak_hour = item.asleep_hour;
        }
    }
    Ok(items)
}

/// The cache's line and how many nodes it has, each with a memory and a CPU alarm: the cluster's
/// nodes, or the serverless cache's one virtual node (`serverless`).
fn cache_item(f: &SpecFields, prices: &PriceTable) -> anyhow::Result<(Item, u32)> {
    if f.cache_mode == CacheMode::Serverless {
        return Ok((serverless::item(&prices.serverless_cache), 1));
    }
    let node_type = f.cache_node_type.as_str();
    let node_hour = *prices.cache_node_hour.get(node_type).ok_or_else(|| {
        let known: Vec<&str> = prices.cache_node_hour.keys().map(String::as_str).collect();
        anyhow!(
            "the price table has no price for cacheNodeType {node_type:?}; it knows {}",
            known.join(", ")
        )
    })?;
    let nodes = u32::from(f.cache_shards.get()) * (1 + u32::from(f.cache_replicas_per_shard.get()));
    let item = flat(
        "ElastiCache nodes",
        format!("{nodes} × {node_type}"),
        f64::from(nodes) * node_hour,
    )
    .while_asleep(0.0, asleep::CACHE_NODES);
    Ok((item, nodes))
}

/// An item whose price does not change with load, and stays whole while asleep.
fn flat(name: &'static str, quantity: String, hour: f64) -> Item {
    Item {
        name,
        quantity,
        idle_hour: hour,
        peak_hour: hour,
        asleep_hour: hour,
        asleep: "stays".to_owned(),
    }
}

impl Item {
    /// The item with what it costs asleep, and why.
    fn while_asleep(mut self, hour: f64, why: impl Into<String>) -> Self {
        self.asleep_hour = hour;
        self.asleep = why.into();
        self
    }
}

/// The NAT gateways, their addresses and the load balancer's.
fn network_items(f: &SpecFields, prices: &PriceTable) -> Vec<Item> {
    let nats = match f.nat_gateways {
        NatStrategy::PerAz => 3,
        NatStrategy::Single => 1,
    };
    vec![
        flat(
            "NAT gateways",
            format!("{nats}"),
            f64::from(nats) * prices.nat_gateway_hour,
        )
        .while_asleep(0.0, asleep::NAT_GATEWAYS),
        flat(
            "Public IPv4 addresses",
            format!("{nats} NAT + {LOAD_BALANCER_ADDRESSES} load balancer"),
            f64::from(nats + LOAD_BALANCER_ADDRESSES) * prices.public_ipv4_hour,
        )
        .while_asleep(
            f64::from(LOAD_BALANCER_ADDRESSES) * prices.public_ipv4_hour,
            asleep::addresses(LOAD_BALANCER_ADDRESSES),
        ),
        flat(
            "Application Load Balancer",
            "1, with 1 LCU".to_owned(),
            prices.load_balancer_hour + prices.load_balancer_lcu_hour,
        )
        .while_asleep(prices.load_balancer_hour, asleep::LOAD_BALANCER),
    ]
}

/// The tasks and Aurora, which scale between the spec's bounds.
fn compute_and_data_items(f: &SpecFields, prices: &PriceTable) -> Vec<Item> {
    let vcpu = f64::from(f.task_cpu.get()) / 1024.0;
    let memory_gb = f64::from(f.task_memory.get()) / 1024.0;
    let (vcpu_hour, gb_hour) = match f.cpu_architecture {
        CpuArchitecture::X86_64 => (prices.fargate_vcpu_hour, prices.fargate_gb_hour),
        CpuArchitecture::Arm64 => (prices.fargate_arm_vcpu_hour, prices.fargate_arm_gb_hour),
    };
    let task_hour = vcpu * vcpu_hour + memory_gb * gb_hour;
    // A standby service runs no task, idle or not: its autoscaling is 0..0 until a claim.
    let (min_tasks, max_tasks) = if f.standby {
        (0.0, 0.0)
    } else {
        (f64::from(f.min_tasks.get()), f64::from(f.max_tasks.get()))
    };
    let count = if f.standby {
        "0 (standby)".to_owned()
    } else {
        format!("{min_tasks}..{max_tasks}")
    };
    // With dbMinCapacity 0 Aurora pauses once nothing is connected and bills no compute while
    // paused, so its idle cost is 0 (Aurora user guide, "Scaling to zero ACUs with automatic
    // pause and resume"; docs/aws-behaviour.md). A standby environment has nothing connected.
    let acu_hour = f64::from(AURORA_INSTANCES) * prices.aurora_acu_hour;
    let idle_aurora = f.db_min_capacity.as_f64() * acu_hour;
    vec![
        Item {
            name: "Fargate tasks",
            quantity: format!(
                "{count} × {vcpu} vCPU, {memory_gb} GB {}",
                f.cpu_architecture.ecs_name()
            ),
            idle_hour: min_tasks * task_hour,
            peak_hour: max_tasks * task_hour,
            asleep_hour: 0.0,
            asleep: asleep::TASKS.to_owned(),
        },
        Item {
            name: "Aurora Serverless v2",
            quantity: format!(
                "{AURORA_INSTANCES} instances × {}..{} ACU",
                f.db_min_capacity.as_f64(),
                f.db_max_capacity.as_f64()
            ),
            idle_hour: idle_aurora,
            peak_hour: f.db_max_capacity.as_f64() * acu_hour,
            // Nothing connects while asleep, so Aurora sits at its idle figure: paused with a
            // minimum of 0, at its minimum otherwise.
            asleep_hour: idle_aurora,
            asleep: asleep::aurora(f.db_min_capacity.as_f64(), AURORA_INSTANCES),
        },
    ]
}

/// What is billed by the month (secrets, the key, alarms, metrics, the dashboard), per hour.
fn monthly_items(prices: &PriceTable, alarms: u32) -> Vec<Item> {
    let monthly = |per_month: f64| per_month / prices.hours_per_month;
    vec![
        flat(
            "Secrets Manager secrets",
            format!("{SECRETS}"),
            monthly(f64::from(SECRETS) * prices.secret_month),
        )
        .while_asleep(
            monthly(f64::from(SECRETS) * prices.secret_month),
            asleep::SECRETS,
        ),
        flat("KMS key", "1".to_owned(), monthly(prices.kms_key_month)),
        flat(
            "CloudWatch alarms",
            format!("{alarms}"),
            monthly(f64::from(alarms) * prices.alarm_month),
        )
        .while_asleep(
            monthly(f64::from(FIXED_ALARMS) * prices.alarm_month),
            asleep::alarms(FIXED_ALARMS),
        ),
        flat(
            "CloudWatch custom metrics",
            format!("{CUSTOM_METRICS}"),
            monthly(f64::from(CUSTOM_METRICS) * prices.custom_metric_month),
        ),
        flat(
            "CloudWatch dashboard",
            "1".to_owned(),
            monthly(prices.dashboard_month),
        ),
    ]
}

/// The estimate as JSON: the dated price table, each item, and the totals per hour and month, idle,
/// at peak and asleep.
pub fn to_json(items: &[Item], prices: &PriceTable) -> Value {
    let (idle, peak, asleep) = totals(items);
    let month = prices.hours_per_month;
    let rows: Vec<Value> = items
        .iter()
        .map(|i| {
            json!({
                "item": i.name,
                "quantity": i.quantity,
                "idlePerHour": i.idle_hour,
                "peakPerHour": i.peak_hour,
                "asleepPerHour": i.asleep_hour,
                "whileAsleep": i.asleep,
            })
        })
        .collect();
    json!({
        "priceTable": price_table_json(prices),
        "items": rows,
        "idle": {"perHour": idle, "perMonth": idle * month},
        "peak": {"perHour": peak, "perMonth": peak * month},
        "asleep": {"perHour": asleep, "perMonth": asleep * month},
    })
}

/// The idle, the peak and the asleep cost per hour of `items`.
fn totals(items: &[Item]) -> (f64, f64, f64) {
    (
        items.iter().map(|item| item.idle_hour).sum(),
        items.iter().map(|item| item.peak_hour).sum(),
        items.iter().map(|item| item.asleep_hour).sum(),
    )
}

/// The estimate as a table with the totals, what stays asleep, and the price table's date.
pub fn to_text(items: &[Item], prices: &PriceTable) -> String {
    let (idle, peak, asleep) = totals(items);
    let month = prices.hours_per_month;
    let mut text = format!(
        "{:<28} {:<36} {:>10} {:>10} {:>10}\n",
        "item", "quantity", "idle $/h", "peak $/h", "asleep $/h"
    );
    for i in items {
        let row = format!(
            "{:<28} {:<36} {:>10.4} {:>10.4} {:>10.4}\n",
            i.name, i.quantity, i.idle_hour, i.peak_hour, i.asleep_hour
        );
        text.push_str(&row);
    }
    let per_month = format!("total per month ({month} h)");
    text.push_str(&format!(
        "{:<65} {:>10.4} {:>10.4} {:>10.4}\n",
        "total per hour", idle, peak, asleep
    ));
    text.push_str(&format!(
        "{per_month:<65} {:>10.2} {:>10.2} {:>10.2}\n",
        idle * month,
        peak * month,
        asleep * month
    ));
    text.push_str(&asleep::to_text(items));
    text.push_str(&footnote(prices));
    text
}

/// The price table's date and what is not priced, the last line of every text report.
fn footnote(prices: &PriceTable) -> String {
    let collected = &prices.collected;
    format!("prices: us-west-2, collected {collected}; traffic-based charges (NAT and LCU beyond 1, logs, transfer, storage) not included\n")
}

/// The dated price table, as every JSON report names it.
fn price_table_json(prices: &PriceTable) -> Value {
    json!({"region": "us-west-2", "collected": prices.collected, "source": prices.source})
}

/// `spec cost FILE`: the itemised estimate as a table, or as JSON.
pub fn report(
    file: &Path,
    spec: &EnvironmentSpec,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let prices = PriceTable::bundled()?;
    let items = estimate(spec, &prices)?;
    let priced_asleep = spec.fields().asleep;
    let serverless_cache = spec.fields().cache_mode == CacheMode::Serverless;
    if json {
        let mut body = to_json(&items, &prices);
        body["spec"] = json!(file.display().to_string());
        body["pricedAsleep"] = json!(priced_asleep);
        if serverless_cache {
            let cache = &prices.serverless_cache;
            body["serverlessCache"] = json!({
                "collected": cache.collected,
                "source": cache.source,
                "assumptions": serverless::note(cache).trim_end(),
            });
        }
        writeln!(out, "{body}")?;
    } else {
        if priced_asleep {
            out.write_all(asleep::PRICED_ASLEEP.as_bytes())?;
        }
        out.write_all(to_text(&items, &prices).as_bytes())?;
        if serverless_cache {
            out.write_all(serverless::note(&prices.serverless_cache).as_bytes())?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "asleep_tests.rs"]
mod asleep_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(extra: Value) -> EnvironmentSpec {
        let mut value = json!({"environmentSuffix": "pr-1", "containerImage": "x", "selfSignedCertificate": true});
        value
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        EnvironmentSpec::from_value(&value).unwrap()
    }

    fn item<'a>(items: &'a [Item], name: &str) -> &'a Item {
        items.iter().find(|item| item.name == name).unwrap()
    }

    #[test]
    fn the_bundled_table_is_dated_us_west_2_prices() {
        let prices = PriceTable::bundled().unwrap();
        assert_eq!(prices.collected, "2026-11");
        assert_eq!(prices.hours_per_month, 730.0);
        assert_eq!(prices.nat_gateway_hour, 0.045);
        assert_eq!(prices.aurora_acu_hour, 0.12);
    }

    #[test]
    fn defaults_cost_three_nats_two_to_ten_tasks_and_half_to_four_acus() {
        let items = estimate(&spec(json!({})), &PriceTable::bundled().unwrap()).unwrap();
        assert_eq!(item(&items, "NAT gateways").quantity, "3");
        assert!((item(&items, "NAT gateways").idle_hour - 0.135).abs() < 1e-9);
        // 3 NAT EIPs + 3 ALB addresses at $0.005.
        assert!((item(&items, "Public IPv4 addresses").idle_hour - 0.03).abs() < 1e-9);
        // 0.5 vCPU × 0.04048 + 1 GB × 0.004445 = 0.024685 per task.
        let tasks = item(&items, "Fargate tasks");
        assert!((tasks.idle_hour - 2.0 * 0.024685).abs() < 1e-9);
        assert!((tasks.peak_hour - 10.0 * 0.024685).abs() < 1e-9);
        // Writer and reader: 2 × 0.5 ACU idle, 2 × 4 ACU at peak, at $0.12.
        let aurora = item(&items, "Aurora Serverless v2");
        assert!((aurora.idle_hour - 0.12).abs() < 1e-9);
        assert!((aurora.peak_hour - 0.96).abs() < 1e-9);
        // 2 shards × (1 + 1 replica) = 4 cache.t4g.small at $0.032.
        assert_eq!(
            item(&items, "ElastiCache nodes").quantity,
            "4 × cache.t4g.small"
        );
        assert!((item(&items, "ElastiCache nodes").idle_hour - 0.128).abs() < 1e-9);
        // 8 fixed alarms + memory and CPU for each of the 4 nodes, as the monitoring function creates.
        assert_eq!(item(&items, "CloudWatch alarms").quantity, "16");
    }

    #[test]
    fn graviton_tasks_use_the_arm_prices() {
        let items = estimate(
            &spec(json!({"cpuArchitecture": "arm64", "taskCpu": 256, "taskMemory": 512})),
            &PriceTable::bundled().unwrap(),
        )
        .unwrap();
        // 0.25 vCPU × 0.03238 + 0.5 GB × 0.00356 = 0.009875 per task.
        let tasks = item(&items, "Fargate tasks");
        assert!((tasks.idle_hour - 2.0 * 0.009875).abs() < 1e-9);
        assert_eq!(tasks.quantity, "2..10 × 0.25 vCPU, 0.5 GB ARM64");
    }

    #[test]
    fn idle_totals_of_the_default_and_the_pr_spec() {
        let prices = PriceTable::bundled().unwrap();
        let idle = |extra| totals(&estimate(&spec(extra), &prices).unwrap()).0;
        // Hand sum, default spec: NAT 0.135 + IPv4 0.03 + ALB 0.0305 + tasks 0.04937 + Aurora 0.12
        // + cache 0.128 + (4 secrets 1.60 + key 1.00 + 16 alarms 1.60 + 2 metrics 0.60
        // + dashboard 3.00) / 730 = 0.503555.
        let default = idle(json!({}));
        assert!((default - 0.503_555).abs() < 1e-5, "{default}");
        // PR spec: 1 NAT 0.045 + IPv4 0.02 + ALB 0.0305 + tasks 0.04937 + Aurora 0.12
        // + 4 × t4g.micro 0.064 + monthly items 0.010685 = 0.339555.
        let pr = idle(
            json!({"natGateways": "single", "cacheNodeType": "cache.t4g.micro", "dbMinCapacity": 0.5}),
        );
        assert!((pr - 0.339_555).abs() < 1e-5, "{pr}");
        // docs/pricing.md's reference sizes (0.25 vCPU arm64 tasks, cache.t4g.micro) on the default
        // layout: 0.503555 - 0.04937 + 2 × 0.009875 - 0.064 = 0.409935.
        let reference = idle(
            json!({"taskCpu": 256, "taskMemory": 512, "cpuArchitecture": "arm64", "cacheNodeType": "cache.t4g.micro"}),
        );
        assert!((reference - 0.409_935).abs() < 1e-5, "{reference}");
    }

    #[test]
    fn a_single_nat_saves_two_gateways_and_their_addresses() {
        let prices = PriceTable::bundled().unwrap();
        let per_az = estimate(&spec(json!({})), &prices).unwrap();
        let single = estimate(&spec(json!({"natGateways": "single"})), &prices).unwrap();
        let total = |items: &[Item]| items.iter().map(|i| i.idle_hour).sum::<f64>();
        // 2 × ($0.045 + $0.005) an hour, ≈ $73 a month as docs/pricing.md says.
        assert!(((total(&per_az) - total(&single)) * 730.0 - 73.0).abs() < 0.01);
    }

    #[test]
    fn a_node_type_without_a_price_is_an_error_naming_the_known_ones() {
        let error = estimate(
            &spec(json!({"cacheNodeType": "cache.m5.large"})),
            &PriceTable::bundled().unwrap(),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the price table has no price for cacheNodeType \"cache.m5.large\"; it knows cache.r7g.large, cache.t4g.medium, cache.t4g.micro, cache.t4g.small"
        );
    }
}
