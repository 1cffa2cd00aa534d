//! What the service reads of the earlier components' outputs, checked before any AWS call.

use env_core::contract::Outputs;
use env_core::outputs::{
    CacheOutputs, ComponentOutputs, DatabaseOutputs, EdgeOutputs, MissingOutputs, NetworkOutputs,
};
use env_core::spec::{DeploymentStrategy, SpecFields};

/// What earlier components handed on, checked before any AWS call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    pub vpc_id: String,
    pub private_subnets: Vec<String>,
    pub service_group: String,
    pub key_arn: String,
    pub blue_target_group: String,
    pub db_secret_arn: String,
    pub db_endpoint: String,
    pub cache_secret_arn: String,
    /// Empty while the environment sleeps: the cache has no replication group, so no endpoint,
    /// and no task starts that would need one.
    pub cache_endpoint: String,
    /// The API keys secret, read by the API at run time (both AWSCURRENT and AWSPREVIOUS).
    pub api_keys_secret_arn: String,
    /// Optional: the cluster's `DbClusterResourceId` for `rds-db:connect`.
    pub db_resource_id: Option<String>,
    /// Only with the `blueGreen` strategy.
    pub blue_green: Option<BlueGreenInputs>,
}

/// What a blue/green service needs from the edge component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlueGreenInputs {
    pub green_target_group: String,
    pub production_rule: String,
    pub test_rule: String,
}

impl Inputs {
    /// The strategy (`deploymentStrategy`) and whether the environment sleeps (`asleep`) come
    /// from the spec's `fields`.
    pub fn from_outputs(outputs: &Outputs, fields: &SpecFields) -> Result<Self, MissingOutputs> {
        let network = NetworkOutputs::of(outputs)?;
        let database = DatabaseOutputs::of(outputs)?;
        let cache = CacheOutputs::of(outputs)?;
        let edge = EdgeOutputs::of(outputs)?;
        let target_groups = &edge.target_group_arns;
        let rules = &edge.listener_rule_arns;
        Ok(Self {
            vpc_id: NetworkOutputs::non_empty("vpcId", &network.vpc_id)?,
            private_subnets: NetworkOutputs::at_least(
                "privateSubnetIds",
                &network.private_subnet_ids,
                1,
            )?,
            service_group: NetworkOutputs::non_empty(
                "securityGroupIds.service",
                &network.security_group_ids.service,
            )?,
            key_arn: NetworkOutputs::non_empty("kmsKeyArn", &network.kms_key_arn)?,
            blue_target_group: EdgeOutputs::non_empty("targetGroupArns.blue", &target_groups.blue)?,
            db_secret_arn: DatabaseOutputs::non_empty(
                "dbAppSecretArn",
                &database.db_app_secret_arn,
            )?,
            db_endpoint: DatabaseOutputs::non_empty(
                "dbWriterEndpoint",
                &database.db_writer_endpoint,
            )?,
            cache_secret_arn: CacheOutputs::non_empty(
                "cacheAuthSecretArn",
                &cache.cache_auth_secret_arn,
            )?,
            cache_endpoint: if fields.asleep {
                cache.cache_configuration_endpoint
            } else {
                CacheOutputs::non_empty(
                    "cacheConfigurationEndpoint",
                    &cache.cache_configuration_endpoint,
                )?
            },
            api_keys_secret_arn: DatabaseOutputs::non_empty(
                "apiKeysSecretArn",
                &database.api_keys_secret_arn,
            )?,
            db_resource_id: DatabaseOutputs::non_empty(
                "dbClusterResourceId",
                &database.db_cluster_resource_id,
            )
            .ok(),
            blue_green: match fields.deployment_strategy {
                DeploymentStrategy::Rolling => None,
                DeploymentStrategy::BlueGreen => Some(BlueGreenInputs {
                    green_target_group: EdgeOutputs::non_empty(
                        "targetGroupArns.green",
                        &target_groups.green,
                    )?,
                    production_rule: EdgeOutputs::non_empty(
                        "listenerRuleArns.production",
                        &rules.production,
                    )?,
                    test_rule: EdgeOutputs::non_empty("listenerRuleArns.test", &rules.test)?,
                }),
            },
        })
    }
}
