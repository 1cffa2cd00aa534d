//! An in-memory Resource Groups Tagging API, Step Functions and CloudWatch for the handler's unit
//! tests. It filters and pages resources as GetResources does, keeps executions by state machine
//! and name, answers a repeated StartExecution as Step Functions does (one execution of a name per
//! state machine), lists them newest first in pages as ListExecutions does, answers a load
//! balancer's request counts within a time range as GetMetricData does (no value for a minute
//! without requests), and fails a named operation with a given AWS error code when a test asks.

use crate::api::{
    CallResult, Cloud, ExecutionPage, ExecutionSummary, RequestCounts, ResourcePage,
    TaggedResource, EXECUTION_ALREADY_EXISTS, METRIC_DATA_COMPLETE,
};
pub use crate::settings::execution_arn;
use env_core::recorder::RecordedWorld;
use env_core::tags::Tag;
use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

pub use env_core::error::aws_failure;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    pub arn: String,
    pub name: String,
    pub input: String,
    pub status: String,
    /// The fake's clock when it started: later executions have larger values.
    pub started: i64,
    /// When it ended, in seconds since the epoch; `None` while it runs.
    pub stopped: Option<i64>,
}

#[derive(Debug)]
pub struct World {
    pub resources: Vec<TaggedResource>,
    /// GetResources returns at most this many resources per page.
    pub page_size: usize,
    pub executions: Vec<Execution>,
    /// ListExecutions returns at most this many executions per page.
    pub execution_page_size: usize,
    /// The start time the next execution gets.
    pub clock: i64,
    /// Each load balancer's (`LoadBalancer` dimension) request count per minute, by the minute's
    /// time in seconds since the epoch; only minutes that had requests, as ELB reports them.
    pub requests: BTreeMap<String, Vec<(i64, f64)>>,
    /// The `StatusCode` GetMetricData answers with.
    pub metric_status: String,
}

impl Default for World {
    fn default() -> Self {
        Self {
            resources: Vec::new(),
            page_size: 100,
            executions: Vec::new(),
            execution_page_size: 100,
            clock: 1_800_000_000,
            requests: BTreeMap::new(),
            metric_status: METRIC_DATA_COMPLETE.to_owned(),
        }
    }
}

impl World {
    /// Records an execution of `state_machine_arn` as if started now, in `status`.
    pub fn add_execution(
        &mut self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
        status: &str,
    ) {
        self.clock += 1;
        self.executions.push(Execution {
            arn: execution_arn(state_machine_arn, name),
            name: name.to_owned(),
            input: input.to_owned(),
            status: status.to_owned(),
            started: self.clock,
            stopped: None,
        });
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
        let arn = execution_arn(state_machine_arn, name);
        // A name is unique per state machine: the ARN holds both.
        if let Some(existing) = world.executions.iter().find(|e| e.arn == arn) {
            // Same name and input while running: the original execution, as if started again;
            // otherwise refused (StartExecution, "Idempotency").
            if existing.input == input && existing.status == "RUNNING" {
                return Ok(existing.arn.clone());
            }
            return Err(aws_failure("StartExecution", EXECUTION_ALREADY_EXISTS));
        }
        world.add_execution(state_machine_arn, name, input, "RUNNING");
        Ok(arn)
    }

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
            .filter(|execution| execution.arn.starts_with(&prefix))
            .map(|execution| ExecutionSummary {
                name: execution.name.clone(),
                arn: execution.arn.clone(),
                status: execution.status.clone(),
                started: execution.started,
                stopped: execution.stopped,
            })
            .collect();
        // "Results are sorted by time, with the most recent execution first" (ListExecutions).
        listed.sort_by_key(|execution| std::cmp::Reverse(execution.started));
        let start: usize = token.map_or(0, |token| token.parse().expect("a token this fake gave"));
        let end = (start + world.execution_page_size).min(listed.len());
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
            .find(|execution| execution.arn == execution_arn)
            .map(|execution| execution.input.clone()))
    }

    async fn request_counts(
        &self,
        load_balancer: &str,
        start: SystemTime,
        end: SystemTime,
    ) -> CallResult<RequestCounts> {
        let world = self.read("GetMetricData")?;
        let seconds = |time: SystemTime| {
            let since = time.duration_since(UNIX_EPOCH).expect("after 1970");
            i64::try_from(since.as_secs()).expect("a time before 2262")
        };
        // StartTime is inclusive and EndTime exclusive (API reference, GetMetricData).
        let (start, end) = (seconds(start), seconds(end));
        let values = world
            .requests
            .get(load_balancer)
            .into_iter()
            .flatten()
            .filter(|(minute, _)| (start..end).contains(minute))
            .map(|(_, count)| *count)
            .collect();
        Ok(RequestCounts {
            values,
            status: world.metric_status.clone(),
        })
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

        // The same name on another state machine is another execution.
        let other = ARN.replace(":teardown", ":provision");
        let second = cloud.start_execution(&other, "run", "{}").await.unwrap();
        assert_eq!(
            second,
            "arn:aws:states:us-west-2:123456789012:execution:provision:run"
        );
        assert_eq!(cloud.world().executions.len(), 2);
    }

    #[tokio::test]
    async fn executions_are_listed_per_state_machine_newest_first_in_pages() {
        let cloud = FakeCloud::default();
        let other = ARN.replace(":teardown", ":provision");
        for name in ["a", "b", "c"] {
            cloud.start_execution(ARN, name, "{}").await.unwrap();
        }
        cloud.start_execution(&other, "d", "{}").await.unwrap();
        cloud.world().execution_page_size = 2;
        let first = cloud.executions(ARN, None).await.unwrap();
        let names: Vec<&str> = first.executions.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["c", "b"]);
        assert_eq!(first.next.as_deref(), Some("2"));
        let second = cloud.executions(ARN, Some("2")).await.unwrap();
        assert_eq!(second.executions[0].name, "a");
        assert_eq!(second.next, None);
        let input = cloud.execution_input(&second.executions[0].arn).await;
        assert_eq!(input.unwrap().as_deref(), Some("{}"));
        let never = cloud.execution_input(&execution_arn(ARN, "z")).await;
        assert_eq!(never.unwrap(), None);
    }
}
