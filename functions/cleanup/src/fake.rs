//! An in-memory Resource Groups Tagging API and Step Functions for the handler's unit tests. It
//! filters and pages resources as GetResources does, keeps executions by name and answers a
//! repeated StartExecution as Step Functions does, and fails a named operation with a given AWS
//! error code when a test asks.

use crate::api::{CallResult, Cloud, ResourcePage, TaggedResource, EXECUTION_ALREADY_EXISTS};
use env_core::recorder::RecordedWorld;
use env_core::tags::Tag;

pub use env_core::error::aws_failure;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    pub arn: String,
    pub name: String,
    pub input: String,
    pub status: String,
}

#[derive(Debug)]
pub struct World {
    pub resources: Vec<TaggedResource>,
    /// GetResources returns at most this many resources per page.
    pub page_size: usize,
    pub executions: Vec<Execution>,
}

impl Default for World {
    fn default() -> Self {
        Self {
            resources: Vec::new(),
            page_size: 100,
            executions: Vec::new(),
        }
    }
}

/// What the services hold, and every call made with the faults a test injects.
#[derive(Debug, Default)]
pub struct FakeCloud(RecordedWorld<World>);

impl FakeCloud {
    /// How many calls of `operation` were made, reads included.
    pub fn count(&self, operation: &str) -> usize {
        self.recorder
            .lock()
            .calls
            .iter()
            .filter(|op| **op == operation)
            .count()
    }
}

env_core::recorded_world!(FakeCloud, World, 0);

impl Cloud for FakeCloud {
    async fn tagged_resources(
        &self,
        filters: &[Tag],
        token: Option<&str>,
    ) -> CallResult<ResourcePage> {
        let world = self.read("GetResources")?;
        // Every filter must match (GetResources, TagFilters: filters are ANDed).
        let matching: Vec<TaggedResource> = world
            .resources
            .iter()
            .filter(|resource| {
                filters
                    .iter()
                    .all(|filter| resource.tag(filter.key) == Some(filter.value.as_str()))
            })
            .cloned()
            .collect();
        let start: usize = token.map_or(0, |token| token.parse().expect("a token this fake gave"));
        let end = (start + world.page_size).min(matching.len());
        Ok(ResourcePage {
            resources: matching[start..end].to_vec(),
            next: (end < matching.len()).then(|| end.to_string()),
        })
    }

    async fn execution_status(&self, execution_arn: &str) -> CallResult<Option<String>> {
        let world = self.read("DescribeExecution")?;
        Ok(world
            .executions
            .iter()
            .find(|execution| execution.arn == execution_arn)
            .map(|execution| execution.status.clone()))
    }

    async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
    ) -> CallResult<String> {
        let mut world = self.read("StartExecution")?;
        let arn = format!(
            "{}:{name}",
            state_machine_arn.replacen(":stateMachine:", ":execution:", 1)
        );
        if let Some(existing) = world.executions.iter().find(|e| e.name == name) {
            // Same name and input while running: the original execution, as if started again;
            // otherwise refused (StartExecution, "Idempotency").
            if existing.input == input && existing.status == "RUNNING" {
                return Ok(existing.arn.clone());
            }
            return Err(aws_failure("StartExecution", EXECUTION_ALREADY_EXISTS));
        }
        world.executions.push(Execution {
            arn: arn.clone(),
            name: name.to_owned(),
            input: input.to_owned(),
            status: "RUNNING".to_owned(),
        });
        Ok(arn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:teardown";

    /// The fake answers a repeated start as Step Functions does, so the handler's tests meet the
    /// same answers the service gives.
    #[tokio::test]
    async fn a_repeated_start_is_idempotent_only_while_running_with_the_same_input() {
        let cloud = FakeCloud::default();
        let first = cloud.start_execution(ARN, "run", "{}").await.unwrap();
        assert_eq!(
            first,
            "arn:aws:states:us-west-2:123456789012:execution:teardown:run"
        );
        assert_eq!(
            cloud.start_execution(ARN, "run", "{}").await.unwrap(),
            first
        );
        let other_input = cloud.start_execution(ARN, "run", "{\"a\":1}").await;
        assert!(other_input.unwrap_err().is_code(EXECUTION_ALREADY_EXISTS));
        cloud.world().executions[0].status = "SUCCEEDED".into();
        let ended = cloud.start_execution(ARN, "run", "{}").await;
        assert!(ended.unwrap_err().is_code(EXECUTION_ALREADY_EXISTS));
        assert_eq!(cloud.world().executions.len(), 1);
    }
}
