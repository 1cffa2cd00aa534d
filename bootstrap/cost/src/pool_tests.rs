//! The standby estimate and the pool's cost, from the bundled price table.

use super::*;
use crate::estimate;

/// examples/pr.json, the spec the design's pool figures are for.
const PR_SPEC: &str = include_str!("../../../examples/pr.json");

fn pr_spec(extra: Value) -> EnvironmentSpec {
    let mut value: Value = serde_json::from_str(PR_SPEC).unwrap();
    let fields = value.as_object_mut().unwrap();
    fields.extend(extra.as_object().unwrap().clone());
    EnvironmentSpec::from_value(&value).unwrap()
}

fn prices() -> PriceTable {
    PriceTable::bundled().unwrap()
}

fn item<'a>(items: &'a [Item], name: &str) -> &'a Item {
    items.iter().find(|item| item.name == name).unwrap()
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 1e-9
}

/// One standby environment of examples/pr.json, by hand: 1 NAT 0.045 + 4 IPv4 0.02 + ALB with 1
/// LCU 0.0305 + no task + Aurora paused (dbMinCapacity 0) + 2 × cache.t4g.micro 0.032 + (4
/// secrets 1.60 + key 1.00 + 12 alarms 1.20 + 2 metrics 0.60 + dashboard 3.00) / 730.
const PR_STANDBY_HOUR: f64 = 0.045 + 0.02 + 0.0305 + 0.032 + 7.4 / 730.0;

#[test]
fn a_standby_spec_runs_no_task_idle_or_at_peak_and_a_paused_aurora_costs_nothing() {
    let items = estimate(&pr_spec(json!({"standby": true})), &prices()).unwrap();
    let tasks = item(&items, "Fargate tasks");
    assert_eq!((tasks.idle_hour, tasks.peak_hour), (0.0, 0.0));
    assert_eq!(tasks.quantity, "0 (standby) × 0.5 vCPU, 1 GB X86_64");
    // dbMinCapacity 0: paused at idle; up to 2 × 4 ACU at $0.12 once woken.
    let aurora = item(&items, "Aurora Serverless v2");
    assert_eq!(aurora.idle_hour, 0.0);
    assert!(close(aurora.peak_hour, 0.96), "{}", aurora.peak_hour);
    // Everything else is built and billed as for a claimed environment.
    let claimed = estimate(&pr_spec(json!({})), &prices()).unwrap();
    for (standby, claimed) in items.iter().zip(&claimed) {
        if standby.name != "Fargate tasks" {
            assert_eq!(standby, claimed);
        }
    }
    let idle: f64 = items.iter().map(|item| item.idle_hour).sum();
    assert!(close(idle, PR_STANDBY_HOUR), "{idle}");
    // ≈ $0.138 an hour, as docs/warm-pool-design.md §5 says.
    assert_eq!(format!("{idle:.3}"), "0.138");
}

#[test]
fn a_pool_of_the_pr_spec_costs_its_size_in_standby_environments() {
    let prices = prices();
    // The pool spec need not say standby: the fill makes its environments standby.
    let cost = pool(&pr_spec(json!({})), 2, &prices).unwrap();
    assert_eq!(cost.size, 2);
    assert_eq!(cost.items.len(), 11);
    assert_eq!(item(&cost.items, "Fargate tasks").idle_hour, 0.0);
    assert!(close(cost.per_environment_hourly(), PR_STANDBY_HOUR));
    // 2 × 0.137637 = 0.275274 an hour; × 730 = $200.95 a month.
    assert!(close(cost.hourly, 2.0 * PR_STANDBY_HOUR), "{}", cost.hourly);
    assert!(close(cost.monthly, 2.0 * PR_STANDBY_HOUR * 730.0));
    assert_eq!(
        format!("{:.6} {:.2}", cost.hourly, cost.monthly),
        "0.275274 200.95"
    );
    let five = pool(&pr_spec(json!({})), 5, &prices).unwrap();
    assert_eq!(format!("{:.2}", five.monthly), "502.38");
    let none = pool(&pr_spec(json!({})), 0, &prices).unwrap();
    assert_eq!((none.hourly, none.monthly), (0.0, 0.0));
}

