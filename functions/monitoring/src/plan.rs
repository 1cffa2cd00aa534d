//! What monitoring an environment should have, computed from the spec and the identifiers the earlier
//! components handed on: metric filters, alarms and the dashboard. Pure: no AWS call happens here.

use env_core::contract::Outputs;
use env_core::naming::{AlarmKind, CacheNode, LogMetric, NameKind, Names};
use env_core::outputs::{
    CacheOutputs, ComponentOutputs, DatabaseOutputs, EdgeOutputs, MissingOutputs, NetworkOutputs,
    ServiceOutputs,
};
use env_core::spec::{AlarmPercent, EnvironmentSpec};
use serde_json::{json, Value};

/// The identifiers of earlier components the alarms and the dashboard point at.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pub service_log_group: String,
    pub cluster_name: String,
    pub service_name: String,
    /// `app/<name>/<id>`: the part of the load balancer ARN its CloudWatch dimension uses.
    pub load_balancer: String,
    /// `targetgroup/<name>/<id>` for each target group, as their dimension uses them.
    pub target_groups: Vec<String>,
    pub db_cluster: String,
    pub cache_group: String,
    /// The environment's KMS key, which encrypts the alarm topic.
    pub kms_key_arn: String,
}

impl Inputs {
    /// Reads the inputs from the event's outputs; a missing or mistyped one is an invalid event, so
    /// nothing is called before every input is there.
    pub fn from_outputs(outputs: &Outputs) -> Result<Self, MissingOutputs> {
        let network = NetworkOutputs::of(outputs)?;
        let database = DatabaseOutputs::of(outputs)?;
        let cache = CacheOutputs::of(outputs)?;
        let edge = EdgeOutputs::of(outputs)?;
        let service = ServiceOutputs::of(outputs)?;
        Ok(Self {
            service_log_group: ServiceOutputs::non_empty(
                "serviceLogGroup",
                &service.service_log_group,
            )?,
            cluster_name: ServiceOutputs::non_empty("clusterName", &service.cluster_name)?,
            service_name: ServiceOutputs::non_empty("serviceName", &service.service_name)?,
            load_balancer: EdgeOutputs::non_empty(
                "loadBalancerArnSuffix",
                &edge.load_balancer_arn_suffix,
            )?,
            target_groups: EdgeOutputs::at_least(
                "targetGroupArnSuffixes",
                &edge.target_group_arn_suffixes,
                1,
            )?,
            db_cluster: DatabaseOutputs::non_empty(
                "dbClusterIdentifier",
                &database.db_cluster_identifier,
            )?,
            cache_group: CacheOutputs::non_empty(
                "cacheReplicationGroupId",
                &cache.cache_replication_group_id,
            )?,
            kms_key_arn: NetworkOutputs::non_empty("kmsKeyArn", &network.kms_key_arn)?,
        })
    }
}

pub use env_core::spec::aurora_max_connections;

/// Every node of the cluster: shards × (1 primary + replicas).
pub fn cache_nodes(spec: &EnvironmentSpec) -> Vec<CacheNode> {
    let fields = spec.fields();
    let per_shard = 1 + fields.cache_replicas_per_shard.get();
    (1..=fields.cache_shards.get())
        .flat_map(|shard| (1..=per_shard).map(move |node| CacheNode { shard, node }))
        .collect()
}

/// The name of every alarm the spec calls for, in the order they are created.
pub fn alarm_names(spec: &EnvironmentSpec) -> Vec<String> {
    let names = Names::new(spec.suffix());
    alarm_kinds(spec)
        .into_iter()
        .map(|kind| names.of(NameKind::Alarm(kind)))
        .collect()
}

fn alarm_kinds(spec: &EnvironmentSpec) -> Vec<AlarmKind> {
    let mut kinds = AlarmKind::SINGLE.to_vec();
    for node in cache_nodes(spec) {
        kinds.extend([AlarmKind::CacheMemory(node), AlarmKind::CacheCpu(node)]);
    }
    kinds
}

/// A metric filter on the service's log group.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricFilter {
    pub name: String,
    pub pattern: &'static str,
    pub namespace: String,
    pub metric_name: &'static str,
    pub value: &'static str,
    pub unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Milliseconds,
    Count,
}

/// The API's request log contract (README, "Monitoring"): one JSON line per request with
/// `responseTimeMs` (a number) and `status` (the HTTP status code, a number).
pub const RESPONSE_TIME_METRIC: &str = "ResponseTime";
pub const SERVER_ERRORS_METRIC: &str = "ServerErrors";

