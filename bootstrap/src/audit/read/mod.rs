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
