//! Every alarm of the environment: the metric each watches, its threshold from the spec and what it
//! does without data.

use super::description::description;
use super::filters::RESPONSE_TIME_METRIC;
use super::{alarm_kinds, aurora_max_connections, serverless, Inputs};
use env_core::naming::{AlarmKind, CacheNode, NameKind, Names};
use env_core::spec::{AlarmPercent, CacheMode, EnvironmentSpec, SpecFields};
use Comparison::{GreaterThan, GreaterThanOrEqual};
use MissingData::{Missing, NotBreaching};

// The alarms' plain types are the CloudWatch capability's, which writes them into PutMetricAlarm.
use cloudwatch::{Alarm, AlarmMetric, Comparison, MissingData, Statistic};

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

/// What an alarm watches and when it fires: the metric, the threshold, how the metric is compared
/// with it and what the alarm does without data.
type Watch = (AlarmMetric, f64, Comparison, MissingData);

fn alarm_metric(kind: AlarmKind, spec: &EnvironmentSpec, inputs: &Inputs) -> Watch {
    let fields = spec.fields();
    match kind {
        AlarmKind::ServiceCpu => service_cpu(fields, inputs),
        AlarmKind::ServiceTasksAtMax => service_tasks_at_max(fields, inputs),
        AlarmKind::TargetErrors => target_errors(inputs),
        AlarmKind::UnhealthyHosts => unhealthy_hosts(inputs),
        AlarmKind::LoadBalancerLatency => load_balancer_latency(fields, inputs),
        AlarmKind::ApiLatency => api_latency(spec),
        AlarmKind::DatabaseConnections => database_connections(fields, inputs),
        AlarmKind::DatabaseCapacity => database_capacity(fields, inputs),
        // A serverless cache's virtual node: how close it is to its usage limits.
        AlarmKind::CacheMemory(_) if fields.cache_mode == CacheMode::Serverless => {
            serverless::storage(fields, inputs)
        }
        AlarmKind::CacheCpu(_) if fields.cache_mode == CacheMode::Serverless => {
            serverless::ecpu(fields, inputs)
        }
        AlarmKind::CacheMemory(cache_node) => cache_memory(fields, inputs, cache_node),
        AlarmKind::CacheCpu(cache_node) => cache_cpu(fields, inputs, cache_node),
    }
}

fn percent(value: AlarmPercent) -> f64 {
    f64::from(value.get())
}

fn latency_ms(fields: &SpecFields) -> f64 {
    f64::from(fields.latency_p99_alarm_ms.get())
}

fn service(inputs: &Inputs) -> Vec<(&'static str, String)> {
    vec![
        ("ClusterName", inputs.cluster_name.clone()),
        ("ServiceName", inputs.service_name.clone()),
    ]
}

fn load_balancer(inputs: &Inputs) -> Vec<(&'static str, String)> {
    vec![("LoadBalancer", inputs.load_balancer.clone())]
}

fn db(inputs: &Inputs) -> Vec<(&'static str, String)> {
    vec![("DBClusterIdentifier", inputs.db_cluster.clone())]
}

fn node(inputs: &Inputs, node: CacheNode) -> Vec<(&'static str, String)> {
    vec![("CacheClusterId", node.cluster_id(&inputs.cache_group))]
}

fn service_cpu(fields: &SpecFields, inputs: &Inputs) -> Watch {
    (
        single(
            "AWS/ECS",
            "CPUUtilization",
            service(inputs),
            Statistic::Average,
        ),
        percent(fields.cpu_alarm_percent),
        GreaterThan,
        Missing,
    )
}

fn service_tasks_at_max(fields: &SpecFields, inputs: &Inputs) -> Watch {
    (
        single(
            "ECS/ContainerInsights",
            "RunningTaskCount",
            service(inputs),
            Statistic::Minimum,
        ),
        f64::from(fields.max_tasks.get()),
        GreaterThanOrEqual,
        NotBreaching,
    )
}

fn target_errors(inputs: &Inputs) -> Watch {
    (
        single(
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            load_balancer(inputs),
            Statistic::Sum,
        ),
        TARGET_ERRORS_PER_MINUTE,
        GreaterThan,
        NotBreaching,
    )
}

fn unhealthy_hosts(inputs: &Inputs) -> Watch {
    (
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
    )
}

fn load_balancer_latency(fields: &SpecFields, inputs: &Inputs) -> Watch {
    (
        single(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            load_balancer(inputs),
            Statistic::P99,
        ),
        // TargetResponseTime is in seconds.
        latency_ms(fields) / 1000.0,
        GreaterThan,
        NotBreaching,
    )
}

