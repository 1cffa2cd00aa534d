//! The outputs document from what the reads found: complete, asleep, and each piece missing.

use super::*;
use secrets::Rotation;

/// The spec of environment pr-42 with these certificate fields.
pub(crate) fn spec(certificate: Value) -> EnvironmentSpec {
    let mut value = json!({
        "environmentSuffix": "pr-42",
        "containerImage": "public.ecr.aws/acme/catalog-api:1"
    });
    value
        .as_object_mut()
        .expect("an object")
        .extend(certificate.as_object().expect("an object").clone());
    EnvironmentSpec::from_value(&value).expect("a valid spec")
}

pub(crate) fn self_signed() -> EnvironmentSpec {
    spec(json!({"selfSignedCertificate": true}))
}

fn subnets() -> Vec<Subnet> {
    ["public", "private"]
        .iter()
        .flat_map(|tier| {
            ['a', 'b', 'c'].map(|az| Subnet {
                id: format!("subnet-{tier}{az}"),
                name: Some(format!("subnet-{tier}-{az}-pr-42")),
            })
        })
        .chain([Subnet {
            id: "subnet-untagged".into(),
            name: None,
        }])
        .collect()
}

/// The ARN Secrets Manager gives the secret of this name (the fake's account, region and
/// suffix).
fn secret_arn(name: &str) -> String {
    format!("arn:aws:secretsmanager:us-west-2:123456789012:secret:{name}-AbCdEf")
}

fn secret(name: &str) -> Option<Secret> {
    Some(Secret {
        arn: secret_arn(name),
        kms_key_id: None,
        rotation: Rotation::default(),
        scheduled_for_deletion: false,
    })
}

/// What the reads find in a complete environment pr-42.
pub(crate) fn complete() -> Found {
    Found {
        vpc_ids: vec!["vpc-1".into()],
        subnets: subnets(),
        load_balancer: Some(LoadBalancer {
            arn: "arn:aws:elasticloadbalancing:us-west-2:1:loadbalancer/app/alb-pr-42/abc".into(),
            dns_name: "alb-pr-42-1.us-west-2.elb.amazonaws.com".into(),
        }),
        cluster_status: Some("ACTIVE".into()),
        service_status: Some("ACTIVE".into()),
        discovery_services: Some(vec!["other".into(), "api".into()]),
        database: Some(DatabaseCluster {
            writer_endpoint: Some("aurora-pr-42.cluster-x.rds.amazonaws.com".into()),
            reader_endpoint: Some("aurora-pr-42.cluster-ro-x.rds.amazonaws.com".into()),
            port: Some(5432),
            master_secret_arn: Some(secret_arn("rds!cluster-0f1e2d3c")),
        }),
        db_app_secret: secret("secret-db-app-pr-42"),
        api_keys_secret: secret("secret-api-keys-pr-42"),
        cache_auth_secret: secret("secret-redis-auth-pr-42"),
        cache_endpoint: Some(Some((
            "clustercfg.redis-pr-42.x.usw2.cache.amazonaws.com".into(),
            6379,
        ))),
        log_group: true,
        dashboard: true,
        alarm_topic_arn: Some("arn:aws:sns:us-west-2:1:alarms-pr-42".into()),
    }
}

pub(crate) fn expected() -> Value {
    json!({
        "vpcId": "vpc-1",
        "publicSubnetIds": ["subnet-publica", "subnet-publicb", "subnet-publicc"],
        "privateSubnetIds": ["subnet-privatea", "subnet-privateb", "subnet-privatec"],
        "loadBalancerArn": "arn:aws:elasticloadbalancing:us-west-2:1:loadbalancer/app/alb-pr-42/abc",
        "loadBalancerDnsName": "alb-pr-42-1.us-west-2.elb.amazonaws.com",
        "httpsUrl": "https://alb-pr-42-1.us-west-2.elb.amazonaws.com",
        "clusterName": "ecs-cluster-pr-42",
        "serviceName": "ecs-service-pr-42",
        "serviceDiscoveryName": "api.catalog-pr-42.local",
        "serviceLogGroup": "ecs-logs-pr-42",
        "dbWriterEndpoint": "aurora-pr-42.cluster-x.rds.amazonaws.com",
        "dbReaderEndpoint": "aurora-pr-42.cluster-ro-x.rds.amazonaws.com",
        "dbPort": 5432,
        "dbMasterSecretArn": "arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!cluster-0f1e2d3c-AbCdEf",
        "dbAppSecretArn": "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-db-app-pr-42-AbCdEf",
        "apiKeysSecretArn": "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-api-keys-pr-42-AbCdEf",
        "cacheAuthSecretArn": "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-redis-auth-pr-42-AbCdEf",
        "cacheConfigurationEndpoint": "clustercfg.redis-pr-42.x.usw2.cache.amazonaws.com:6379",
        "cachePort": 6379,
        "dashboardName": "dashboard-pr-42",
        "dashboardUrl": "https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#dashboards/dashboard/dashboard-pr-42",
        "alarmTopicArn": "arn:aws:sns:us-west-2:1:alarms-pr-42"
    })
}

