//! What the cleanup hands the teardown state machine: a deterministic execution name and a spec
//! rebuilt from the tags.
//!
//! The teardown finds everything by name and tag, so of the spec it needs only the suffix and the
//! two fields its delete paths read: `forceDestroy` (the database and load balancer refuse to lift
//! their deletion protection without it) and the certificate source (the edge deletes only a
//! certificate it made itself, found by its Name and environment tags).
//!
//! Safety first: the tags do not record whether the environment asked for deletion protection, so
//! the cleanup never sends `forceDestroy`. An unprotected environment is removed; a protected one
//! stops at its database or load balancer with `DeletionProtected` and stays for a person to decide.
//! `selfSignedCertificate` lets the edge delete the environment's own certificate whatever source it
//! was created with; a customer's existing certificate carries no environment tag and is never
//! touched. Known gap: the DNS validation records of a `domainName` environment stay in the hosted
//! zone (its id is in no tag).

use env_core::spec::EnvironmentSuffix;
use serde_json::{json, Value};
use std::time::SystemTime;

/// A valid image reference standing in for the one the environment ran: no delete path reads it.
pub const PLACEHOLDER_IMAGE: &str = "public.ecr.aws/catalog-api/teardown-placeholder:unused";

/// `cleanup-<suffix>-<first expiry, compact UTC>`: one name per incarnation of an environment, so a
/// second run meets the execution the first started, and an environment created again later under
/// the same suffix (with a new expiry) gets a new one. The earliest expiry is the network's, made
/// first and deleted last, so the name stays the same while the teardown is under way. Step
/// Functions allows 1–80 characters and no `:` in an execution name (API reference,
/// StartExecution, `name`), hence the compact time.
pub fn execution_name(suffix: &EnvironmentSuffix, first_expiry: SystemTime) -> String {
    format!("cleanup-{suffix}-{}", compact_time(first_expiry))
}

/// `time` in UTC as `20261126T031507Z`: RFC 3339 to the second without `-` and `:`, which an
/// execution name may not hold.
pub fn compact_time(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time)
        .to_string()
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect()
}

/// The teardown state machine's input.
pub fn input(suffix: &EnvironmentSuffix) -> Value {
    json!({
        "spec": {
            "environmentSuffix": suffix,
            "containerImage": PLACEHOLDER_IMAGE,
            "selfSignedCertificate": true,
            "deletionProtection": true,
            "forceDestroy": false
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::naming::max_suffix_len;
    use env_core::spec::EnvironmentSpec;

    fn suffix(value: &str) -> EnvironmentSuffix {
        EnvironmentSuffix::parse(value).unwrap()
    }

    #[test]
    fn the_name_is_the_suffix_and_the_first_expiry_without_colons() {
        let expiry = humantime::parse_rfc3339("2026-11-26T03:15:07Z").unwrap();
        assert_eq!(
            execution_name(&suffix("pr-42"), expiry),
            "cleanup-pr-42-20261126T031507Z"
        );
    }

    #[test]
    fn the_longest_suffix_still_fits_step_functions_80_characters() {
        let longest = suffix(&"a".repeat(max_suffix_len()));
        let name = execution_name(&longest, SystemTime::now());
        assert!(name.len() <= 80, "{} characters: {name}", name.len());
    }

    #[test]
    fn the_input_is_a_valid_spec_that_keeps_deletion_protection() {
        let input = input(&suffix("pr-42"));
        let spec = EnvironmentSpec::from_value(&input["spec"]).unwrap();
        assert_eq!(spec.suffix().as_str(), "pr-42");
        assert!(!spec.fields().force_destroy);
        assert!(spec.protection_blocks_deletion());
        assert_eq!(
            spec.certificate(),
            &env_core::spec::CertificateMode::SelfSigned
        );
        assert_eq!(input.as_object().unwrap().len(), 1, "{input}");
    }
}
