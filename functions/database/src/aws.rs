//! [`Cloud`] over the AWS SDK: one SDK call per method, translated to and from the plain types of
//! [`crate::api`]. No decisions are taken here; they are the handler's, where the unit tests reach them.

use crate::api::{
    found, CallResult, Cloud, Cluster, ClusterSettings, EngineVersion, Function, FunctionSettings,
    Instance, InstanceSettings, Scaling,
};
use aws_config::SdkConfig;
use aws_sdk_lambda::types as lambda;
use aws_sdk_rds::types as rds;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;
use iam_roles::Roles;
use log_groups::LogGroups;
use secrets::Secrets;
use std::time::SystemTime;

#[derive(Debug, Clone)]
pub struct AwsCloud {
    rds: aws_sdk_rds::Client,
    secrets: Secrets,
    roles: Roles,
    lambda: aws_sdk_lambda::Client,
    log_groups: LogGroups,
}

impl AwsCloud {
    /// `role_boundary`: the permissions boundary of the roles this function creates
    /// (`ROLE_PERMISSIONS_BOUNDARY`, read once at start).
    pub fn new(config: &SdkConfig, role_boundary: Option<String>) -> Self {
        Self {
            rds: aws_sdk_rds::Client::new(config),
            secrets: Secrets::new(config),
            roles: Roles::bounded(config, role_boundary),
            lambda: aws_sdk_lambda::Client::new(config),
            log_groups: LogGroups::new(config),
        }
    }
}

fn rds_tags(tags: &[Tag]) -> Option<Vec<rds::Tag>> {
    Some(
        tags.iter()
            .map(|tag| rds::Tag::builder().key(tag.key).value(&tag.value).build())
            .collect(),
    )
}

fn cluster(cluster: &rds::DbCluster) -> CallResult<Cluster> {
    Ok(Cluster {
        id: cluster
            .db_cluster_identifier()
            .required("DBCluster.DBClusterIdentifier")?
            .to_owned(),
        arn: cluster
            .db_cluster_arn()
            .required("DBCluster.DBClusterArn")?
            .to_owned(),
        status: cluster.status().required("DBCluster.Status")?.to_owned(),
        deletion_protection: *cluster
            .deletion_protection()
            .as_ref()
            .required("DBCluster.DeletionProtection")?,
        // The endpoints are absent while the cluster is being created, the secret unless RDS
        // manages the master password.
        writer_endpoint: cluster.endpoint().map(str::to_owned),
        reader_endpoint: cluster.reader_endpoint().map(str::to_owned),
        port: cluster.port(),
        database_name: cluster.database_name().map(str::to_owned),
        master_secret_arn: cluster
            .master_user_secret()
            .and_then(rds::MasterUserSecret::secret_arn)
            .map(str::to_owned),
        resource_id: cluster
            .db_cluster_resource_id()
            .required("DBCluster.DbClusterResourceId")?
            .to_owned(),
        engine_version: cluster.engine_version().map(str::to_owned),
        // A provisioned cluster without Serverless v2 reports no range: nothing to compare.
        scaling: cluster
            .serverless_v2_scaling_configuration()
            .and_then(scaling),
    })
}

fn scaling(range: &rds::ServerlessV2ScalingConfigurationInfo) -> Option<Scaling> {
    Some(Scaling {
        min_capacity: range.min_capacity()?,
        max_capacity: range.max_capacity()?,
        seconds_until_auto_pause: range.seconds_until_auto_pause(),
    })
}

fn engine_version(version: &rds::DbEngineVersion) -> CallResult<EngineVersion> {
    Ok(EngineVersion {
        version: version
            .engine_version()
            .required("DBEngineVersion.EngineVersion")?
            .to_owned(),
        status: version.status().map(str::to_owned),
        serverless_v2_range: version
            .serverless_v2_features_support()
            .and_then(|range| Some((range.min_capacity()?, range.max_capacity()?))),
    })
}

fn instance(instance: &rds::DbInstance) -> CallResult<Instance> {
    Ok(Instance {
        id: instance
            .db_instance_identifier()
            .required("DBInstance.DBInstanceIdentifier")?
            .to_owned(),
        status: instance
            .db_instance_status()
            .required("DBInstance.DBInstanceStatus")?
            .to_owned(),
    })
}

impl Cloud for AwsCloud {
    type Logs = LogGroups;
    type Roles = Roles;
    type Secrets = Secrets;

    fn logs(&self) -> &LogGroups {
        &self.log_groups
    }

    fn roles(&self) -> &Roles {
        &self.roles
    }

    fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    async fn subnet_group_exists(&self, name: &str) -> CallResult<bool> {
        let result = self
            .rds
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
        self.rds
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
        self.rds
            .delete_db_subnet_group()
            .db_subnet_group_name(name)
            .send()
            .await
            .map_err(aws_error("DeleteDBSubnetGroup"))?;
        Ok(())
    }

    async fn parameter_group_exists(&self, name: &str) -> CallResult<bool> {
        let result = self
            .rds
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
        self.rds
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
        self.rds
            .modify_db_cluster_parameter_group()
            .db_cluster_parameter_group_name(group)
            .parameters(parameter)
            .send()
            .await
            .map_err(aws_error("ModifyDBClusterParameterGroup"))?;
        Ok(())
    }

