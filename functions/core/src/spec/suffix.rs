//! The environment suffix: the part of every physical name that tells environments apart.

use crate::naming;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Lowercase letters, digits and single hyphens, short enough for every name built from it.
///
/// Why each rule: S3 bucket names and Cloud Map DNS labels take only lowercase; RDS and ElastiCache
/// identifiers reject two hyphens in a row and a trailing hyphen; the length bound comes from the
/// tightest AWS name limit among the names [`naming`] builds (target group names, 32 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EnvironmentSuffix(String);

impl EnvironmentSuffix {
    pub fn parse(value: &str) -> Result<Self, String> {
        let max = naming::max_suffix_len();
        let mut reasons = Vec::new();
        if value.is_empty() {
            reasons.push("must not be empty".to_owned());
        }
        if value.chars().count() > max {
            reasons.push(format!(
                "is {} characters; at most {max} fit every AWS name built from it",
                value.chars().count()
            ));
        }
        if value
            .chars()
            .any(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
        {
            reasons.push("may contain only lowercase letters, digits and hyphens".to_owned());
        }
        if value.starts_with('-') || value.ends_with('-') {
            reasons.push("must start and end with a letter or digit".to_owned());
        }
        if value.contains("--") {
            reasons.push("must not contain two hyphens in a row".to_owned());
        }
        if reasons.is_empty() {
            Ok(Self(value.to_owned()))
        } else {
            Err(reasons.join(", "))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EnvironmentSuffix {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EnvironmentSuffix> for String {
    fn from(value: EnvironmentSuffix) -> Self {
        value.0
    }
}

impl fmt::Display for EnvironmentSuffix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl super::field::SpecField for EnvironmentSuffix {
    const ALLOWED: &'static str =
        "a string of lowercase letters, digits and single hyphens, starting and ending with a letter or digit";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_typical_pull_request_suffix() {
        let suffix = EnvironmentSuffix::parse("pr-42").unwrap();
        assert_eq!(suffix.as_str(), "pr-42");
        assert_eq!(suffix.to_string(), "pr-42");
        assert_eq!(String::from(suffix), "pr-42");
    }

    #[test]
    fn reports_every_broken_rule_at_once() {
        let reasons = EnvironmentSuffix::parse("-Pr--").unwrap_err();
        assert_eq!(
            reasons,
            "may contain only lowercase letters, digits and hyphens, \
             must start and end with a letter or digit, must not contain two hyphens in a row"
        );
    }
}
