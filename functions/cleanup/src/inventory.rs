//! From tagged resources to environments, and whether each one is due for teardown.
//!
//! Every resource of an environment carries the environment, project and manager tags, and the
//! expiry tag when the spec set `ttlHours` (env_core::tags). Each component writes its own expiry
//! (creation time + TTL), so the values of one environment differ by the minutes provisioning took.

use crate::api::TaggedResource;
use env_core::spec::EnvironmentSuffix;
use env_core::tags::{ENVIRONMENT, EXPIRES_AT};
use std::collections::BTreeMap;
use std::time::SystemTime;

/// The resources found, by the value of their environment tag, and those without one.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Inventory {
    pub environments: BTreeMap<String, Vec<TaggedResource>>,
    /// ARNs of resources with our project tags but no environment tag: no teardown can find them.
    pub unassigned: Vec<String>,
}

pub fn group(resources: Vec<TaggedResource>) -> Inventory {
    let mut inventory = Inventory::default();
    for resource in resources {
        match resource.tag(ENVIRONMENT) {
            Some(environment) => inventory
                .environments
                .entry(environment.to_owned())
                .or_default()
                .push(resource),
            None => inventory.unassigned.push(resource.arn),
        }
    }
    inventory
}

/// What the cleanup does with one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every resource is past its expiry. `first` is the earliest expiry, `last` the latest.
    Expired {
        suffix: EnvironmentSuffix,
        first: SystemTime,
        last: SystemTime,
    },
    /// At least one resource expires at `expires_at` (the latest) or later.
    NotExpired { expires_at: SystemTime },
    /// Left alone, and why.
    Skipped(String),
}

/// Judges one environment at `now`. Safety first: it is expired only when every one of its
/// resources is; a resource without an expiry (or with one this code cannot read) keeps the whole
/// environment, since tearing it down would remove something that never asked to go.
pub fn judge(environment: &str, resources: &[TaggedResource], now: SystemTime) -> Verdict {
    let suffix = match EnvironmentSuffix::parse(environment) {
        Ok(suffix) => suffix,
        Err(reason) => {
            return Verdict::Skipped(format!(
                "the {ENVIRONMENT} tag {environment:?} is not an environment suffix: it {reason}"
            ))
        }
    };
    let mut expiries = Vec::with_capacity(resources.len());
    for resource in resources {
        let Some(value) = resource.tag(EXPIRES_AT) else {
            return Verdict::Skipped(format!(
                "{} has no {EXPIRES_AT} tag: the environment did not ask to expire",
                resource.arn
            ));
        };
        match humantime::parse_rfc3339(value) {
            Ok(expiry) => expiries.push(expiry),
            Err(_) => {
                return Verdict::Skipped(format!(
                    "{} has {EXPIRES_AT} {value:?}, not a UTC time such as 2026-11-26T03:15:00Z",
                    resource.arn
                ))
            }
        }
    }
    // `group` never makes an environment without resources, so both exist; the fallbacks only keep
    // an empty list from counting as expired.
    let first = expiries.iter().min().copied().unwrap_or(now);
    let last = expiries.iter().max().copied().unwrap_or(now);
    if expiries.is_empty() || last > now {
        Verdict::NotExpired { expires_at: last }
    } else {
        Verdict::Expired {
            suffix,
            first,
            last,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(rfc3339: &str) -> SystemTime {
        humantime::parse_rfc3339(rfc3339).unwrap()
    }

    fn resource(arn: &str, tags: &[(&str, &str)]) -> TaggedResource {
        TaggedResource {
            arn: arn.into(),
            tags: tags
                .iter()
                .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn resources_group_by_environment_and_those_without_one_are_set_apart() {
        let inventory = group(vec![
            resource("vpc-a", &[(ENVIRONMENT, "pr-1")]),
            resource("secret-b", &[(ENVIRONMENT, "pr-2")]),
            resource("secret-a", &[(ENVIRONMENT, "pr-1")]),
            resource("stray", &[(EXPIRES_AT, "2026-01-01T00:00:00Z")]),
        ]);
        let arns = |name: &str| -> Vec<String> {
            inventory.environments[name]
                .iter()
                .map(|r| r.arn.clone())
                .collect()
        };
        assert_eq!(
            inventory.environments.keys().collect::<Vec<_>>(),
            ["pr-1", "pr-2"]
        );
        assert_eq!(arns("pr-1"), ["vpc-a", "secret-a"]);
        assert_eq!(arns("pr-2"), ["secret-b"]);
        assert_eq!(inventory.unassigned, ["stray"]);
    }

    #[test]
    fn an_environment_expires_only_once_its_latest_resource_has() {
        let resources = [
            resource("vpc", &[(EXPIRES_AT, "2026-11-26T03:00:00Z")]),
            resource("alarm", &[(EXPIRES_AT, "2026-11-26T03:20:00Z")]),
        ];
        assert_eq!(
            judge("pr-1", &resources, at("2026-11-26T03:10:00Z")),
            Verdict::NotExpired {
                expires_at: at("2026-11-26T03:20:00Z")
            }
        );
        // Exactly at the expiry counts as expired.
        assert_eq!(
            judge("pr-1", &resources, at("2026-11-26T03:20:00Z")),
            Verdict::Expired {
                suffix: EnvironmentSuffix::parse("pr-1").unwrap(),
                first: at("2026-11-26T03:00:00Z"),
                last: at("2026-11-26T03:20:00Z"),
            }
        );
    }

    #[test]
    fn a_resource_without_an_expiry_keeps_the_whole_environment() {
        let resources = [
            resource("vpc", &[(EXPIRES_AT, "2020-01-01T00:00:00Z")]),
            resource("db", &[(ENVIRONMENT, "pr-1")]),
        ];
        assert_eq!(
            judge("pr-1", &resources, SystemTime::now()),
            Verdict::Skipped(
                "db has no catalog:expires-at tag: the environment did not ask to expire".into()
            )
        );
    }

    #[test]
    fn a_malformed_expiry_keeps_the_environment_and_names_the_value() {
        for value in [
            "tomorrow",
            "2026-11-26 03:00:00",
            "2026-13-01T00:00:00Z",
            "",
        ] {
            let resources = [resource("vpc", &[(EXPIRES_AT, value)])];
            assert_eq!(
                judge("pr-1", &resources, SystemTime::now()),
                Verdict::Skipped(format!(
                    "vpc has catalog:expires-at {value:?}, not a UTC time such as 2026-11-26T03:15:00Z"
                ))
            );
        }
    }

    #[test]
    fn an_environment_tag_that_is_no_suffix_is_skipped_with_the_rule_it_breaks() {
        let resources = [resource("vpc", &[(EXPIRES_AT, "2020-01-01T00:00:00Z")])];
        assert_eq!(
            judge("PR_1", &resources, SystemTime::now()),
            Verdict::Skipped(
                "the catalog:environment tag \"PR_1\" is not an environment suffix: it may contain only lowercase letters, digits and hyphens".into()
            )
        );
    }

    #[test]
    fn no_resources_never_count_as_expired() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(
            judge("pr-1", &[], now),
            Verdict::NotExpired { expires_at: now }
        );
    }
}
