//! The SDK's RDS types to the crate's plain types.

use crate::{CallResult, Cluster, EngineVersion, Instance, Scaling};
use aws_sdk_rds::types as rds;
use env_core::error::Required;

pub(super) fn cluster(cluster: &rds::DbCluster) -> CallResult<Cluster> {
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

pub(super) fn engine_version(version: &rds::DbEngineVersion) -> CallResult<EngineVersion> {
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

pub(super) fn instance(instance: &rds::DbInstance) -> CallResult<Instance> {
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

#[cfg(test)]
mod tests;
