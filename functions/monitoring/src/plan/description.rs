//! The description of each alarm: what the on-call reads in the notification.

use super::alarms::TARGET_ERRORS_PER_MINUTE;
use super::serverless::{DATA_STORAGE_GB, ECPU_PER_SECOND};
use super::{aurora_max_connections, Inputs};
use env_core::naming::AlarmKind;
use env_core::spec::{CacheMode, EnvironmentSpec};

/// What the on-call reads in the notification: what crossed which line, and where to look first.
pub(super) fn description(kind: AlarmKind, spec: &EnvironmentSpec, inputs: &Inputs) -> String {
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
        AlarmKind::CacheMemory(_) if fields.cache_mode == CacheMode::Serverless => format!(
            "Serverless cache {} has stored more than {} % of its {DATA_STORAGE_GB} GB data \
             storage maximum for 5 minutes; at the maximum keys with a TTL are evicted, then \
             writes fail with out-of-memory errors. Look for keys without a TTL.",
            inputs.cache_group,
            fields.cache_memory_alarm_percent.get()
        ),
        AlarmKind::CacheCpu(_) if fields.cache_mode == CacheMode::Serverless => format!(
            "Serverless cache {} has used more than {} % of its {ECPU_PER_SECOND} ECPUs a second \
             for 5 minutes; above the maximum ElastiCache throttles requests (ThrottledCmds on the \
             dashboard). Look for hot keys or large values (1 ECPU per KB transferred).",
            inputs.cache_group,
            fields.cache_cpu_alarm_percent.get()
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