    async fn delete_parameter_group(&self, name: &str) -> CallResult<()> {
        self.rds
            .delete_db_cluster_parameter_group()
            .db_cluster_parameter_group_name(name)
            .send()
            .await
            .map_err(aws_error("DeleteDBClusterParameterGroup"))?;
        Ok(())
    }

    async fn engine_versions(&self, engine: &str, family: &str) -> CallResult<Vec<EngineVersion>> {
        let mut pages = self
            .rds
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
            .rds
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
        self.rds
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
        self.rds
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
        self.rds
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
        self.rds
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
            .rds
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
        self.rds
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
        self.rds
            .delete_db_instance()
            .db_instance_identifier(id)
            .send()
            .await
            .map_err(aws_error("DeleteDBInstance"))?;
        Ok(())
    }

    async fn function(&self, name: &str) -> CallResult<Option<Function>> {
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
            .map(function_of)
            .transpose()
    }

    async fn create_function(&self, settings: &FunctionSettings) -> CallResult<()> {
        let code = lambda::FunctionCode::builder()
            .s3_bucket(&settings.code_bucket)
            .s3_key(&settings.code_key)
            .build();
        let vpc = lambda::VpcConfig::builder()
            .set_subnet_ids(Some(settings.subnet_ids.clone()))
            .set_security_group_ids(Some(settings.security_group_ids.clone()))
            .build();
        self.lambda
            .create_function()
            .function_name(&settings.name)
            .role(&settings.role_arn)
            .runtime(lambda::Runtime::Providedal2023)
            // The custom runtime's executable (Lambda developer guide, "Building Lambda functions
            // with Rust").
            .handler("bootstrap")
            .architectures(lambda::Architecture::from(settings.architecture.as_str()))
            .code(code)
            .vpc_config(vpc)
            .environment(environment_of(settings))
            .timeout(settings.timeout_seconds)
            .description("Secrets Manager rotation of the environment's database user")
            .set_tags(Some(
                settings
                    .tags
                    .iter()
                    .map(|tag| (tag.key.to_owned(), tag.value.clone()))
                    .collect(),
            ))
            .send()
            .await
            .map_err(aws_error("CreateFunction"))?;
        Ok(())
    }

    async fn update_function_code(&self, settings: &FunctionSettings) -> CallResult<()> {
        self.lambda
            .update_function_code()
            .function_name(&settings.name)
            .s3_bucket(&settings.code_bucket)
            .s3_key(&settings.code_key)
            .architectures(lambda::Architecture::from(settings.architecture.as_str()))
            .send()
            .await
            .map_err(aws_error("UpdateFunctionCode"))?;
        Ok(())
    }

    async fn update_function_configuration(&self, settings: &FunctionSettings) -> CallResult<()> {
        self.lambda
            .update_function_configuration()
            .function_name(&settings.name)
            .timeout(settings.timeout_seconds)
            .environment(environment_of(settings))
            .send()
            .await
            .map_err(aws_error("UpdateFunctionConfiguration"))?;
        Ok(())
    }

    async fn allow_invoke(
        &self,
        function: &str,
        statement_id: &str,
        principal: &str,
        source_account: &str,
    ) -> CallResult<()> {
        self.lambda
            .add_permission()
            .function_name(function)
            .statement_id(statement_id)
            .action("lambda:InvokeFunction")
            .principal(principal)
            .source_account(source_account)
            .send()
            .await
            .map_err(aws_error("AddPermission"))?;
        Ok(())
    }

    async fn delete_function(&self, name: &str) -> CallResult<()> {
        self.lambda
            .delete_function()
            .function_name(name)
            .send()
            .await
            .map_err(aws_error("DeleteFunction"))?;
        Ok(())
    }
}

fn environment_of(settings: &FunctionSettings) -> lambda::Environment {
    lambda::Environment::builder()
        .set_variables(Some(settings.variables().into_iter().collect()))
        .build()
}

/// Lambda's `LastModified` (`2026-12-05T21:43:27.123+0000`, UTC) to the second.
fn lambda_time(text: &str) -> Option<SystemTime> {
    humantime::parse_rfc3339_weak(&format!("{}Z", text.get(..19)?)).ok()
}

/// GetFunction's configuration as the handler reads it.
fn function_of(configuration: &lambda::FunctionConfiguration) -> CallResult<Function> {
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
mod tests {
    use super::*;

    #[test]
    fn lambdas_last_modified_reads_to_the_second() {
        // The Lambda API reference's format: ISO 8601, `YYYY-MM-DDThh:mm:ss.sTZD`, in UTC.
        let read = lambda_time("2019-08-14T22:26:11.234+0000").unwrap();
        assert_eq!(
            humantime::format_rfc3339(read).to_string(),
            "2019-08-14T22:26:11Z"
        );
        assert_eq!(lambda_time("yesterday"), None);
        assert_eq!(lambda_time("2019-08-14T22:26:1x.234+0000"), None);
    }
}
