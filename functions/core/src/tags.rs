//! The tags every taggable resource carries. Functions find their resources by these tags, so a retry,
//! a re-run or a teardown after a half-finished provision works from what exists in AWS.

use crate::spec::EnvironmentSpec;
use std::time::{Duration, SystemTime};

/// Tag keys. Constants, because the cleanup function and the audit search by them.
pub const ENVIRONMENT: &str = "catalog:environment";
pub const PROJECT: &str = "catalog:project";
pub const MANAGED_BY: &str = "catalog:managed-by";
pub const EXPIRES_AT: &str = "catalog:expires-at";
pub const PULL_REQUEST: &str = "catalog:pull-request";

/// Every key the backend tags with, for the policies that allow tagging only with these.
pub const KEYS: [&str; 5] = [ENVIRONMENT, PROJECT, MANAGED_BY, EXPIRES_AT, PULL_REQUEST];

pub const PROJECT_NAME: &str = "catalog-api";
pub const MANAGER_NAME: &str = "catalog-environments";

/// A key-value tag, converted by each function into its service's tag type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: &'static str,
    pub value: String,
}

/// The tags every resource of this project carries, whatever its environment: what the scheduled
/// cleanup searches by.
pub fn ownership_tags() -> [Tag; 2] {
    [
        Tag {
            key: PROJECT,
            value: PROJECT_NAME.to_owned(),
        },
        Tag {
            key: MANAGED_BY,
            value: MANAGER_NAME.to_owned(),
        },
    ]
}

/// The tags for an environment's resources. `now` is the creation time; the expiry tag, when the spec
/// has a TTL, is `now + ttlHours` in RFC 3339 (UTC, seconds), which sorts and compares as text.
pub fn environment_tags(spec: &EnvironmentSpec, now: SystemTime) -> Vec<Tag> {
    let fields = spec.fields();
    let mut tags = vec![Tag {
        key: ENVIRONMENT,
        value: spec.suffix().to_string(),
    }];
    tags.extend(ownership_tags());
    if let Some(ttl) = fields.ttl_hours {
        let expiry = now + Duration::from_secs(u64::from(ttl.get()) * 3600);
        tags.push(Tag {
            key: EXPIRES_AT,
            value: humantime::format_rfc3339_seconds(expiry).to_string(),
        });
    }
    if let Some(pull_request) = fields.pull_request {
        tags.push(Tag {
            key: PULL_REQUEST,
            value: pull_request.get().to_string(),
        });
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::spec::example::with as spec;

    #[test]
    fn every_environment_carries_its_suffix_project_and_manager() {
        let tags = environment_tags(&spec(json!({})), SystemTime::UNIX_EPOCH);
        assert_eq!(
            tags,
            vec![
                Tag {
                    key: ENVIRONMENT,
                    value: "pr-42".into()
                },
                Tag {
                    key: PROJECT,
                    value: "catalog-api".into()
                },
                Tag {
                    key: MANAGED_BY,
                    value: "catalog-environments".into()
                },
            ]
        );
    }

    #[test]
    fn ttl_sets_the_expiry_and_the_pull_request_is_recorded() {
        let created = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let tags = environment_tags(&spec(json!({"ttlHours": 72, "pullRequest": 42})), created);
        assert_eq!(
            tags[3],
            Tag {
                key: EXPIRES_AT,
                value: "2023-11-17T22:13:20Z".into()
            }
        );
        assert_eq!(
            tags[4],
            Tag {
                key: PULL_REQUEST,
                value: "42".into()
            }
        );
    }
}
