//! Describe one environment: `create` and `status` read everything back from AWS and answer READY
//! with the outputs document; `delete` has nothing to remove and answers DELETED without a call.
//!
//! The document is rebuilt from the environment's deterministic names and tags on every call, never
//! from the workflow's memory, so the CLI or an operator can ask for it at any time and get what
//! exists now. The provision workflow calls it only after every component answered READY: a piece
//! missing then has gone (or was never made) and waiting will not bring it back, so the answer is
//! the `ComponentFailed` error naming every missing piece, not IN_PROGRESS. A sleeping
//! environment (spec `asleep`) has no cache replication group: its document says `"asleep":
//! true`, with an empty `cacheConfigurationEndpoint` and no `cachePort`, instead of failing.

use crate::api::{Cloud, DatabaseCluster, LoadBalancer, Subnet};
use crate::document::{self, Found, Missing};
use cloud_map::CloudMapCalls;
use cloudwatch::CloudWatchCalls;
use ec2::Ec2Calls;
use ecs::EcsCalls;
use elasticache::{ElastiCacheCalls, ServerlessCalls};
use elb::ElbCalls;
use env_core::contract::{Action, Outputs, Request, Response, Status};
use env_core::naming::{NameKind, Names};
use env_core::spec::{CacheMode, EnvironmentSpec};
use env_core::{AwsCallError, ErrorName, NamedError};
use log_groups::LogGroupCalls;
use rds::RdsCalls;
use secrets::SecretCalls;
use sns::SnsCalls;

#[derive(Debug, thiserror::Error)]
pub enum OutputsError {
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error("environment {environment} is incomplete, so it has no outputs document; missing: {}", .missing.join("; "))]
    Incomplete {
        environment: String,
        missing: Vec<String>,
    },
}

impl NamedError for OutputsError {
    fn error_name(&self) -> ErrorName {
        match self {
            OutputsError::Aws(error) => error.error_name(),
            // Every component was READY before this runs: what is missing now will not appear.
            OutputsError::Incomplete { .. } => ErrorName::ComponentFailed,
        }
    }
}

pub async fn handle<C: Cloud>(cloud: &C, request: Request) -> Result<Response, OutputsError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "outputs");
    match request.action {
        Action::Create | Action::Status => describe(cloud, &request.spec).await,
        // Read-only: the components' own deletes remove everything this function reads.
        Action::Delete => Ok(Response::new(Status::Deleted, Outputs::new())),
    }
}

async fn describe<C: Cloud>(cloud: &C, spec: &EnvironmentSpec) -> Result<Response, OutputsError> {
    let found = read(cloud, spec).await?;
    match document::build(spec, cloud.region(), &found) {
        Ok(outputs) => Ok(Response::new(Status::Ready, outputs)),
        Err(Missing(missing)) => {
            tracing::warn!(?missing, "environment incomplete");
            Err(OutputsError::Incomplete {
                environment: spec.suffix().to_string(),
                missing,
            })
        }
    }
}

/// Every lookup, at once: they are independent, and a Lambda waiting on fifteen calls in a row
/// spends most of its time idle.
async fn read<C: Cloud>(cloud: &C, spec: &EnvironmentSpec) -> Result<Found, AwsCallError> {
    let names = Names::new(spec.suffix());
    let [vpc, alb, cluster, service, namespace, aurora, db_app, api_keys, cache_auth, group, log_group, dashboard, topic] =
        [
            NameKind::Vpc,
            NameKind::LoadBalancer,
            NameKind::EcsCluster,
            NameKind::EcsService,
            NameKind::DiscoveryNamespace,
            NameKind::AuroraCluster,
            NameKind::DatabaseSecret,
            NameKind::ApiKeysSecret,
            NameKind::CacheAuthSecret,
            NameKind::CacheReplicationGroup,
            NameKind::ServiceLogGroup,
            NameKind::Dashboard,
            NameKind::AlarmTopic,
        ]
        .map(|kind| names.of(kind));
    let (
        (vpc_ids, subnets),
        load_balancer,
        ecs_cluster,
        ecs_service,
        discovery_services,
        database,
        db_app_secret,
        api_keys_secret,
        cache_auth_secret,
        cache_group,
        log_group,
        dashboard,
        alarm_topic_arn,
    ) = tokio::try_join!(
        network(cloud, spec, &vpc),
        cloud.elb().load_balancer(&alb),
        cloud.ecs().cluster(&cluster),
        cloud.ecs().service(&cluster, &service),
        discovery_services(cloud, &namespace),
        cloud.rds().cluster(&aurora),
        cloud.secrets().describe(&db_app),
        cloud.secrets().describe(&api_keys),
        cloud.secrets().describe(&cache_auth),
        cache_endpoint(cloud, spec, &group),
        cloud.logs().exists(&log_group),
        cloud.cloudwatch().dashboard_exists(&dashboard),
        cloud.sns().find_topic(&topic),
    )?;
    Ok(Found {
        vpc_ids,
        subnets,
        load_balancer: load_balancer.map(LoadBalancer::from),
        cluster_status: ecs_cluster.map(|cluster| cluster.status),
        service_status: ecs_service.map(|service| service.status),
        discovery_services,
        database: database.map(DatabaseCluster::from),
        db_app_secret,
        api_keys_secret,
        cache_auth_secret,
        cache_endpoint: cache_group,
        log_group,
        dashboard,
        alarm_topic_arn,
    })
}

/// The cache's `host:port` as its mode makes it: the replication group's configuration endpoint
/// (named `group`), or the serverless cache's endpoint (`cacheMode: serverless`). `None` without
/// the cache, `Some(None)` while it has no endpoint yet.
async fn cache_endpoint<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    group: &str,
) -> Result<Option<Option<(String, i32)>>, AwsCallError> {
    if spec.fields().cache_mode == CacheMode::Serverless {
        let name = Names::new(spec.suffix()).of(NameKind::ServerlessCache);
        let cache = cloud.elasticache().serverless_cache(&name).await?;
        return Ok(cache.map(|cache| cache.endpoint));
    }
    let found = cloud.elasticache().replication_group(group).await?;
    Ok(found.map(|group| group.configuration_endpoint))
}

/// The environment's VPCs (by its tag) of this name, and the subnets of the one VPC: with none or
/// several there is no answer to give.
async fn network<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    vpc: &str,
) -> Result<(Vec<String>, Vec<Subnet>), AwsCallError> {
    let environment = spec.suffix().as_str();
    // The finder answers the tags it read, and only a VPC that carries both counts.
    let vpc_ids: Vec<String> = (cloud.ec2().vpcs(environment).await?)
        .into_iter()
        .filter(|found| {
            found.labels.name.as_deref() == Some(vpc)
                && found.labels.environment.as_deref() == Some(environment)
        })
        .map(|found| found.labels.id)
        .collect();
    let subnets = match vpc_ids.as_slice() {
        [id] => (cloud.ec2().subnets(id).await?)
            .into_iter()
            .map(Subnet::from)
            .collect(),
        _ => Vec::new(),
    };
    Ok((vpc_ids, subnets))
}

/// The names of the services in the namespace of this name; `None` without the namespace.
async fn discovery_services<C: Cloud>(
    cloud: &C,
    namespace: &str,
) -> Result<Option<Vec<String>>, AwsCallError> {
    let Some(found) = cloud.cloud_map().namespace(namespace).await? else {
        return Ok(None);
    };
    let services = cloud.cloud_map().discovery_services(&found.id).await?;
    Ok(Some(
        services.into_iter().map(|service| service.name).collect(),
    ))
}

#[cfg(test)]
mod tests;
