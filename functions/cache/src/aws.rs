//! [`Cloud`] over the AWS SDK: one SDK call per method, translated to and from the plain types of
//! [`crate::api`]. No decisions are taken here; they are the handler's, where the unit tests reach
//! them. The moto tests drive every method through the binary.

use crate::api::{
    found, CallResult, Cloud, GroupPlan, GroupState, ReplicationGroup, RotationFunction, Secret,
    Sensitive,
};
use aws_config::SdkConfig;
use aws_sdk_elasticache::types as ec;
use aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;
use log_groups::LogGroups;

#[derive(Debug, Clone)]
pub struct AwsCloud {
    elasticache: aws_sdk_elasticache::Client,
    secrets: aws_sdk_secretsmanager::Client,
    lambda: aws_sdk_lambda::Client,
    log_groups: LogGroups,
}

impl AwsCloud {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            elasticache: aws_sdk_elasticache::Client::new(config),
            secrets: aws_sdk_secretsmanager::Client::new(config),
            lambda: aws_sdk_lambda::Client::new(config),
            log_groups: LogGroups::new(config),
        }
    }
}

fn cache_tags(tags: &[Tag]) -> Vec<ec::Tag> {
    tags.iter()
        .map(|tag| ec::Tag::builder().key(tag.key).value(&tag.value).build())
        .collect()
}

fn secret_tags(tags: &[Tag]) -> Vec<aws_sdk_secretsmanager::types::Tag> {
    tags.iter()
        .map(|tag| {
            aws_sdk_secretsmanager::types::Tag::builder()
                .key(tag.key)
                .value(&tag.value)
                .build()
        })
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

fn secret_of(output: &DescribeSecretOutput) -> CallResult<Secret> {
    // Absent until the secret's rotation is first configured (API reference, DescribeSecret).
    let enabled = output.rotation_enabled().unwrap_or(false);
    let days = output
        .rotation_rules()
        .and_then(|rules| rules.automatically_after_days());
    Ok(Secret {
        arn: output.arn().required("DescribeSecret.ARN")?.to_owned(),
        pending_deletion: output.deleted_date().is_some(),
        // A rotation its service manages has no function (Secrets Manager user guide, "Managed
        // rotation"): not one with the environment's rotation function either.
        rotation: output
            .rotation_lambda_arn()
            .filter(|_| enabled)
            .map(|lambda| (lambda.to_owned(), days)),
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

    fn logs(&self) -> &LogGroups {
        &self.log_groups
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

    async fn secret(&self, name: &str) -> CallResult<Option<Secret>> {
        let output = self
            .secrets
            .describe_secret()
            .secret_id(name)
            .send()
            .await
            .map_err(aws_error("DescribeSecret"));
        let output = found(output, &["ResourceNotFoundException"])?;
        output.as_ref().map(secret_of).transpose()
    }

    async fn random_password(&self, length: i64) -> CallResult<Sensitive> {
        let output = self
            .secrets
            .get_random_password()
            .password_length(length)
            .exclude_punctuation(true)
            .include_space(false)
            .send()
            .await
            .map_err(aws_error("GetRandomPassword"))?;
        Ok(Sensitive::new(
            output
                .random_password()
                .required("GetRandomPassword.RandomPassword")?
                .to_owned(),
        ))
    }

    async fn create_secret(
        &self,
        name: &str,
        description: &str,
        kms_key_arn: &str,
        value: &Sensitive,
        tags: &[Tag],
    ) -> CallResult<String> {
        let output = self
            .secrets
            .create_secret()
            .name(name)
            .description(description)
            .kms_key_id(kms_key_arn)
            .secret_string(value.expose())
            .set_tags(Some(secret_tags(tags)))
            .send()
            .await
            .map_err(aws_error("CreateSecret"))?;
        Ok(output.arn().required("CreateSecret.ARN")?.to_owned())
    }

    async fn secret_value(&self, arn: &str) -> CallResult<Option<Sensitive>> {
        let output = self
            .secrets
            .get_secret_value()
            .secret_id(arn)
            .version_stage("AWSCURRENT")
            .send()
            .await
            .map_err(aws_error("GetSecretValue"))?;
        // None for a value stored as SecretBinary (API reference, GetSecretValue).
        Ok(output
            .secret_string()
            .map(|value| Sensitive::new(value.to_owned())))
    }

    async fn put_secret_value(&self, arn: &str, value: &Sensitive) -> CallResult<()> {
        self.secrets
            .put_secret_value()
            .secret_id(arn)
            .secret_string(value.expose())
            .send()
            .await
            .map_err(aws_error("PutSecretValue"))?;
        Ok(())
    }

    async fn put_secret_policy(&self, arn: &str, policy: &str) -> CallResult<()> {
        self.secrets
            .put_resource_policy()
            .secret_id(arn)
            .resource_policy(policy)
            .block_public_policy(true)
            .send()
            .await
            .map_err(aws_error("PutResourcePolicy"))?;
        Ok(())
    }

    async fn rotate_with(&self, secret_arn: &str, lambda_arn: &str, days: i64) -> CallResult<()> {
        self.secrets
            .rotate_secret()
            .secret_id(secret_arn)
            .rotation_lambda_arn(lambda_arn)
            .rotation_rules(
                aws_sdk_secretsmanager::types::RotationRulesType::builder()
                    .automatically_after_days(days)
                    .build(),
            )
            .rotate_immediately(true)
            .send()
            .await
            .map_err(aws_error("RotateSecret"))?;
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

    async fn delete_secret(&self, arn: &str) -> CallResult<()> {
        self.secrets
            .delete_secret()
            .secret_id(arn)
            .force_delete_without_recovery(true)
            .send()
            .await
            .map_err(aws_error("DeleteSecret"))?;
        Ok(())
    }
}
