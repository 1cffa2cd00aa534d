//! How big the environment may grow: tasks, task size, Aurora capacity units, cache shards.

use super::field::{bounded_integer, SpecField};
use serde::{Deserialize, Serialize};

bounded_integer!(
    /// Fargate tasks of the API service. The request fixes 2–10 as the default range; the upper
    /// bound of 100 catches a typo before it costs money.
    TaskCount: u16, 1, 100, "a whole number of tasks from 1 to 100"
);

bounded_integer!(
    /// Target-tracking CPU utilisation in percent (the request: 70). Outside 10–90 the policy either
    /// never scales in or has no headroom left before tasks saturate.
    CpuTargetPercent: u8, 10, 90, "a whole percentage from 10 to 90"
);

bounded_integer!(
    /// Shards (node groups) of the Redis cluster; ElastiCache allows up to 500 per cluster
    /// (ElastiCache user guide, "Quotas").
    ShardCount: u16, 1, 500, "a whole number of shards from 1 to 500"
);

bounded_integer!(
    /// Replicas per shard. At least 1, because automatic failover and Multi-AZ need a replica to
    /// promote; at most 5 (ElastiCache user guide, "Replication: Redis OSS cluster mode enabled").
    ReplicaCount: u8, 1, 5, "a whole number of replicas per shard from 1 to 5 (failover needs at least 1)"
);

bounded_integer!(
    /// Task memory in MiB; which values go with which CPU size is checked with the CPU.
    TaskMemoryMib: u32, 512, 122_880, "a whole number of MiB from 512 to 122880"
);

/// Fargate task CPU units (ECS developer guide, "Task size": 256 … 16384).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct TaskCpu(u32);

impl TaskCpu {
    pub const VALUES: [u32; 7] = [256, 512, 1024, 2048, 4096, 8192, 16384];

    pub fn get(self) -> u32 {
        self.0
    }

    /// For the spec's defaults: a constant that is not a Fargate size is a programming error.
    pub fn from_constant(units: u32) -> Self {
        assert!(Self::VALUES.contains(&units), "not a Fargate CPU size");
        Self(units)
    }

    /// The memory sizes Fargate accepts with this CPU size, as (lowest, highest, step) in MiB,
    /// from the "Task size" table of the ECS developer guide.
    pub fn memory_range(self) -> (u32, u32, u32) {
        match self.0 {
            256 => (512, 2048, 512),
            512 => (1024, 4096, 1024),
            1024 => (2048, 8192, 1024),
            2048 => (4096, 16384, 1024),
            4096 => (8192, 30720, 1024),
            8192 => (16384, 61440, 4096),
            _ => (32768, 122_880, 8192),
        }
    }

    pub fn accepts_memory(self, memory: TaskMemoryMib) -> bool {
        let (low, high, step) = self.memory_range();
        let memory = memory.get();
        (low..=high).contains(&memory) && (memory - low) % step == 0
    }
}

impl TryFrom<u64> for TaskCpu {
    type Error = String;

    fn try_from(value: u64) -> Result<Self, Self::Error> {
        Self::VALUES
            .into_iter()
            .find(|cpu| u64::from(*cpu) == value)
            .map(Self)
            .ok_or_else(|| Self::ALLOWED.to_owned())
    }
}

impl From<TaskCpu> for u64 {
    fn from(value: TaskCpu) -> Self {
        u64::from(value.0)
    }
}

impl SpecField for TaskCpu {
    const ALLOWED: &'static str =
        "one of the Fargate CPU sizes 256, 512, 1024, 2048, 4096, 8192, 16384";
}

/// Aurora Serverless v2 capacity in ACUs: 0 to 256 in steps of 0.5 (Aurora user guide,
/// "Aurora Serverless v2 capacity"). Kept in half-ACU units so that values compare exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Number", into = "serde_json::Number")]
pub struct Acu {
    halves: u16,
}

impl Acu {
    pub const MAX: f64 = 256.0;

    pub fn from_halves(halves: u16) -> Self {
        Self { halves }
    }

    pub fn as_f64(self) -> f64 {
        f64::from(self.halves) / 2.0
    }
}

impl TryFrom<serde_json::Number> for Acu {
    type Error = String;

