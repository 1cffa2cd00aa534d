//! The environment spec: the input of every workflow, validated once, up front, by the same types
//! every function deserialises.

pub mod cache;
pub mod capacity;
pub mod certificate;
pub mod database;
#[cfg(any(test, feature = "test-util"))]
pub mod example;
pub mod field;
pub mod lifecycle;
pub mod monitoring;
pub mod network;
pub mod problem;
pub mod service;
pub mod suffix;

pub use cache::{CacheMode, SERVERLESS_DATA_STORAGE_GB, SERVERLESS_ECPU_PER_SECOND};
pub use capacity::{
    Acu, CacheNodeType, CpuTargetPercent, ReplicaCount, ShardCount, TaskCount, TaskCpu,
    TaskMemoryMib,
};
pub use certificate::{CertificateArn, CertificateMode, DomainName, HostedZoneId};
pub use database::{aurora_max_connections, AutoPauseSeconds, DbPoolSize};
pub use lifecycle::{IdleMinutes, PullRequestNumber, TtlHours};
pub use monitoring::{AlarmEmail, AlarmPercent, LatencyAlarmMs};
pub use network::{NatStrategy, Region, VpcCidr};
pub use problem::{InvalidSpec, Problem};
pub use service::{
    ContainerImage, ContainerPort, CpuArchitecture, DeploymentStrategy, DeregistrationDelaySeconds,
    HealthCheckPath,
};
pub use suffix::EnvironmentSuffix;

#[cfg(test)]
mod tests;

use field::{check, SpecField};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The spec as written in JSON (camelCase), each field already a validating newtype, defaults filled.
/// Cross-field rules (ranges, task sizes, the certificate source) are checked by [`EnvironmentSpec`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SpecFields {
    pub environment_suffix: EnvironmentSuffix,
    #[serde(default)]
    pub region: Region,
    #[serde(default = "yes")]
    pub deletion_protection: bool,
    #[serde(default)]
    pub force_destroy: bool,
    #[serde(default)]
    pub nat_gateways: NatStrategy,
    #[serde(default)]
    pub vpc_cidr: VpcCidr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_hours: Option<TtlHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<PullRequestNumber>,
    /// A warm-pool environment waiting to be claimed: everything is created, but its service runs
    /// no task until a claim sets this back to false (docs/warm-pool-design.md).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub standby: bool,
    /// A sleeping environment (`envctl env sleep`): its service runs no task and what is quick to
    /// make again and billed by the hour while idle is removed until a wake sets this back to false
    /// (README, "Sleep and wake"). The load balancer, database, secrets and alarms stay.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub asleep: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sleep_after_idle_minutes: Option<IdleMinutes>,
    pub container_image: ContainerImage,
    #[serde(default = "defaults::container_port")]
    pub container_port: ContainerPort,
    #[serde(default)]
    pub health_check_path: HealthCheckPath,
    #[serde(default = "defaults::min_tasks")]
    pub min_tasks: TaskCount,
    #[serde(default = "defaults::max_tasks")]
    pub max_tasks: TaskCount,
    #[serde(default = "defaults::cpu_target_percent")]
    pub cpu_target_percent: CpuTargetPercent,
    #[serde(default = "defaults::task_cpu")]
    pub task_cpu: TaskCpu,
    #[serde(default = "defaults::task_memory")]
    pub task_memory: TaskMemoryMib,
    #[serde(default)]
    pub cpu_architecture: CpuArchitecture,
    #[serde(default)]
    pub deployment_strategy: DeploymentStrategy,
    #[serde(default = "defaults::deregistration_delay_seconds")]
    pub deregistration_delay_seconds: DeregistrationDelaySeconds,
    #[serde(default = "defaults::db_min_capacity")]
    pub db_min_capacity: Acu,
    #[serde(default = "defaults::db_max_capacity")]
    pub db_max_capacity: Acu,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_auto_pause_seconds: Option<AutoPauseSeconds>,
    #[serde(default = "defaults::db_pool_size")]
    pub db_pool_size: DbPoolSize,
    #[serde(default = "defaults::cache_shards")]
    pub cache_shards: ShardCount,
    #[serde(default = "defaults::cache_replicas_per_shard")]
    pub cache_replicas_per_shard: ReplicaCount,
    #[serde(default)]
    pub cache_node_type: CacheNodeType,
    /// The node-based cluster (default) or an ElastiCache Serverless cache (issue 22). Written only
    /// when serverless, so a spec without it reads and writes the same JSON as before the field.
    #[serde(default, skip_serializing_if = "CacheMode::is_cluster")]
    pub cache_mode: CacheMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_name: Option<DomainName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosted_zone_id: Option<HostedZoneId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_arn: Option<CertificateArn>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub self_signed_certificate: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarm_email: Option<AlarmEmail>,
    #[serde(default = "defaults::alarm_percent")]
    pub cpu_alarm_percent: AlarmPercent,
    #[serde(default = "defaults::latency_p99_alarm_ms")]
    pub latency_p99_alarm_ms: LatencyAlarmMs,
    #[serde(default = "defaults::alarm_percent")]
    pub db_connections_alarm_percent: AlarmPercent,
    #[serde(default = "defaults::db_acu_alarm_percent")]
    pub db_acu_alarm_percent: AlarmPercent,
    #[serde(default = "defaults::alarm_percent")]
    pub cache_memory_alarm_percent: AlarmPercent,
    #[serde(default = "defaults::alarm_percent")]
    pub cache_cpu_alarm_percent: AlarmPercent,
}

