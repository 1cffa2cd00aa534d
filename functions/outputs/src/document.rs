//! The outputs document, built from what the reads found: no AWS call here, so every branch is a
//! plain unit test.
//!
//! The document is flat, camelCase, and reuses the key names the component functions already hand
//! on (`vpcId`, `dbWriterEndpoint`, `cacheConfigurationEndpoint`, …), so a key means the same thing
//! wherever it appears. It holds identifiers only: secret ARNs, never a secret value.

use crate::api::{DatabaseCluster, LoadBalancer, Subnet};
use env_core::contract::Outputs;
use env_core::naming::{AzSlot, NameKind, Names};
use env_core::spec::{CertificateMode, EnvironmentSpec, EnvironmentSuffix};
use env_core::tags;
use secrets::Secret;
use serde_json::{json, Value};

/// The Cloud Map service the service function registers in the environment's namespace (its
/// `DISCOVERY_SERVICE`); tasks are reached at `api.<namespace>`.
pub const DISCOVERY_SERVICE: &str = "api";

/// What the reads found; a piece that does not exist is `None`, `false` or empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// Every VPC with the environment's `Name` and environment tags: exactly one is expected.
    pub vpc_ids: Vec<String>,
    pub subnets: Vec<Subnet>,
    pub load_balancer: Option<LoadBalancer>,
    pub cluster_status: Option<String>,
    pub service_status: Option<String>,
    pub discovery_services: Option<Vec<String>>,
    pub database: Option<DatabaseCluster>,
    pub db_app_secret: Option<Secret>,
    pub api_keys_secret: Option<Secret>,
    pub cache_auth_secret: Option<Secret>,
    pub cache_endpoint: Option<Option<(String, i32)>>,
    pub log_group: bool,
    pub dashboard: bool,
    pub alarm_topic_arn: Option<String>,
}

/// The pieces that do not exist, each as "<key> (<what was looked for>)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing(pub Vec<String>);

/// The document under construction: every key either gets its value or is listed as missing, so
/// one answer names everything that is absent.
struct Builder {
    outputs: Outputs,
    missing: Vec<String>,
}

impl Builder {
    fn put(&mut self, key: &str, value: Option<Value>, looked_for: String) {
        match value {
            Some(value) => {
                self.outputs.insert(key.to_owned(), value);
            }
            None => self.missing.push(format!("{key} ({looked_for})")),
        }
    }
}

/// The console's address of a dashboard, the one the CloudWatch console itself shows for it.
pub fn dashboard_url(region: &str, name: &str) -> String {
    format!("https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#dashboards/dashboard/{name}")
}

/// A live secret's ARN; one scheduled for deletion is as good as gone.
fn live(secret: Option<&Secret>) -> Option<Value> {
    secret
        .filter(|secret| !secret.scheduled_for_deletion)
        .map(|secret| json!(secret.arn))
}

fn active(status: Option<&str>, name: String) -> Option<Value> {
    (status == Some("ACTIVE")).then(|| json!(name))
}

/// `NameKind::PublicSubnet` or `NameKind::PrivateSubnet`: a tier's subnet name kind for an AZ.
type SubnetKind = fn(AzSlot) -> NameKind;

/// The three subnets of one tier, in AZ order, found by their `Name` tags.
fn subnet_ids(subnets: &[Subnet], name: impl Fn(AzSlot) -> String) -> Result<Value, String> {
    let mut ids = Vec::new();
    for az in AzSlot::ALL {
        let wanted = name(az);
        match subnets
            .iter()
            .find(|subnet| subnet.name.as_deref() == Some(wanted.as_str()))
        {
            Some(subnet) => ids.push(subnet.id.clone()),
            None => return Err(format!("subnet named {wanted}")),
        }
    }
    Ok(json!(ids))
}

/// Builds the outputs document, or names every piece that is missing. The sections come in the
/// document's key order, which is also the order the missing pieces are listed in.
pub fn build(spec: &EnvironmentSpec, region: &str, found: &Found) -> Result<Outputs, Missing> {
    let suffix = spec.suffix();
    let names = Names::new(suffix);
    let mut doc = Builder {
        outputs: Outputs::new(),
        missing: Vec::new(),
    };

    network(&mut doc, names, suffix, found);
    edge(&mut doc, names, spec, found);
    service(&mut doc, names, found);
    database(&mut doc, names, found);
    secrets(&mut doc, names, found);
    cache(&mut doc, names, found);
    monitoring(&mut doc, names, region, found);

    if doc.missing.is_empty() {
        Ok(doc.outputs)
    } else {
        Err(Missing(doc.missing))
    }
}

/// Network: the one VPC and each tier's subnets.
fn network(doc: &mut Builder, names: Names, suffix: &EnvironmentSuffix, found: &Found) {
    let vpc_name = names.of(NameKind::Vpc);
    let vpc = match found.vpc_ids.as_slice() {
        [id] => Some(json!(id)),
        _ => None,
    };
    doc.put(
        "vpcId",
        vpc,
        format!(
            "exactly one VPC named {vpc_name} tagged {}={suffix}, found {}",
            tags::ENVIRONMENT,
            found.vpc_ids.len()
        ),
    );
    let tiers: [(&str, SubnetKind); 2] = [
        ("publicSubnetIds", NameKind::PublicSubnet),
        ("privateSubnetIds", NameKind::PrivateSubnet),
    ];
    for (key, kind) in tiers {
        match subnet_ids(&found.subnets, |az| names.of(kind(az))) {
            Ok(ids) => doc.put(key, Some(ids), String::new()),
            Err(looked_for) => doc.put(key, None, looked_for),
        }
    }
}