    fn try_from(value: serde_json::Number) -> Result<Self, Self::Error> {
        let acu = value.as_f64().unwrap_or(f64::NAN);
        let halves = acu * 2.0;
        if (0.0..=Self::MAX).contains(&acu) && halves.fract() == 0.0 {
            // In range and whole, so the cast is exact.
            Ok(Self {
                halves: halves as u16,
            })
        } else {
            Err(Self::ALLOWED.to_owned())
        }
    }
}

impl From<Acu> for serde_json::Number {
    /// Whole values stay integers so that a spec round-trips to the same JSON text.
    fn from(value: Acu) -> Self {
        if value.halves % 2 == 0 {
            serde_json::Number::from(value.halves / 2)
        } else {
            serde_json::Number::from_f64(value.as_f64()).unwrap_or(serde_json::Number::from(0))
        }
    }
}

impl SpecField for Acu {
    const ALLOWED: &'static str = "a number of ACUs from 0 to 256 in steps of 0.5";
}

/// An ElastiCache node type such as `cache.t4g.small` (`cache.<family>.<size>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CacheNodeType(String);

impl CacheNodeType {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for CacheNodeType {
    /// The smallest current-generation type that supports encryption in transit and at rest.
    fn default() -> Self {
        Self("cache.t4g.small".to_owned())
    }
}

impl TryFrom<String> for CacheNodeType {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let parts: Vec<&str> = value.split('.').collect();
        let well_formed = parts.len() == 3
            && parts[0] == "cache"
            && parts[1..].iter().all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            });
        if well_formed {
            Ok(Self(value))
        } else {
            Err(Self::ALLOWED.to_owned())
        }
    }
}

impl From<CacheNodeType> for String {
    fn from(value: CacheNodeType) -> Self {
        value.0
    }
}

impl SpecField for CacheNodeType {
    const ALLOWED: &'static str =
        "an ElastiCache node type of the form cache.<family>.<size>, such as cache.t4g.small";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory(mib: u64) -> TaskMemoryMib {
        TaskMemoryMib::try_from(mib).unwrap()
    }

    #[test]
    fn fargate_memory_follows_the_task_size_table() {
        let cpu = |units: u64| TaskCpu::try_from(units).unwrap();
        assert!(cpu(256).accepts_memory(memory(512)));
        assert!(!cpu(256).accepts_memory(memory(4096)));
        assert!(cpu(512).accepts_memory(memory(4096)));
        assert!(!cpu(512).accepts_memory(memory(1536)));
        assert!(cpu(1024).accepts_memory(memory(8192)));
        assert!(cpu(2048).accepts_memory(memory(16384)));
        assert!(cpu(4096).accepts_memory(memory(30720)));
        assert!(!cpu(4096).accepts_memory(memory(31744)));
        assert!(cpu(8192).accepts_memory(memory(20480)));
        assert!(!cpu(8192).accepts_memory(memory(17408)));
        assert!(cpu(16384).accepts_memory(memory(122_880)));
        assert_eq!(cpu(16384).get(), 16384);
        assert_eq!(TaskCpu::try_from(300).unwrap_err(), TaskCpu::ALLOWED);
    }

    #[test]
    fn acus_are_kept_exactly_and_written_back_as_given() {
        let half: Acu = serde_json::from_str("0.5").unwrap();
        assert_eq!(half.as_f64(), 0.5);
        assert_eq!(serde_json::to_string(&half).unwrap(), "0.5");
        let four: Acu = serde_json::from_str("4").unwrap();
        assert_eq!(serde_json::to_string(&four).unwrap(), "4");
        assert_eq!(Acu::from_halves(8), four);
        assert!(serde_json::from_str::<Acu>("0.25").is_err());
        assert!(serde_json::from_str::<Acu>("256.5").is_err());
        assert!(serde_json::from_str::<Acu>("-1").is_err());
    }

    #[test]
    fn cache_node_types_need_three_parts() {
        assert_eq!(CacheNodeType::default().as_str(), "cache.t4g.small");
        assert!(CacheNodeType::try_from("cache.r7g.large".to_owned()).is_ok());
        for bad in [
            "t4g.small",
            "cache.t4g",
            "cache..small",
            "cache.T4G.small",
            "redis.t4g.small",
        ] {
            assert!(CacheNodeType::try_from(bad.to_owned()).is_err(), "{bad}");
        }
    }
}