fn yes() -> bool {
    true
}

/// The request's numbers, as defaults: 2–10 tasks at 70 % CPU, 2 shards with 1 replica each.
mod defaults {
    use super::*;

    pub fn container_port() -> ContainerPort {
        ContainerPort::from_constant(3000)
    }
    pub fn min_tasks() -> TaskCount {
        TaskCount::from_constant(2)
    }
    pub fn max_tasks() -> TaskCount {
        TaskCount::from_constant(10)
    }
    pub fn cpu_target_percent() -> CpuTargetPercent {
        CpuTargetPercent::from_constant(70)
    }
    pub fn task_cpu() -> TaskCpu {
        TaskCpu::from_constant(512)
    }
    pub fn task_memory() -> TaskMemoryMib {
        TaskMemoryMib::from_constant(1024)
    }
    pub fn deregistration_delay_seconds() -> DeregistrationDelaySeconds {
        DeregistrationDelaySeconds::from_constant(30)
    }
    pub fn db_min_capacity() -> Acu {
        Acu::from_halves(1)
    }
    pub fn db_max_capacity() -> Acu {
        Acu::from_halves(8)
    }
    pub fn db_pool_size() -> DbPoolSize {
        DbPoolSize::from_constant(10)
    }
    pub fn cache_shards() -> ShardCount {
        ShardCount::from_constant(2)
    }
    pub fn cache_replicas_per_shard() -> ReplicaCount {
        ReplicaCount::from_constant(1)
    }
    /// CPU, database connections, cache memory and cache CPU alarm at 80 %: room to react before
    /// saturation, above the 70 % the service's autoscaling aims for.
    pub fn alarm_percent() -> AlarmPercent {
        AlarmPercent::from_constant(80)
    }
    /// Aurora scales within its ACU range by itself; 90 % of the maximum means it is about to run out.
    pub fn db_acu_alarm_percent() -> AlarmPercent {
        AlarmPercent::from_constant(90)
    }
    pub fn latency_p99_alarm_ms() -> LatencyAlarmMs {
        LatencyAlarmMs::from_constant(1000)
    }
}

impl<T: SpecField> SpecField for Option<T> {
    const ALLOWED: &'static str = T::ALLOWED;
}