#[test]
fn aurora_that_never_pauses_costs_its_minimum_in_the_pool_too() {
    let prices = prices();
    let cost = pool(&pr_spec(json!({"dbMinCapacity": 0.5})), 1, &prices).unwrap();
    // Writer and reader at 0.5 ACU, $0.12 an hour in all.
    let aurora = item(&cost.items, "Aurora Serverless v2");
    assert!(close(aurora.idle_hour, 0.12));
    assert!(
        close(cost.hourly, PR_STANDBY_HOUR + 0.12),
        "{}",
        cost.hourly
    );
}

#[test]
fn a_pool_of_a_node_type_without_a_price_is_the_estimates_error() {
    let spec = pr_spec(json!({"cacheNodeType": "cache.m5.large"}));
    let error = pool(&spec, 2, &prices()).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("the price table has no price for cacheNodeType \"cache.m5.large\""),
        "{error}"
    );
}

#[test]
fn the_text_itemises_one_standby_environment_with_shares_and_the_pools_totals() {
    let prices = prices();
    let cost = pool(&pr_spec(json!({})), 2, &prices).unwrap();
    let text = pool_to_text(&cost, &prices);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 18, "{text}");
    assert_eq!(
        lines[0],
        "one standby environment (no task running, waiting to be claimed):"
    );
    let row = |name: &str| *lines.iter().find(|line| line.starts_with(name)).unwrap();
    // 0.032 of 0.137637: 23 %.
    let cache = row("ElastiCache nodes");
    assert!(cache.ends_with("    0.0320    23%"), "{cache}");
    assert!(cache.contains("2 × cache.t4g.micro"), "{cache}");
    assert!(
        row("Fargate tasks").ends_with("    0.0000     0%"),
        "{text}"
    );
    assert!(row("NAT gateways").ends_with("    0.0450    33%"), "{text}");
    let total = |label: &str| row(label).split_whitespace().last().unwrap().to_owned();
    assert_eq!(total("per standby environment, per hour"), "0.1376");
    assert_eq!(
        total("per standby environment, per month (730 h)"),
        "100.48"
    );
    assert_eq!(total("pool of 2, per hour"), "0.2753");
    assert_eq!(total("pool of 2, per month (730 h)"), "200.95");
    assert!(lines[17].starts_with("prices: us-west-2, collected 2026-11;"));
}

#[test]
fn the_json_names_the_price_table_the_standby_items_and_both_totals() {
    let prices = prices();
    let cost = pool(&pr_spec(json!({})), 2, &prices).unwrap();
    let body = pool_to_json(&cost, &prices);
    assert_eq!(body["priceTable"]["collected"], "2026-11");
    assert_eq!(body["priceTable"]["region"], "us-west-2");
    assert_eq!(body["size"], 2);
    let items = body["standby"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 11);
    assert_eq!(
        items[3],
        json!({"item": "Fargate tasks", "quantity": "0 (standby) × 0.5 vCPU, 1 GB X86_64", "perHour": 0.0})
    );
    let figure = |path: &str| body.pointer(path).unwrap().as_f64().unwrap();
    assert!(close(figure("/standby/perHour"), PR_STANDBY_HOUR));
    assert!(close(figure("/standby/perMonth"), PR_STANDBY_HOUR * 730.0));
    assert!(close(figure("/pool/perHour"), 2.0 * PR_STANDBY_HOUR));
    assert!(close(
        figure("/pool/perMonth"),
        2.0 * PR_STANDBY_HOUR * 730.0
    ));
}

#[test]
fn the_report_writes_the_text_or_the_json_with_the_spec_file() {
    let spec = pr_spec(json!({}));
    let file = Path::new("examples/pr.json");
    let mut text = Vec::new();
    pool_report(file, &spec, 3, false, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("pool of 3, per month (730 h)"), "{text}");
    let mut json_out = Vec::new();
    pool_report(file, &spec, 3, true, &mut json_out).unwrap();
    let body: Value = serde_json::from_slice(&json_out).unwrap();
    assert_eq!(body["spec"], "examples/pr.json");
    assert_eq!(body["size"], 3);
    let unpriced = pr_spec(json!({"cacheNodeType": "cache.x9.huge"}));
    let error = pool_report(file, &unpriced, 3, false, &mut Vec::new()).unwrap_err();
    assert!(error.to_string().contains("cache.x9.huge"), "{error}");
}
