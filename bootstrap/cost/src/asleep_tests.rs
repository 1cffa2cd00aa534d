//! What sleeping costs: examples/pr.json awake and asleep with the exact figures the bundled table
//! gives, item by item, a spec that says `asleep: true`, and how the report shows it.

use super::*;
use serde_json::json;

/// examples/pr.json, the pull-request spec the targets are for.
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

/// examples/pr.json awake at idle, by hand: 1 NAT 0.045, 4 IPv4 0.02, ALB with 1 LCU 0.0305,
/// 2 tasks × (0.5 × 0.04048 + 1 × 0.004445), Aurora paused (dbMinCapacity 0), 2 ×
/// cache.t4g.micro 0.032, and (4 secrets 1.60 + key 1.00 + 12 alarms 1.20 + 2 metrics 0.60 +
/// dashboard 3.00) / 730.
const PR_IDLE_HOUR: f64 = 0.045 + 0.02 + 0.0305 + 2.0 * 0.024_685 + 0.032 + 7.4 / 730.0;

/// examples/pr.json asleep, by hand: no NAT, 3 load-balancer addresses 0.015, the load balancer's
/// hour without LCU 0.0225, no task, Aurora paused, no cache node, and (4 secrets 1.60 + key 1.00 +
/// 8 alarms 0.80 + 2 metrics 0.60 + dashboard 3.00) / 730.
const PR_ASLEEP_HOUR: f64 = 0.015 + 0.0225 + 7.0 / 730.0;

#[test]
fn the_pr_example_costs_under_20_cents_idle_and_under_5_cents_asleep() {
    let prices = prices();
    let items = estimate(&pr_spec(json!({})), &prices).unwrap();
    let (idle, _, asleep) = totals(&items);
    assert!(close(idle, PR_IDLE_HOUR), "{idle}");
    assert!(close(asleep, PR_ASLEEP_HOUR), "{asleep}");
    assert_eq!(format!("{idle:.6} {asleep:.6}"), "0.187007 0.047089");
    assert!(idle <= 0.20, "awake at idle: {idle}");
    assert!(asleep <= 0.05, "asleep: {asleep}");
    // A month asleep: $34.375 (7.00 of it the monthly items).
    assert!((asleep * prices.hours_per_month - 34.375).abs() < 1e-6);
    assert!(close(
        asleep_hour(&pr_spec(json!({})), &prices).unwrap(),
        PR_ASLEEP_HOUR
    ));
}

#[test]
fn asleep_only_the_load_balancer_its_addresses_and_the_monthly_items_stay() {
    let items = estimate(&pr_spec(json!({})), &prices()).unwrap();
    let asleep = |name: &str| {
        let item = item(&items, name);
        (item.asleep_hour, item.asleep.as_str())
    };
    assert_eq!(asleep("NAT gateways"), (0.0, asleep::NAT_GATEWAYS));
    let addresses = asleep("Public IPv4 addresses");
    assert!(close(addresses.0, 0.015), "{}", addresses.0);
    assert_eq!(
        addresses.1,
        "3 load balancer; the NAT addresses are released"
    );
    assert_eq!(
        asleep("Application Load Balancer"),
        (0.0225, asleep::LOAD_BALANCER)
    );
    assert_eq!(asleep("Fargate tasks"), (0.0, asleep::TASKS));
    assert_eq!(
        asleep("Aurora Serverless v2"),
        (
            0.0,
            "paused: nothing connects while asleep (dbMinCapacity 0); storage not priced"
        )
    );
    assert_eq!(asleep("ElastiCache nodes"), (0.0, asleep::CACHE_NODES));
    let secrets = asleep("Secrets Manager secrets");
    assert!(close(secrets.0, 1.6 / 730.0));
    assert_eq!(secrets.1, asleep::SECRETS);
    let alarms = asleep("CloudWatch alarms");
    assert!(close(alarms.0, 0.8 / 730.0), "{}", alarms.0);
    assert_eq!(
        alarms.1,
        "8: the cache alarms (2 per node, or the serverless cache's 2) go with the cache"
    );
    for name in [
        "KMS key",
        "CloudWatch custom metrics",
        "CloudWatch dashboard",
    ] {
        let item = item(&items, name);
        assert_eq!(
            (item.asleep_hour, item.asleep.as_str()),
            (item.idle_hour, "stays")
        );
    }
}

#[test]
fn a_spec_that_says_asleep_is_priced_asleep_idle_and_at_peak() {
    let prices = prices();
    let asleep = estimate(&pr_spec(json!({"asleep": true})), &prices).unwrap();
    for item in &asleep {
        assert_eq!(item.idle_hour, item.asleep_hour, "{}", item.name);
        assert_eq!(item.peak_hour, item.asleep_hour, "{}", item.name);
    }
    let (idle, peak, asleep_total) = totals(&asleep);
    assert!(close(idle, PR_ASLEEP_HOUR) && close(peak, PR_ASLEEP_HOUR));
    assert!(close(asleep_total, PR_ASLEEP_HOUR));
    // The same items as awake: only what they cost differs.
    let awake = estimate(&pr_spec(json!({})), &prices).unwrap();
    for (asleep, awake) in asleep.iter().zip(&awake) {
        assert_eq!(
            (asleep.name, &asleep.quantity, &asleep.asleep),
            (awake.name, &awake.quantity, &awake.asleep)
        );
        assert_eq!(asleep.asleep_hour, awake.asleep_hour);
    }
}

