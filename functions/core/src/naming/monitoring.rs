//! The kinds of name monitoring adds: the environment's alarms and the metrics read from the
//! service's request logs.

use super::parts::CacheNode;

/// The alarms of an environment; the cache alarms exist once per node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlarmKind {
    ServiceCpu,
    ServiceTasksAtMax,
    TargetErrors,
    UnhealthyHosts,
    LoadBalancerLatency,
    ApiLatency,
    DatabaseConnections,
    DatabaseCapacity,
    CacheMemory(CacheNode),
    CacheCpu(CacheNode),
}

impl AlarmKind {
    /// The alarms that exist once per environment.
    pub const SINGLE: [AlarmKind; 8] = [
        AlarmKind::ServiceCpu,
        AlarmKind::ServiceTasksAtMax,
        AlarmKind::TargetErrors,
        AlarmKind::UnhealthyHosts,
        AlarmKind::LoadBalancerLatency,
        AlarmKind::ApiLatency,
        AlarmKind::DatabaseConnections,
        AlarmKind::DatabaseCapacity,
    ];

    pub(super) fn prefix(self) -> &'static str {
        match self {
            AlarmKind::ServiceCpu => "alarm-ecs-cpu",
            AlarmKind::ServiceTasksAtMax => "alarm-ecs-tasks-at-max",
            AlarmKind::TargetErrors => "alarm-alb-target-5xx",
            AlarmKind::UnhealthyHosts => "alarm-alb-unhealthy-hosts",
            AlarmKind::LoadBalancerLatency => "alarm-alb-p99",
            AlarmKind::ApiLatency => "alarm-api-p99",
            AlarmKind::DatabaseConnections => "alarm-aurora-connections",
            AlarmKind::DatabaseCapacity => "alarm-aurora-acu",
            AlarmKind::CacheMemory(_) => "alarm-redis-memory",
            AlarmKind::CacheCpu(_) => "alarm-redis-cpu",
        }
    }
}

/// The custom metrics the service's request logs are turned into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogMetric {
    ResponseTime,
    ServerErrors,
}

impl LogMetric {
    pub const ALL: [LogMetric; 2] = [LogMetric::ResponseTime, LogMetric::ServerErrors];
}
