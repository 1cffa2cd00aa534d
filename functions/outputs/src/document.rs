//! The outputs document, built from what the reads found: no AWS call here, so every branch is a
//! plain unit test.
//!
//! The document is flat, camelCase, and reuses the key names the component functions already hand
//! on (`vpcId`, `dbWriterEndpoint`, `cacheConfigurationEndpoint`, …), so a key means the same thing
//! wherever it appears. It holds identifiers only: secret ARNs, never a secret value.

use crate::api::{DatabaseCluster, LoadBalancer, Subnet};
use env_core::contract::Outputs;
use env_core::naming::{AzSlot, NameKind, Names};
use env_core::spec::{CacheMode, CertificateMode, EnvironmentSpec, EnvironmentSuffix};
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
    let asleep = spec.fields().asleep;
    cache(&mut doc, cache_source(spec, names), found, asleep);
    monitoring(&mut doc, names, region, found);
    if asleep {
        // Says why the cache has no endpoint and the service no task, so whoever reads the
        // document knows the environment answers again only after `envctl env wake`.
        doc.outputs.insert("asleep".to_owned(), json!(true));
    }

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

/// Cache: `host:port`, as the cache function hands it on, and the port on its own. A sleeping
/// environment has no replication group (the cache component deletes it and keeps its secret):
/// its endpoint is empty, as the cache component hands it on then, and there is no port to name.
/// A group still being deleted (listed with status `deleting` until it is gone: ElastiCache API
/// reference, `ReplicationGroup.Status`) is not one to connect to either, so asleep the endpoint
/// is empty whatever the read found.
fn cache(doc: &mut Builder, source: String, found: &Found, asleep: bool) {
    if asleep {
        doc.put("cacheConfigurationEndpoint", Some(json!("")), String::new());
        return;
    }
    let endpoint = found.cache_endpoint.clone().flatten();
    doc.put(
        "cacheConfigurationEndpoint",
        endpoint
            .as_ref()
            .map(|(host, port)| json!(format!("{host}:{port}"))),
        source.clone(),
    );
    doc.put("cachePort", endpoint.map(|(_, port)| json!(port)), source);
}

/// What the cache's endpoint is read from, for the list of what is missing.
fn cache_source(spec: &EnvironmentSpec, names: Names) -> String {
    match spec.fields().cache_mode {
        CacheMode::Serverless => format!(
            "endpoint of serverless cache {}",
            names.of(NameKind::ServerlessCache)
        ),
        CacheMode::Cluster => format!(
            "configuration endpoint of replication group {}",
            names.of(NameKind::CacheReplicationGroup)
        ),
    }
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
#[path = "document_tests.rs"]
pub(crate) mod tests;