fn api_latency(spec: &EnvironmentSpec) -> Watch {
    (
        single(
            &Names::new(spec.suffix()).of(NameKind::MetricNamespace),
            RESPONSE_TIME_METRIC,
            Vec::new(),
            Statistic::P99,
        ),
        latency_ms(spec.fields()),
        GreaterThan,
        NotBreaching,
    )
}

fn database_connections(fields: &SpecFields, inputs: &Inputs) -> Watch {
    (
        single(
            "AWS/RDS",
            "DatabaseConnections",
            db(inputs),
            Statistic::Maximum,
        ),
        f64::from(aurora_max_connections(fields.db_max_capacity))
            * percent(fields.db_connections_alarm_percent)
            / 100.0,
        GreaterThan,
        Missing,
    )
}

fn database_capacity(fields: &SpecFields, inputs: &Inputs) -> Watch {
    (
        single("AWS/RDS", "ACUUtilization", db(inputs), Statistic::Average),
        percent(fields.db_acu_alarm_percent),
        GreaterThan,
        Missing,
    )
}

fn cache_memory(fields: &SpecFields, inputs: &Inputs, cache_node: CacheNode) -> Watch {
    (
        single(
            "AWS/ElastiCache",
            "DatabaseMemoryUsagePercentage",
            node(inputs, cache_node),
            Statistic::Maximum,
        ),
        percent(fields.cache_memory_alarm_percent),
        GreaterThan,
        Missing,
    )
}

fn cache_cpu(fields: &SpecFields, inputs: &Inputs, cache_node: CacheNode) -> Watch {
    (
        single(
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            node(inputs, cache_node),
            Statistic::Average,
        ),
        percent(fields.cache_cpu_alarm_percent),
        GreaterThan,
        Missing,
    )
}

/// Server errors a minute above which the target 5xx alarm fires: a few failed requests are noise,
/// a steady stream is an incident.
pub(super) const TARGET_ERRORS_PER_MINUTE: f64 = 10.0;

#[cfg(test)]
mod tests {
    use super::super::tests::{inputs, serverless_outputs, spec};
    use super::*;
    use serde_json::json;

    fn find<'a>(alarms: &'a [Alarm], name: &str) -> &'a Alarm {
        alarms.iter().find(|a| a.name == name).unwrap()
    }

    #[test]
    fn the_database_connections_threshold_is_80_percent_of_the_computed_maximum() {
        let alarms = alarms(&spec(json!({})), &inputs());
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
        let alarms = alarms(&spec(json!({})), &inputs());
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
    fn a_serverless_cache_has_a_storage_and_an_ecpu_alarm_on_its_name() {
        let spec = spec(json!({"cacheMode": "serverless"}));
        let inputs = Inputs::from_outputs(&serverless_outputs(), CacheMode::Serverless).unwrap();
        let alarms = alarms(&spec, &inputs);
        assert_eq!(alarms.len(), 10);
        let storage = find(&alarms, "alarm-redis-memory-pr-42-0001-001");
        assert_eq!(
            storage.metric,
            AlarmMetric::Single {
                namespace: "AWS/ElastiCache".into(),
                name: "BytesUsedForCache",
                dimensions: vec![("clusterId", "valkey-pr-42".into())],
                statistic: Statistic::Maximum
            }
        );
        // 80 % of the 5 GB data storage maximum.
        assert_eq!(storage.threshold, 4_000_000_000.0);
        assert_eq!(storage.missing_data, MissingData::Missing);
        assert!(
            storage.description.contains("valkey-pr-42"),
            "{}",
            storage.description
        );
        let ecpu = find(&alarms, "alarm-redis-cpu-pr-42-0001-001");
        // 80 % of 10,000 ECPUs a second, summed over the one-minute period.
        assert_eq!(ecpu.threshold, 480_000.0);
        assert_eq!(ecpu.period_seconds, 60);
        assert_eq!(ecpu.evaluation_periods, 5);
        assert!(
            matches!(
                &ecpu.metric,
                AlarmMetric::Single {
                    name: "ElastiCacheProcessingUnits",
                    statistic: Statistic::Sum,
                    ..
                }
            ),
            "{ecpu:?}"
        );
        assert!(
            ecpu.description.contains("throttle"),
            "{}",
            ecpu.description
        );
    }

    #[test]
    fn thresholds_come_from_the_spec() {
        let spec = spec(json!({
            "cpuAlarmPercent": 75, "latencyP99AlarmMs": 500, "maxTasks": 6,
            "cacheMemoryAlarmPercent": 70, "cacheCpuAlarmPercent": 60, "dbMaxCapacity": 1,
            "dbConnectionsAlarmPercent": 50
        }));
        let alarms = alarms(&spec, &inputs());
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
}
