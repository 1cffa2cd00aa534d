//! The crate's plain types to the SDK's Lambda types and back.

use crate::{CallResult, Function, FunctionSettings};
use aws_sdk_lambda::types as lambda;
use env_core::error::Required;
use std::time::SystemTime;

pub(super) fn environment_of(settings: &FunctionSettings) -> lambda::Environment {
    lambda::Environment::builder()
        .set_variables(Some(settings.variables().into_iter().collect()))
        .build()
}

/// Lambda's `LastModified` (`2026-12-05T21:43:27.123+0000`, UTC) to the second.
fn lambda_time(text: &str) -> Option<SystemTime> {
    humantime::parse_rfc3339_weak(&format!("{}Z", text.get(..19)?)).ok()
}

/// GetFunction's configuration as the callers read it.
pub(super) fn function_of(configuration: &lambda::FunctionConfiguration) -> CallResult<Function> {
    let vpc = configuration.vpc_config();
    Ok(Function {
        arn: configuration
            .function_arn()
            .required("FunctionConfiguration.FunctionArn")?
            .to_owned(),
        // Every function has one (Lambda developer guide, "Lambda function states").
        state: configuration
            .state()
            .required("FunctionConfiguration.State")?
            .as_str()
            .to_owned(),
        updating: configuration.last_update_status() == Some(&lambda::LastUpdateStatus::InProgress),
        update_failure: (configuration.last_update_status()
            == Some(&lambda::LastUpdateStatus::Failed))
        .then_some(
            configuration
                .last_update_status_reason()
                // Optional (API reference, FunctionConfiguration): the failure decides, the reason
                // is only logged.
                .unwrap_or("Lambda gave no reason")
                .to_owned(),
        ),
        last_modified: configuration.last_modified().and_then(lambda_time),
        // No VpcConfig: a function outside any VPC, with no subnets and no security groups.
        subnet_ids: vpc
            .map(lambda::VpcConfigResponse::subnet_ids)
            .unwrap_or_default()
            .to_vec(),
        security_group_ids: vpc
            .map(lambda::VpcConfigResponse::security_group_ids)
            .unwrap_or_default()
            .to_vec(),
        code_sha256: configuration
            .code_sha256()
            .required("FunctionConfiguration.CodeSha256")?
            .to_owned(),
        architecture: configuration
            .architectures()
            .first()
            .map_or(
                // "The default architecture value is x86_64" (API reference, FunctionConfiguration).
                lambda::Architecture::X8664.as_str(),
                lambda::Architecture::as_str,
            )
            .to_owned(),
        timeout_seconds: *configuration
            .timeout()
            .as_ref()
            .required("FunctionConfiguration.Timeout")?,
        // No Environment: a function without environment variables.
        environment: configuration
            .environment()
            .and_then(lambda::EnvironmentResponse::variables)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect(),
    })
}

#[cfg(test)]
mod tests;