pub fn metric_filters(spec: &EnvironmentSpec) -> Vec<MetricFilter> {
    let names = Names::new(spec.suffix());
    let namespace = names.of(NameKind::MetricNamespace);
    LogMetric::ALL
        .into_iter()
        .map(|metric| {
            let name = names.of(NameKind::MetricFilter(metric));
            match metric {
                // A numeric comparison matches only lines whose field is a number.
                LogMetric::ResponseTime => MetricFilter {
                    name,
                    pattern: "{ $.responseTimeMs >= 0 }",
                    namespace: namespace.clone(),
                    metric_name: RESPONSE_TIME_METRIC,
                    value: "$.responseTimeMs",
                    unit: Unit::Milliseconds,
                },
                LogMetric::ServerErrors => MetricFilter {
                    name,
                    pattern: "{ $.status >= 500 }",
                    namespace: namespace.clone(),
                    metric_name: SERVER_ERRORS_METRIC,
                    value: "1",
                    unit: Unit::Count,
                },
            }
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    Average,
    Maximum,
    Minimum,
    Sum,
    P99,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    GreaterThan,
    GreaterThanOrEqual,
}

/// What an alarm does while its metric has no data; chosen per alarm, never left to the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingData {
    /// No data means no traffic or nothing to count: nothing is wrong.
    NotBreaching,
    /// The metric is published continuously while the resource lives; its absence shows as
    /// INSUFFICIENT_DATA rather than paging anyone.
    Missing,
}

impl MissingData {
    pub fn as_str(self) -> &'static str {
        match self {
            MissingData::NotBreaching => "notBreaching",
            MissingData::Missing => "missing",
        }
    }
}

