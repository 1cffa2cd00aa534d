//! What one kind of name varies by within an environment: the AZ, the security group's tier, the
//! target group's colour and the cache node.

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

/// The largest node a cluster can have (500 shards, 1 primary and 5 replicas), for the length checks.
pub(super) const LARGEST_CACHE_NODE: CacheNode = CacheNode {
    shard: 500,
    node: 6,
};
