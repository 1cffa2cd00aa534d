//! One SDK call per [`ElastiCacheCalls`] method.

use super::convert::{cache_tags, group_of, shard_configuration, slow_log_delivery};
use super::ElastiCache;
use crate::{CallResult, ElastiCacheCalls, GroupPlan, ReplicationGroup, Sensitive};
use aws_sdk_elasticache::types as ec;
use env_core::error::{aws_error, found};
use env_core::tags::Tag;

impl ElastiCacheCalls for ElastiCache {
    async fn replication_group(&self, id: &str) -> CallResult<Option<ReplicationGroup>> {
        let output = self
            .client
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
        self.client
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

    async fn rotate_auth_token(&self, id: &str, token: &Sensitive) -> CallResult<()> {
        self.client
            .modify_replication_group()
            .replication_group_id(id)
            .auth_token(token.expose())
            .auth_token_update_strategy(ec::AuthTokenUpdateStrategyType::Rotate)
            .apply_immediately(true)
            .send()
            .await
            .map_err(aws_error("ModifyReplicationGroup"))?;
        Ok(())
    }

    async fn delete_replication_group(&self, id: &str) -> CallResult<()> {
        self.client
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
            .client
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
        self.client
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
        self.client
            .delete_cache_subnet_group()
            .cache_subnet_group_name(name)
            .send()
            .await
            .map_err(aws_error("DeleteCacheSubnetGroup"))?;
        Ok(())
    }
}