/// One metric, or the sum of the same metric over several dimension sets (metric math).
#[derive(Debug, Clone, PartialEq)]
pub enum AlarmMetric {
    Single {
        namespace: String,
        name: &'static str,
        dimensions: Vec<(&'static str, String)>,
        statistic: Statistic,
    },
    SumOf {
        namespace: &'static str,
        name: &'static str,
        series: Vec<Vec<(&'static str, String)>>,
        statistic: Statistic,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    pub name: String,
    pub description: String,
    pub metric: AlarmMetric,
    pub period_seconds: i32,
    pub evaluation_periods: i32,
    pub threshold: f64,
    pub comparison: Comparison,
    pub missing_data: MissingData,
}

fn single(
    namespace: &str,
    name: &'static str,
    dimensions: Vec<(&'static str, String)>,
    statistic: Statistic,
) -> AlarmMetric {
    AlarmMetric::Single {
        namespace: namespace.to_owned(),
        name,
        dimensions,
        statistic,
    }
}

/// Every alarm of the environment, each with its threshold from the spec and a description telling
/// the on-call what to look at.
pub fn alarms(spec: &EnvironmentSpec, inputs: &Inputs) -> Vec<Alarm> {
    let names = Names::new(spec.suffix());
    alarm_kinds(spec)
        .into_iter()
        .map(|kind| {
            let (metric, threshold, comparison, missing_data) = alarm_metric(kind, spec, inputs);
            Alarm {
                name: names.of(NameKind::Alarm(kind)),
                description: description(kind, spec, inputs),
                metric,
                period_seconds: 60,
                // Running at the maximum is normal for a while; 15 minutes of it is not.
                evaluation_periods: if kind == AlarmKind::ServiceTasksAtMax {
                    15
                } else {
                    5
                },
                threshold,
                comparison,
                missing_data,
            }
        })
        .collect()
}

fn alarm_metric(
    kind: AlarmKind,
    spec: &EnvironmentSpec,
    inputs: &Inputs,
) -> (AlarmMetric, f64, Comparison, MissingData) {
    use Comparison::{GreaterThan, GreaterThanOrEqual};
    use MissingData::{Missing, NotBreaching};
    let fields = spec.fields();
    let percent = |value: AlarmPercent| f64::from(value.get());
    let latency_ms = f64::from(fields.latency_p99_alarm_ms.get());
    let service = vec![
        ("ClusterName", inputs.cluster_name.clone()),
        ("ServiceName", inputs.service_name.clone()),
    ];
    let load_balancer = vec![("LoadBalancer", inputs.load_balancer.clone())];
    let db = vec![("DBClusterIdentifier", inputs.db_cluster.clone())];
    let node = |node: CacheNode| vec![("CacheClusterId", node.cluster_id(&inputs.cache_group))];
    match kind {
        AlarmKind::ServiceCpu => (
            single("AWS/ECS", "CPUUtilization", service, Statistic::Average),
            percent(fields.cpu_alarm_percent),
            GreaterThan,
            Missing,
        ),
        AlarmKind::ServiceTasksAtMax => (
            single(
                "ECS/ContainerInsights",
                "RunningTaskCount",
                service,
                Statistic::Minimum,
            ),
            f64::from(fields.max_tasks.get()),
            GreaterThanOrEqual,
            NotBreaching,
        ),
        AlarmKind::TargetErrors => (
            single(
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                load_balancer,
                Statistic::Sum,
            ),
            TARGET_ERRORS_PER_MINUTE,
            GreaterThan,
            NotBreaching,
        ),
        AlarmKind::UnhealthyHosts => (
            AlarmMetric::SumOf {
                namespace: "AWS/ApplicationELB",
                name: "UnHealthyHostCount",
                series: inputs
                    .target_groups
                    .iter()
                    .map(|group| {
                        vec![
                            ("TargetGroup", group.clone()),
                            ("LoadBalancer", inputs.load_balancer.clone()),
                        ]
                    })
                    .collect(),
                statistic: Statistic::Maximum,
            },
            0.0,
            GreaterThan,
            // The target group not in use has no targets and publishes nothing.
            NotBreaching,
        ),
        AlarmKind::LoadBalancerLatency => (
            single(
                "AWS/ApplicationELB",
                "TargetResponseTime",
                load_balancer,
                Statistic::P99,
            ),
            // TargetResponseTime is in seconds.
            latency_ms / 1000.0,
            GreaterThan,
            NotBreaching,
        ),
        AlarmKind::ApiLatency => (
            single(
                &Names::new(spec.suffix()).of(NameKind::MetricNamespace),
                RESPONSE_TIME_METRIC,
                Vec::new(),
                Statistic::P99,
            ),
            latency_ms,
            GreaterThan,
            NotBreaching,
        ),
        AlarmKind::DatabaseConnections => (
            single("AWS/RDS", "DatabaseConnections", db, Statistic::Maximum),
            f64::from(aurora_max_connections(fields.db_max_capacity))
                * percent(fields.db_connections_alarm_percent)
                / 100.0,
            GreaterThan,
            Missing,
        ),
        AlarmKind::DatabaseCapacity => (
            single("AWS/RDS", "ACUUtilization", db, Statistic::Average),
            percent(fields.db_acu_alarm_percent),
            GreaterThan,
            Missing,
        ),
        AlarmKind::CacheMemory(cache_node) => (
            single(
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                node(cache_node),
                Statistic::Maximum,
            ),
            percent(fields.cache_memory_alarm_percent),
            GreaterThan,
            Missing,
        ),
        AlarmKind::CacheCpu(cache_node) => (
            single(
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                node(cache_node),
                Statistic::Average,
            ),
            percent(fields.cache_cpu_alarm_percent),
            GreaterThan,
            Missing,
        ),
    }
}

/// Server errors a minute above which the target 5xx alarm fires: a few failed requests are noise,
/// a steady stream is an incident.
const TARGET_ERRORS_PER_MINUTE: f64 = 10.0;

/// What the on-call reads in the notification: what crossed which line, and where to look first.
fn description(kind: AlarmKind, spec: &EnvironmentSpec, inputs: &Inputs) -> String {
    let fields = spec.fields();
    let latency = fields.latency_p99_alarm_ms.get();
    let acus = fields.db_max_capacity.as_f64();
    match kind {
        AlarmKind::ServiceCpu => format!(
            "The API's average CPU has been above {} % for 5 minutes although autoscaling aims at \
             {} %. Check whether the service runs at maxTasks ({}) and look for a hot endpoint on \
             the dashboard; raise maxTasks or the task size if the load is real.",
            fields.cpu_alarm_percent.get(),
            fields.cpu_target_percent.get(),
            fields.max_tasks.get()
        ),
        AlarmKind::ServiceTasksAtMax => format!(
            "The service has run at its maximum of {} tasks for 15 minutes: autoscaling has no \
             headroom left. Look at CPU, latency and errors on the dashboard; raise maxTasks if \
             the load is genuine.",
            fields.max_tasks.get()
        ),
        AlarmKind::TargetErrors => format!(
            "The API answered more than {TARGET_ERRORS_PER_MINUTE} server errors a minute for 5 \
             minutes. Read the service's log group for the failing requests (status >= 500) and \
             check the database and Redis alarms."
        ),
        AlarmKind::UnhealthyHosts => format!(
            "Tasks have failed the load balancer's health check ({}) for 5 minutes. Check the \
             service's stopped tasks and their logs; a failing database or Redis connection \
             shows in their alarms.",
            fields.health_check_path.as_str()
        ),
        AlarmKind::LoadBalancerLatency => format!(
            "The load balancer's p99 target response time has been above {latency} ms for 5 \
             minutes. Compare with the API's own p99 (alarm-api-p99) and look at database \
             connections, ACUs and Redis CPU."
        ),
        AlarmKind::ApiLatency => format!(
            "The API's own p99 response time (responseTimeMs in its request logs) has been above \
             {latency} ms for 5 minutes. Find the slow requests in the service's log group; check \
             database connections, ACUs and Redis CPU."
        ),
        AlarmKind::DatabaseConnections => format!(
            "Aurora has held more than {} % of the {} connections it accepts at {acus} ACUs for 5 \
             minutes. Look for a connection leak (connections growing while traffic does not) or \
             raise dbMaxCapacity.",
            fields.db_connections_alarm_percent.get(),
            aurora_max_connections(fields.db_max_capacity)
        ),
        AlarmKind::DatabaseCapacity => format!(
            "Aurora has used more than {} % of its maximum {acus} ACUs for 5 minutes and cannot \
             scale much further. Look for expensive queries (Performance Insights) or raise \
             dbMaxCapacity.",
            fields.db_acu_alarm_percent.get()
        ),
        AlarmKind::CacheMemory(node) => format!(
            "Redis node {} has used more than {} % of its memory for 5 minutes; keys will be \
             evicted. Look for keys without a TTL, or add shards (cacheShards) or a larger \
             cacheNodeType.",
            node.cluster_id(&inputs.cache_group),
            fields.cache_memory_alarm_percent.get()
        ),
        AlarmKind::CacheCpu(node) => format!(
            "The Redis engine thread of node {} has been above {} % CPU for 5 minutes. Look for \
             slow commands (SLOWLOG) or hot keys, or add shards (cacheShards).",
            node.cluster_id(&inputs.cache_group),
            fields.cache_cpu_alarm_percent.get()
        ),
    }
}

/// The dashboard: traffic, errors, latency (p50/p99) and saturation.
pub fn dashboard_body(spec: &EnvironmentSpec, inputs: &Inputs) -> String {
    let names = Names::new(spec.suffix());
    let namespace = names.of(NameKind::MetricNamespace);
    let region = spec.fields().region.as_str();
    let lb = inputs.load_balancer.as_str();
    let service = [
        "ClusterName",
        inputs.cluster_name.as_str(),
        "ServiceName",
        inputs.service_name.as_str(),
    ];
    let db = ["DBClusterIdentifier", inputs.db_cluster.as_str()];
    let redis_memory: Vec<Value> = cache_nodes(spec)
        .into_iter()
        .map(|node| {
            json!([
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                "CacheClusterId",
                node.cluster_id(&inputs.cache_group)
            ])
        })
        .collect();
    let widget = |index: usize, title: &str, metrics: Value, stat: &str| {
        json!({
            "type": "metric",
            "x": (index % 2) * 12,
            "y": (index / 2) * 6,
            "width": 12,
            "height": 6,
            "properties": {
                "title": title,
                "region": region,
                "stat": stat,
                "period": 60,
                "view": "timeSeries",
                "metrics": metrics
            }
        })
    };
    let widgets = [
        (
            "Traffic (requests)",
            json!([["AWS/ApplicationELB", "RequestCount", "LoadBalancer", lb]]),
            "Sum",
        ),
        (
            "Errors",
            json!([
                [
                    "AWS/ApplicationELB",
                    "HTTPCode_Target_5XX_Count",
                    "LoadBalancer",
                    lb
                ],
                [
                    "AWS/ApplicationELB",
                    "HTTPCode_ELB_5XX_Count",
                    "LoadBalancer",
                    lb
                ],
                [namespace, SERVER_ERRORS_METRIC]
            ]),
            "Sum",
        ),
        (
            "Latency (ms, from the request logs)",
            json!([
                [namespace, RESPONSE_TIME_METRIC, {"stat": "p50"}],
                [namespace, RESPONSE_TIME_METRIC, {"stat": "p99"}]
            ]),
            "p99",
        ),
        (
            "Service CPU (%) and running tasks",
            json!([
                ["AWS/ECS", "CPUUtilization", service[0], service[1], service[2], service[3]],
                ["ECS/ContainerInsights", "RunningTaskCount", service[0], service[1], service[2], service[3], {"yAxis": "right"}]
            ]),
            "Average",
        ),
        (
            "Aurora connections and ACU utilisation (%)",
            json!([
                ["AWS/RDS", "DatabaseConnections", db[0], db[1]],
                ["AWS/RDS", "ACUUtilization", db[0], db[1], {"yAxis": "right"}]
            ]),
            "Maximum",
        ),
        (
            "Redis memory used per node (%)",
            Value::Array(redis_memory),
            "Maximum",
        ),
    ];
    let widgets: Vec<Value> = widgets
        .into_iter()
        .enumerate()
        .map(|(index, (title, metrics, stat))| widget(index, title, metrics, stat))
        .collect();
    json!({ "widgets": widgets }).to_string()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use env_core::outputs::example::{self, handed_on};

    pub(crate) fn spec(extra: Value) -> EnvironmentSpec {
        let mut value = json!({
            "environmentSuffix": "pr-42",
            "containerImage": "nginx",
            "selfSignedCertificate": true
        });
        value
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        EnvironmentSpec::from_value(&value).unwrap()
    }

    pub(crate) fn outputs() -> Outputs {
        let mut outputs = handed_on(NetworkOutputs {
            kms_key_arn: "arn:aws:kms:us-west-2:123456789012:key/1234".into(),
            ..example::network()
        });
        outputs.extend(handed_on(example::database()));
        outputs.extend(handed_on(example::cache()));
        outputs.extend(handed_on(EdgeOutputs {
            load_balancer_arn_suffix: "app/alb-pr-42/50dc6c495c0c9188".into(),
            ..example::edge()
        }));
        outputs.extend(handed_on(example::service()));
        outputs
    }

    fn find<'a>(alarms: &'a [Alarm], name: &str) -> &'a Alarm {
        alarms.iter().find(|a| a.name == name).unwrap()
    }

    #[test]
    fn every_cache_node_is_counted_shards_times_one_plus_replicas() {
        assert_eq!(cache_nodes(&spec(json!({}))).len(), 4);
        let big = spec(json!({"cacheShards": 3, "cacheReplicasPerShard": 2}));
        let nodes = cache_nodes(&big);
        assert_eq!(nodes.len(), 9);
        assert_eq!(nodes[8], CacheNode { shard: 3, node: 3 });
        assert_eq!(alarm_names(&big).len(), 8 + 2 * 9);
    }

    #[test]
    fn the_database_connections_threshold_is_80_percent_of_the_computed_maximum() {
        let alarms = alarms(&spec(json!({})), &Inputs::from_outputs(&outputs()).unwrap());
        let connections = find(&alarms, "alarm-aurora-connections-pr-42");
        // 80 % of 823, Aurora's max_connections at the default 4 ACUs.
        assert!(
            (connections.threshold - 658.4).abs() < 1e-9,
            "{}",
            connections.threshold
        );
        assert_eq!(connections.missing_data, MissingData::Missing);
        let acu = find(&alarms, "alarm-aurora-acu-pr-42");
        assert_eq!(acu.threshold, 90.0);
    }

    #[test]
    fn each_cache_node_has_a_memory_and_a_cpu_alarm_on_its_own_cluster_id() {
        let alarms = alarms(&spec(json!({})), &Inputs::from_outputs(&outputs()).unwrap());
        assert_eq!(alarms.len(), 16);
        let memory = find(&alarms, "alarm-redis-memory-pr-42-0002-002");
        assert_eq!(
            memory.metric,
            AlarmMetric::Single {
                namespace: "AWS/ElastiCache".into(),
                name: "DatabaseMemoryUsagePercentage",
                dimensions: vec![("CacheClusterId", "redis-pr-42-0002-002".into())],
                statistic: Statistic::Maximum
            }
        );
        assert_eq!(memory.threshold, 80.0);
        let cpu = find(&alarms, "alarm-redis-cpu-pr-42-0001-001");
        assert!(cpu.description.contains("redis-pr-42-0001-001"));
    }

    #[test]
    fn thresholds_come_from_the_spec() {
        let spec = spec(json!({
            "cpuAlarmPercent": 75, "latencyP99AlarmMs": 500, "maxTasks": 6,
            "cacheMemoryAlarmPercent": 70, "cacheCpuAlarmPercent": 60, "dbMaxCapacity": 1,
            "dbConnectionsAlarmPercent": 50
        }));
        let alarms = alarms(&spec, &Inputs::from_outputs(&outputs()).unwrap());
        assert_eq!(find(&alarms, "alarm-ecs-cpu-pr-42").threshold, 75.0);
        let tasks = find(&alarms, "alarm-ecs-tasks-at-max-pr-42");
        assert_eq!(tasks.threshold, 6.0);
        assert_eq!(tasks.comparison, Comparison::GreaterThanOrEqual);
        assert_eq!(tasks.evaluation_periods, 15);
        assert_eq!(find(&alarms, "alarm-alb-p99-pr-42").threshold, 0.5);
        let api = find(&alarms, "alarm-api-p99-pr-42");
        assert_eq!(api.threshold, 500.0);
        assert_eq!(api.missing_data.as_str(), "notBreaching");
        // 50 % of the 189 connections Aurora allows at 1 ACU.
        assert_eq!(
            find(&alarms, "alarm-aurora-connections-pr-42").threshold,
            94.5
        );
        assert_eq!(
            find(&alarms, "alarm-redis-cpu-pr-42-0001-002").threshold,
            60.0
        );
        let unhealthy = find(&alarms, "alarm-alb-unhealthy-hosts-pr-42");
        // Both target groups, summed.
        assert!(
            matches!(&unhealthy.metric, AlarmMetric::SumOf { series, .. } if series.len() == 2),
            "{unhealthy:?}"
        );
        assert_eq!(find(&alarms, "alarm-alb-target-5xx-pr-42").threshold, 10.0);
        assert_eq!(MissingData::Missing.as_str(), "missing");
    }

    #[test]
    fn the_request_log_filters_read_response_time_and_status() {
        let filters = metric_filters(&spec(json!({})));
        assert_eq!(filters.len(), 2);
        assert_eq!(filters[0].name, "metric-response-time-pr-42");
        assert_eq!(filters[0].pattern, "{ $.responseTimeMs >= 0 }");
        assert_eq!(filters[0].value, "$.responseTimeMs");
        assert_eq!(filters[0].namespace, "catalog-api-pr-42");
        assert_eq!(filters[0].unit, Unit::Milliseconds);
        assert_eq!(filters[1].pattern, "{ $.status >= 500 }");
        assert_eq!(filters[1].metric_name, "ServerErrors");
        assert_eq!(filters[1].unit, Unit::Count);
    }

    #[test]
    fn the_dashboard_shows_traffic_errors_latency_and_saturation() {
        let body = dashboard_body(&spec(json!({})), &Inputs::from_outputs(&outputs()).unwrap());
        let body: Value = serde_json::from_str(&body).unwrap();
        let titles: Vec<&str> = body["widgets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["properties"]["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles.len(), 6);
        assert!(titles[0].starts_with("Traffic"));
        assert!(titles[2].starts_with("Latency"));
        let latency = &body["widgets"][2]["properties"]["metrics"];
        assert_eq!(latency[0][2]["stat"], "p50");
        assert_eq!(latency[1][2]["stat"], "p99");
        assert_eq!(
            body["widgets"][5]["properties"]["metrics"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
        assert_eq!(body["widgets"][3]["x"], 12);
    }

    #[test]
    fn every_input_is_required_and_named_when_missing() {
        for component in ["network", "database", "cache", "edge", "service"] {
            let mut outputs = outputs();
            outputs.remove(component);
            let error = Inputs::from_outputs(&outputs).unwrap_err();
            assert_eq!(error.component, component);
        }
        for (component, key) in [
            ("service", "serviceLogGroup"),
            ("service", "clusterName"),
            ("service", "serviceName"),
            ("edge", "loadBalancerArnSuffix"),
            ("database", "dbClusterIdentifier"),
            ("cache", "cacheReplicationGroupId"),
            ("network", "kmsKeyArn"),
        ] {
            let mut outputs = outputs();
            outputs[component][key] = json!("");
            let error = Inputs::from_outputs(&outputs).unwrap_err();
            assert_eq!(error.problem, format!("{key} is empty"));
        }
        let mut mistyped = outputs();
        mistyped["edge"]["targetGroupArnSuffixes"] = json!(["a", 1]);
        assert!(Inputs::from_outputs(&mistyped).is_err());
        mistyped["edge"]["targetGroupArnSuffixes"] = json!([]);
        let error = Inputs::from_outputs(&mistyped).unwrap_err();
        assert!(
            error.problem.starts_with("targetGroupArnSuffixes holds 0"),
            "{error}"
        );
    }
}
