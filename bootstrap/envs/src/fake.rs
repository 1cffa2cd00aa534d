//! An in-memory [`Workflows`] for the unit tests: executions advance one scripted state per describe.

use super::admission::{Limit, Usage};
use super::api::{Execution, ExecutionSummary, Result, Start, Workflows};
use envctl_common::tagged::TaggedEnvironment;
use serde_json::Value;
use std::cell::RefCell;
use std::time::{Duration, SystemTime};

#[derive(Debug, Default)]
pub struct FakeWorkflows {
    pub executions: RefCell<Vec<Execution>>,
    /// The statuses a started execution goes through, one per DescribeExecution; the last one stays.
    pub script: Vec<&'static str>,
    pub output: Option<Value>,
    pub describes: RefCell<usize>,
    /// Every execution stopped (StopExecution), by ARN.
    pub stopped: RefCell<Vec<String>>,
    pub invoked: RefCell<Vec<(String, Value)>>,
    pub answer: Value,
    pub environments: Vec<TaggedEnvironment>,
    /// Every expiry set: (suffix, RFC 3339 time).
    pub expiries: RefCell<Vec<(String, String)>>,
    /// The expiry tag of each tagged resource: (environment, tag).
    pub expiry_tags: Vec<(&'static str, Option<&'static str>)>,
    /// Service Quotas' values by quota code; a code not here is unknown to it.
    pub quotas: std::collections::BTreeMap<&'static str, u32>,
    pub usage: Usage,
    /// The caller may not read quotas, or usage.
    pub quotas_refused: bool,
    pub usage_refused: bool,
    /// The state machine whose StartExecution the caller may not call.
    pub start_refused: Option<&'static str>,
}

/// The state machine's name: an ARN's last part.
fn machine_of(machine_arn: &str) -> &str {
    machine_arn
        .rsplit_once(':')
        .map_or(machine_arn, |(_, machine)| machine)
}

impl Workflows for FakeWorkflows {
    async fn account(&self) -> Result<String> {
        Ok("123456789012".into())
    }

    async fn start(&self, machine_arn: &str, name: &str, input: &Value) -> Result<Start> {
        let machine = machine_of(machine_arn);
        if self.start_refused == Some(machine) {
            anyhow::bail!("StartExecution failed: AccessDeniedException: not authorized");
        }
        let arn = format!("arn:aws:states:us-west-2:123456789012:execution:{machine}:{name}");
        let mut executions = self.executions.borrow_mut();
        // One execution per name (StartExecution API reference): the running one of the same input
        // answers as started, anything else is ExecutionAlreadyExists.
        if let Some(found) = executions.iter().find(|execution| execution.arn == arn) {
            return Ok(if found.is_running() && found.input == *input {
                Start::Started
            } else {
                Start::AlreadyExists
            });
        }
        let started = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000 + executions.len() as u64);
        executions.push(Execution {
            arn,
            name: name.into(),
            status: "RUNNING".into(),
            started,
            input: input.clone(),
            output: None,
            error: None,
            cause: None,
        });
        Ok(Start::Started)
    }

    async fn describe(&self, execution_arn: &str) -> Result<Execution> {
        let step = {
            let mut describes = self.describes.borrow_mut();
            *describes += 1;
            *describes - 1
        };
        let mut executions = self.executions.borrow_mut();
        // The commands describe only what they started or listed.
        let execution = executions
            .iter_mut()
            .find(|e| e.arn == execution_arn)
            .expect("an execution the fake started");
        if let Some(status) = self.script.get(step).or(self.script.last()) {
            execution.status = (*status).into();
        }
        if execution.status == "SUCCEEDED" {
            execution.output.clone_from(&self.output);
        }
        if execution.status == "FAILED" {
            execution.error = Some("States.TaskFailed".into());
            execution.cause = Some("network: AccessDenied".into());
        }
        Ok(execution.clone())
    }

    async fn stop(&self, execution_arn: &str) -> Result<()> {
        self.stopped.borrow_mut().push(execution_arn.to_owned());
        let mut executions = self.executions.borrow_mut();
        let execution = executions
            .iter_mut()
            .find(|e| e.arn == execution_arn)
            .expect("an execution the fake started");
        execution.status = "ABORTED".into();
        Ok(())
    }

    async fn current_state(&self, execution_arn: &str) -> Result<Option<String>> {
        Ok(execution_arn
            .contains("provision")
            .then(|| "Network".to_owned()))
    }

    async fn executions(&self, machine_arn: &str) -> Result<Vec<ExecutionSummary>> {
        let machine = machine_of(machine_arn);
        let prefix = format!("execution:{machine}:");
        let listed = self
            .executions
            .borrow()
            .iter()
            .filter(|execution| execution.arn.contains(&prefix))
            .map(|execution| ExecutionSummary {
                arn: execution.arn.clone(),
                name: execution.name.clone(),
                status: execution.status.clone(),
                started: execution.started,
            })
            .collect();
        // Lets concurrent callers (`tokio::join!`) interleave between reading and acting on what
        // they read, where two claimants race in AWS.
        tokio::task::yield_now().await;
        Ok(listed)
    }

    async fn invoke(&self, function: &str, payload: &Value) -> Result<Value> {
        self.invoked
            .borrow_mut()
            .push((function.to_owned(), payload.clone()));
        Ok(self.answer.clone())
    }

    async fn environments(&self) -> Result<Vec<TaggedEnvironment>> {
        Ok(self.environments.clone())
    }

    async fn set_expiry(&self, suffix: &str, expires_at: &str) -> Result<bool> {
        if !self.environments.iter().any(|found| found.suffix == suffix) {
            return Ok(false);
        }
        self.expiries
            .borrow_mut()
            .push((suffix.to_owned(), expires_at.to_owned()));
        Ok(true)
    }

    async fn expiry_tags(&self, suffix: &str) -> Result<Vec<Option<String>>> {
        Ok(self
            .expiry_tags
            .iter()
            .filter(|(environment, _)| *environment == suffix)
            .map(|(_, tag)| tag.map(str::to_owned))
            .collect())
    }

    async fn quota(&self, limit: &Limit) -> Result<Option<u32>> {
        if self.quotas_refused {
            anyhow::bail!("GetServiceQuota failed: AccessDeniedException: not authorized");
        }
        Ok(self.quotas.get(limit.code).copied())
    }

    async fn usage(&self) -> Result<Usage> {
        if self.usage_refused {
            anyhow::bail!("DescribeAddresses failed: UnauthorizedOperation: not authorized");
        }
        Ok(self.usage.clone())
    }
}
