//! The function's settings, read once at cold start from its environment variables.

use crate::cache::EcsService;
use env_core::settings::{required, whole_number, FunctionSettings, Lookup, Misconfigured};
use secrets::PasswordRules;
use std::path::PathBuf;
use std::time::Duration;

/// Path of the PEM bundle of the CA certificates PostgreSQL's server certificate must chain to
/// (in production the RDS CA bundle shipped in the Lambda package). Required: there is no
/// unverified mode.
pub const CA_BUNDLE_VAR: &str = "DB_CA_BUNDLE";
/// Length of generated passwords (AWS's templates read the same name).
pub const PASSWORD_LENGTH_VAR: &str = "PASSWORD_LENGTH";
/// Characters generated passwords never contain (AWS's templates read the same name).
pub const EXCLUDE_CHARACTERS_VAR: &str = "EXCLUDE_CHARACTERS";
/// Seconds allowed to connect and log in to PostgreSQL.
pub const CONNECT_TIMEOUT_VAR: &str = "DB_CONNECT_TIMEOUT_SECONDS";

/// The ECS cluster and service whose tasks hold the Redis AUTH token (both or neither).
pub const ECS_CLUSTER_VAR: &str = "ECS_CLUSTER";
pub const ECS_SERVICE_VAR: &str = "ECS_SERVICE";
/// Seconds setSecret waits for the Redis server to take a token it added.
pub const TOKEN_WAIT_VAR: &str = "CACHE_TOKEN_WAIT_SECONDS";

/// 32 characters, as AWS's templates generate by default.
pub const DEFAULT_PASSWORD_LENGTH: u32 = 32;
/// The characters that break connection URIs and shell or SQL quoting (AWS's templates' default).
pub const DEFAULT_EXCLUDE_CHARACTERS: &str = ":/@\"'\\";
/// A few seconds: the rotation Lambda's timeout is 30 s and setSecret may log in three times.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Within the default 30 s Lambda timeout, with room for the step's other calls.
pub const DEFAULT_TOKEN_WAIT: Duration = Duration::from_secs(20);
/// Up to 14 minutes: a function given Lambda's longest timeout (15 minutes) may wait that long.
pub const TOKEN_WAITS: std::ops::RangeInclusive<u64> = 1..=840;
/// Bounds of the password length: below 16 a password is weak; 4096 is GetRandomPassword's limit.
pub const PASSWORD_LENGTHS: std::ops::RangeInclusive<u32> = 16..=4096;
/// Bounds of the connect timeout, in seconds. Up to a minute: a paused Aurora Serverless v2 instance
/// resumes on the first connection, in about 15 seconds and longer after a day paused (Aurora user
/// guide, "Scaling to Zero ACUs with automatic pause and resume"); three such logins fit in the
/// 15-minute timeout the database function gives the rotation function, not in Lambda's default 30 s.
pub const CONNECT_TIMEOUTS: std::ops::RangeInclusive<u64> = 1..=60;

/// How new passwords are generated (GetRandomPassword's parameters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub length: u32,
    pub exclude_characters: String,
    /// Letters and digits only (GetRandomPassword's `ExcludePunctuation`).
    pub exclude_punctuation: bool,
}

impl PasswordPolicy {
    /// GetRandomPassword's parameters, the excluded characters borrowed from the setting.
    pub fn rules(&self) -> PasswordRules<'_> {
        PasswordRules {
            length: i64::from(self.length),
            exclude_characters: &self.exclude_characters,
            exclude_punctuation: self.exclude_punctuation,
        }
    }
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            length: DEFAULT_PASSWORD_LENGTH,
            exclude_characters: DEFAULT_EXCLUDE_CHARACTERS.to_owned(),
            exclude_punctuation: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub ca_bundle: PathBuf,
    pub password: PasswordPolicy,
    pub connect_timeout: Duration,
    pub ecs_service: Option<EcsService>,
    pub token_wait: Duration,
}

/// What [`CA_BUNDLE_VAR`] must hold.
pub const CA_BUNDLE_ALLOWED: &str =
    "the path of the PEM bundle of the CA certificates the database's server certificate chains to";

impl FunctionSettings for Settings {
    /// Reads the settings through `lookup` (`std::env::var` in the function).
    fn from_lookup(lookup: Lookup<'_>) -> Result<Self, Misconfigured> {
        let ca_bundle = required(lookup, CA_BUNDLE_VAR, CA_BUNDLE_ALLOWED)?;
        let length = whole_number(
            lookup,
            PASSWORD_LENGTH_VAR,
            PASSWORD_LENGTHS,
            DEFAULT_PASSWORD_LENGTH,
        )?;
        let seconds = whole_number(
            lookup,
            CONNECT_TIMEOUT_VAR,
            CONNECT_TIMEOUTS,
            DEFAULT_CONNECT_TIMEOUT.as_secs(),
        )?;
        let token_wait = whole_number(
            lookup,
            TOKEN_WAIT_VAR,
            TOKEN_WAITS,
            DEFAULT_TOKEN_WAIT.as_secs(),
        )?;
        let ecs_service = match (lookup(ECS_CLUSTER_VAR), lookup(ECS_SERVICE_VAR)) {
            (Some(cluster), Some(service)) => Some(EcsService { cluster, service }),
            (None, None) => None,
            (None, Some(_)) => return Err(one_of_the_pair(ECS_CLUSTER_VAR, ECS_SERVICE_VAR)),
            (Some(_), None) => return Err(one_of_the_pair(ECS_SERVICE_VAR, ECS_CLUSTER_VAR)),
        };
        Ok(Self {
            ecs_service,
            token_wait: Duration::from_secs(token_wait),
            ca_bundle: PathBuf::from(ca_bundle),
            password: PasswordPolicy {
                length,
                exclude_characters: lookup(EXCLUDE_CHARACTERS_VAR)
                    .unwrap_or_else(|| DEFAULT_EXCLUDE_CHARACTERS.to_owned()),
                exclude_punctuation: false,
            },
            connect_timeout: Duration::from_secs(seconds),
        })
    }
}