/// Every field the spec accepts, in the order the README's table lists them.
pub const FIELDS: [&str; 41] = [
    "environmentSuffix",
    "region",
    "deletionProtection",
    "forceDestroy",
    "natGateways",
    "vpcCidr",
    "ttlHours",
    "pullRequest",
    "standby",
    "asleep",
    "sleepAfterIdleMinutes",
    "containerImage",
    "containerPort",
    "healthCheckPath",
    "minTasks",
    "maxTasks",
    "cpuTargetPercent",
    "taskCpu",
    "taskMemory",
    "cpuArchitecture",
    "deploymentStrategy",
    "deregistrationDelaySeconds",
    "dbMinCapacity",
    "dbMaxCapacity",
    "dbAutoPauseSeconds",
    "dbPoolSize",
    "cacheShards",
    "cacheReplicasPerShard",
    "cacheNodeType",
    "cacheMode",
    "domainName",
    "hostedZoneId",
    "certificateArn",
    "selfSignedCertificate",
    "alarmEmail",
    "cpuAlarmPercent",
    "latencyP99AlarmMs",
    "dbConnectionsAlarmPercent",
    "dbAcuAlarmPercent",
    "cacheMemoryAlarmPercent",
    "cacheCpuAlarmPercent",
];

/// Checks one named field on its own; `None` for a name the spec does not have.
fn check_field(name: &str, value: &Value) -> Option<Result<(), String>> {
    Some(match name {
        "environmentSuffix" => check::<EnvironmentSuffix>(value),
        "region" => check::<Region>(value),
        "deletionProtection" | "forceDestroy" | "selfSignedCertificate" | "standby" | "asleep" => {
            check::<bool>(value)
        }
        "natGateways" => check::<NatStrategy>(value),
        "vpcCidr" => check::<VpcCidr>(value),
        "ttlHours" => check::<Option<TtlHours>>(value),
        "pullRequest" => check::<Option<PullRequestNumber>>(value),
        "sleepAfterIdleMinutes" => check::<Option<IdleMinutes>>(value),
        "containerImage" => check::<ContainerImage>(value),
        "containerPort" => check::<ContainerPort>(value),
        "healthCheckPath" => check::<HealthCheckPath>(value),
        "minTasks" | "maxTasks" => check::<TaskCount>(value),
        "cpuTargetPercent" => check::<CpuTargetPercent>(value),
        "taskCpu" => check::<TaskCpu>(value),
        "taskMemory" => check::<TaskMemoryMib>(value),
        "cpuArchitecture" => check::<CpuArchitecture>(value),
        "deploymentStrategy" => check::<DeploymentStrategy>(value),
        "deregistrationDelaySeconds" => check::<DeregistrationDelaySeconds>(value),
        "dbMinCapacity" | "dbMaxCapacity" => check::<Acu>(value),
        "dbAutoPauseSeconds" => check::<Option<AutoPauseSeconds>>(value),
        "dbPoolSize" => check::<DbPoolSize>(value),
        "cacheShards" => check::<ShardCount>(value),
        "cacheReplicasPerShard" => check::<ReplicaCount>(value),
        "cacheNodeType" => check::<CacheNodeType>(value),
        "cacheMode" => check::<CacheMode>(value),
        "domainName" => check::<Option<DomainName>>(value),
        "hostedZoneId" => check::<Option<HostedZoneId>>(value),
        "certificateArn" => check::<Option<CertificateArn>>(value),
        "alarmEmail" => check::<Option<AlarmEmail>>(value),
        "cpuAlarmPercent"
        | "dbConnectionsAlarmPercent"
        | "dbAcuAlarmPercent"
        | "cacheMemoryAlarmPercent"
        | "cacheCpuAlarmPercent" => check::<AlarmPercent>(value),
        "latencyP99AlarmMs" => check::<LatencyAlarmMs>(value),
        _ => return None,
    })
}

/// A complete, consistent environment spec. It cannot exist unless every rule holds: deserialising
/// one (as every function does with its event) runs the same checks as [`EnvironmentSpec::from_value`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SpecFields", into = "SpecFields")]
pub struct EnvironmentSpec {
    fields: SpecFields,
    certificate: CertificateMode,
}

