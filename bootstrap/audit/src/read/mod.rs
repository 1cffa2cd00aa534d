//! Reads an environment's facts through the describe APIs, by the names and tags every function
//! gives its resources (env-core's naming and tags), so a drifted or hand-changed resource is seen
//! as it is. A resource that is not there is left out; the checks report it.

mod compute;
mod data;
mod identity;
mod network;
mod registry;

use super::facts::Environment;
use crate::command::Reach;
use anyhow::Context;
use env_core::naming::Names;
use env_core::spec::EnvironmentSpec;

pub async fn read(reach: Reach<'_>, spec: &EnvironmentSpec) -> anyhow::Result<Environment> {
    let config = reach.config;
    let suffix = spec.suffix();
    let names = Names::new(suffix);
    let mut environment = Environment {
        suffix: suffix.to_string(),
        force_destroy: spec.fields().force_destroy,
        health_check_path: spec.fields().health_check_path.as_str().to_owned(),
        image_repository: spec.fields().container_image.ecr_repository(),
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
    identity::read(reach, names, &mut environment)
        .await
        .context("reading the key, the roles, the log groups and the alarms")?;
    if let Some(repository) = &environment.image_repository {
        let read = registry::read(config, repository).await;
        environment.repository = read.context("reading the image's ECR repository")?;
    }
    Ok(environment)
}