/// `missing` is not set and `set` is: the ECS service is named by both or neither.
fn one_of_the_pair(missing: &'static str, set: &'static str) -> Misconfigured {
    Misconfigured::new(
        missing,
        None,
        format!(
            "set when {set} is (both or neither name the ECS service holding the Redis AUTH token)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, Misconfigured> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(&|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_are_32_characters_without_the_uri_and_quote_characters_and_5_seconds() {
        let settings = settings(&[("DB_CA_BUNDLE", "/opt/rds-ca.pem")]).unwrap();
        assert_eq!(settings.ca_bundle, PathBuf::from("/opt/rds-ca.pem"));
        assert_eq!(settings.password.length, 32);
        assert_eq!(settings.password.exclude_characters, ":/@\"'\\");
        assert_eq!(settings.password, PasswordPolicy::default());
        assert_eq!(settings.connect_timeout, Duration::from_secs(5));
        assert_eq!(
            (settings.ecs_service, settings.token_wait),
            (None, Duration::from_secs(20))
        );
    }

    #[test]
    fn the_service_holding_the_token_is_named_by_both_variables_or_neither() {
        let both = settings(&[
            ("DB_CA_BUNDLE", "/ca"),
            ("ECS_CLUSTER", "ecs-pr-1"),
            ("ECS_SERVICE", "api-pr-1"),
            ("CACHE_TOKEN_WAIT_SECONDS", "240"),
        ])
        .unwrap();
        assert_eq!(
            both.ecs_service,
            Some(EcsService {
                cluster: "ecs-pr-1".into(),
                service: "api-pr-1".into()
            })
        );
        assert_eq!(both.token_wait, Duration::from_secs(240));
        let one = settings(&[("DB_CA_BUNDLE", "/ca"), ("ECS_SERVICE", "api-pr-1")]).unwrap_err();
        assert_eq!(
            one.to_string(),
            "ECS_CLUSTER is (not set): it must be set when ECS_SERVICE is (both or neither name the ECS service holding the Redis AUTH token)"
        );
        let other = settings(&[("DB_CA_BUNDLE", "/ca"), ("ECS_CLUSTER", "ecs-pr-1")]).unwrap_err();
        assert_eq!(other.variable, "ECS_SERVICE");
        let long =
            settings(&[("DB_CA_BUNDLE", "/ca"), ("CACHE_TOKEN_WAIT_SECONDS", "900")]).unwrap_err();
        assert_eq!(long.variable, "CACHE_TOKEN_WAIT_SECONDS");
    }

    #[test]
    fn length_exclusions_and_timeout_are_configurable() {
        let settings = settings(&[
            ("DB_CA_BUNDLE", "/ca.pem"),
            ("PASSWORD_LENGTH", "64"),
            ("EXCLUDE_CHARACTERS", "abc"),
            ("DB_CONNECT_TIMEOUT_SECONDS", " 3 "),
        ])
        .unwrap();
        assert_eq!(settings.password.length, 64);
        assert_eq!(settings.password.exclude_characters, "abc");
        assert_eq!(settings.connect_timeout, Duration::from_secs(3));
        assert_eq!(
            settings.password.rules(),
            PasswordRules {
                length: 64,
                exclude_characters: "abc",
                exclude_punctuation: false,
            }
        );
    }

    #[test]
    fn a_missing_ca_bundle_or_an_out_of_bounds_number_names_the_variable() {
        let missing = settings(&[]).unwrap_err();
        assert_eq!(missing.variable, "DB_CA_BUNDLE");
        assert_eq!(
            missing.to_string(),
            format!("DB_CA_BUNDLE is (not set): it must be {CA_BUNDLE_ALLOWED}")
        );
        let empty = settings(&[("DB_CA_BUNDLE", "")]).unwrap_err();
        assert_eq!(empty.value.as_deref(), Some(""));
        let short = settings(&[("DB_CA_BUNDLE", "/ca"), ("PASSWORD_LENGTH", "15")]).unwrap_err();
        assert_eq!(
            short.to_string(),
            "PASSWORD_LENGTH is \"15\": it must be a whole number from 16 to 4096 (the default: 32)"
        );
        let slow = settings(&[
            ("DB_CA_BUNDLE", "/ca"),
            ("DB_CONNECT_TIMEOUT_SECONDS", "61"),
        ])
        .unwrap_err();
        assert_eq!(
            slow.to_string(),
            "DB_CONNECT_TIMEOUT_SECONDS is \"61\": it must be a whole number from 1 to 60 (the default: 5)"
        );
    }
}
