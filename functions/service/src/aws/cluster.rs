//! ECS: the cluster.

use super::ecs_tags;
use crate::api::{CallResult, Cluster};
use aws_sdk_ecs::types as ecs;
use aws_sdk_ecs::Client;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;

fn cluster_of(cluster: &ecs::Cluster) -> CallResult<Cluster> {
    Ok(Cluster {
        arn: cluster
            .cluster_arn()
            .required("Cluster.clusterArn")?
            .to_owned(),
        status: cluster.status().required("Cluster.status")?.to_owned(),
    })
}

pub(super) async fn cluster(client: &Client, name: &str) -> CallResult<Option<Cluster>> {
    let output = client
        .describe_clusters()
        .clusters(name)
        .send()
        .await
        .map_err(aws_error("DescribeClusters"))?;
    // A cluster never created, or purged after deletion, is answered with a MISSING failure
    // instead of a cluster: none.
    output.clusters().first().map(cluster_of).transpose()
}

pub(super) async fn create_cluster(
    client: &Client,
    name: &str,
    tags: &[Tag],
) -> CallResult<Cluster> {
    let output = client
        .create_cluster()
        .cluster_name(name)
        // Control ECS.12.
        .settings(
            ecs::ClusterSetting::builder()
                .name(ecs::ClusterSettingName::ContainerInsights)
                .value("enabled")
                .build(),
        )
        .set_tags(Some(ecs_tags(tags)))
        .send()
        .await
        .map_err(aws_error("CreateCluster"))?;
    cluster_of(output.cluster().required("CreateClusterResponse.cluster")?)
}

pub(super) async fn delete_cluster(client: &Client, name: &str) -> CallResult<()> {
    client
        .delete_cluster()
        .cluster(name)
        .send()
        .await
        .map_err(aws_error("DeleteCluster"))?;
    Ok(())
}
