//! A serverless cache's line: examples/pr.json with `cacheMode: serverless`, by hand, awake at idle,
//! at peak and asleep, and what the report says about its assumptions.

use super::*;
use crate::{estimate, report, totals, PriceTable};
use env_core::spec::EnvironmentSpec;
use serde_json::{json, Value};
use std::path::Path;

const PR_SPEC: &str = include_str!("../../../examples/pr.json");

/// examples/pr.json with `extra` (and `cacheMode: serverless`) added.
fn pr_serverless(extra: Value) -> EnvironmentSpec {
    let mut value: Value = serde_json::from_str(PR_SPEC).unwrap();
    let fields = value.as_object_mut().unwrap();
    fields.insert("cacheMode".into(), json!("serverless"));
    fields.extend(extra.as_object().unwrap().clone());
    EnvironmentSpec::from_value(&value).unwrap()
}

fn prices() -> PriceTable {
    PriceTable::bundled().unwrap()
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 1e-9
}

/// examples/pr.json with a serverless cache awake at idle, by hand: 1 NAT 0.045, 4 IPv4 0.02, ALB
/// with 1 LCU 0.0305, 2 tasks × (0.5 × 0.04048 + 1 × 0.004445), Aurora paused, the cache's 0.1 GB
/// minimum × 0.084 = 0.0084, and (4 secrets 1.60 + key 1.00 + 10 alarms 1.00 + 2 metrics 0.60 +
/// dashboard 3.00) / 730.
const IDLE_HOUR: f64 = 0.045 + 0.02 + 0.0305 + 2.0 * 0.024_685 + 0.0084 + 7.2 / 730.0;

/// Asleep the cache is deleted: the same as with the cluster, the load balancer, its addresses and
/// (4 secrets 1.60 + key 1.00 + 8 alarms 0.80 + 2 metrics 0.60 + dashboard 3.00) / 730.
const ASLEEP_HOUR: f64 = 0.015 + 0.0225 + 7.0 / 730.0;

#[test]
fn the_bundled_table_dates_the_serverless_valkey_prices() {
    let cache = prices().serverless_cache;
    assert_eq!(cache.collected, "2026-12");
    assert_eq!(
        (cache.data_gb_hour, cache.million_ecpu, cache.minimum_gb),
        (0.084, 0.0023, 0.1)
    );
    assert!(cache.source.contains("100 MB"), "{}", cache.source);
}

#[test]
fn the_cache_bills_its_minimum_storage_idle_its_limits_at_peak_and_nothing_asleep() {
    let line = item(&prices().serverless_cache);
    assert_eq!(line.name, "ElastiCache Serverless");
    assert_eq!(line.quantity, "Valkey, 0.1..5 GB, 0..10000 ECPU/s");
    // 0.1 GB × $0.084.
    assert!(close(line.idle_hour, 0.0084), "{}", line.idle_hour);
    // 5 GB × $0.084 + 10,000 ECPU/s × 3600 s = 36 million ECPUs × $0.0023.
    assert!(close(line.peak_hour, 0.42 + 0.0828), "{}", line.peak_hour);
    assert_eq!((line.asleep_hour, line.asleep.as_str()), (0.0, ASLEEP));
}

#[test]
fn the_pr_example_with_a_serverless_cache_costs_16_cents_idle_and_5_asleep() {
    let prices = prices();
    let items = estimate(&pr_serverless(json!({})), &prices).unwrap();
    assert!(items.iter().all(|item| item.name != "ElastiCache nodes"));
    let alarms = items
        .iter()
        .find(|item| item.name == "CloudWatch alarms")
        .unwrap();
    // 8 fixed alarms + the serverless cache's data-stored and ECPU alarms.
    assert_eq!(alarms.quantity, "10");
    let (idle, peak, asleep) = totals(&items);
    assert!(close(idle, IDLE_HOUR), "{idle}");
    assert!(close(asleep, ASLEEP_HOUR), "{asleep}");
    assert_eq!(
        format!("{idle:.6} {peak:.6} {asleep:.6}"),
        "0.163133 1.815013 0.047089"
    );
    assert!(idle <= 0.20 && asleep <= 0.05);
    // $0.0239 an hour below the two cache.t4g.micro nodes and their two extra alarms.
    let cluster = estimate(
        &EnvironmentSpec::from_value(&serde_json::from_str(PR_SPEC).unwrap()).unwrap(),
        &prices,
    )
    .unwrap();
    assert!(close(
        totals(&cluster).0 - idle,
        0.032 - 0.0084 + 0.2 / 730.0
    ));
}

#[test]
fn the_node_type_is_not_priced_for_a_serverless_cache() {
    // A cluster of cache.m5.large has no price; a serverless cache has no node to price.
    let items = estimate(
        &pr_serverless(json!({"cacheNodeType": "cache.m5.large"})),
        &prices(),
    )
    .unwrap();
    assert!(close(totals(&items).0, IDLE_HOUR));
}

#[test]
fn asleep_the_serverless_cache_costs_nothing_idle_or_at_peak() {
    let items = estimate(&pr_serverless(json!({"asleep": true})), &prices()).unwrap();
    let cache = items
        .iter()
        .find(|item| item.name == "ElastiCache Serverless")
        .unwrap();
    assert_eq!((cache.idle_hour, cache.peak_hour), (0.0, 0.0));
    let (idle, peak, asleep) = totals(&items);
    assert!(close(idle, ASLEEP_HOUR) && close(peak, ASLEEP_HOUR) && close(asleep, ASLEEP_HOUR));
}

#[test]
fn the_report_states_the_serverless_assumptions_and_their_date() {
    let file = Path::new("examples/pr.json");
    let mut out = Vec::new();
    report(file, &pr_serverless(json!({})), false, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let last = text.lines().last().unwrap();
    assert_eq!(
        last,
        "serverless cache: idle bills the 0.1 GB minimum metered storage at $0.084/GB-hour and no \
         ECPU (an idle environment sends the cache next to nothing); peak is the cache's limits, 5 \
         GB stored and 10000 ECPU/s at $0.0023/million ECPUs (prices collected 2026-12)"
    );
    assert!(
        text.lines()
            .any(|line| line.starts_with("ElastiCache Serverless")
                && line.ends_with("0.0084     0.5028     0.0000")),
        "{text}"
    );
    let mut out = Vec::new();
    report(file, &pr_serverless(json!({})), true, &mut out).unwrap();
    let body: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(body["serverlessCache"]["collected"], "2026-12");
    assert_eq!(body["serverlessCache"]["assumptions"], last);
    // A cluster's report has neither.
    let cluster = EnvironmentSpec::from_value(&serde_json::from_str(PR_SPEC).unwrap()).unwrap();
    let mut out = Vec::new();
    report(file, &cluster, true, &mut out).unwrap();
    let body: Value = serde_json::from_slice(&out).unwrap();
    assert!(body.get("serverlessCache").is_none());
    let mut out = Vec::new();
    report(file, &cluster, false, &mut out).unwrap();
    assert!(!String::from_utf8(out)
        .unwrap()
        .contains("serverless cache:"));
}
