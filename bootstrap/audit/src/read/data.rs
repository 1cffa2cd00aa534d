//! Aurora (cluster, instances, the TLS parameter), the Redis replication group and the secrets.

use crate::facts::{Cache, Database, DbInstance, Environment, Secret};
use aws_config::SdkConfig;
use aws_sdk_elasticache::types::NodeGroup;
use aws_sdk_rds::types::{DbCluster, Filter};
use env_core::error::{aws_error, found, AwsCallError, Required};
use env_core::naming::{NameKind, Names};
use env_core::secret_policy::EnvironmentSecret;
use serde_json::Value;

pub async fn read(
    config: &SdkConfig,
    names: Names<'_>,
    env: &mut Environment,
) -> anyhow::Result<()> {
    let master_secret = database(config, names, env).await?;
    env.cache = cache(config, names).await?;
    let secrets = aws_sdk_secretsmanager::Client::new(config);
    // Every secret must rotate: the environment's own with its rotation function, the master
    // user's with RDS.
    let mut wanted: Vec<(String, Option<EnvironmentSecret>)> = EnvironmentSecret::ALL
        .into_iter()
        .map(|kind| (names.of(kind.name_kind()), Some(kind)))
        .collect();
    if let Some(arn) = master_secret {
        wanted.insert(0, (arn, None));
    }
    for (id, kind) in wanted {
        let described = secrets.describe_secret().secret_id(&id).send().await;
        let described = described.map_err(aws_error("DescribeSecret"));
        let Some(described) = found(described, &["ResourceNotFoundException"])? else {
            continue;
        };
        let resource_policy = match kind {
            Some(_) => resource_policy(&secrets, &id).await?,
            None => None,
        };
        env.secrets.push(Secret {
            name: described.name().unwrap_or(&id).to_owned(),
            kms_key_id: described.kms_key_id().map(str::to_owned),
            rotation_enabled: described.rotation_enabled().unwrap_or(false),
            rotation_days: described
                .rotation_rules()
                .and_then(|r| r.automatically_after_days()),
            kind,
            resource_policy,
        });
    }
    Ok(())
}

/// The secret's resource policy, parsed; `None` when it has none (Secrets Manager accepts only
/// JSON policies, so none is lost).
async fn resource_policy(
    secrets: &aws_sdk_secretsmanager::Client,
    id: &str,
) -> anyhow::Result<Option<Value>> {
    let output = secrets
        .get_resource_policy()
        .secret_id(id)
        .send()
        .await
        .map_err(aws_error("GetResourcePolicy"))?;
    Ok(output
        .resource_policy()
        .and_then(|text| serde_json::from_str(text).ok()))
}

/// Reads the cluster into `env.database`; answers the ARN of the master secret RDS manages.
async fn database(
    config: &SdkConfig,
    names: Names<'_>,
    env: &mut Environment,
) -> anyhow::Result<Option<String>> {
    let rds = aws_sdk_rds::Client::new(config);
    let cluster_id = names.of(NameKind::AuroraCluster);
    let described = rds
        .describe_db_clusters()
        .db_cluster_identifier(&cluster_id)
        .send()
        .await;
    let described = described.map_err(aws_error("DescribeDBClusters"));
    let cluster = found(described, &["DBClusterNotFoundFault"])?
        .and_then(|out| out.db_clusters().first().cloned());
    let Some(cluster) = cluster else {
        return Ok(None);
    };
    // Every Aurora cluster has a cluster parameter group (the default one when none is named).
    let parameter_group = cluster
        .db_cluster_parameter_group()
        .required("DBCluster.DBClusterParameterGroup")?;
    let force_ssl = force_ssl(&rds, parameter_group).await?;
    let instances = instances(&rds, &cluster_id, &cluster).await?;
    env.database = Some(Database {
        cluster_id: cluster_id.clone(),
        storage_encrypted: cluster.storage_encrypted().unwrap_or(false),
        kms_key_id: cluster.kms_key_id().map(str::to_owned),
        deletion_protection: cluster.deletion_protection().unwrap_or(false),
        iam_auth: cluster
            .iam_database_authentication_enabled()
            .unwrap_or(false),
        backup_retention_days: cluster.backup_retention_period().unwrap_or(0),
        auto_minor_upgrade: cluster.auto_minor_version_upgrade().unwrap_or(false),
        copy_tags_to_snapshot: cluster.copy_tags_to_snapshot().unwrap_or(false),
        log_exports: cluster.enabled_cloudwatch_logs_exports().to_vec(),
        master_username: cluster
            .master_username()
            .required("DBCluster.MasterUsername")?
            .to_owned(),
        manages_master_password: cluster.master_user_secret().is_some(),
        force_ssl,
        instances,
    });
    Ok(cluster
        .master_user_secret()
        .and_then(|s| s.secret_arn())
        .map(str::to_owned))
}

