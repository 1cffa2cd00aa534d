//! One SDK call per [`RdsCalls`] method.

use super::convert::{cluster, engine_version, instance};
use super::{rds, rds_tags, Rds};
use crate::{
    CallResult, Cluster, ClusterSettings, EngineVersion, Instance, InstanceSettings, RdsCalls,
    Scaling,
};
use env_core::error::{aws_error, found};
use env_core::tags::Tag;

impl RdsCalls for Rds {
    async fn subnet_group_exists(&self, name: &str) -> CallResult<bool> {
        let result = self
            .client
            .describe_db_subnet_groups()
            .db_subnet_group_name(name)
            .send()
            .await
            .map_err(aws_error("DescribeDBSubnetGroups"));
        let groups = found(result, &["DBSubnetGroupNotFoundFault"])?;
        Ok(groups.is_some_and(|output| !output.db_subnet_groups().is_empty()))
    }

    async fn create_subnet_group(
        &self,
        name: &str,
        subnet_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()> {
        self.client
            .create_db_subnet_group()
            .db_subnet_group_name(name)
            .db_subnet_group_description("Private subnets of the environment's Aurora cluster")
            .set_subnet_ids(Some(subnet_ids.to_vec()))
            .set_tags(rds_tags(tags))
            .send()
            .await
            .map_err(aws_error("CreateDBSubnetGroup"))?;
        Ok(())
    }

    async fn delete_subnet_group(&self, name: &str) -> CallResult<()> {
        self.client
            .delete_db_subnet_group()
            .db_subnet_group_name(name)
            .send()
            .await
            .map_err(aws_error("DeleteDBSubnetGroup"))?;
        Ok(())
    }

    async fn parameter_group_exists(&self, name: &str) -> CallResult<bool> {
        let result = self
            .client
            .describe_db_cluster_parameter_groups()
            .db_cluster_parameter_group_name(name)
            .send()
            .await
            .map_err(aws_error("DescribeDBClusterParameterGroups"));
        let groups = found(result, &["DBParameterGroupNotFound"])?;
        Ok(groups.is_some_and(|output| !output.db_cluster_parameter_groups().is_empty()))
    }

    async fn create_parameter_group(
        &self,
        name: &str,
        family: &str,
        tags: &[Tag],
    ) -> CallResult<()> {
        self.client
            .create_db_cluster_parameter_group()
            .db_cluster_parameter_group_name(name)
            .db_parameter_group_family(family)
            .description("Aurora PostgreSQL settings of the environment: TLS required")
            .set_tags(rds_tags(tags))
            .send()
            .await
            .map_err(aws_error("CreateDBClusterParameterGroup"))?;
        Ok(())
    }

    async fn set_parameter(&self, group: &str, name: &str, value: &str) -> CallResult<()> {
        let parameter = rds::Parameter::builder()
            .parameter_name(name)
            .parameter_value(value)
            .apply_method(rds::ApplyMethod::Immediate)
            .build();
        self.client
            .modify_db_cluster_parameter_group()
            .db_cluster_parameter_group_name(group)
            .parameters(parameter)
            .send()
            .await
            .map_err(aws_error("ModifyDBClusterParameterGroup"))?;
        Ok(())
    }

    async fn delete_parameter_group(&self, name: &str) -> CallResult<()> {
        self.client
            .delete_db_cluster_parameter_group()
            .db_cluster_parameter_group_name(name)
            .send()
            .await
            .map_err(aws_error("DeleteDBClusterParameterGroup"))?;
        Ok(())
    }

    async fn engine_versions(&self, engine: &str, family: &str) -> CallResult<Vec<EngineVersion>> {
        let mut pages = self
            .client
            .describe_db_engine_versions()
            .engine(engine)
            .db_parameter_group_family(family)
            .into_paginator()
            .send();
        let mut versions = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(aws_error("DescribeDBEngineVersions"))?;
            for version in page.db_engine_versions() {
                versions.push(engine_version(version)?);
            }
        }
        Ok(versions)
    }

    async fn cluster(&self, id: &str) -> CallResult<Option<Cluster>> {
        let result = self
            .client
            .describe_db_clusters()
            .db_cluster_identifier(id)
            .send()
            .await
            .map_err(aws_error("DescribeDBClusters"));
        let output = found(result, &["DBClusterNotFoundFault"])?;
        output
            .and_then(|output| output.db_clusters().first().map(cluster))
            .transpose()
    }

