//! Reads an environment's facts through the describe APIs, by the names and tags every function
//! gives its resources (env-core's naming and tags), so a drifted or hand-changed resource is seen
//! as it is. A resource that is not there is left out; the checks report it.

mod compute;
mod data;
mod identity;
mod network;

use super::facts::Environment;
use anyhow::Context;
use aws_config::SdkConfig;
use env_core::naming::Names;
use env_core::spec::EnvironmentSuffix;

/// An SDK error as text with its code, for the report's error chain.
pub(crate) fn failed<E: std::error::Error + Send + Sync + 'static>(
    what: &'static str,
) -> impl FnOnce(E) -> anyhow::Error {
    move |error| anyhow::Error::new(error).context(what)
}

/// A describe call's answer, with the service's "no such resource" (any `…NotFound…` code, IAM's
/// `NoSuchEntity`) read as `None`: a missing resource is the checks' business, not an error.
pub(crate) fn found<T, E, R>(
    result: Result<T, aws_smithy_runtime_api::client::result::SdkError<E, R>>,
    what: &'static str,
) -> anyhow::Result<Option<T>>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(value) => Ok(Some(value)),
        Err(error) => {
            let code = error
                .as_service_error()
                .and_then(|e| e.code())
                .unwrap_or_default();
            if code.contains("NotFound") || code == "NoSuchEntity" {
                Ok(None)
            } else {
                Err(failed(what)(error))
            }
        }
    }
}

pub async fn read(
    config: &SdkConfig,
    suffix: &EnvironmentSuffix,
    force_destroy: bool,
) -> anyhow::Result<Environment> {
    let names = Names::new(suffix);
    let mut environment = Environment {
        suffix: suffix.to_string(),
        force_destroy,
        ..Environment::default()
    };
    environment.network = network::read(config, suffix)
        .await
        .context("reading the network")?;
    compute::read(config, names, &mut environment)
        .await
        .context("reading the service and the load balancer")?;
    data::read(config, names, &mut environment)
        .await
        .context("reading the database, the cache and the secrets")?;
    identity::read(config, names, &mut environment)
        .await
        .context("reading the key, the roles, the log groups and the alarms")?;
    Ok(environment)
}
