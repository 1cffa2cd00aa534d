//! Resources of a provisioned environment deleted and made again by hand through the emulator's
//! API, with the settings that cannot change once they exist set wrong.

use super::{listeners, security_group};
use integration_tests::emulator::emulator;

/// Deletes the Aurora cluster and its instances and makes them again under the same names and in the
/// same subnets, groups and AZs, but unencrypted, with the default master user `postgres`, no IAM
/// authentication, no log exports and the writer without Performance Insights.
pub async fn remake_cluster_by_hand(suffix: &str, key_arn: &str) {
    use aws_sdk_rds::types::{Filter, ServerlessV2ScalingConfiguration};
    let rds = aws_sdk_rds::Client::new(&emulator().sdk_config().await);
    let id = format!("aurora-{suffix}");
    let described = rds
        .describe_db_clusters()
        .db_cluster_identifier(&id)
        .send()
        .await
        .expect("the cluster");
    let cluster = described.db_clusters()[0].clone();
    let instances = rds
        .describe_db_instances()
        .filters(Filter::builder().name("db-cluster-id").values(&id).build())
        .send()
        .await
        .expect("its instances");
    // The writer first, so that it is the writer again.
    let mut instances: Vec<(String, String)> = instances
        .db_instances()
        .iter()
        .map(|i| {
            (
                i.db_instance_identifier().expect("an id").to_owned(),
                i.availability_zone().expect("an AZ").to_owned(),
            )
        })
        .collect();
    instances.sort_by_key(|(instance, _)| !instance.starts_with("aurora-writer"));
    assert_eq!(instances.len(), 2);

    rds.modify_db_cluster()
        .db_cluster_identifier(&id)
        .deletion_protection(false)
        .apply_immediately(true)
        .send()
        .await
        .expect("protection lifted");
    for (instance, _) in &instances {
        rds.delete_db_instance()
            .db_instance_identifier(instance)
            .send()
            .await
            .expect("the instance deleted");
    }
    rds.delete_db_cluster()
        .db_cluster_identifier(&id)
        .skip_final_snapshot(true)
        .send()
        .await
        .expect("the cluster deleted");

    let scaling = cluster
        .serverless_v2_scaling_configuration()
        .expect("Serverless v2 scaling");
    rds.create_db_cluster()
        .db_cluster_identifier(&id)
        .engine("aurora-postgresql")
        .set_engine_version(cluster.engine_version().map(str::to_owned))
        .engine_mode("provisioned")
        .serverless_v2_scaling_configuration(
            ServerlessV2ScalingConfiguration::builder()
                .set_min_capacity(scaling.min_capacity())
                .set_max_capacity(scaling.max_capacity())
                .build(),
        )
        .set_db_subnet_group_name(cluster.db_subnet_group().map(str::to_owned))
        .set_db_cluster_parameter_group_name(
            cluster.db_cluster_parameter_group().map(str::to_owned),
        )
        .set_vpc_security_group_ids(Some(
            cluster
                .vpc_security_groups()
                .iter()
                .filter_map(|g| g.vpc_security_group_id())
                .map(str::to_owned)
                .collect(),
        ))
        .storage_encrypted(false)
        .master_username("postgres")
        .manage_master_user_password(true)
        .master_user_secret_kms_key_id(key_arn)
        .set_backup_retention_period(cluster.backup_retention_period())
        .copy_tags_to_snapshot(true)
        .deletion_protection(true)
        .set_tags(Some(cluster.tag_list().to_vec()))
        .send()
        .await
        .expect("the cluster made again");
    for (instance, zone) in &instances {
        let writer = instance.starts_with("aurora-writer");
        rds.create_db_instance()
            .db_instance_identifier(instance)
            .db_cluster_identifier(&id)
            .engine("aurora-postgresql")
            .db_instance_class("db.serverless")
            .availability_zone(zone)
            .enable_performance_insights(!writer)
            .set_performance_insights_kms_key_id((!writer).then(|| key_arn.to_owned()))
            .auto_minor_version_upgrade(true)
            .publicly_accessible(false)
            .send()
            .await
            .expect("the instance made again");
    }
    // The database component gives the master secret RDS manages its 30-day rotation once the
    // cluster is available; the hand-made cluster's new secret gets the same, so that only the
    // cluster's own settings are wrong.
    let remade = rds
        .describe_db_clusters()
        .db_cluster_identifier(&id)
        .send()
        .await
        .expect("the cluster made again");
    let master_secret = remade.db_clusters()[0]
        .master_user_secret()
        .and_then(|s| s.secret_arn())
        .expect("a master secret RDS manages");
    aws_sdk_secretsmanager::Client::new(&emulator().sdk_config().await)
        .rotate_secret()
        .secret_id(master_secret)
        .rotation_rules(
            aws_sdk_secretsmanager::types::RotationRulesType::builder()
                .automatically_after_days(30)
                .build(),
        )
        .rotate_immediately(false)
        .send()
        .await
        .expect("its rotation scheduled");
}

