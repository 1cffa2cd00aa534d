//! The warm pool's names and its match rule (docs/warm-pool-design.md).
//!
//! A pool environment is an ordinary environment whose suffix starts with [`POOL_PREFIX`]; it is
//! claimed by the execution of the `claim` state machine named [`claim_execution_name`]. Step
//! Functions lets one execution of a name exist per state machine for 90 days ("must be unique for
//! your AWS account, region, and state machine for 90 days", StartExecution API reference), so the
//! name is the lock: exactly one claimant (or the cleanup retiring the environment) wins it.

use crate::spec::{EnvironmentSuffix, SpecFields};

/// Every pool environment's suffix starts with this.
pub const POOL_PREFIX: &str = "pool-";
/// Every claim execution's name is this followed by the pool suffix it holds.
pub const CLAIM_PREFIX: &str = "claim-";
/// The request part of the name of a pool provision the scheduled cleanup starts to refill the pool
/// (`<suffix>--refill`).
pub const REFILL_REQUEST: &str = "refill";

/// A pool suffix that never repeats: the seconds since the epoch in base 36 (7 characters until
/// 2059) and two base-36 characters of `entropy`, so two fills in the same second differ too. A
/// suffix must not repeat because its claim execution's name stays taken for 90 days.
pub fn pool_suffix(unix_seconds: u64, entropy: u32) -> EnvironmentSuffix {
    let mut id = base36(unix_seconds);
    let tail = base36(u64::from(entropy % (36 * 36)));
    id.push_str(&"0".repeat(2 - tail.len()));
    id.push_str(&tail);
    EnvironmentSuffix::parse(&format!("{POOL_PREFIX}{id}"))
        .expect("pool- and at most 15 base-36 characters is a valid suffix")
}

fn base36(mut value: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut digits = Vec::new();
    loop {
        digits.push(DIGITS[(value % 36) as usize]);
        value /= 36;
        if value == 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).expect("ASCII digits")
}

/// Whether `suffix` names a pool environment.
pub fn is_pool_suffix(suffix: &str) -> bool {
    suffix
        .strip_prefix(POOL_PREFIX)
        .is_some_and(|id| !id.is_empty())
}

/// The name of the claim execution that holds the pool environment `suffix`.
pub fn claim_execution_name(suffix: &str) -> String {
    format!("{CLAIM_PREFIX}{suffix}")
}

/// The pool suffix a claim execution holds, if `execution_name` is one.
pub fn claimed_suffix(execution_name: &str) -> Option<&str> {
    execution_name
        .strip_prefix(CLAIM_PREFIX)
        .filter(|suffix| is_pool_suffix(suffix))
}

/// The spec fields a claim cannot change, because the network, the database, the cache, the load
/// balancer's target groups and the security groups were built from them; everything else (the
/// image, task counts and sizes, alarms, expiry, pull request) the claim applies through the service
/// and monitoring functions.
pub const FIXED_FIELDS: [&str; 20] = [
    "region",
    "deletionProtection",
    "forceDestroy",
    "natGateways",
    "vpcCidr",
    "containerPort",
    "healthCheckPath",
    "deregistrationDelaySeconds",
    "dbMinCapacity",
    "dbMaxCapacity",
    "dbAutoPauseSeconds",
    "dbPoolSize",
    "cacheShards",
    "cacheReplicasPerShard",
    "cacheNodeType",
    "cacheMode",
    "domainName",
    "hostedZoneId",
    "certificateArn",
    "selfSignedCertificate",
];

/// A fingerprint of the [`FIXED_FIELDS`] (FNV-1a over their JSON values, an absent field as
/// `null`): two specs with equal fingerprints can share a pool environment.
pub fn fixed_fingerprint(spec: &SpecFields) -> u64 {
    let json = serde_json::to_value(spec).expect("a spec serialises");
    FIXED_FIELDS.iter().fold(FNV_OFFSET, |hash, field| {
        let value = json.get(*field).unwrap_or(&serde_json::Value::Null);
        fnv1a(fnv1a(hash, field.as_bytes()), value.to_string().as_bytes())
    })
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a (64 bit) continued from `hash`: a stable hash, unlike the standard library's, which may
/// change between Rust releases and so between envctl builds.
pub fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::example;
    use serde_json::json;

    #[test]
    fn pool_suffixes_are_base36_seconds_then_two_characters_of_entropy() {
        // 1_796_590_800 is 2026-12-06T21:00:00Z; in base 36, tpn6c0.
        let suffix = pool_suffix(1_796_590_800, 7);
        assert_eq!(suffix.as_str(), "pool-tpn6c007");
        assert_eq!(
            pool_suffix(1_796_590_800, 36 * 36 + 35).as_str(),
            "pool-tpn6c00z"
        );
        assert_eq!(pool_suffix(0, 1295).as_str(), "pool-0zz");
        assert_ne!(pool_suffix(1_796_590_800, 1), pool_suffix(1_796_590_800, 2));
        assert!(is_pool_suffix(suffix.as_str()));
    }

    #[test]
    fn only_pool_suffixes_are_pool_suffixes_and_claims_name_them() {
        assert!(!is_pool_suffix("pr-42"));
        assert!(!is_pool_suffix("pool-"));
        assert!(!is_pool_suffix("mypool-1"));
        assert_eq!(claim_execution_name("pool-abc"), "claim-pool-abc");
        assert_eq!(claimed_suffix("claim-pool-abc"), Some("pool-abc"));
        assert_eq!(claimed_suffix("claim-pr-42"), None);
        assert_eq!(claimed_suffix("pool-abc--refill"), None);
    }

    #[test]
    fn the_fingerprint_ignores_what_a_claim_applies_and_sees_what_it_cannot() {
        let pool = example::with(json!({"environmentSuffix": "pool-abc", "standby": true}));
        let pull_request = example::with(json!({
            "environmentSuffix": "pr-42",
            "pullRequest": 42,
            "containerImage": "public.ecr.aws/acme/catalog-api:pr-42",
            "minTasks": 1,
            "ttlHours": 48
        }));
        let fingerprint = |spec: &crate::EnvironmentSpec| fixed_fingerprint(spec.fields());
        assert_eq!(fingerprint(&pool), fingerprint(&pull_request));
        assert!(pool.fields().standby);
        assert!(!pull_request.fields().standby);

        for fixed in [
            json!({"cacheShards": 3}),
            json!({"containerPort": 8080}),
            json!({"natGateways": "single"}),
            json!({"dbMaxCapacity": 8}),
        ] {
            let other = example::with(fixed.clone());
            assert_ne!(fingerprint(&pool), fingerprint(&other), "{fixed}");
        }
    }

    #[test]
    fn fnv1a_matches_the_published_test_vector() {
        // FNV-1a 64 of "a" (the FNV reference's test vectors, draft-eastlake-fnv).
        assert_eq!(fnv1a(FNV_OFFSET, b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
