//! [`SfnCalls`] over the AWS SDK: one Step Functions call per method, translated to and from the
//! plain types of the crate. No decisions are taken here; they are the callers', where their unit
//! tests reach them. The unit tests drive every method through a stand-in HTTP connector
//! (src/aws_tests.rs), the integration tests through the functions' binaries against moto.

use crate::{
    CallResult, Execution, ExecutionPage, ExecutionSummary, Listing, SfnCalls, Started, Stop,
    EXECUTION_ALREADY_EXISTS, EXECUTION_DOES_NOT_EXIST,
};
use aws_config::SdkConfig;
use aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput;
use aws_sdk_sfn::primitives::DateTime;
use aws_sdk_sfn::types::{ExecutionListItem, ExecutionStatus};
use env_core::aws::next_page;
use env_core::error::{aws_error, found, Required};

/// ListExecutions' largest page (API reference, ListExecutions, `maxResults`: "the maximum allowed
/// page size is 1000"): an environment's executions are usually on the first.
const EXECUTIONS_PER_PAGE: i32 = 1000;

#[derive(Debug, Clone)]
pub struct Sfn {
    client: aws_sdk_sfn::Client,
}

impl Sfn {
    pub fn new(config: &SdkConfig) -> Self {
        Self::from_client(aws_sdk_sfn::Client::new(config))
    }

    /// Over a client configured elsewhere (the tests' stand-in connector).
    pub fn from_client(client: aws_sdk_sfn::Client) -> Self {
        Self { client }
    }
}

impl SfnCalls for Sfn {
    async fn executions(
        &self,
        state_machine_arn: &str,
        listing: Listing,
        token: Option<&str>,
    ) -> CallResult<ExecutionPage> {
        let running = (listing == Listing::Running).then_some(ExecutionStatus::Running);
        let page = self
            .client
            .list_executions()
            .state_machine_arn(state_machine_arn)
            .max_results(EXECUTIONS_PER_PAGE)
            .set_status_filter(running)
            .set_next_token(token.map(str::to_owned))
            .send()
            .await
            .map_err(aws_error("ListExecutions"))?;
        Ok(ExecutionPage {
            executions: page.executions().iter().map(summary).collect(),
            next: next_page(page.next_token()),
        })
    }

    async fn describe_execution(&self, execution_arn: &str) -> CallResult<Option<Execution>> {
        let described = self
            .client
            .describe_execution()
            .execution_arn(execution_arn)
            .send()
            .await
            .map_err(aws_error("DescribeExecution"));
        found(described, &[EXECUTION_DOES_NOT_EXIST])?
            .as_ref()
            .map(execution)
            .transpose()
    }

    async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
    ) -> CallResult<Started> {
        let started = self
            .client
            .start_execution()
            .state_machine_arn(state_machine_arn)
            .name(name)
            .input(input)
            .send()
            .await
            .map_err(aws_error("StartExecution"));
        match started {
            Ok(started) => Ok(Started::Running {
                arn: started.execution_arn().to_owned(),
            }),
            Err(error) if error.is_code(EXECUTION_ALREADY_EXISTS) => Ok(Started::NameTaken),
            Err(error) => Err(error),
        }
    }

    async fn stop_execution(&self, execution_arn: &str) -> CallResult<Stop> {
        // No error and no cause: nothing to encrypt, so no KMS permission is needed (API
        // reference, StopExecution).
        let stopped = self
            .client
            .stop_execution()
            .execution_arn(execution_arn)
            .send()
            .await
            .map_err(aws_error("StopExecution"));
        Ok(match found(stopped, &[EXECUTION_DOES_NOT_EXIST])? {
            Some(_) => Stop::Accepted,
            None => Stop::NoSuchExecution,
        })
    }
}

fn summary(execution: &ExecutionListItem) -> ExecutionSummary {
    ExecutionSummary {
        name: execution.name().to_owned(),
        arn: execution.execution_arn().to_owned(),
        status: execution.status().as_str().to_owned(),
        started: milliseconds(execution.start_date()),
        stopped: execution.stop_date().map(milliseconds),
    }
}

/// DescribeExecution's answer; a standard workflow's execution always has a name (API reference,
/// DescribeExecution, `name`), so one without is an incomplete answer.
fn execution(described: &DescribeExecutionOutput) -> CallResult<Execution> {
    Ok(Execution {
        name: described
            .name()
            .required("DescribeExecutionOutput.name")?
            .to_owned(),
        arn: described.execution_arn().to_owned(),
        status: described.status().as_str().to_owned(),
        input: described.input().unwrap_or_default().to_owned(),
        started: milliseconds(described.start_date()),
    })
}

/// `date` in milliseconds since the epoch.
fn milliseconds(date: &DateTime) -> i64 {
    date.secs() * 1000 + i64::from(date.subsec_nanos() / 1_000_000)
}

#[cfg(test)]
#[path = "aws_tests.rs"]
mod tests;