/// Deletes the Redis replication group and the environment's subnet group, and makes the group again
/// under the same name in the default subnet group, without encryption, AUTH or minor upgrades.
pub async fn remake_cache_by_hand(suffix: &str) {
    use aws_sdk_elasticache::types::ClusterMode;
    let elasticache = aws_sdk_elasticache::Client::new(&emulator().sdk_config().await);
    let id = format!("redis-{suffix}");
    let described = elasticache
        .describe_replication_groups()
        .replication_group_id(&id)
        .send()
        .await
        .expect("the replication group");
    let group = described.replication_groups()[0].clone();
    elasticache
        .delete_replication_group()
        .replication_group_id(&id)
        .retain_primary_cluster(false)
        .send()
        .await
        .expect("the group deleted");
    // The emulator reports a deleting group once, then it is gone (tools/emulator/launch.py).
    while elasticache
        .describe_replication_groups()
        .replication_group_id(&id)
        .send()
        .await
        .is_ok()
    {}
    elasticache
        .delete_cache_subnet_group()
        .cache_subnet_group_name(format!("redis-subnets-{suffix}"))
        .send()
        .await
        .expect("the subnet group deleted");

    let shards = group.node_groups();
    let replicas = shards[0].node_group_members().len() - 1;
    // Engine, version, parameter group and port as the cache function gives them.
    elasticache
        .create_replication_group()
        .replication_group_id(&id)
        .replication_group_description("made again by hand")
        .engine("redis")
        .engine_version("7.1")
        .cache_parameter_group_name("default.redis7.cluster.on")
        .set_cache_node_type(group.cache_node_type().map(str::to_owned))
        .cluster_mode(ClusterMode::Enabled)
        .num_node_groups(i32::try_from(shards.len()).expect("a few shards"))
        .replicas_per_node_group(i32::try_from(replicas).expect("a few replicas"))
        .automatic_failover_enabled(true)
        .multi_az_enabled(true)
        .port(6379)
        .security_group_ids(security_group(format!("secgroup-cache-{suffix}")).await)
        .at_rest_encryption_enabled(false)
        .transit_encryption_enabled(false)
        .set_snapshot_retention_limit(group.snapshot_retention_limit())
        .auto_minor_version_upgrade(false)
        .send()
        .await
        .expect("the group made again");
}

/// Reimports the environment's self-signed certificate, under its ARN, as a certificate for the same
/// name signed with a 1024-bit RSA key (made by the emulator's Python, whose `cryptography` moto
/// needs anyway). Answers the certificate's ARN.
pub async fn reimport_with_a_weak_key(suffix: &str) -> String {
    const WEAK_CERTIFICATE: &str = r#"
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, sys.argv[1])])
now = datetime.datetime.now(datetime.timezone.utc)
certificate = (
    x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
    .serial_number(x509.random_serial_number())
    .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
    .sign(key, hashes.SHA256())
)
sys.stdout.write(certificate.public_bytes(serialization.Encoding.PEM).decode())
sys.stdout.write(key.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode())
"#;
    let config = emulator().sdk_config().await;
    let arn = listeners(suffix)
        .await
        .iter()
        .flat_map(|l| l.certificates())
        .find_map(|c| c.certificate_arn())
        .expect("the HTTPS listener's certificate")
        .to_owned();
    let acm = aws_sdk_acm::Client::new(&config);
    let described = acm
        .describe_certificate()
        .certificate_arn(&arn)
        .send()
        .await
        .expect("the certificate");
    let domain = described
        .certificate()
        .and_then(|c| c.domain_name())
        .expect("its name");
    let made = std::process::Command::new(integration_tests::emulator::python())
        .args(["-c", WEAK_CERTIFICATE, domain])
        .output()
        .expect("python runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let pem = String::from_utf8(made.stdout).expect("PEM is ASCII");
    let (certificate, key) = pem
        .split_once("-----BEGIN PRIVATE KEY-----")
        .expect("a certificate, then its key");
    acm.import_certificate()
        .certificate_arn(&arn)
        .certificate(aws_sdk_acm::primitives::Blob::new(certificate))
        .private_key(aws_sdk_acm::primitives::Blob::new(format!(
            "-----BEGIN PRIVATE KEY-----{key}"
        )))
        .send()
        .await
        .expect("reimported");
    arn
}
