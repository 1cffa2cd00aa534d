//! What a warm pool costs: `size` standby environments built from the pool spec, each waiting to be
//! claimed with everything made but no task running (docs/warm-pool-design.md §5). A standby
//! environment sits idle, so it costs its idle estimate with the tasks at 0; with `dbMinCapacity` 0
//! Aurora is paused too and costs nothing but storage, which is not priced here.

use crate::{estimate_fields, footnote, price_table_json, Item, PriceTable};
use env_core::spec::EnvironmentSpec;
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

/// The cost of a warm pool.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolCost {
    /// How many standby environments the pool keeps.
    pub size: u32,
    /// The whole pool, per hour.
    pub hourly: f64,
    /// The whole pool, per month of the price table's hours (730).
    pub monthly: f64,
    /// One standby environment, itemised; its idle cost is what it costs while it waits.
    pub items: Vec<Item>,
}

impl PoolCost {
    /// One standby environment, per hour.
    pub fn per_environment_hourly(&self) -> f64 {
        self.items.iter().map(|item| item.idle_hour).sum()
    }
}

/// The cost of `size` standby environments built from `spec`, standby or not (the fill makes
/// them standby).
pub fn pool(spec: &EnvironmentSpec, size: u32, prices: &PriceTable) -> anyhow::Result<PoolCost> {
    let mut fields = spec.fields().clone();
    fields.standby = true;
    // A pool environment waits awake to be claimed (standby and asleep exclude each other).
    fields.asleep = false;
    let items = estimate_fields(&fields, prices)?;
    let per_environment: f64 = items.iter().map(|item| item.idle_hour).sum();
    let hourly = f64::from(size) * per_environment;
    Ok(PoolCost {
        size,
        hourly,
        monthly: hourly * prices.hours_per_month,
        items,
    })
}

/// The pool's cost as JSON: the dated price table, one standby environment itemised with its
/// totals, and the pool's totals.
pub fn pool_to_json(cost: &PoolCost, prices: &PriceTable) -> Value {
    let month = prices.hours_per_month;
    let each = cost.per_environment_hourly();
    let rows: Vec<Value> = cost
        .items
        .iter()
        .map(|i| json!({"item": i.name, "quantity": i.quantity, "perHour": i.idle_hour}))
        .collect();
    json!({
        "priceTable": price_table_json(prices),
        "size": cost.size,
        "standby": {"items": rows, "perHour": each, "perMonth": each * month},
        "pool": {"perHour": cost.hourly, "perMonth": cost.monthly},
    })
}

/// The pool's cost as a table: one standby environment's items with each one's share (where a
/// smaller pool spec saves: the cache was 55 % of it in docs/warm-pool-design.md §5), then the
/// totals of one environment and of the pool.
pub fn pool_to_text(cost: &PoolCost, prices: &PriceTable) -> String {
    let month = prices.hours_per_month;
    let each = cost.per_environment_hourly();
    let mut text = format!(
        "one standby environment (no task running, waiting to be claimed):\n{:<28} {:<36} {:>10} {:>6}\n",
        "item", "quantity", "$/h", "share"
    );
    for i in &cost.items {
        // Never a division by 0: the NAT gateway and the load balancer always cost something.
        let share = i.idle_hour / each;
        let row = format!(
            "{:<28} {:<36} {:>10.4} {:>5.0}%\n",
            i.name,
            i.quantity,
            i.idle_hour,
            share * 100.0
        );
        text.push_str(&row);
    }
    let (size, per_month) = (cost.size, format!("per month ({month} h)"));
    let rows = [
        (
            "per standby environment, per hour".to_owned(),
            format!("{each:.4}"),
        ),
        (
            format!("per standby environment, {per_month}"),
            format!("{:.2}", each * month),
        ),
        (
            format!("pool of {size}, per hour"),
            format!("{:.4}", cost.hourly),
        ),
        (
            format!("pool of {size}, {per_month}"),
            format!("{:.2}", cost.monthly),
        ),
    ];
    for (label, figure) in rows {
        text.push_str(&format!("{label:<65} {figure:>10}\n"));
    }
    text.push_str(&footnote(prices));
    text
}

/// `spec cost FILE --pool N`: what a pool of `size` environments built from `spec` costs, as a
/// table or as JSON.
pub fn pool_report(
    file: &Path,
    spec: &EnvironmentSpec,
    size: u32,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let prices = PriceTable::bundled()?;
    let cost = pool(spec, size, &prices)?;
    if json {
        let mut body = pool_to_json(&cost, &prices);
        body["spec"] = json!(file.display().to_string());
        writeln!(out, "{body}")?;
    } else {
        out.write_all(pool_to_text(&cost, &prices).as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "pool_tests.rs"]
mod tests;
