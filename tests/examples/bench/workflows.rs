//! The workflows at the production poll intervals: each component answers from simulated time
//! (tools/workflow/typical-times.json, the upper ends of the ranges in docs/aws-behaviour.md), so
//! the ASL's own Wait seconds decide how many transitions and invocations a lifecycle takes and
//! when each component is seen READY.

use integration_tests::workflow::{simulated_lifecycle, Execution};
use serde_json::Value;

/// Step Functions Standard: $0.025 per 1,000 state transitions (docs/pricing.md, "confirmed").
const PRICE_PER_TRANSITION: f64 = 0.025 / 1000.0;
/// Lambda: $0.20 per million requests and $0.0000166667 per GB-second on x86_64
/// (docs/pricing.md).
const PRICE_PER_REQUEST: f64 = 0.20 / 1_000_000.0;
const PRICE_PER_GB_SECOND: f64 = 0.000_016_666_7;
/// The functions' memory in deployment (bootstrap/deploy/src/aws/functions.rs): 256 MB.
const MEMORY_GB: f64 = 0.25;

#[derive(Debug)]
pub struct Lifecycle {
    pub provision: Execution,
    pub teardown: Execution,
}

pub fn lifecycle() -> Lifecycle {
    let (provision, teardown) = simulated_lifecycle("bench-1");
    Lifecycle {
        provision,
        teardown,
    }
}

impl Lifecycle {
    pub fn transitions(&self) -> u64 {
        self.provision.transitions + self.teardown.transitions
    }

    pub fn invocations(&self) -> u64 {
        self.provision.invocations + self.teardown.invocations
    }

    /// Step Functions plus Lambda, each invocation billed for `billed_ms` (Lambda bills by the ms).
    pub fn cost(&self, billed_ms: f64) -> (f64, f64) {
        let step_functions = self.transitions() as f64 * PRICE_PER_TRANSITION;
        let per_invocation =
            PRICE_PER_REQUEST + billed_ms / 1000.0 * MEMORY_GB * PRICE_PER_GB_SECOND;
        (step_functions, self.invocations() as f64 * per_invocation)
    }
}

/// The floor the issue names: network, then the slowest of database, cache and edge, then service,
/// at their typical creation times.
pub fn floor_seconds(typical: &Value) -> f64 {
    let create = |component: &str| typical["create"][component].as_f64().unwrap_or(0.0);
    create("network")
        + create("database").max(create("cache")).max(create("edge"))
        + create("service")
}