fn missing(found: &Found) -> Vec<String> {
    build(&self_signed(), "us-west-2", found).unwrap_err().0
}

#[test]
fn a_complete_environment_gives_every_key_flat_and_camel_cased() {
    let document = build(&self_signed(), "us-west-2", &complete()).unwrap();
    assert_eq!(Value::Object(document), expected());
}

#[test]
fn with_a_domain_the_url_is_the_domain_not_the_load_balancer() {
    let spec = spec(json!({
        "domainName": "pr-42.example.com",
        "hostedZoneId": "Z123"
    }));
    let document = build(&spec, "us-west-2", &complete()).unwrap();
    assert_eq!(document["httpsUrl"], "https://pr-42.example.com");
    assert_eq!(
        document["loadBalancerDnsName"],
        "alb-pr-42-1.us-west-2.elb.amazonaws.com"
    );
}

#[test]
fn an_empty_account_names_every_key_and_what_was_looked_for() {
    let missing = missing(&Found::default());
    let keys: Vec<&str> = missing
        .iter()
        .map(|entry| entry.split(' ').next().unwrap())
        .collect();
    let document = expected();
    let mut expected_keys: Vec<&str> = document
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    expected_keys.sort();
    assert_eq!(sorted, expected_keys);
    assert_eq!(
        missing[0],
        "vpcId (exactly one VPC named vpc-pr-42 tagged catalog:environment=pr-42, found 0)"
    );
    assert!(missing.contains(&"publicSubnetIds (subnet named subnet-public-a-pr-42)".into()));
    assert!(missing.contains(&"httpsUrl (load balancer alb-pr-42)".into()));
    assert!(missing.contains(
        &"serviceDiscoveryName (Cloud Map service api in namespace catalog-pr-42.local)".into()
    ));
    assert!(missing.contains(
        &"dbMasterSecretArn (RDS-managed master user secret of Aurora cluster aurora-pr-42)".into()
    ));
    assert!(missing.contains(
        &"apiKeysSecretArn (secret secret-api-keys-pr-42 not scheduled for deletion)".into()
    ));
    assert!(missing.contains(&"alarmTopicArn (SNS topic alarms-pr-42)".into()));
}

#[test]
fn two_vpcs_of_the_same_name_are_no_answer() {
    let mut found = complete();
    found.vpc_ids.push("vpc-2".into());
    assert_eq!(
        missing(&found),
        ["vpcId (exactly one VPC named vpc-pr-42 tagged catalog:environment=pr-42, found 2)"]
    );
}

#[test]
fn a_tier_needs_its_subnet_in_every_az() {
    let mut found = complete();
    found
        .subnets
        .retain(|subnet| subnet.id != "subnet-privateb");
    assert_eq!(
        missing(&found),
        ["privateSubnetIds (subnet named subnet-private-b-pr-42)"]
    );
}

#[test]
fn a_cluster_or_service_that_is_not_active_does_not_count() {
    let mut found = complete();
    found.cluster_status = Some("INACTIVE".into());
    found.service_status = None;
    assert_eq!(
        missing(&found),
        [
            "clusterName (active ECS cluster ecs-cluster-pr-42)",
            "serviceName (active ECS service ecs-service-pr-42 in ecs-cluster-pr-42)"
        ]
    );
    found.cluster_status = Some("ACTIVE".into());
    found.service_status = Some("DRAINING".into());
    assert_eq!(missing(&found).len(), 1);
}

