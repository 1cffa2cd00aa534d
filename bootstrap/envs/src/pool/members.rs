//! The pool environments as the three state machines' executions record them.

use super::{Machines, PoolState};
use crate::api::{ExecutionSummary, Workflows};
use env_core::pool::is_pool_suffix;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The environment an execution belongs to, from any name the backend gives, the scheduled
/// cleanup's expiry teardowns (`cleanup-<suffix>-<time>`) included (env_core).
pub use env_core::execution_name::owner;

/// One pool environment: its latest provision and teardown, and its claim.
#[derive(Debug, Clone)]
pub(super) struct Member {
    pub suffix: String,
    pub provision: Option<ExecutionSummary>,
    pub teardown: Option<ExecutionSummary>,
    pub claim: Option<ExecutionSummary>,
    /// The input of the latest provision, read when no claim is recorded: only a standby one
    /// (`spec.standby`) makes the environment available.
    pub provision_input: Option<Value>,
}

impl Member {
    /// Torn down after everything else it ran: it no longer stands.
    fn gone(&self) -> bool {
        let Some(teardown) = &self.teardown else {
            return false;
        };
        [&self.provision, &self.claim]
            .into_iter()
            .flatten()
            .all(|execution| execution.started < teardown.started)
    }

    /// Whether its latest provision is a standby one (a fill or a refill).
    fn standby(&self) -> bool {
        self.provision_input
            .as_ref()
            .is_some_and(|input| input["spec"]["standby"] == json!(true))
    }

    /// Where it is, from the claim if there is one, else from the latest provision.
    pub fn state(&self) -> PoolState {
        let (execution, running, done) = match (&self.claim, &self.provision) {
            (Some(claim), _) => (claim, PoolState::Claiming, PoolState::Claimed),
            // Step Functions keeps a closed execution 90 days (Step Functions service quotas,
            // execution history retention), then `claim-<suffix>` is gone while the pull
            // request's own later provisions (not standby) remain: still that pull request's.
            (None, Some(_)) if !self.standby() => return PoolState::Claimed,
            (None, Some(provision)) => (provision, PoolState::Refilling, PoolState::Available),
            (None, None) => return PoolState::Failed,
        };
        match execution.status.as_str() {
            "RUNNING" => running,
            "SUCCEEDED" => done,
            _ => PoolState::Failed,
        }
    }

    /// Its standby provision's input, while it is available.
    pub fn available(&self) -> Option<&Value> {
        let available = self.state() == PoolState::Available;
        self.provision_input.as_ref().filter(|_| available)
    }

    /// The name of the execution [`Member::state`] reads.
    pub fn latest_name(&self) -> &str {
        self.claim
            .as_ref()
            .or(self.provision.as_ref())
            .map_or("", |execution| execution.name.as_str())
    }
}

/// Every pool environment any machine has an execution of, by suffix.
pub(super) struct Members(BTreeMap<String, Member>);

impl Members {
    pub async fn read(cloud: &impl Workflows, machines: &Machines) -> anyhow::Result<Self> {
        let mut members = BTreeMap::new();
        let machines = [
            (&machines.provision, Slot::Provision),
            (&machines.teardown, Slot::Teardown),
            (&machines.claim, Slot::Claim),
        ];
        for (machine, slot) in machines {
            for execution in cloud.executions(machine).await? {
                let Some(suffix) = owner(&execution.name).filter(|s| is_pool_suffix(s)) else {
                    continue;
                };
                let member = members.entry(suffix.to_owned()).or_insert_with(|| Member {
                    suffix: suffix.to_owned(),
                    provision: None,
                    teardown: None,
                    claim: None,
                    provision_input: None,
                });
                let held = match slot {
                    Slot::Provision => &mut member.provision,
                    Slot::Teardown => &mut member.teardown,
                    Slot::Claim => &mut member.claim,
                };
                if held.as_ref().is_none_or(|h| execution.started > h.started) {
                    *held = Some(execution);
                }
            }
        }
        // Only the input tells a standby provision from a pull request's redeploy; a claimed
        // environment's state comes from its claim, a torn-down one's from nothing.
        for member in members.values_mut() {
            let Some(provision) = member.provision.as_ref() else {
                continue;
            };
            if member.claim.is_none() && !member.gone() {
                let described = cloud.describe(&provision.arn).await?;
                member.provision_input = Some(described.input);
            }
        }
        Ok(Self(members))
    }

    /// The environments that stand: not torn down since.
    pub fn standing(&self) -> impl Iterator<Item = &Member> {
        self.0.values().filter(|member| !member.gone())
    }
}

#[derive(Clone, Copy)]
enum Slot {
    Provision,
    Teardown,
    Claim,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    #[test]
    fn a_pool_environment_with_nothing_but_a_teardown_is_gone_and_reads_as_failed() {
        let teardown = ExecutionSummary {
            arn: "arn:aws:states:us-west-2:123456789012:execution:teardown:pool-a--down".into(),
            name: "pool-a--down".into(),
            status: "SUCCEEDED".into(),
            started: SystemTime::UNIX_EPOCH,
        };
        let member = Member {
            suffix: "pool-a".into(),
            provision: None,
            teardown: Some(teardown),
            claim: None,
            provision_input: None,
        };
        assert!(member.gone());
        assert_eq!(member.state(), PoolState::Failed);
        assert_eq!(member.latest_name(), "");
        assert_eq!(member.available(), None);
    }
}
