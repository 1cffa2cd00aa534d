//! ElastiCache controls: backups, upgrades, failover, encryption, authentication, subnet group.

use super::{missing, Control};
use crate::facts::{Cache, Environment};
use crate::outcome::{Finding, Outcome};

pub(crate) const CONTROLS: [Control; 7] = [
    ("ElastiCache.1", "fsbp-elasticache-1-backups", backups),
    (
        "ElastiCache.2",
        "fsbp-elasticache-2-auto-minor-upgrade",
        auto_minor_upgrade,
    ),
    (
        "ElastiCache.3",
        "fsbp-elasticache-3-failover-multi-az",
        failover,
    ),
    (
        "ElastiCache.4",
        "fsbp-elasticache-4-encrypted-at-rest",
        at_rest,
    ),
    (
        "ElastiCache.5",
        "fsbp-elasticache-5-encrypted-in-transit",
        in_transit,
    ),
    (
        "ElastiCache.6",
        "fsbp-elasticache-6-authentication",
        authentication,
    ),
    (
        "ElastiCache.7",
        "fsbp-elasticache-7-own-subnet-group",
        own_subnet_group,
    ),
];

fn judge(
    env: &Environment,
    ok: impl Fn(&Cache) -> bool,
    problem: impl Fn(&Cache) -> String,
    fix: &str,
) -> Outcome {
    match &env.cache {
        Some(cache) if ok(cache) => Outcome::Pass,
        Some(cache) => Outcome::Findings(vec![Finding::new(
            format!("replication group {}", cache.group_id),
            problem(cache),
            fix,
        )]),
        None => missing(
            "replication group",
            "run the cache component's create again",
        ),
    }
}

fn backups(env: &Environment) -> Outcome {
    judge(
        env,
        |c| c.snapshot_retention_days >= 1,
        |c| format!("snapshots kept {} day(s)", c.snapshot_retention_days),
        "set SnapshotRetentionLimit to at least 1",
    )
}

fn auto_minor_upgrade(env: &Environment) -> Outcome {
    judge(
        env,
        |c| c.auto_minor_upgrade,
        |_| "auto minor version upgrade is off".into(),
        "set AutoMinorVersionUpgrade",
    )
}

fn failover(env: &Environment) -> Outcome {
    judge(
        env,
        |c| c.automatic_failover && c.multi_az,
        |c| {
            format!(
                "automatic failover {}, Multi-AZ {}",
                on(c.automatic_failover),
                on(c.multi_az)
            )
        },
        "enable AutomaticFailover and MultiAZ",
    )
}

fn on(value: bool) -> &'static str {
    if value {
        "on"
    } else {
        "off"
    }
}

fn at_rest(env: &Environment) -> Outcome {
    let key = env.key.as_ref().map(|k| k.arn.as_str());
    judge(
        env,
        |c| {
            c.at_rest_encryption
                && c.kms_key_id.is_some()
                && (key.is_none() || c.kms_key_id.as_deref() == key)
        },
        |_| "not encrypted at rest with the environment's key".into(),
        "create the group with AtRestEncryptionEnabled and the environment's KMS key",
    )
}

fn in_transit(env: &Environment) -> Outcome {
    judge(
        env,
        |c| c.transit_encryption && c.transit_mode.as_deref() == Some("required"),
        |c| {
            format!(
                "transit encryption {}, mode {:?}",
                on(c.transit_encryption),
                c.transit_mode.as_deref().unwrap_or("unset")
            )
        },
        "enable TransitEncryptionEnabled with TransitEncryptionMode required",
    )
}

fn authentication(env: &Environment) -> Outcome {
    judge(
        env,
        |c| c.auth_token,
        |_| "no AUTH token".into(),
        "set an AUTH token kept in Secrets Manager",
    )
}

fn own_subnet_group(env: &Environment) -> Outcome {
    judge(
        env,
        |c| c.subnet_group.as_deref().is_some_and(|g| g != "default"),
        |c| match c.subnet_group.as_deref() {
            Some(group) => format!("subnet group {group:?}"),
            None => "the environment's own subnet group is gone".into(),
        },
        "use the environment's own subnet group in the private subnets",
    )
}

#[cfg(test)]
mod tests {
    use super::super::sample::{compliant, fired};

    #[test]
    fn each_setting_fires_its_control() {
        let mut env = compliant();
        let c = env.cache.as_mut().unwrap();
        c.snapshot_retention_days = 0;
        c.auto_minor_upgrade = false;
        c.multi_az = false;
        c.kms_key_id = Some("arn:aws:kms:us-west-2:123456789012:key/other".into());
        c.transit_mode = Some("preferred".into());
        c.auth_token = false;
        c.subnet_group = Some("default".into());
        let g = "replication group redis-pr-42";
        assert_eq!(
            fired(&env, "ElastiCache.1"),
            [format!("{g}: snapshots kept 0 day(s)")]
        );
        assert_eq!(
            fired(&env, "ElastiCache.2"),
            [format!("{g}: auto minor version upgrade is off")]
        );
        assert_eq!(
            fired(&env, "ElastiCache.3"),
            [format!("{g}: automatic failover on, Multi-AZ off")]
        );
        assert_eq!(
            fired(&env, "ElastiCache.4"),
            [format!(
                "{g}: not encrypted at rest with the environment's key"
            )]
        );
        assert_eq!(
            fired(&env, "ElastiCache.5"),
            [format!("{g}: transit encryption on, mode \"preferred\"")]
        );
        assert_eq!(
            fired(&env, "ElastiCache.6"),
            [format!("{g}: no AUTH token")]
        );
        assert_eq!(
            fired(&env, "ElastiCache.7"),
            [format!("{g}: subnet group \"default\"")]
        );
        let c = env.cache.as_mut().unwrap();
        c.transit_mode = None;
        c.subnet_group = None;
        c.automatic_failover = false;
        assert_eq!(
            fired(&env, "ElastiCache.5"),
            [format!("{g}: transit encryption on, mode \"unset\"")]
        );
        assert_eq!(
            fired(&env, "ElastiCache.7"),
            [format!("{g}: the environment's own subnet group is gone")]
        );
        assert_eq!(
            fired(&env, "ElastiCache.3"),
            [format!("{g}: automatic failover off, Multi-AZ off")]
        );
    }
}
