//! [`Cloud`] over the AWS SDK: one Step Functions call per method, translated to and from the plain
//! types of [`crate::api`]. No decisions are taken here; the moto test drives every method through
//! the binary (tests/tests/integration/waker.rs).

use crate::api::{CallResult, Cloud, ExecutionPage, ExecutionSummary, EXECUTION_DOES_NOT_EXIST};
use aws_config::SdkConfig;
use aws_sdk_sfn::primitives::DateTime;
use env_core::aws::next_page;
use env_core::error::{aws_error, found};

/// ListExecutions' largest page (API reference, ListExecutions, `maxResults`: 0–1000): the
/// environment's latest execution is usually on the first.
const EXECUTIONS_PER_PAGE: i32 = 1000;

#[derive(Debug, Clone)]
pub struct AwsCloud {
    step_functions: aws_sdk_sfn::Client,
}

impl AwsCloud {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            step_functions: aws_sdk_sfn::Client::new(config),
        }
    }
}

impl Cloud for AwsCloud {
    async fn executions(
        &self,
        state_machine_arn: &str,
        token: Option<&str>,
    ) -> CallResult<ExecutionPage> {
        let page = self
            .step_functions
            .list_executions()
            .state_machine_arn(state_machine_arn)
            .max_results(EXECUTIONS_PER_PAGE)
            .set_next_token(token.map(str::to_owned))
            .send()
            .await
            .map_err(aws_error("ListExecutions"))?;
        let executions = page
            .executions()
            .iter()
            .map(|execution| ExecutionSummary {
                name: execution.name().to_owned(),
                arn: execution.execution_arn().to_owned(),
                status: execution.status().as_str().to_owned(),
                started: milliseconds(execution.start_date()),
            })
            .collect();
        Ok(ExecutionPage {
            executions,
            next: next_page(page.next_token()),
        })
    }

    async fn execution_input(&self, execution_arn: &str) -> CallResult<Option<String>> {
        let described = self
            .step_functions
            .describe_execution()
            .execution_arn(execution_arn)
            .send()
            .await
            .map_err(aws_error("DescribeExecution"));
        let described = found(described, &[EXECUTION_DOES_NOT_EXIST])?;
        Ok(described.map(|execution| execution.input().unwrap_or_default().to_owned()))
    }

    async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
    ) -> CallResult<String> {
        let started = self
            .step_functions
            .start_execution()
            .state_machine_arn(state_machine_arn)
            .name(name)
            .input(input)
            .send()
            .await
            .map_err(aws_error("StartExecution"))?;
        Ok(started.execution_arn().to_owned())
    }
}

/// `date` in milliseconds since the epoch.
fn milliseconds(date: &DateTime) -> i64 {
    date.secs() * 1000 + i64::from(date.subsec_nanos() / 1_000_000)
}
