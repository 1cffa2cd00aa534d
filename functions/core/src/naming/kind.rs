//! Every kind of physical name an environment uses: its resource-type prefix, the AWS length limit
//! it must fit, and the IAM wildcard that reaches it in every environment.

use super::monitoring::{AlarmKind, LogMetric};
use super::parts::{AzSlot, Color, Tier, LARGEST_CACHE_NODE};
use std::fmt;

/// Declares [`NameKind`] with each kind written once: the plain kinds in the two runs
/// [`NameKind::all`] lists them in (`first`, then `later`, after the kinds that vary by AZ, tier
/// and colour), so a new kind cannot be declared and left out of the length checks.
macro_rules! name_kinds {
    (
        $(#[$meta:meta])*
        pub enum NameKind {
            first { $($first:ident,)* }
            later { $($later:ident,)* }
            varying { $($varying:ident($part:ty),)* }
        }
    ) => {
        $(#[$meta])*
        pub enum NameKind {
            $($first,)*
            $($later,)*
            $($varying($part),)*
        }

        impl NameKind {
            /// The plain kinds `all()` lists first.
            const FIRST: &[NameKind] = &[$(NameKind::$first),*];
            /// The plain kinds `all()` lists after those that vary by AZ, tier and colour.
            const LATER: &[NameKind] = &[$(NameKind::$later),*];
        }
    };
}

name_kinds! {
    /// Every kind of physical name an environment uses.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum NameKind {
        first {
            Vpc,
            InternetGateway,
            PublicRouteTable,
            FlowLogGroup,
            FlowLog,
            FlowLogRole,
            S3Endpoint,
            KmsAlias,
        }
        later {
            AuroraCluster,
            AuroraWriter,
            AuroraReader,
            DbSubnetGroup,
            DbClusterParameterGroup,
            DatabaseSecret,
            ApiKeysSecret,
            RotationFunction,
            RotationRole,
            CacheReplicationGroup,
            CacheSubnetGroup,
            CacheAuthSecret,
            CacheSlowLogGroup,
            ServerlessCache,
            CacheUser,
            CacheUserGroup,
            LoadBalancer,
            WakeTargetGroup,
            AccessLogBucket,
            Certificate,
            EcsCluster,
            EcsService,
            TaskFamily,
            ServiceLogGroup,
            ExecutionRole,
            TaskRole,
            EcsInfrastructureRole,
            DiscoveryNamespace,
            AlarmTopic,
            Dashboard,
            MetricNamespace,
        }
        varying {
            PublicSubnet(AzSlot),
            PrivateSubnet(AzSlot),
            NatGateway(AzSlot),
            ElasticIp(AzSlot),
            PrivateRouteTable(AzSlot),
            SecurityGroup(Tier),
            TargetGroup(Color),
            Alarm(AlarmKind),
            MetricFilter(LogMetric),
        }
    }
}

/// An AWS account id is always 12 digits; it makes bucket names globally unique.
const ACCOUNT_ID_LEN: usize = 12;

impl NameKind {
    /// Every name kind, with each AZ, tier and colour variant spelled out.
    pub fn all() -> Vec<NameKind> {
        use NameKind::*;
        let mut kinds = Self::FIRST.to_vec();
        for az in AzSlot::ALL {
            kinds.extend([
                PublicSubnet(az),
                PrivateSubnet(az),
                NatGateway(az),
                ElasticIp(az),
                PrivateRouteTable(az),
            ]);
        }
        kinds.extend(Tier::ALL.map(SecurityGroup));
        kinds.extend(Color::ALL.map(TargetGroup));
        kinds.extend_from_slice(Self::LATER);
        kinds.extend(AlarmKind::SINGLE.map(Alarm));
        kinds.extend([
            Alarm(AlarmKind::CacheMemory(LARGEST_CACHE_NODE)),
            Alarm(AlarmKind::CacheCpu(LARGEST_CACHE_NODE)),
        ]);
        kinds.extend(LogMetric::ALL.map(MetricFilter));
        kinds
    }

    /// The resource-type part that goes before the suffix.
    pub(super) fn prefix(self) -> String {
        use NameKind::*;
        match self {
            Vpc => "vpc".into(),
            PublicSubnet(az) => format!("subnet-public-{}", az.letter()),
            PrivateSubnet(az) => format!("subnet-private-{}", az.letter()),
            InternetGateway => "igw".into(),
            NatGateway(az) => format!("nat-{}", az.letter()),
            ElasticIp(az) => format!("eip-{}", az.letter()),
            PublicRouteTable => "rtb-public".into(),
            PrivateRouteTable(az) => format!("rtb-private-{}", az.letter()),
            // EC2 rejects group names that start with "sg-", so the type reads "secgroup".
            SecurityGroup(tier) => format!("secgroup-{}", tier.as_str()),
            FlowLogGroup => "vpc-flow-logs".into(),
            FlowLog => "flow-log".into(),
            FlowLogRole => "role-flow-logs".into(),
            S3Endpoint => "vpce-s3".into(),
            KmsAlias => "alias/kms".into(),
            AuroraCluster => "aurora".into(),
            AuroraWriter => "aurora-writer".into(),
            AuroraReader => "aurora-reader".into(),
            DbSubnetGroup => "dbsubnets".into(),
            DbClusterParameterGroup => "aurora-params".into(),
            DatabaseSecret => "secret-db-app".into(),
            ApiKeysSecret => "secret-api-keys".into(),
            RotationFunction => "rotation".into(),
            RotationRole => "role-rotation".into(),
            CacheReplicationGroup => "redis".into(),
            CacheSubnetGroup => "redis-subnets".into(),
            CacheAuthSecret => "secret-redis-auth".into(),
            // Under /aws/vendedlogs/: ElastiCache's log delivery adds each group it writes to to
            // one account-wide CloudWatch Logs resource policy of at most 5,120 characters; near
            // that size CloudWatch Logs allows every group under this prefix instead, so no
            // environment's slow log is refused for want of room (CloudWatch Logs user guide,
            // "Enabling logging from AWS services"; Step Functions developer guide, "Avoiding
            // CloudWatch Logs resource policy size restrictions").
            CacheSlowLogGroup => "/aws/vendedlogs/elasticache/redis-slow-log".into(),
            // `cacheMode: serverless`: the ElastiCache Serverless Valkey cache, and the user named
            // `default` (its id is this name) with the user group that holds it. User and user group
            // ids are unique in the account and Region, so each carries the environment's suffix.
            ServerlessCache => "valkey".into(),
            CacheUser => "valkey-default".into(),
            CacheUserGroup => "valkey-users".into(),
            LoadBalancer => "alb".into(),
            TargetGroup(Color::Blue) => "tg-blue".into(),
            TargetGroup(Color::Green) => "tg-green".into(),
            // The Lambda target group the load balancer forwards to while the environment sleeps
            // (the waker function's "waking up" page).
            WakeTargetGroup => "tg-wake".into(),
            AccessLogBucket => "alb-logs".into(),
            Certificate => "cert".into(),
            EcsCluster => "ecs-cluster".into(),
            EcsService => "ecs-service".into(),
            TaskFamily => "task-catalog-api".into(),
            ServiceLogGroup => "ecs-logs".into(),
            ExecutionRole => "role-ecs-execution".into(),
            TaskRole => "role-ecs-task".into(),
            EcsInfrastructureRole => "role-ecs-infra".into(),
            DiscoveryNamespace => "catalog".into(),
            AlarmTopic => "alarms".into(),
            Dashboard => "dashboard".into(),
            MetricNamespace => "catalog-api".into(),
            Alarm(alarm) => alarm.prefix().into(),
            MetricFilter(LogMetric::ResponseTime) => "metric-response-time".into(),
            MetricFilter(LogMetric::ServerErrors) => "metric-server-errors".into(),
        }
    }

    /// Characters that follow the suffix, counted against the limit.
    fn tail_len(self) -> usize {
        match self {
            NameKind::AccessLogBucket => 1 + ACCOUNT_ID_LEN,
            // "-0001-001": the node's shard and number.
            NameKind::Alarm(AlarmKind::CacheMemory(_) | AlarmKind::CacheCpu(_)) => 9,
            _ => 0,
        }
    }

    /// The longest name AWS accepts for this kind, in characters, with where the limit is stated.
    pub fn limit(self) -> (usize, &'static str) {
        use NameKind::*;
        match self {
            Vpc | PublicSubnet(_) | PrivateSubnet(_) | InternetGateway | NatGateway(_)
            | ElasticIp(_) | PublicRouteTable | PrivateRouteTable(_) | FlowLog | S3Endpoint
            | Certificate => (256, "EC2 and ACM tag values (the Name tag): 256"),
            SecurityGroup(_) => (255, "EC2 CreateSecurityGroup GroupName: 255"),
            FlowLogGroup | ServiceLogGroup | CacheSlowLogGroup => {
                (512, "CloudWatch Logs log group names: 512")
            }
            KmsAlias => (256, "KMS CreateAlias AliasName: 256"),
            AuroraCluster => (63, "RDS DBClusterIdentifier: 63"),
            AuroraWriter | AuroraReader => (63, "RDS DBInstanceIdentifier: 63"),
            DbSubnetGroup => (255, "RDS DBSubnetGroupName: 255"),
            DbClusterParameterGroup => (255, "RDS DBClusterParameterGroupName: 255"),
            DatabaseSecret | ApiKeysSecret | CacheAuthSecret => {
                (512, "Secrets Manager secret names: 512")
            }
            RotationFunction => (64, "Lambda function names: 64"),
            RotationRole | ExecutionRole | TaskRole | EcsInfrastructureRole | FlowLogRole => {
                (64, "IAM role names: 64")
            }
            CacheReplicationGroup => (40, "ElastiCache ReplicationGroupId: 40"),
            // ServerlessCacheName, UserId and UserGroupId: a letter, then letters, digits and
            // hyphens (ElastiCache API reference, CreateServerlessCache, CreateUser,
            // CreateUserGroup); held to ReplicationGroupId's 40, the tightest ElastiCache identifier.
            ServerlessCache => (40, "ElastiCache ServerlessCacheName: 40"),
            CacheUser => (40, "ElastiCache UserId: 40"),
            CacheUserGroup => (40, "ElastiCache UserGroupId: 40"),
            CacheSubnetGroup => (255, "ElastiCache CacheSubnetGroupName: 255"),
            LoadBalancer => (32, "ELBv2 load balancer names: 32"),
            TargetGroup(_) | WakeTargetGroup => (32, "ELBv2 target group names: 32"),
            AccessLogBucket => (63, "S3 bucket names: 63"),
            EcsCluster => (255, "ECS cluster names: 255"),
            EcsService => (255, "ECS service names: 255"),
            TaskFamily => (255, "ECS task definition family: 255"),
            DiscoveryNamespace => (63, "a DNS label of the Cloud Map private namespace: 63"),
            AlarmTopic => (256, "SNS topic names: 256"),
            Dashboard => (255, "CloudWatch dashboard names: 255"),
            MetricNamespace => (255, "CloudWatch metric namespaces: 255"),
            Alarm(_) => (255, "CloudWatch PutMetricAlarm AlarmName: 255"),
            MetricFilter(_) => (512, "CloudWatch Logs PutMetricFilter filterName: 512"),
        }
    }

    /// Every name of this kind, whatever the environment, as an IAM wildcard (`role-flow-logs-*`):
    /// how the backend's policies reach the resources of all environments and nothing else.
    pub fn wildcard(self) -> String {
        format!("{}-*", self.prefix())
    }

    /// How many suffix characters this kind has room for.
    pub fn room_for_suffix(self) -> usize {
        self.limit().0 - self.prefix().len() - 1 - self.tail_len()
    }
}

/// The longest suffix for which every name still fits its AWS limit.
pub fn max_suffix_len() -> usize {
    NameKind::all()
        .into_iter()
        .map(NameKind::room_for_suffix)
        .min()
        // The list is never empty; 0 would reject every suffix rather than allow any.
        .unwrap_or(0)
}

impl fmt::Display for NameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::suffix;
    use super::super::Names;
    use super::*;

    #[test]
    fn every_name_of_a_kind_matches_its_wildcard() {
        let suffix = suffix("pr-42");
        let names = Names::new(&suffix);
        for kind in NameKind::all() {
            let wildcard = kind.wildcard();
            let prefix = wildcard.strip_suffix('*').unwrap();
            assert!(names.of(kind).starts_with(prefix), "{kind}: {wildcard}");
        }
        assert_eq!(NameKind::FlowLogRole.wildcard(), "role-flow-logs-*");
        assert_eq!(NameKind::AccessLogBucket.wildcard(), "alb-logs-*");
    }

    #[test]
    fn the_tightest_limit_is_the_green_target_group() {
        // "tg-green-" leaves 32 - 9 = 23 characters.
        assert_eq!(max_suffix_len(), 23);
        let tightest = NameKind::all()
            .into_iter()
            .min_by_key(|kind| kind.room_for_suffix())
            .unwrap();
        assert_eq!(tightest, NameKind::TargetGroup(Color::Green));
        assert_eq!(tightest.to_string(), "TargetGroup(Green)");
    }

    #[test]
    fn every_name_for_the_longest_valid_suffix_fits_its_limit() {
        let longest = suffix(&"a".repeat(max_suffix_len()));
        let names = Names::new(&longest);
        let kinds = NameKind::all();
        assert_eq!(kinds.len(), 73);
        for kind in kinds {
            let name = match kind {
                NameKind::AccessLogBucket => names.bucket("123456789012"),
                NameKind::DiscoveryNamespace => {
                    names.of(kind).trim_end_matches(".local").to_owned()
                }
                _ => names.of(kind),
            };
            let (limit, source) = kind.limit();
            let length = name.len();
            assert!(
                length <= limit,
                "{kind}: {name} is {length} > {limit} ({source})"
            );
        }
    }

    #[test]
    fn security_group_names_never_start_with_sg_dash() {
        let suffix = suffix("x");
        for tier in Tier::ALL {
            assert!(!Names::new(&suffix)
                .of(NameKind::SecurityGroup(tier))
                .starts_with("sg-"));
        }
    }
}