#[test]
fn a_namespace_without_the_api_service_has_no_discovery_name() {
    let mut found = complete();
    found.discovery_services = Some(vec!["other".into()]);
    assert_eq!(
        missing(&found),
        ["serviceDiscoveryName (Cloud Map service api in namespace catalog-pr-42.local)"]
    );
}

#[test]
fn a_secret_scheduled_for_deletion_is_missing() {
    let mut found = complete();
    found.db_app_secret.as_mut().unwrap().scheduled_for_deletion = true;
    assert_eq!(
        missing(&found),
        ["dbAppSecretArn (secret secret-db-app-pr-42 not scheduled for deletion)"]
    );
}

#[test]
fn each_part_of_the_database_cluster_is_required() {
    let mut found = complete();
    found.database.as_mut().unwrap().reader_endpoint = None;
    assert_eq!(
        missing(&found),
        ["dbReaderEndpoint (reader endpoint of Aurora cluster aurora-pr-42)"]
    );
}

#[test]
fn a_cache_group_without_its_configuration_endpoint_is_missing_host_and_port() {
    let mut found = complete();
    found.cache_endpoint = Some(None);
    let expected = "configuration endpoint of replication group redis-pr-42";
    assert_eq!(
        missing(&found),
        [
            format!("cacheConfigurationEndpoint ({expected})"),
            format!("cachePort ({expected})")
        ]
    );
}

/// What the reads find in environment pr-42 asleep: no replication group.
fn asleep() -> Found {
    Found {
        cache_endpoint: None,
        ..complete()
    }
}

fn asleep_spec() -> EnvironmentSpec {
    spec(json!({"selfSignedCertificate": true, "asleep": true}))
}

#[test]
fn asleep_the_document_says_so_and_has_an_empty_cache_endpoint_and_no_port() {
    let document = build(&asleep_spec(), "us-west-2", &asleep()).unwrap();
    let mut expected = expected();
    let keys = expected.as_object_mut().unwrap();
    keys.remove("cachePort");
    keys.insert("cacheConfigurationEndpoint".into(), json!(""));
    keys.insert("asleep".into(), json!(true));
    assert_eq!(Value::Object(document), expected);
}

#[test]
fn asleep_a_group_still_being_deleted_gives_no_endpoint_either() {
    for cache_endpoint in [complete().cache_endpoint, Some(None)] {
        let found = Found {
            cache_endpoint,
            ..complete()
        };
        let document = build(&asleep_spec(), "us-west-2", &found).unwrap();
        assert_eq!(document["asleep"], true);
        assert_eq!(document["cacheConfigurationEndpoint"], "");
        assert!(!document.contains_key("cachePort"));
    }
}

#[test]
fn awake_the_cache_endpoint_is_required_and_asleep_every_other_piece_still_is() {
    let expected = "configuration endpoint of replication group redis-pr-42";
    assert_eq!(
        missing(&asleep()),
        [
            format!("cacheConfigurationEndpoint ({expected})"),
            format!("cachePort ({expected})")
        ]
    );
    let document = build(&self_signed(), "us-west-2", &complete()).unwrap();
    assert!(!document.contains_key("asleep"));
    let mut found = asleep();
    found.cache_auth_secret = None;
    let error = build(&asleep_spec(), "us-west-2", &found).unwrap_err();
    assert_eq!(
        error.0,
        ["cacheAuthSecretArn (secret secret-redis-auth-pr-42 not scheduled for deletion)"]
    );
}

#[test]
fn the_monitoring_pieces_are_required() {
    let mut found = complete();
    found.dashboard = false;
    found.log_group = false;
    found.alarm_topic_arn = None;
    assert_eq!(
        missing(&found),
        [
            "serviceLogGroup (log group ecs-logs-pr-42)",
            "dashboardName (dashboard dashboard-pr-42)",
            "dashboardUrl (dashboard dashboard-pr-42)",
            "alarmTopicArn (SNS topic alarms-pr-42)"
        ]
    );
}

#[test]
fn the_dashboard_url_is_in_the_region_it_was_made_in() {
    assert_eq!(
        dashboard_url("eu-central-1", "dashboard-x"),
        "https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#dashboards/dashboard/dashboard-x"
    );
}