/// Edge: the URL is the domain when the spec has one, else the load balancer's own name.
fn edge(doc: &mut Builder, names: Names, spec: &EnvironmentSpec, found: &Found) {
    let alb_name = names.of(NameKind::LoadBalancer);
    let lb = found.load_balancer.as_ref();
    doc.put(
        "loadBalancerArn",
        lb.map(|lb| json!(lb.arn)),
        format!("load balancer {alb_name}"),
    );
    doc.put(
        "loadBalancerDnsName",
        lb.map(|lb| json!(lb.dns_name)),
        format!("load balancer {alb_name}"),
    );
    let host = match spec.certificate() {
        CertificateMode::DnsValidated { domain_name, .. } => Some(domain_name.as_str().to_owned()),
        _ => lb.map(|lb| lb.dns_name.clone()),
    };
    doc.put(
        "httpsUrl",
        host.map(|host| json!(format!("https://{host}"))),
        format!("load balancer {alb_name}"),
    );
}

/// Service: the active cluster and service, its discovery name and its log group.
fn service(doc: &mut Builder, names: Names, found: &Found) {
    let cluster = names.of(NameKind::EcsCluster);
    let service = names.of(NameKind::EcsService);
    doc.put(
        "clusterName",
        active(found.cluster_status.as_deref(), cluster.clone()),
        format!("active ECS cluster {cluster}"),
    );
    doc.put(
        "serviceName",
        active(found.service_status.as_deref(), service.clone()),
        format!("active ECS service {service} in {cluster}"),
    );
    let namespace = names.of(NameKind::DiscoveryNamespace);
    let registered = found
        .discovery_services
        .as_ref()
        .is_some_and(|services| services.iter().any(|name| name == DISCOVERY_SERVICE));
    doc.put(
        "serviceDiscoveryName",
        registered.then(|| json!(format!("{DISCOVERY_SERVICE}.{namespace}"))),
        format!("Cloud Map service {DISCOVERY_SERVICE} in namespace {namespace}"),
    );
    let log_group = names.of(NameKind::ServiceLogGroup);
    doc.put(
        "serviceLogGroup",
        found.log_group.then(|| json!(log_group)),
        format!("log group {log_group}"),
    );
}

/// Database: the Aurora cluster's endpoints, port and master user secret.
fn database(doc: &mut Builder, names: Names, found: &Found) {
    let aurora = names.of(NameKind::AuroraCluster);
    // Without the cluster every part is absent, and each is listed missing below.
    let db = found.database.clone().unwrap_or_default();
    let looked_for = |part: &str| format!("{part} of Aurora cluster {aurora}");
    doc.put(
        "dbWriterEndpoint",
        db.writer_endpoint.map(Value::from),
        looked_for("writer endpoint"),
    );
    doc.put(
        "dbReaderEndpoint",
        db.reader_endpoint.map(Value::from),
        looked_for("reader endpoint"),
    );
    doc.put("dbPort", db.port.map(Value::from), looked_for("port"));
    doc.put(
        "dbMasterSecretArn",
        db.master_secret_arn.map(Value::from),
        looked_for("RDS-managed master user secret"),
    );
}

/// Secrets: ARNs only.
fn secrets(doc: &mut Builder, names: Names, found: &Found) {
    for (key, secret, kind) in [
        (
            "dbAppSecretArn",
            &found.db_app_secret,
            NameKind::DatabaseSecret,
        ),
        (
            "apiKeysSecretArn",
            &found.api_keys_secret,
            NameKind::ApiKeysSecret,
        ),
        (
            "cacheAuthSecretArn",
            &found.cache_auth_secret,
            NameKind::CacheAuthSecret,
        ),
    ] {
        doc.put(
            key,
            live(secret.as_ref()),
            format!("secret {} not scheduled for deletion", names.of(kind)),
        );
    }
}

/// Cache: `host:port`, as the cache function hands it on, and the port on its own.
fn cache(doc: &mut Builder, names: Names, found: &Found) {
    let group = names.of(NameKind::CacheReplicationGroup);
    let endpoint = found.cache_endpoint.clone().flatten();
    doc.put(
        "cacheConfigurationEndpoint",
        endpoint
            .as_ref()
            .map(|(host, port)| json!(format!("{host}:{port}"))),
        format!("configuration endpoint of replication group {group}"),
    );
    doc.put(
        "cachePort",
        endpoint.map(|(_, port)| json!(port)),
        format!("configuration endpoint of replication group {group}"),
    );
}

/// Monitoring: the dashboard, with its console address in `region`, and the alarm topic.
fn monitoring(doc: &mut Builder, names: Names, region: &str, found: &Found) {
    let dashboard = names.of(NameKind::Dashboard);
    doc.put(
        "dashboardName",
        found.dashboard.then(|| json!(dashboard)),
        format!("dashboard {dashboard}"),
    );
    doc.put(
        "dashboardUrl",
        found
            .dashboard
            .then(|| json!(dashboard_url(region, &dashboard))),
        format!("dashboard {dashboard}"),
    );
    doc.put(
        "alarmTopicArn",
        found.alarm_topic_arn.clone().map(Value::from),
        format!("SNS topic {}", names.of(NameKind::AlarmTopic)),
    );
}

#[cfg(test)]
pub(crate) mod tests {
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
                arn: "arn:aws:elasticloadbalancing:us-west-2:1:loadbalancer/app/alb-pr-42/abc"
                    .into(),
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
            &"dbMasterSecretArn (RDS-managed master user secret of Aurora cluster aurora-pr-42)"
                .into()
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
}
