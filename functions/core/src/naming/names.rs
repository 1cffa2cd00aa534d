//! The physical names of one environment: `<resource-type>-<environmentSuffix>`, and which alarms
//! are its own.

use super::kind::NameKind;
use super::log_group::AwsLogGroup;
use super::monitoring::AlarmKind;
use super::parts::LARGEST_CACHE_NODE;
use crate::spec::EnvironmentSuffix;

/// Physical names for one environment.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    suffix: &'a EnvironmentSuffix,
}

impl<'a> Names<'a> {
    pub fn new(suffix: &'a EnvironmentSuffix) -> Self {
        Self { suffix }
    }

    /// The name of one resource. Bucket names need the account id (12 digits) to be globally unique:
    /// use [`Names::bucket`] for those.
    pub fn of(self, kind: NameKind) -> String {
        match kind {
            NameKind::DiscoveryNamespace => format!("{}-{}.local", kind.prefix(), self.suffix),
            NameKind::Alarm(AlarmKind::CacheMemory(node) | AlarmKind::CacheCpu(node)) => format!(
                "{}-{}-{:04}-{:03}",
                kind.prefix(),
                self.suffix,
                node.shard,
                node.node
            ),
            _ => format!("{}-{}", kind.prefix(), self.suffix),
        }
    }

    /// Whether `name` is one of this environment's alarms, for any cache size: the per-node names
    /// end in a fixed-width node number, so another environment's suffix can never match.
    pub fn owns_alarm(self, name: &str) -> bool {
        if AlarmKind::SINGLE
            .iter()
            .any(|&kind| self.of(NameKind::Alarm(kind)) == name)
        {
            return true;
        }
        [
            AlarmKind::CacheMemory(LARGEST_CACHE_NODE),
            AlarmKind::CacheCpu(LARGEST_CACHE_NODE),
        ]
        .iter()
        .any(|kind| {
            name.strip_prefix(&format!("{}-{}-", kind.prefix(), self.suffix))
                .is_some_and(|node| {
                    let digits = |part: &str, len: usize| {
                        part.len() == len && part.chars().all(|c| c.is_ascii_digit())
                    };
                    matches!(node.split_once('-'), Some((shard, number)) if digits(shard, 4) && digits(number, 3))
                })
        })
    }

    /// The access-log bucket of the environment in the given account.
    pub fn bucket(self, account_id: &str) -> String {
        format!(
            "{}-{}-{account_id}",
            NameKind::AccessLogBucket.prefix(),
            self.suffix
        )
    }

    /// The log group an AWS service writes for this environment's resource.
    pub fn aws_log_group(self, group: AwsLogGroup) -> String {
        group.around(&self.of(group.resource()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::parts::{AzSlot, CacheNode, Color, Tier};
    use super::super::tests::suffix;
    use super::super::LogMetric;
    use super::*;

    #[test]
    fn names_follow_type_dash_suffix() {
        let suffix = suffix("pr-42");
        let names = Names::new(&suffix);
        assert_eq!(names.of(NameKind::Vpc), "vpc-pr-42");
        assert_eq!(names.of(NameKind::NatGateway(AzSlot::A)), "nat-a-pr-42");
        assert_eq!(
            names.of(NameKind::PrivateSubnet(AzSlot::C)),
            "subnet-private-c-pr-42"
        );
        assert_eq!(
            names.of(NameKind::SecurityGroup(Tier::Database)),
            "secgroup-database-pr-42"
        );
        assert_eq!(
            names.of(NameKind::TargetGroup(Color::Green)),
            "tg-green-pr-42"
        );
        assert_eq!(
            names.of(NameKind::DiscoveryNamespace),
            "catalog-pr-42.local"
        );
        assert_eq!(names.bucket("123456789012"), "alb-logs-pr-42-123456789012");
    }

    #[test]
    fn cache_alarms_name_their_node_and_the_node_id_follows_elasticache() {
        let suffix = suffix("pr-42");
        let names = Names::new(&suffix);
        let node = CacheNode { shard: 2, node: 1 };
        assert_eq!(
            names.of(NameKind::Alarm(AlarmKind::CacheMemory(node))),
            "alarm-redis-memory-pr-42-0002-001"
        );
        assert_eq!(
            names.of(NameKind::Alarm(AlarmKind::CacheCpu(node))),
            "alarm-redis-cpu-pr-42-0002-001"
        );
        assert_eq!(node.cluster_id("redis-pr-42"), "redis-pr-42-0002-001");
        assert_eq!(
            names.of(NameKind::Alarm(AlarmKind::ServiceCpu)),
            "alarm-ecs-cpu-pr-42"
        );
        assert_eq!(
            names.of(NameKind::MetricFilter(LogMetric::ResponseTime)),
            "metric-response-time-pr-42"
        );
        assert_eq!(
            names.of(NameKind::MetricFilter(LogMetric::ServerErrors)),
            "metric-server-errors-pr-42"
        );
    }

    #[test]
    fn an_environment_owns_only_its_own_alarms() {
        let suffix = suffix("pr-42");
        let names = Names::new(&suffix);
        for owned in [
            "alarm-ecs-cpu-pr-42",
            "alarm-aurora-acu-pr-42",
            "alarm-redis-memory-pr-42-0001-001",
            "alarm-redis-cpu-pr-42-0500-006",
        ] {
            assert!(names.owns_alarm(owned), "{owned}");
        }
        let other = EnvironmentSuffix::parse("42").unwrap();
        assert!(!Names::new(&other).owns_alarm("alarm-ecs-cpu-pr-42"));
        assert!(!Names::new(&other).owns_alarm("alarm-redis-cpu-pr-42-0001-001"));
        for foreign in [
            "alarm-ecs-cpu-pr-421",
            "alarm-redis-memory-pr-42",
            "alarm-redis-memory-pr-42-0001",
            "alarm-redis-memory-pr-42-01-001",
            "alarm-redis-memory-pr-42-0001-0a1",
            "alarm-redis-memory-pr-42-x-0001-001",
        ] {
            assert!(!names.owns_alarm(foreign), "{foreign}");
        }
    }
}
