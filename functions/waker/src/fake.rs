//! An in-memory Step Functions for the unit tests: executions kept by state machine and name,
//! listed newest first in pages as ListExecutions lists them, a repeated StartExecution answered
//! as Step Functions answers it (the running execution for the same input, ExecutionAlreadyExists
//! otherwise), and any operation failed with a given AWS error code when a test asks
//! (env_core::recorder).

use crate::api::{CallResult, Cloud, ExecutionPage, ExecutionSummary, EXECUTION_ALREADY_EXISTS};
use env_core::error::aws_failure;
use env_core::recorder::RecordedWorld;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    pub summary: ExecutionSummary,
    pub input: String,
}

#[derive(Debug)]
pub struct World {
    pub executions: Vec<Execution>,
    /// ListExecutions returns at most this many executions per page.
    pub page_size: usize,
    /// The start time the next execution gets.
    pub clock: i64,
}

impl Default for World {
    fn default() -> Self {
        Self {
            executions: Vec::new(),
            page_size: 100,
            clock: 1_800_000_000,
        }
    }
}

impl World {
    /// Records an execution of `state_machine_arn` as if started now, in `status`.
    pub fn add(&mut self, state_machine_arn: &str, name: &str, input: &str, status: &str) {
        self.clock += 1;
        self.executions.push(Execution {
            summary: ExecutionSummary {
                name: name.to_owned(),
                arn: execution_arn(state_machine_arn, name),
                status: status.to_owned(),
                started: self.clock,
            },
            input: input.to_owned(),
        });
    }
}

#[derive(Debug, Default)]
pub struct FakeCloud(RecordedWorld<World>);

env_core::recorded_world!(FakeCloud, World, 0);

impl FakeCloud {
    /// How many calls of `operation` were made, failed ones included.
    pub fn calls(&self, operation: &str) -> usize {
        let recorder = self.recorder.lock();
        recorder.calls.iter().filter(|op| **op == operation).count()
    }
}

impl Cloud for FakeCloud {
    async fn executions(
        &self,
        state_machine_arn: &str,
        token: Option<&str>,
    ) -> CallResult<ExecutionPage> {
        let world = self.read("ListExecutions")?;
        let prefix = execution_arn(state_machine_arn, "");
        let mut listed: Vec<ExecutionSummary> = world
            .executions
            .iter()
            .filter(|execution| execution.summary.arn.starts_with(&prefix))
            .map(|execution| execution.summary.clone())
            .collect();
        listed.sort_by_key(|execution| std::cmp::Reverse(execution.started));
        let start: usize = token.map_or(0, |token| token.parse().expect("a token this fake gave"));
        let end = (start + world.page_size).min(listed.len());
        Ok(ExecutionPage {
            executions: listed[start..end].to_vec(),
            next: (end < listed.len()).then(|| end.to_string()),
        })
    }

    async fn execution_input(&self, execution_arn: &str) -> CallResult<Option<String>> {
        let world = self.read("DescribeExecution")?;
        Ok(world
            .executions
            .iter()
            .find(|execution| execution.summary.arn == execution_arn)
            .map(|execution| execution.input.clone()))
    }

    async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
    ) -> CallResult<String> {
        let mut world = self.write("StartExecution")?;
        let arn = execution_arn(state_machine_arn, name);
        if let Some(existing) = world.executions.iter().find(|e| e.summary.arn == arn) {
            if existing.input == input && existing.summary.status == "RUNNING" {
                return Ok(arn);
            }
            return Err(aws_failure("StartExecution", EXECUTION_ALREADY_EXISTS));
        }
        world.add(state_machine_arn, name, input, "RUNNING");
        Ok(arn)
    }
}

/// The ARN of the execution `name` of the state machine `state_machine_arn`: `execution` for
/// `stateMachine` and the name appended (Service Authorization Reference, execution).
pub fn execution_arn(state_machine_arn: &str, name: &str) -> String {
    let base = state_machine_arn.replacen(":stateMachine:", ":execution:", 1);
    format!("{base}:{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MACHINE: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:provision";

    #[tokio::test]
    async fn a_repeated_start_is_idempotent_only_while_running_with_the_same_input() {
        let cloud = FakeCloud::default();
        let first = cloud.start_execution(MACHINE, "run", "{}").await.unwrap();
        assert_eq!(
            first,
            "arn:aws:states:us-west-2:123456789012:execution:provision:run"
        );
        assert_eq!(
            cloud.start_execution(MACHINE, "run", "{}").await.unwrap(),
            first
        );
        let other = cloud
            .start_execution(MACHINE, "run", "[]")
            .await
            .unwrap_err();
        assert!(other.is_code(EXECUTION_ALREADY_EXISTS));
        cloud.world().executions[0].summary.status = "SUCCEEDED".to_owned();
        let closed = cloud
            .start_execution(MACHINE, "run", "{}")
            .await
            .unwrap_err();
        assert!(closed.is_code(EXECUTION_ALREADY_EXISTS));
        assert_eq!(cloud.world().executions.len(), 1);
    }
}
