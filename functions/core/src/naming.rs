//! The one place that builds physical names: `<resource-type>-<environmentSuffix>`.
//!
//! Each kind of name knows its AWS length limit, so the spec validator can derive the longest
//! suffix that fits them all and a test can prove every name for that suffix fits.

use crate::spec::EnvironmentSuffix;
use std::fmt;

/// The three AZs an environment spans, by the letter AWS gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AzSlot {
    A,
    B,
    C,
}

impl AzSlot {
    pub const ALL: [AzSlot; 3] = [AzSlot::A, AzSlot::B, AzSlot::C];

    pub fn letter(self) -> char {
        match self {
            AzSlot::A => 'a',
            AzSlot::B => 'b',
            AzSlot::C => 'c',
        }
    }
}

/// The layers that get a security group of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    LoadBalancer,
    Service,
    Database,
    Cache,
    Rotation,
}

impl Tier {
    pub const ALL: [Tier; 5] = [
        Tier::LoadBalancer,
        Tier::Service,
        Tier::Database,
        Tier::Cache,
        Tier::Rotation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::LoadBalancer => "alb",
            Tier::Service => "service",
            Tier::Database => "database",
            Tier::Cache => "cache",
            Tier::Rotation => "rotation",
        }
    }
}

/// Blue and green target groups, so the service can move to blue/green deployments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Color {
    Blue,
    Green,
}

impl Color {
    pub const ALL: [Color; 2] = [Color::Blue, Color::Green];
}

/// One node of the Redis cluster: shard (node group) and node within it, both counted from 1, as
/// ElastiCache numbers the members of a cluster-mode replication group (`<group>-0001-001`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheNode {
    pub shard: u16,
    pub node: u8,
}

impl CacheNode {
    /// The node's cache cluster id, the dimension ElastiCache publishes its per-node metrics under.
    pub fn cluster_id(self, replication_group: &str) -> String {
        format!("{replication_group}-{:04}-{:03}", self.shard, self.node)
    }
}

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

    fn prefix(self) -> &'static str {
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

/// Every kind of physical name an environment uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    Vpc,
    PublicSubnet(AzSlot),
    PrivateSubnet(AzSlot),
    InternetGateway,
    NatGateway(AzSlot),
    ElasticIp(AzSlot),
    PublicRouteTable,
    PrivateRouteTable(AzSlot),
    SecurityGroup(Tier),
    FlowLogGroup,
    FlowLog,
    FlowLogRole,
    S3Endpoint,
    KmsAlias,
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
    LoadBalancer,
    TargetGroup(Color),
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
    Alarm(AlarmKind),
    MetricFilter(LogMetric),
}

/// The largest node a cluster can have (500 shards, 1 primary and 5 replicas), for the length checks.
const LARGEST_CACHE_NODE: CacheNode = CacheNode {
    shard: 500,
    node: 6,
};

/// An AWS account id is always 12 digits; it makes bucket names globally unique.
const ACCOUNT_ID_LEN: usize = 12;

impl NameKind {
    /// Every name kind, with each AZ, tier and colour variant spelled out.
    pub fn all() -> Vec<NameKind> {
        use NameKind::*;
        let mut kinds = vec![
            Vpc,
            InternetGateway,
            PublicRouteTable,
            FlowLogGroup,
            FlowLog,
            FlowLogRole,
            S3Endpoint,
            KmsAlias,
        ];
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
        kinds.extend([
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
            LoadBalancer,
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
        ]);
        kinds.extend(AlarmKind::SINGLE.map(Alarm));
        kinds.extend([
            Alarm(AlarmKind::CacheMemory(LARGEST_CACHE_NODE)),
            Alarm(AlarmKind::CacheCpu(LARGEST_CACHE_NODE)),
        ]);
        kinds.extend(LogMetric::ALL.map(MetricFilter));
        kinds
    }

    /// The resource-type part that goes before the suffix.
    fn prefix(self) -> String {
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
            LoadBalancer => "alb".into(),
            TargetGroup(Color::Blue) => "tg-blue".into(),
            TargetGroup(Color::Green) => "tg-green".into(),
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
            CacheSubnetGroup => (255, "ElastiCache CacheSubnetGroupName: 255"),
            LoadBalancer => (32, "ELBv2 load balancer names: 32"),
            TargetGroup(_) => (32, "ELBv2 target group names: 32"),
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

/// A log group whose name AWS derives from one of the environment's resources and would create
/// on its own, with no retention and no key, if the environment did not create it first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsLogGroup {
    /// The Aurora cluster's `postgresql` log export (Aurora user guide, "Publishing Aurora
    /// PostgreSQL logs to Amazon CloudWatch Logs": `/aws/rds/cluster/<cluster>/postgresql`).
    AuroraPostgresql,
    /// Container Insights' performance events of the ECS cluster (CloudWatch user guide,
    /// "Container Insights performance log events for Amazon ECS":
    /// `/aws/ecs/containerinsights/<cluster>/performance`).
    ContainerInsights,
    /// The rotation function's own logs (Lambda developer guide, "Sending Lambda function logs to
    /// CloudWatch Logs": `/aws/lambda/<function>`).
    RotationFunction,
}

impl AwsLogGroup {
    pub const ALL: [AwsLogGroup; 3] = [
        AwsLogGroup::AuroraPostgresql,
        AwsLogGroup::ContainerInsights,
        AwsLogGroup::RotationFunction,
    ];

    /// The resource the name is derived from.
    pub fn resource(self) -> NameKind {
        match self {
            AwsLogGroup::AuroraPostgresql => NameKind::AuroraCluster,
            AwsLogGroup::ContainerInsights => NameKind::EcsCluster,
            AwsLogGroup::RotationFunction => NameKind::RotationFunction,
        }
    }

    fn around(self, resource: &str) -> String {
        match self {
            AwsLogGroup::AuroraPostgresql => format!("/aws/rds/cluster/{resource}/postgresql"),
            AwsLogGroup::ContainerInsights => {
                format!("/aws/ecs/containerinsights/{resource}/performance")
            }
            AwsLogGroup::RotationFunction => format!("/aws/lambda/{resource}"),
        }
    }

    /// Every environment's group of this kind, as an IAM wildcard.
    pub fn wildcard(self) -> String {
        self.around(&self.resource().wildcard())
    }
}

impl fmt::Display for NameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suffix(value: &str) -> EnvironmentSuffix {
        EnvironmentSuffix::parse(value).unwrap()
    }

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
    fn the_log_groups_aws_would_make_are_named_as_aws_names_them() {
        let suffix = suffix("pr-42");
        let names = Names::new(&suffix);
        let groups = AwsLogGroup::ALL.map(|group| (names.aws_log_group(group), group.wildcard()));
        assert_eq!(
            groups,
            [
                (
                    "/aws/rds/cluster/aurora-pr-42/postgresql".to_owned(),
                    "/aws/rds/cluster/aurora-*/postgresql".to_owned()
                ),
                (
                    "/aws/ecs/containerinsights/ecs-cluster-pr-42/performance".to_owned(),
                    "/aws/ecs/containerinsights/ecs-cluster-*/performance".to_owned()
                ),
                (
                    "/aws/lambda/rotation-pr-42".to_owned(),
                    "/aws/lambda/rotation-*".to_owned()
                ),
            ]
        );
    }

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
        assert_eq!(kinds.len(), 69);
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