impl EnvironmentSpec {
    /// Validates a spec, reporting every problem at once (field, value, what is allowed).
    pub fn from_value(value: &Value) -> Result<Self, InvalidSpec> {
        let Some(object) = value.as_object() else {
            return Err(single(Problem::new(
                "spec",
                value,
                "a JSON object with the spec's fields",
            )));
        };
        let mut problems = Vec::new();
        for (name, field_value) in object {
            match check_field(name, field_value) {
                Some(Ok(())) => {}
                Some(Err(allowed)) => problems.push(Problem::new(name, field_value, allowed)),
                None => problems.push(Problem::new(
                    name,
                    field_value,
                    format!("unknown field; the spec's fields are {}", FIELDS.join(", ")),
                )),
            }
        }
        let mut patched = object.clone();
        for problem in &problems {
            patched.remove(&problem.field);
        }
        for (required, allowed, stand_in) in [
            ("environmentSuffix", EnvironmentSuffix::ALLOWED, "x"),
            ("containerImage", ContainerImage::ALLOWED, "x"),
        ] {
            if !object.contains_key(required) {
                problems.push(Problem::missing(required, allowed));
            }
            // A valid stand-in lets the cross-field rules run even when this field is bad.
            patched
                .entry(required)
                .or_insert_with(|| Value::from(stand_in));
        }
        // Invalid fields were dropped (their defaults stand in); a cross-field problem is only
        // reported when none of the fields it involves was invalid, so no stand-in causes one.
        // Every remaining field passed on its own, so this deserialisation cannot fail.
        let fields = serde_json::from_value::<SpecFields>(Value::Object(patched)).ok();
        let invalid_fields: Vec<String> = problems.iter().map(|p| p.field.clone()).collect();
        match fields.map(Self::try_from) {
            Some(Ok(spec)) if problems.is_empty() => Ok(spec),
            Some(Ok(_)) | None => Err(InvalidSpec::non_empty(problems)),
            Some(Err(cross)) => {
                problems.extend(
                    cross
                        .problems()
                        .iter()
                        .filter(|p| {
                            !involved_fields(&p.field)
                                .iter()
                                .any(|f| invalid_fields.iter().any(|i| i == f))
                        })
                        .cloned(),
                );
                Err(InvalidSpec::non_empty(problems))
            }
        }
    }

    pub fn fields(&self) -> &SpecFields {
        &self.fields
    }

    pub fn suffix(&self) -> &EnvironmentSuffix {
        &self.fields.environment_suffix
    }

    pub fn certificate(&self) -> &CertificateMode {
        &self.certificate
    }

    /// Protection is on while the environment lives unless the spec turns it off, and never blocks a
    /// teardown the spec marks as force-destroy.
    pub fn protection_blocks_deletion(&self) -> bool {
        self.fields.deletion_protection && !self.fields.force_destroy
    }
}

/// The fields a cross-field problem reported under `field` depends on.
fn involved_fields(field: &str) -> &'static [&'static str] {
    match field {
        "maxTasks" => &["minTasks", "maxTasks"],
        "taskMemory" => &["taskCpu", "taskMemory"],
        "dbMaxCapacity" => &["dbMinCapacity", "dbMaxCapacity"],
        "dbAutoPauseSeconds" => &["dbMinCapacity", "dbAutoPauseSeconds"],
        "dbPoolSize" => &["maxTasks", "dbPoolSize", "dbMaxCapacity"],
        "asleep" => &["standby", "asleep"],
        _ => &[
            "domainName",
            "hostedZoneId",
            "certificateArn",
            "selfSignedCertificate",
        ],
    }
}

fn single(problem: Problem) -> InvalidSpec {
    InvalidSpec::non_empty(vec![problem])
}

impl TryFrom<SpecFields> for EnvironmentSpec {
    type Error = InvalidSpec;

