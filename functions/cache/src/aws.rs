//! [`Cloud`] over the AWS SDK: one SDK call per method, translated to and from the plain types of
//! [`crate::api`]. No decisions are taken here; they are the handler's, where the unit tests reach
//! them. The moto tests drive every method through the binary.

use crate::api::{
    found, CallResult, Cloud, GroupPlan, GroupState, ReplicationGroup, RotationFunction,
};
use aws_config::SdkConfig;
use aws_sdk_elasticache::types as ec;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;
use log_groups::LogGroups;
use secrets::Secrets;

#[derive(Debug, Clone)]
pub struct AwsCloud {
    elasticache: aws_sdk_elasticache::Client,
    lambda: aws_sdk_lambda::Client,
    log_groups: LogGroups,
    secrets: Secrets,
}

impl AwsCloud {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            elasticache: aws_sdk_elasticache::Client::new(config),
            lambda: aws_sdk_lambda::Client::new(config),
            log_groups: LogGroups::new(config),
            secrets: Secrets::new(config),
        }
    }
}

fn cache_tags(tags: &[Tag]) -> Vec<ec::Tag> {
    tags.iter()
        .map(|tag| ec::Tag::builder().key(tag.key).value(&tag.value).build())
        .collect()
}

fn group_of(group: &ec::ReplicationGroup) -> CallResult<ReplicationGroup> {
    Ok(ReplicationGroup {
        id: group
            .replication_group_id()
            .required("ReplicationGroup.ReplicationGroupId")?
            .to_owned(),
        state: GroupState::from_aws(group.status().required("ReplicationGroup.Status")?),
        // Absent until ElastiCache has assigned it, while the group is being created.
        configuration_endpoint: group
            .configuration_endpoint()
            .and_then(|endpoint| Some((endpoint.address()?.to_owned(), endpoint.port()?))),
        members: group.member_clusters().to_vec(),
        slow_log_group: group
            .log_delivery_configurations()
            .iter()
            .filter(|delivery| delivery.log_type() == Some(&ec::LogType::SlowLog))
            .filter_map(|delivery| delivery.destination_details()?.cloud_watch_logs_details())
            .find_map(|details| details.log_group().map(str::to_owned)),
    })
}

fn rotation_function_of(
    configuration: &aws_sdk_lambda::types::FunctionConfiguration,
) -> CallResult<RotationFunction> {
    Ok(RotationFunction {
        arn: configuration
            .function_arn()
            .required("FunctionConfiguration.FunctionArn")?
            .to_owned(),
        active: configuration.state() == Some(&aws_sdk_lambda::types::State::Active),
    })
}

/// The engine's slow log, as JSON, to the plan's log group.
fn slow_log_delivery(plan: &GroupPlan) -> ec::LogDeliveryConfigurationRequest {
    let destination = ec::DestinationDetails::builder()
        .cloud_watch_logs_details(
            ec::CloudWatchLogsDestinationDetails::builder()
                .log_group(&plan.slow_log_group)
                .build(),
        )
        .build();
    ec::LogDeliveryConfigurationRequest::builder()
        .log_type(ec::LogType::SlowLog)
        .destination_type(ec::DestinationType::CloudWatchLogs)
        .destination_details(destination)
        .log_format(ec::LogFormat::Json)
        .enabled(true)
        .build()
}

fn shard_configuration(plan: &GroupPlan) -> Vec<ec::NodeGroupConfiguration> {
    plan.shards
        .iter()
        .map(|shard| {
            ec::NodeGroupConfiguration::builder()
                .node_group_id(&shard.id)
                .primary_availability_zone(&shard.primary_zone)
                .set_replica_availability_zones(Some(shard.replica_zones.clone()))
                .replica_count(plan.replicas_per_shard)
                .build()
        })
        .collect()
}

impl Cloud for AwsCloud {
    type Logs = LogGroups;
    type Secrets = Secrets;

    fn logs(&self) -> &LogGroups {
        &self.log_groups
    }

    fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    async fn replication_group(&self, id: &str) -> CallResult<Option<ReplicationGroup>> {
        let output = self
            .elasticache
            .describe_replication_groups()
            .replication_group_id(id)
            .send()
            .await
            .map_err(aws_error("DescribeReplicationGroups"));
        let output = found(output, &["ReplicationGroupNotFoundFault"])?;
        output
            .and_then(|output| output.replication_groups().first().map(group_of))
            .transpose()
    }

    async fn create_replication_group(&self, plan: &GroupPlan) -> CallResult<()> {
        self.elasticache
            .create_replication_group()
            .replication_group_id(&plan.id)
            .replication_group_description(&plan.description)
            .engine(plan.engine)
            .engine_version(plan.engine_version)
            .cache_parameter_group_name(plan.parameter_group)
            .cache_node_type(&plan.node_type)
            .cluster_mode(ec::ClusterMode::Enabled)
            .num_node_groups(i32::try_from(plan.shards.len()).unwrap_or(i32::MAX))
            .replicas_per_node_group(plan.replicas_per_shard)
            .set_node_group_configuration(Some(shard_configuration(plan)))
            .automatic_failover_enabled(true)
            .multi_az_enabled(true)
            .port(plan.port)
            .cache_subnet_group_name(&plan.subnet_group)
            .security_group_ids(&plan.security_group_id)
            .at_rest_encryption_enabled(true)
            .kms_key_id(&plan.kms_key_arn)
            .transit_encryption_enabled(true)
            .transit_encryption_mode(ec::TransitEncryptionMode::Required)
            .auth_token(plan.auth_token.expose())
            .snapshot_retention_limit(plan.snapshot_retention_days)
            .auto_minor_version_upgrade(true)
            .log_delivery_configurations(slow_log_delivery(plan))
            .set_tags(Some(cache_tags(&plan.tags)))
            .send()
            .await
            .map_err(aws_error("CreateReplicationGroup"))?;
        Ok(())
    }

    async fn delete_replication_group(&self, id: &str) -> CallResult<()> {
        self.elasticache
            .delete_replication_group()
            .replication_group_id(id)
            .retain_primary_cluster(false)
            .send()
            .await
            .map_err(aws_error("DeleteReplicationGroup"))?;
        Ok(())
    }

    async fn subnet_group_exists(&self, name: &str) -> CallResult<bool> {
        let output = self
            .elasticache
            .describe_cache_subnet_groups()
            .cache_subnet_group_name(name)
            .send()
            .await
            .map_err(aws_error("DescribeCacheSubnetGroups"));
        found(output, &["CacheSubnetGroupNotFoundFault"]).map(|output| output.is_some())
    }

    async fn create_subnet_group(
        &self,
        name: &str,
        description: &str,
        subnet_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()> {
        self.elasticache
            .create_cache_subnet_group()
            .cache_subnet_group_name(name)
            .cache_subnet_group_description(description)
            .set_subnet_ids(Some(subnet_ids.to_vec()))
            .set_tags(Some(cache_tags(tags)))
            .send()
            .await
            .map_err(aws_error("CreateCacheSubnetGroup"))?;
        Ok(())
    }

    async fn delete_subnet_group(&self, name: &str) -> CallResult<()> {
        self.elasticache
            .delete_cache_subnet_group()
            .cache_subnet_group_name(name)
            .send()
            .await
            .map_err(aws_error("DeleteCacheSubnetGroup"))?;
        Ok(())
    }

    async fn rotation_function(&self, name: &str) -> CallResult<Option<RotationFunction>> {
        let result = self
            .lambda
            .get_function()
            .function_name(name)
            .send()
            .await
            .map_err(aws_error("GetFunction"));
        let output = found(result, &["ResourceNotFoundException"])?;
        output
            .as_ref()
            .and_then(|output| output.configuration())
            .map(rotation_function_of)
            .transpose()
    }
}
