//! The backend's Lambda functions: read, created, updated (code, then configuration, each waited
//! out until Lambda has applied it) and deleted.

use crate::api::{FunctionState, Result};
use crate::settle;
use anyhow::Context;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture, Environment, FunctionCode, Runtime};
use env_core::error::{aws_error, found, Required};
use std::collections::BTreeMap;

/// Enough for the slowest component call (an Aurora or ElastiCache create answers within seconds;
/// the waiting is the state machine's), far below Lambda's 900-second maximum.
const FUNCTION_TIMEOUT_SECONDS: i32 = 120;
const FUNCTION_MEMORY_MB: i32 = 256;

#[derive(Debug, Clone)]
pub(super) struct Functions {
    lambda: aws_sdk_lambda::Client,
}

impl Functions {
    pub(super) fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            lambda: aws_sdk_lambda::Client::new(config),
        }
    }

    pub(super) async fn get(&self, name: &str) -> Result<Option<FunctionState>> {
        let got = self.lambda.get_function().function_name(name).send().await;
        let got = got.map_err(aws_error("GetFunction"));
        let Some(got) = found(got, &["ResourceNotFoundException"])? else {
            return Ok(None);
        };
        let configuration = got
            .configuration()
            .required("GetFunctionResponse.Configuration")?;
        // Lambda leaves Environment out of the answer of a function that has no variables.
        let environment: BTreeMap<String, String> = configuration
            .environment()
            .and_then(|e| e.variables())
            .map(|variables| variables.clone().into_iter().collect())
            .unwrap_or_default();
        Ok(Some(FunctionState {
            role_arn: configuration
                .role()
                .required("FunctionConfiguration.Role")?
                .to_owned(),
            architecture: configuration
                .architectures()
                .first()
                .map_or("x86_64", Architecture::as_str)
                .to_owned(),
            code_sha256: configuration
                .code_sha256()
                .required("FunctionConfiguration.CodeSha256")?
                .to_owned(),
            environment,
            reserved_concurrency: got
                .concurrency()
                .and_then(|concurrency| concurrency.reserved_concurrent_executions()),
        }))
    }

    pub(super) async fn create(
        &self,
        name: &str,
        state: &FunctionState,
        zip: Vec<u8>,
    ) -> Result<()> {
        let zip = &zip;
        // The function's role was made moments ago by this deploy.
        settle::while_role_propagates(settle::ROLE_PROPAGATION, || async move {
            self.lambda
                .create_function()
                .function_name(name)
                // Rust on Lambda: the OS-only runtime, the executable named bootstrap (Lambda
                // developer guide, "Building Lambda functions with Rust").
                .runtime(Runtime::Providedal2023)
                .handler("bootstrap")
                .role(&state.role_arn)
                .architectures(Architecture::from(state.architecture.as_str()))
                .timeout(FUNCTION_TIMEOUT_SECONDS)
                .memory_size(FUNCTION_MEMORY_MB)
                .environment(environment(state))
                .code(
                    FunctionCode::builder()
                        .zip_file(Blob::new(zip.clone()))
                        .build(),
                )
                .send()
                .await
                .map_err(aws_error("CreateFunction"))
        })
        .await?;
        Ok(())
    }

    pub(super) async fn update_code(
        &self,
        name: &str,
        architecture: &str,
        zip: Vec<u8>,
    ) -> Result<()> {
        self.lambda
            .update_function_code()
            .function_name(name)
            .architectures(Architecture::from(architecture))
            .zip_file(Blob::new(zip))
            .send()
            .await
            .map_err(aws_error("UpdateFunctionCode"))?;
        // A configuration change right after would be refused while the code update runs.
        self.until_updated(name).await
    }

    pub(super) async fn update_configuration(
        &self,
        name: &str,
        state: &FunctionState,
    ) -> Result<()> {
        settle::while_role_propagates(settle::ROLE_PROPAGATION, || async move {
            self.lambda
                .update_function_configuration()
                .function_name(name)
                .role(&state.role_arn)
                .environment(environment(state))
                .send()
                .await
                .map_err(aws_error("UpdateFunctionConfiguration"))
        })
        .await?;
        self.until_updated(name).await
    }

    pub(super) async fn delete(&self, name: &str) -> Result<bool> {
        let deleted = self
            .lambda
            .delete_function()
            .function_name(name)
            .send()
            .await;
        let deleted = deleted.map_err(aws_error("DeleteFunction"));
        let deleted = found(deleted, &["ResourceNotFoundException"])?;
        Ok(deleted.is_some())
    }

    pub(super) async fn put_concurrency(&self, name: &str, reserved: i32) -> Result<()> {
        let put = self
            .lambda
            .put_function_concurrency()
            .function_name(name)
            .reserved_concurrent_executions(reserved)
            .send()
            .await;
        // Lambda refuses a reservation that would leave fewer than 100 executions unreserved in
        // the account (API reference, PutFunctionConcurrency): new accounts can have less.
        let refused = format!(
            "reserving {reserved} concurrent executions for {name} (the account's Lambda concurrency quota must leave 100 unreserved besides: Service Quotas, \"Concurrent executions\")"
        );
        put.map_err(aws_error("PutFunctionConcurrency"))
            .context(refused)?;
        Ok(())
    }

    /// Waits until Lambda has applied the function's last update (see [`settle`]).
    async fn until_updated(&self, name: &str) -> Result<()> {
        settle::until_updated(name, settle::FUNCTION_UPDATE, || async {
            let got = self
                .lambda
                .get_function()
                .function_name(name)
                .send()
                .await
                .map_err(aws_error("GetFunction"))?;
            let configuration = got.configuration();
            Ok(settle::UpdateStatus::from_lambda(
                configuration
                    .and_then(|c| c.last_update_status())
                    .map(|status| status.as_str()),
                configuration.and_then(|c| c.last_update_status_reason()),
            ))
        })
        .await
    }
}

fn environment(state: &FunctionState) -> Environment {
    Environment::builder()
        .set_variables(Some(state.environment.clone().into_iter().collect()))
        .build()
}
