//! What the audit knows about one environment: plain values read from the describe APIs, one struct per
//! resource, holding only the properties a check of docs/compliance.md or the AZ analysis looks at.
//!
//! Everything the reader could not find is `None` or an empty list, so a missing resource turns into a
//! finding rather than an error: an audit of a half-built environment still reports every check.

use env_core::secret_policy::EnvironmentSecret;
use env_core::spec::service::EcrRepository;
use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Environment {
    pub suffix: String,
    /// The spec's protection settings, read from the environment's tags or given by the caller; the
    /// deletion-protection checks are waived when `force_destroy` is on.
    pub force_destroy: bool,
    /// The spec's `healthCheckPath`: what every target group must probe (CKV_AWS_261).
    pub health_check_path: String,
    /// The private ECR repository the spec's image is pulled from, if any (ECR.1/2/3).
    pub image_repository: Option<EcrRepository>,
    pub network: Network,
    pub service: Option<Service>,
    pub load_balancer: Option<LoadBalancer>,
    pub database: Option<Database>,
    pub cache: Option<Cache>,
    pub secrets: Vec<Secret>,
    pub key: Option<Key>,
    pub roles: Vec<Role>,
    pub log_groups: Vec<LogGroup>,
    pub certificates: Vec<Certificate>,
    pub alarms: Vec<Alarm>,
    /// The settings of `image_repository`, when it exists.
    pub repository: Option<Repository>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Network {
    pub vpc_id: Option<String>,
    /// Rules left on the VPC's default security group (ingress and egress together).
    pub default_group_rules: usize,
    /// Log groups the VPC's active flow logs deliver to.
    pub flow_log_groups: Vec<String>,
    pub subnets: Vec<Subnet>,
    pub security_groups: Vec<SecurityGroup>,
    pub nat_gateways: Vec<NatGateway>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Subnet {
    pub id: String,
    pub zone: String,
    pub public: bool,
    pub maps_public_ip: bool,
    /// Where 0.0.0.0/0 goes from this subnet: a NAT gateway id, an internet gateway id, or nothing.
    pub default_route: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NatGateway {
    pub id: String,
    pub subnet_id: String,
    pub zone: String,
}

/// Which group of the environment a security group is (the name's tier: alb, service, database, …).
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityGroup {
    pub id: String,
    pub tier: String,
    /// `None` when EC2 answers none: the group has no description.
    pub description: Option<String>,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    /// `0.0.0.0/0`, another CIDR, or `None` when the rule references a security group.
    pub cidr: Option<String>,
    pub description: Option<String>,
}

impl Rule {
    pub fn open_to_the_world(&self) -> bool {
        matches!(self.cidr.as_deref(), Some("0.0.0.0/0"))
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Service {
    pub cluster_container_insights: bool,
    pub assign_public_ip: bool,
    pub subnet_ids: Vec<String>,
    pub platform_version: Option<String>,
    pub circuit_breaker: bool,
    pub circuit_breaker_rollback: bool,
    pub network_mode: Option<String>,
    pub pid_mode: Option<String>,
    pub execution_role_arn: Option<String>,
    pub task_role_arn: Option<String>,
    pub containers: Vec<Container>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Container {
    pub name: String,
    pub privileged: bool,
    pub read_only_root: bool,
    /// Names of the plain environment variables (values are not kept: they might be secrets).
    pub environment: Vec<(String, String)>,
    pub secrets: Vec<String>,
    pub log_driver: Option<String>,
    pub user: Option<String>,
    pub health_check: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadBalancer {
    pub arn: String,
    pub zones: Vec<String>,
    pub drop_invalid_headers: bool,
    pub access_logs: bool,
    pub deletion_protection: bool,
    pub desync_mode: Option<String>,
    pub listeners: Vec<Listener>,
    pub target_groups: Vec<TargetGroup>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Listener {
    pub port: i32,
    pub protocol: String,
    pub ssl_policy: Option<String>,
    /// `redirect:HTTPS:443:HTTP_301`, `forward`, `fixed-response` … of the default action.
    pub default_action: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetGroup {
    pub name: String,
    /// `instance`, `ip`, `lambda` or `alb` (ELB API reference, TargetGroup `TargetType`).
    pub target_type: String,
    pub health_check_enabled: bool,
    pub health_check_path: Option<String>,
    pub matcher: Option<String>,
    pub healthy_threshold: Option<i32>,
    pub unhealthy_threshold: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Database {
    pub cluster_id: String,
    pub storage_encrypted: bool,
    pub kms_key_id: Option<String>,
    pub deletion_protection: bool,
    pub iam_auth: bool,
    pub backup_retention_days: i32,
    pub auto_minor_upgrade: bool,
    pub copy_tags_to_snapshot: bool,
    pub log_exports: Vec<String>,
    pub master_username: String,
    pub manages_master_password: bool,
    pub force_ssl: Option<String>,
    pub instances: Vec<DbInstance>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DbInstance {
    pub id: String,
    /// `None` while RDS has not placed the instance yet.
    pub zone: Option<String>,
    pub writer: bool,
    pub publicly_accessible: bool,
    pub auto_minor_upgrade: bool,
    pub performance_insights: bool,
    pub performance_insights_kms: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cache {
    pub group_id: String,
    pub snapshot_retention_days: i32,
    pub auto_minor_upgrade: bool,
    pub automatic_failover: bool,
    pub multi_az: bool,
    pub at_rest_encryption: bool,
    pub kms_key_id: Option<String>,
    pub transit_encryption: bool,
    pub transit_mode: Option<String>,
    pub auth_token: bool,
    pub subnet_group: Option<String>,
    /// Each shard with the AZ of each of its nodes.
    pub shards: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Secret {
    pub name: String,
    pub kms_key_id: Option<String>,
    pub rotation_enabled: bool,
    pub rotation_days: Option<i64>,
    /// Which of the environment's own secrets it is; `None` for the master user's, RDS's.
    pub kind: Option<EnvironmentSecret>,
    /// Its resource policy (GetResourcePolicy), parsed; `None` when it has none.
    pub resource_policy: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub arn: String,
    pub rotation_enabled: bool,
    pub policy: Value,
}

/// An IAM role with every policy document attached to it (inline and customer-managed), parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub name: String,
    pub documents: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogGroup {
    pub name: String,
    pub retention_days: Option<i32>,
    pub kms_key_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Certificate {
    pub arn: String,
    pub key_algorithm: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    pub name: String,
    pub actions_enabled: bool,
    pub alarm_actions: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Repository {
    pub scan_on_push: bool,
    pub immutable_tags: bool,
    pub lifecycle_policy: bool,
}