    async fn create_cluster(&self, settings: &ClusterSettings) -> CallResult<()> {
        let scaling = rds::ServerlessV2ScalingConfiguration::builder()
            .min_capacity(settings.min_capacity)
            .max_capacity(settings.max_capacity)
            .set_seconds_until_auto_pause(settings.seconds_until_auto_pause)
            .build();
        self.client
            .create_db_cluster()
            .db_cluster_identifier(&settings.id)
            .engine(settings.engine)
            .engine_version(&settings.engine_version)
            // Serverless v2 runs in a provisioned cluster (Aurora user guide, "Creating a DB
            // cluster that uses Aurora Serverless v2").
            .engine_mode("provisioned")
            .serverless_v2_scaling_configuration(scaling)
            .db_subnet_group_name(&settings.subnet_group)
            .db_cluster_parameter_group_name(&settings.parameter_group)
            .set_vpc_security_group_ids(Some(settings.security_group_ids.clone()))
            .storage_encrypted(true)
            .kms_key_id(&settings.kms_key_arn)
            .master_username(settings.master_username)
            .manage_master_user_password(true)
            .master_user_secret_kms_key_id(&settings.kms_key_arn)
            .database_name(settings.database_name)
            .port(settings.port)
            .backup_retention_period(settings.backup_retention_days)
            .set_enable_cloudwatch_logs_exports(Some(
                settings.log_exports.iter().map(|l| l.to_string()).collect(),
            ))
            .enable_iam_database_authentication(true)
            .copy_tags_to_snapshot(true)
            .deletion_protection(settings.deletion_protection)
            .set_tags(rds_tags(&settings.tags))
            .send()
            .await
            .map_err(aws_error("CreateDBCluster"))?;
        Ok(())
    }

    async fn lift_deletion_protection(&self, id: &str) -> CallResult<()> {
        self.client
            .modify_db_cluster()
            .db_cluster_identifier(id)
            .deletion_protection(false)
            .apply_immediately(true)
            .send()
            .await
            .map_err(aws_error("ModifyDBCluster"))?;
        Ok(())
    }

    async fn set_scaling(&self, id: &str, scaling: &Scaling) -> CallResult<()> {
        let range = rds::ServerlessV2ScalingConfiguration::builder()
            .min_capacity(scaling.min_capacity)
            .max_capacity(scaling.max_capacity)
            .set_seconds_until_auto_pause(scaling.seconds_until_auto_pause)
            .build();
        self.client
            .modify_db_cluster()
            .db_cluster_identifier(id)
            .serverless_v2_scaling_configuration(range)
            .apply_immediately(true)
            .send()
            .await
            .map_err(aws_error("ModifyDBCluster"))?;
        Ok(())
    }

    async fn delete_cluster(&self, id: &str, force: bool) -> CallResult<()> {
        self.client
            .delete_db_cluster()
            .db_cluster_identifier(id)
            .skip_final_snapshot(true)
            .delete_automated_backups(force)
            .send()
            .await
            .map_err(aws_error("DeleteDBCluster"))?;
        Ok(())
    }

    async fn instance(&self, id: &str) -> CallResult<Option<Instance>> {
        let result = self
            .client
            .describe_db_instances()
            .db_instance_identifier(id)
            .send()
            .await
            .map_err(aws_error("DescribeDBInstances"));
        let output = found(result, &["DBInstanceNotFound"])?;
        output
            .and_then(|output| output.db_instances().first().map(instance))
            .transpose()
    }

    async fn create_instance(&self, settings: &InstanceSettings) -> CallResult<()> {
        self.client
            .create_db_instance()
            .db_instance_identifier(&settings.id)
            .db_cluster_identifier(&settings.cluster_id)
            .engine(settings.engine)
            .db_instance_class(settings.class)
            .availability_zone(&settings.zone)
            .promotion_tier(settings.promotion_tier)
            .enable_performance_insights(true)
            .performance_insights_kms_key_id(&settings.kms_key_arn)
            .auto_minor_version_upgrade(true)
            .publicly_accessible(false)
            .set_tags(rds_tags(&settings.tags))
            .send()
            .await
            .map_err(aws_error("CreateDBInstance"))?;
        Ok(())
    }

    async fn delete_instance(&self, id: &str) -> CallResult<()> {
        // Aurora instances take no final snapshot (the cluster's backups are the cluster's).
        self.client
            .delete_db_instance()
            .db_instance_identifier(id)
            .send()
            .await
            .map_err(aws_error("DeleteDBInstance"))?;
        Ok(())
    }
}
