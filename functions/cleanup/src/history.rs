//! Each environment's executions on the provision, claim and teardown machines, by the environment
//! their names say they are for: what the idle sleep reads an environment's current spec from (the
//! input of its latest provision or claim) and whether anything is under way for it.
//!
//! Step Functions is the record: an execution's name holds its environment's suffix, in every name
//! the backend gives (`<suffix>--<request>` for `envctl env up|down` and the pool's refills,
//! `claim-<pool suffix>`, `cleanup-<suffix>-<first expiry>`, and `rollback-<name>` and
//! `retire-<claim name>` for the teardowns the workflows start: statemachine/*.asl.json).

use crate::api::{CallResult, Cloud, ExecutionSummary};
use crate::pool::all_executions;
use std::collections::BTreeMap;

/// The status of an execution under way (Step Functions API reference, ExecutionStatus).
pub const RUNNING: &str = "RUNNING";

/// One environment's executions, as far as the idle sleep needs them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Its latest provision or claim: the one whose input is its current spec.
    pub bring_up: Option<ExecutionSummary>,
    /// Its latest teardown (`env down`, the cleanup's, a rollback, a retirement).
    pub teardown: Option<ExecutionSummary>,
    /// The names of its executions still running, on any of the machines.
    pub running: Vec<String>,
}

/// Every execution of the `bring_up` machines (provision, and claim when there is one) and of the
/// `teardown` machine, all pages, by environment.
pub async fn histories<C: Cloud>(
    cloud: &C,
    bring_up: &[&str],
    teardown: &str,
) -> CallResult<BTreeMap<String, History>> {
    let mut histories: BTreeMap<String, History> = BTreeMap::new();
    let machines = bring_up
        .iter()
        .map(|machine| (*machine, false))
        .chain([(teardown, true)]);
    for (machine, tears_down) in machines {
        for execution in all_executions(cloud, machine).await? {
            let Some(suffix) = owner(&execution.name) else {
                continue;
            };
            let history = histories.entry(suffix.to_owned()).or_default();
            if execution.status == RUNNING {
                history.running.push(execution.name.clone());
            }
            let latest = if tears_down {
                &mut history.teardown
            } else {
                &mut history.bring_up
            };
            if latest
                .as_ref()
                .is_none_or(|known| known.started < execution.started)
            {
                *latest = Some(execution);
            }
        }
    }
    Ok(histories)
}

/// The environment an execution belongs to, from any name the backend gives (env_core).
pub use env_core::execution_name::owner;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::FakeCloud;

    const PROVISION: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:provision";
    const CLAIM: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:claim";
    const TEARDOWN: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:teardown";

    #[tokio::test]
    async fn each_environment_gets_its_latest_bring_up_and_teardown_and_what_runs() {
        let cloud = FakeCloud::default();
        {
            let mut world = cloud.world();
            world.add_execution(PROVISION, "pr-1--a", "{}", "SUCCEEDED");
            world.add_execution(TEARDOWN, "pr-1--down", "{}", "SUCCEEDED");
            world.add_execution(PROVISION, "pr-1--b", "{}", "SUCCEEDED");
            world.add_execution(CLAIM, "claim-pool-a", "{}", "SUCCEEDED");
            world.add_execution(PROVISION, "pool-a--refill", "{}", "SUCCEEDED");
            world.add_execution(TEARDOWN, "cleanup-pr-2-20261126T030000Z", "{}", RUNNING);
            world.add_execution(PROVISION, "unnamed", "{}", RUNNING);
        }
        let histories = histories(&cloud, &[PROVISION, CLAIM], TEARDOWN)
            .await
            .unwrap();
        assert_eq!(
            histories.keys().collect::<Vec<_>>(),
            ["pool-a", "pr-1", "pr-2"]
        );
        let name = |execution: &Option<ExecutionSummary>| {
            execution.as_ref().map(|execution| execution.name.clone())
        };
        let pr_1 = &histories["pr-1"];
        assert_eq!(name(&pr_1.bring_up).as_deref(), Some("pr-1--b"));
        assert_eq!(name(&pr_1.teardown).as_deref(), Some("pr-1--down"));
        assert!(pr_1.running.is_empty());
        // The claim started before the refill: the refill is the latest.
        let pool = &histories["pool-a"];
        assert_eq!(name(&pool.bring_up).as_deref(), Some("pool-a--refill"));
        let pr_2 = &histories["pr-2"];
        assert_eq!(pr_2.bring_up, None);
        assert_eq!(pr_2.running, ["cleanup-pr-2-20261126T030000Z"]);
        assert_eq!(cloud.count("ListExecutions"), 3);
    }
}
