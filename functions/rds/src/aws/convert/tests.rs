//! The SDK's RDS answers read into the plain types, with the members every answer carries
//! required and the optional ones left out.

use super::*;

fn described_cluster() -> rds::builders::DbClusterBuilder {
    rds::DbCluster::builder()
        .db_cluster_identifier("aurora-pr-42")
        .db_cluster_arn("arn:aws:rds:us-west-2:123456789012:cluster:aurora-pr-42")
        .status("available")
        .deletion_protection(true)
        .db_cluster_resource_id("cluster-ABC")
}

#[test]
fn a_cluster_is_read_with_its_endpoints_secret_and_range() {
    let described = described_cluster()
        .endpoint("aurora-pr-42.cluster-x.rds.amazonaws.com")
        .reader_endpoint("aurora-pr-42.cluster-ro-x.rds.amazonaws.com")
        .port(5432)
        .database_name("catalog")
        .master_user_secret(
            rds::MasterUserSecret::builder()
                .secret_arn("arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!cluster")
                .build(),
        )
        .engine_version("16.9")
        .serverless_v2_scaling_configuration(
            rds::ServerlessV2ScalingConfigurationInfo::builder()
                .min_capacity(0.0)
                .max_capacity(4.0)
                .seconds_until_auto_pause(300)
                .build(),
        )
        .build();
    let read = cluster(&described).unwrap();
    assert_eq!(
        read,
        Cluster {
            id: "aurora-pr-42".into(),
            arn: "arn:aws:rds:us-west-2:123456789012:cluster:aurora-pr-42".into(),
            status: "available".into(),
            deletion_protection: true,
            writer_endpoint: Some("aurora-pr-42.cluster-x.rds.amazonaws.com".into()),
            reader_endpoint: Some("aurora-pr-42.cluster-ro-x.rds.amazonaws.com".into()),
            port: Some(5432),
            database_name: Some("catalog".into()),
            master_secret_arn: Some(
                "arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!cluster".into()
            ),
            resource_id: "cluster-ABC".into(),
            engine_version: Some("16.9".into()),
            scaling: Some(Scaling {
                min_capacity: 0.0,
                max_capacity: 4.0,
                seconds_until_auto_pause: Some(300),
            }),
        }
    );
}

#[test]
fn a_cluster_being_created_has_no_endpoints_and_a_partial_range_is_none() {
    let described = described_cluster()
        .serverless_v2_scaling_configuration(
            rds::ServerlessV2ScalingConfigurationInfo::builder()
                .max_capacity(4.0)
                .build(),
        )
        .build();
    let read = cluster(&described).unwrap();
    assert_eq!(
        (read.writer_endpoint, read.reader_endpoint, read.port),
        (None, None, None)
    );
    assert_eq!((read.master_secret_arn, read.scaling), (None, None));
}

#[test]
fn a_cluster_without_a_member_every_answer_carries_is_an_error() {
    for (described, member) in [
        (
            rds::DbCluster::builder().build(),
            "DBCluster.DBClusterIdentifier",
        ),
        (
            rds::DbCluster::builder()
                .db_cluster_identifier("a")
                .db_cluster_arn("arn")
                .status("available")
                .deletion_protection(false)
                .build(),
            "DBCluster.DbClusterResourceId",
        ),
        (
            rds::DbCluster::builder()
                .db_cluster_identifier("a")
                .db_cluster_arn("arn")
                .status("available")
                .build(),
            "DBCluster.DeletionProtection",
        ),
        (
            rds::DbCluster::builder()
                .db_cluster_identifier("a")
                .db_cluster_arn("arn")
                .build(),
            "DBCluster.Status",
        ),
        (
            rds::DbCluster::builder().db_cluster_identifier("a").build(),
            "DBCluster.DBClusterArn",
        ),
    ] {
        let error = cluster(&described).unwrap_err();
        assert!(error.to_string().contains(member), "{error}");
    }
}

#[test]
fn an_engine_version_is_read_with_its_serverless_range_where_rds_gives_one() {
    let described = rds::DbEngineVersion::builder()
        .engine_version("16.9")
        .status("available")
        .serverless_v2_features_support(
            rds::ServerlessV2FeaturesSupport::builder()
                .min_capacity(0.0)
                .max_capacity(256.0)
                .build(),
        )
        .build();
    assert_eq!(
        engine_version(&described).unwrap(),
        EngineVersion {
            version: "16.9".into(),
            status: Some("available".into()),
            serverless_v2_range: Some((0.0, 256.0)),
        }
    );
    let bare = rds::DbEngineVersion::builder()
        .engine_version("16.4")
        .build();
    let read = engine_version(&bare).unwrap();
    assert_eq!((read.status, read.serverless_v2_range), (None, None));
    let error = engine_version(&rds::DbEngineVersion::builder().build()).unwrap_err();
    assert!(
        error.to_string().contains("DBEngineVersion.EngineVersion"),
        "{error}"
    );
}

#[test]
fn an_instance_is_read_with_its_status() {
    let described = rds::DbInstance::builder()
        .db_instance_identifier("aurora-writer-pr-42")
        .db_instance_status("creating")
        .build();
    assert_eq!(
        instance(&described).unwrap(),
        Instance {
            id: "aurora-writer-pr-42".into(),
            status: "creating".into(),
        }
    );
    let without_status = rds::DbInstance::builder()
        .db_instance_identifier("aurora-writer-pr-42")
        .build();
    let error = instance(&without_status).unwrap_err();
    assert!(
        error.to_string().contains("DBInstance.DBInstanceStatus"),
        "{error}"
    );
    assert!(instance(&rds::DbInstance::builder().build()).is_err());
}
