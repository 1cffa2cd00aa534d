//! [`SfnCalls`] in memory, for the unit tests of every caller: executions kept by state machine
//! and name, listed newest first in pages (all, or the running ones) as ListExecutions lists them,
//! a repeated StartExecution answered as Step Functions answers it (the running execution for the
//! same input, ExecutionAlreadyExists otherwise), a stop that ends a running execution ABORTED
//! (no error or cause: callers send none), and any operation failed with a given AWS error code when a test asks
//! (an injected `ExecutionDoesNotExist` or `ExecutionAlreadyExists` read as [`crate::Sfn`] reads
//! it).
//! Every call lands in the function's shared [`SharedRecorder`], where a test injects its faults
//! and reads the calls.

use crate::{
    execution_arn, CallResult, Execution, ExecutionPage, ExecutionSummary, Listing, SfnCalls,
    Started, Stop, EXECUTION_ALREADY_EXISTS, EXECUTION_DOES_NOT_EXIST, RUNNING,
};
use env_core::error::{aws_failure, found};
use env_core::recorder::{RecordedWorld, SharedRecorder};

/// One execution the fake holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeExecution {
    pub summary: ExecutionSummary,
    pub input: String,
}

/// What the fake Step Functions holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SfnWorld {
    pub executions: Vec<FakeExecution>,
    /// ListExecutions returns at most this many executions per page.
    pub page_size: usize,
    /// The start time, in milliseconds, the next execution gets.
    pub clock: i64,
    /// The executions (by name) that end SUCCEEDED on their own just before a StopExecution
    /// reaches them: the race between a listing and a stop.
    pub ending: Vec<String>,
    /// StopExecution's answer for an execution that has ended: `None` accepts it and changes
    /// nothing, `Some(code)` fails with that code. The API reference names no error for it, so a
    /// caller's tests try both.
    pub closed_stop: Option<&'static str>,
}

impl Default for SfnWorld {
    fn default() -> Self {
        Self {
            executions: Vec::new(),
            page_size: 100,
            clock: 1_800_000_000_000,
            ending: Vec::new(),
            closed_stop: None,
        }
    }
}

impl SfnWorld {
    /// Records an execution of `state_machine_arn` as if started now, in `status`; answers its ARN.
    pub fn add(
        &mut self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
        status: &str,
    ) -> String {
        self.clock += 1000;
        let arn = execution_arn(state_machine_arn, name);
        self.executions.push(FakeExecution {
            summary: ExecutionSummary {
                name: name.to_owned(),
                arn: arn.clone(),
                status: status.to_owned(),
                started: self.clock,
                stopped: (status != RUNNING).then_some(self.clock),
            },
            input: input.to_owned(),
        });
        arn
    }

    /// The execution named `name` (of whichever state machine).
    pub fn named(&self, name: &str) -> Option<&FakeExecution> {
        self.executions.iter().find(|e| e.summary.name == name)
    }

    fn by_arn(&mut self, arn: &str) -> Option<&mut FakeExecution> {
        self.executions.iter_mut().find(|e| e.summary.arn == arn)
    }
}

#[derive(Debug)]
pub struct FakeSfn {
    recorded: RecordedWorld<SfnWorld>,
}

impl FakeSfn {
    /// No execution yet; the calls land in `recorder`.
    pub fn new(recorder: SharedRecorder) -> Self {
        let mut recorded = RecordedWorld::new(SfnWorld::default());
        recorded.recorder = recorder;
        Self { recorded }
    }

    /// How many calls of `operation` were made, failed ones included.
    pub fn calls(&self, operation: &str) -> usize {
        let recorder = self.recorder.lock();
        recorder.calls.iter().filter(|op| **op == operation).count()
    }
}

impl Default for FakeSfn {
    /// No execution yet; the calls land in a recorder of its own.
    fn default() -> Self {
        Self::new(SharedRecorder::default())
    }
}

env_core::recorded_world!(FakeSfn, SfnWorld, recorded);

impl SfnCalls for FakeSfn {
    async fn executions(
        &self,
        state_machine_arn: &str,
        listing: Listing,
        token: Option<&str>,
    ) -> CallResult<ExecutionPage> {
        let world = self.read("ListExecutions")?;
        let prefix = execution_arn(state_machine_arn, "");
        let mut listed: Vec<ExecutionSummary> = world
            .executions
            .iter()
            .map(|execution| execution.summary.clone())
            .filter(|summary| summary.arn.starts_with(&prefix))
            .filter(|summary| listing == Listing::All || summary.is_running())
            .collect();
        listed.sort_by_key(|summary| std::cmp::Reverse(summary.started));
        let start: usize = token.map_or(0, |token| token.parse().expect("a token this fake gave"));
        let end = (start + world.page_size).min(listed.len());
        Ok(ExecutionPage {
            executions: listed[start..end].to_vec(),
            next: (end < listed.len()).then(|| end.to_string()),
        })
    }

    async fn describe_execution(&self, execution_arn: &str) -> CallResult<Option<Execution>> {
        // An injected ExecutionDoesNotExist reads as the SDK's does: none.
        let Some(mut world) = found(self.read("DescribeExecution"), &[EXECUTION_DOES_NOT_EXIST])?
        else {
            return Ok(None);
        };
        Ok(world.by_arn(execution_arn).map(|execution| Execution {
            name: execution.summary.name.clone(),
            arn: execution.summary.arn.clone(),
            status: execution.summary.status.clone(),
            input: execution.input.clone(),
            started: execution.summary.started,
        }))
    }

    async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
    ) -> CallResult<Started> {
        let Some(mut world) = found(self.write("StartExecution"), &[EXECUTION_ALREADY_EXISTS])?
        else {
            return Ok(Started::NameTaken);
        };
        let arn = execution_arn(state_machine_arn, name);
        match world.by_arn(&arn) {
            // Same name and input while running: the running execution, as if started again.
            Some(existing) if existing.input == input && existing.summary.is_running() => {
                Ok(Started::Running { arn })
            }
            Some(_) => Ok(Started::NameTaken),
            None => Ok(Started::Running {
                arn: world.add(state_machine_arn, name, input, RUNNING),
            }),
        }
    }

    async fn stop_execution(&self, execution_arn: &str) -> CallResult<Stop> {
        let Some(mut world) = found(self.write("StopExecution"), &[EXECUTION_DOES_NOT_EXIST])?
        else {
            return Ok(Stop::NoSuchExecution);
        };
        let clock = world.clock;
        let closed_stop = world.closed_stop;
        let ending = world.ending.clone();
        let Some(execution) = world.by_arn(execution_arn) else {
            return Ok(Stop::NoSuchExecution);
        };
        if ending.contains(&execution.summary.name) {
            execution.summary.status = "SUCCEEDED".to_owned();
            execution.summary.stopped = Some(clock);
        }
        if !execution.summary.is_running() {
            return match closed_stop {
                None => Ok(Stop::Accepted),
                Some(code) => Err(aws_failure("StopExecution", code)),
            };
        }
        execution.summary.status = "ABORTED".to_owned();
        execution.summary.stopped = Some(clock);
        Ok(Stop::Accepted)
    }
}

#[cfg(test)]
mod tests;