    fn try_from(fields: SpecFields) -> Result<Self, Self::Error> {
        let mut problems = Vec::new();
        let json = |value: u64| Value::from(value);
        if fields.min_tasks > fields.max_tasks {
            problems.push(Problem::new(
                "maxTasks",
                &json(fields.max_tasks.into()),
                format!("must be at least minTasks ({})", fields.min_tasks.get()),
            ));
        }
        if !fields.task_cpu.accepts_memory(fields.task_memory) {
            let (low, high, step) = fields.task_cpu.memory_range();
            problems.push(Problem::new(
                "taskMemory",
                &json(fields.task_memory.into()),
                format!(
                    "with taskCpu {} Fargate accepts {low} to {high} MiB in steps of {step}",
                    fields.task_cpu.get()
                ),
            ));
        }
        // Aurora Serverless v2 needs a maximum of at least 1 ACU (Aurora user guide,
        // "Choosing the Aurora Serverless v2 capacity range").
        if fields.db_max_capacity < Acu::from_halves(2) {
            problems.push(Problem::new(
                "dbMaxCapacity",
                &serde_json::json!(fields.db_max_capacity),
                "must be at least 1 ACU",
            ));
        } else if fields.db_min_capacity > fields.db_max_capacity {
            problems.push(Problem::new(
                "dbMaxCapacity",
                &serde_json::json!(fields.db_max_capacity),
                format!(
                    "must be at least dbMinCapacity ({})",
                    fields.db_min_capacity.as_f64()
                ),
            ));
        } else {
            // Only against a usable maximum: a budget computed from a rejected one would mislead.
            problems.extend(database::check_connection_budget(
                fields.max_tasks,
                fields.db_pool_size,
                fields.db_max_capacity,
            ));
        }
        // Aurora pauses only an instance whose minimum is 0 ACUs; with a higher one the setting
        // would be dropped silently (RDS API reference, `SecondsUntilAutoPause`: shown only when
        // the minimum capacity is 0).
        if let (Some(seconds), false) = (
            fields.db_auto_pause_seconds,
            fields.db_min_capacity == Acu::from_halves(0),
        ) {
            problems.push(Problem::new(
                "dbAutoPauseSeconds",
                &json(seconds.into()),
                format!(
                    "only with dbMinCapacity 0 (Aurora pauses only at 0 ACUs; dbMinCapacity is {})",
                    fields.db_min_capacity.as_f64()
                ),
            ));
        }
        // A pool environment is kept awake to be claimed in about a minute; one that sleeps is
        // claimed by no one, so the two states exclude each other.
        if fields.standby && fields.asleep {
            problems.push(Problem::new(
                "asleep",
                &Value::Bool(true),
                "only without standby (a warm-pool environment waits awake to be claimed)",
            ));
        }
        let certificate = resolve_certificate(&fields, &mut problems);
        // resolve_certificate records a problem whenever it finds no single source.
        match certificate {
            Some(certificate) if problems.is_empty() => Ok(Self {
                fields,
                certificate,
            }),
            _ => Err(InvalidSpec::non_empty(problems)),
        }
    }
}

fn resolve_certificate(
    fields: &SpecFields,
    problems: &mut Vec<Problem>,
) -> Option<CertificateMode> {
    let dns = match (&fields.domain_name, &fields.hosted_zone_id) {
        (Some(domain_name), Some(hosted_zone_id)) => Some(CertificateMode::DnsValidated {
            domain_name: domain_name.clone(),
            hosted_zone_id: hosted_zone_id.clone(),
        }),
        (Some(domain), None) => {
            problems.push(Problem::new(
                "hostedZoneId",
                &Value::Null,
                format!("required with domainName {:?}: the hosted zone that receives the DNS validation records", domain.as_str()),
            ));
            return None;
        }
        (None, Some(zone)) => {
            problems.push(Problem::new(
                "domainName",
                &Value::Null,
                format!(
                    "required with hostedZoneId {:?}: the name the certificate is for",
                    zone.as_str()
                ),
            ));
            return None;
        }
        (None, None) => None,
    };
    let existing = fields
        .certificate_arn
        .clone()
        .map(CertificateMode::Existing);
    let self_signed = fields
        .self_signed_certificate
        .then_some(CertificateMode::SelfSigned);
    let mut chosen: Vec<CertificateMode> =
        [dns, existing, self_signed].into_iter().flatten().collect();
    if chosen.len() == 1 {
        return chosen.pop();
    }
    let given = if chosen.is_empty() {
        "(none)"
    } else {
        "(several)"
    };
    problems.push(Problem {
        field: "certificate".to_owned(),
        value: given.to_owned(),
        allowed: CertificateMode::OPTIONS.to_owned(),
    });
    None
}

impl From<EnvironmentSpec> for SpecFields {
    fn from(spec: EnvironmentSpec) -> Self {
        spec.fields
    }
}