#[test]
fn aurora_that_never_pauses_costs_its_minimum_asleep_too() {
    let items = estimate(&pr_spec(json!({"dbMinCapacity": 0.5})), &prices()).unwrap();
    let aurora = item(&items, "Aurora Serverless v2");
    // Writer and reader at 0.5 ACU: $0.12 an hour, asleep or not.
    assert!(close(aurora.asleep_hour, 0.12));
    assert_eq!(
        aurora.asleep,
        "2 instances at 0.5 ACU: with dbMinCapacity above 0 Aurora never pauses"
    );
    let asleep = totals(&items).2;
    assert!(close(asleep, PR_ASLEEP_HOUR + 0.12), "{asleep}");
}

#[test]
fn the_defaults_asleep_keep_no_nat_and_no_cache_node_whatever_their_layout() {
    // Three NAT gateways and four cache.t4g.small nodes awake; none asleep. Aurora's default
    // minimum (0.5 ACU) never pauses.
    let default = EnvironmentSpec::from_value(&json!({
        "environmentSuffix": "pr-1", "containerImage": "x", "selfSignedCertificate": true
    }))
    .unwrap();
    let asleep = asleep_hour(&default, &prices()).unwrap();
    assert!(close(asleep, PR_ASLEEP_HOUR + 0.12), "{asleep}");
}

#[test]
fn the_asleep_figure_of_an_unpriced_node_type_is_the_estimates_error() {
    let spec = pr_spec(json!({"cacheNodeType": "cache.m5.large"}));
    let error = asleep_hour(&spec, &prices()).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("the price table has no price for cacheNodeType \"cache.m5.large\""),
        "{error}"
    );
}

#[test]
fn a_pool_of_an_asleep_spec_is_priced_awake_on_standby() {
    let prices = prices();
    let asleep = pool(&pr_spec(json!({"asleep": true})), 1, &prices).unwrap();
    let awake = pool(&pr_spec(json!({})), 1, &prices).unwrap();
    assert_eq!(asleep, awake);
    assert!(asleep.hourly > PR_ASLEEP_HOUR, "{}", asleep.hourly);
}

#[test]
fn the_text_has_an_asleep_column_its_total_and_what_stays() {
    let prices = prices();
    let items = estimate(&pr_spec(json!({})), &prices).unwrap();
    let text = to_text(&items, &prices);
    let lines: Vec<&str> = text.lines().collect();
    // Header, 11 items, 2 totals, the asleep heading and its 11 lines, the footnote.
    assert_eq!(lines.len(), 27, "{text}");
    assert!(
        lines[0].ends_with("idle $/h   peak $/h asleep $/h"),
        "{text}"
    );
    let row = |name: &str| *lines.iter().find(|line| line.starts_with(name)).unwrap();
    assert!(
        row("NAT gateways").ends_with("    0.0450     0.0450     0.0000"),
        "{text}"
    );
    assert!(
        row("total per hour").ends_with("    0.1870     1.3445     0.0471"),
        "{text}"
    );
    let month = row("total per month (730 h)");
    // $34.375 by hand: the last digit is the float sum's rounding of the half cent.
    let asleep_month = format!("{:>10.2}", totals(&items).2 * 730.0);
    assert!(
        month.ends_with(&format!("    136.52     981.48 {asleep_month}")),
        "{text}"
    );
    assert_eq!(
        lines[14],
        "asleep (envctl env sleep, or sleepAfterIdleMinutes without requests):"
    );
    assert_eq!(
        lines[15],
        format!(
            "  NAT gateways                     0.0000  {}",
            asleep::NAT_GATEWAYS
        )
    );
    assert!(lines[26].starts_with("prices: us-west-2, collected 2026-11;"));
}

#[test]
fn the_json_has_each_items_asleep_figure_and_the_asleep_totals() {
    let prices = prices();
    let items = estimate(&pr_spec(json!({})), &prices).unwrap();
    let body = to_json(&items, &prices);
    assert_eq!(
        body["items"][0],
        json!({
            "item": "NAT gateways",
            "quantity": "1",
            "idlePerHour": 0.045,
            "peakPerHour": 0.045,
            "asleepPerHour": 0.0,
            "whileAsleep": asleep::NAT_GATEWAYS
        })
    );
    let figure = |path: &str| body.pointer(path).unwrap().as_f64().unwrap();
    assert!(close(figure("/asleep/perHour"), PR_ASLEEP_HOUR));
    assert!(close(figure("/asleep/perMonth"), PR_ASLEEP_HOUR * 730.0));
}

#[test]
fn the_report_says_when_the_spec_is_priced_asleep() {
    let file = Path::new("examples/pr.json");
    let text = |spec: &EnvironmentSpec| {
        let mut out = Vec::new();
        report(file, spec, false, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let asleep = text(&pr_spec(json!({"asleep": true})));
    assert!(asleep.starts_with(asleep::PRICED_ASLEEP), "{asleep}");
    let awake = text(&pr_spec(json!({})));
    assert!(awake.starts_with("item "), "{awake}");
    let json_of = |spec: &EnvironmentSpec| {
        let mut out = Vec::new();
        report(file, spec, true, &mut out).unwrap();
        serde_json::from_slice::<Value>(&out).unwrap()
    };
    let body = json_of(&pr_spec(json!({"asleep": true})));
    assert_eq!(body["pricedAsleep"], true);
    assert_eq!(body["spec"], "examples/pr.json");
    assert_eq!(body["idle"], body["asleep"]);
    assert_eq!(json_of(&pr_spec(json!({})))["pricedAsleep"], false);
}