/// The `rds.force_ssl` parameter's value in the cluster's parameter group.
async fn force_ssl(rds: &aws_sdk_rds::Client, group: &str) -> anyhow::Result<Option<String>> {
    let parameters = rds
        .describe_db_cluster_parameters()
        .db_cluster_parameter_group_name(group)
        .send()
        .await
        .map_err(aws_error("DescribeDBClusterParameters"))?;
    Ok(parameters
        .parameters()
        .iter()
        .find(|p| p.parameter_name() == Some("rds.force_ssl"))
        .and_then(|p| p.parameter_value())
        .map(str::to_owned))
}

/// The cluster's instances, each marked writer or not from the cluster's members.
async fn instances(
    rds: &aws_sdk_rds::Client,
    cluster_id: &str,
    cluster: &DbCluster,
) -> anyhow::Result<Vec<DbInstance>> {
    let instances = rds
        .describe_db_instances()
        .filters(
            Filter::builder()
                .name("db-cluster-id")
                .values(cluster_id)
                .build(),
        )
        .send()
        .await
        .map_err(aws_error("DescribeDBInstances"))?;
    let writer = |id: &str| {
        cluster
            .db_cluster_members()
            .iter()
            .any(|m| m.db_instance_identifier() == Some(id) && m.is_cluster_writer() == Some(true))
    };
    let instances = instances
        .db_instances()
        .iter()
        .map(|i| {
            let id = i
                .db_instance_identifier()
                .required("DBInstance.DBInstanceIdentifier")?
                .to_owned();
            Ok(DbInstance {
                writer: writer(&id),
                id,
                // Absent while RDS is still creating the instance (DBInstance.AvailabilityZone
                // is not required): the audit counts the zones it knows.
                zone: i.availability_zone().map(str::to_owned),
                publicly_accessible: i.publicly_accessible().unwrap_or(false),
                auto_minor_upgrade: i.auto_minor_version_upgrade().unwrap_or(false),
                performance_insights: i.performance_insights_enabled().unwrap_or(false),
                performance_insights_kms: i.performance_insights_kms_key_id().is_some(),
            })
        })
        .collect::<Result<_, AwsCallError>>()?;
    Ok(instances)
}

async fn cache(config: &SdkConfig, names: Names<'_>) -> anyhow::Result<Option<Cache>> {
    let elasticache = aws_sdk_elasticache::Client::new(config);
    let group_id = names.of(NameKind::CacheReplicationGroup);
    let described = elasticache
        .describe_replication_groups()
        .replication_group_id(&group_id)
        .send()
        .await;
    let described = described.map_err(aws_error("DescribeReplicationGroups"));
    let group = found(described, &["ReplicationGroupNotFoundFault"])?
        .and_then(|out| out.replication_groups().first().cloned());
    let Some(group) = group.filter(|g| g.status() != Some("deleting")) else {
        return Ok(None);
    };
    let subnet_group = subnet_group(&elasticache, names).await?;
    Ok(Some(Cache {
        group_id,
        snapshot_retention_days: group.snapshot_retention_limit().unwrap_or(0),
        auto_minor_upgrade: group.auto_minor_version_upgrade().unwrap_or(false),
        automatic_failover: group
            .automatic_failover()
            .is_some_and(|s| s.as_str() == "enabled"),
        multi_az: group.multi_az().is_some_and(|s| s.as_str() == "enabled"),
        at_rest_encryption: group.at_rest_encryption_enabled().unwrap_or(false),
        kms_key_id: group.kms_key_id().map(str::to_owned),
        transit_encryption: group.transit_encryption_enabled().unwrap_or(false),
        transit_mode: group
            .transit_encryption_mode()
            .map(|m| m.as_str().to_owned()),
        auth_token: group.auth_token_enabled().unwrap_or(false),
        subnet_group,
        shards: group.node_groups().iter().map(shard_zones).collect(),
    }))
}

/// The AZ of each node of a shard whose AZ is known: the API reference does not promise
/// NodeGroupMember.PreferredAvailabilityZone (for example while a node is being created).
fn shard_zones(shard: &NodeGroup) -> Vec<String> {
    let members = shard.node_group_members().iter();
    members
        .filter_map(|m| m.preferred_availability_zone().map(str::to_owned))
        .collect()
}

/// The environment's own subnet group, when it exists. ElastiCache fixes a replication group's subnet
/// group at creation (ModifyReplicationGroup cannot change it) and the cache function creates the group
/// with its own, so the group existing is what can drift; moto, besides, does not describe the nodes of a
/// cluster-mode group (DescribeCacheClusters answers CacheClusterNotFound).
async fn subnet_group(
    elasticache: &aws_sdk_elasticache::Client,
    names: Names<'_>,
) -> anyhow::Result<Option<String>> {
    let own = names.of(NameKind::CacheSubnetGroup);
    let described = elasticache
        .describe_cache_subnet_groups()
        .cache_subnet_group_name(&own)
        .send()
        .await;
    let described = described.map_err(aws_error("DescribeCacheSubnetGroups"));
    Ok(found(described, &["CacheSubnetGroupNotFoundFault"])?.map(|_| own))
}
