//! The Redis AUTH token secret (`{"authToken", "replicationGroupId", "host", "port", "tls"}`, made
//! by the cache function), rotated by the same function every 30 days.
//!
//! ElastiCache keeps at most two tokens: `ModifyReplicationGroup` with `AuthTokenUpdateStrategy`
//! `ROTATE` adds a token and keeps the newest of the old ones, dropping the oldest when there were
//! two (ElastiCache user guide, "Authenticating with the Valkey and Redis OSS AUTH command",
//! "Modifying the AUTH token on an existing cluster"). ECS gives a task its token once, at start. So:
//!
//! - `createSecret` stores a new token (64 letters and digits from GetRandomPassword, within the
//!   characters ElastiCache allows) as the pending version;
//! - `setSecret` first makes sure no running task still holds a token the change would drop: when
//!   the secret rotated before (it has an AWSPREVIOUS version, so the group holds two tokens), the
//!   service's only deployment must be newer than the current version; otherwise it starts one (a
//!   rolling restart: every new task reads the current token) and fails, and Secrets Manager
//!   retries the rotation. Then it adds the pending token with `ROTATE` (once the group is
//!   `available` with no token change pending) and waits, within a bound, until the server takes
//!   it; a token the server already takes needs nothing;
//! - `testSecret` logs in with the pending token over TLS;
//! - `finishSecret` logs in with it, moves the labels, then restarts the service so every task
//!   holds the new token long before the next rotation drops the one before it.
//!
//! The current and the pending token are both accepted from `setSecret` until the next rotation's
//! `setSecret`, 30 days later: no moment at which the tokens tasks hold stop working.

use crate::cache::{Cache, Deployment, GroupState, TokenRejected};
use crate::database::Database;
use crate::error::RotationError;
use crate::event::Step;
use crate::protocol::{Outcome, Rotation};
use crate::secret::{InvalidSecret, Password};
use secrets::versions::{SecretMetadata, SecretVersions, Selector, AWSCURRENT, AWSPREVIOUS};
use secrets::PasswordRules;
use serde_json::{Map, Value};
use std::time::Instant;

/// The field that holds the token.
pub const FIELD: &str = "authToken";
/// The field that names the replication group the token is for.
pub const GROUP_FIELD: &str = "replicationGroupId";
/// ElastiCache's bounds of a token's length (ElastiCache user guide, AUTH: 16–128 printable
/// characters).
pub const TOKEN_LENGTHS: std::ops::RangeInclusive<usize> = 16..=128;
/// The only punctuation ElastiCache allows in a token (same guide).
pub const TOKEN_PUNCTUATION: &str = "!&#$^<>-";

/// New tokens: 64 letters and digits, as the cache function makes the first one.
pub const TOKEN_RULES: PasswordRules<'static> = PasswordRules {
    length: 64,
    exclude_characters: "",
    exclude_punctuation: true,
};

/// A Redis AUTH token secret.
#[derive(Clone, PartialEq)]
pub struct TokenSecret {
    /// The secret's JSON, the token among its fields: never printed.
    fields: Map<String, Value>,
    pub token: Password,
    pub group: String,
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSecret")
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

impl TokenSecret {
    /// The secret in `text`, when it is a token secret: a JSON object with a string `authToken`
    /// and a string `replicationGroupId`, and no `username`.
    pub fn parse(text: &str) -> Option<Self> {
        let Value::Object(fields) = serde_json::from_str(text).ok()? else {
            return None;
        };
        if fields.contains_key("username") {
            return None;
        }
        let token = Password::new(fields.get(FIELD)?.as_str()?);
        let group = fields.get(GROUP_FIELD)?.as_str()?.to_owned();
        Some(Self {
            fields,
            token,
            group,
        })
    }

    /// Where the group answers: `host` and `port`, which the cache function adds once the group
    /// is available.
    pub fn endpoint(&self) -> Result<(&str, u16), InvalidSecret> {
        let host = self.fields.get("host").and_then(Value::as_str);
        let port = self
            .fields
            .get("port")
            .and_then(Value::as_u64)
            .and_then(|port| u16::try_from(port).ok());
        match (host, port) {
            (Some(host), Some(port)) if !host.is_empty() => Ok((host, port)),
            _ => Err(InvalidSecret(
                "no host and port: the group's endpoint is not in the secret yet".to_owned(),
            )),
        }
    }

    /// The same secret with another token.
    pub fn with_token(&self, token: &str) -> String {
        let mut fields = self.fields.clone();
        fields.insert(FIELD.to_owned(), Value::String(token.to_owned()));
        Value::Object(fields).to_string()
    }

    /// Everything but the token, which the pending version must keep.
    fn settings(&self) -> Map<String, Value> {
        let mut fields = self.fields.clone();
        fields.remove(FIELD);
        fields
    }
}

/// Whether ElastiCache takes `token`: 16–128 characters, letters, digits and `!&#$^<>-` only.
pub fn valid_token(token: &str) -> bool {
    TOKEN_LENGTHS.contains(&token.chars().count())
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || TOKEN_PUNCTUATION.contains(c))
}

impl<S: SecretVersions, D: Database, C: Cache> Rotation<'_, S, D, C> {
    pub(crate) async fn rotate_cache_token(
        &self,
        step: Step,
        metadata: &SecretMetadata,
        current: &TokenSecret,
    ) -> Result<Outcome, RotationError> {
        if step == Step::Create {
            if self.has_pending_value().await? {
                return Ok(Outcome::PendingAlreadyExists);
            }
            let token = self.store.random_password(&TOKEN_RULES).await?;
            return self
                .put_pending_once(&current.with_token(token.expose()))
                .await;
        }
        let pending = self.checked_pending_token(current).await?;
        let (host, port) = current
            .endpoint()
            .map_err(|problem| RotationError::InvalidSecret {
                which: "current",
                problem,
            })?;
        match step {
            Step::Set => {
                self.add_token(metadata, current, &pending, (host, port))
                    .await
            }
            Step::Test => {
                self.log_in_with(host, port, pending.token.expose()).await?;
                Ok(Outcome::Tested)
            }
            _ => {
                self.log_in_with(host, port, pending.token.expose()).await?;
                let outcome = self.promote(metadata).await?;
                self.restart_tasks().await?;
                Ok(outcome)
            }
        }
    }

    /// The pending version must be a token secret for the same group and endpoint, with a new
    /// token ElastiCache takes.
    async fn checked_pending_token(
        &self,
        current: &TokenSecret,
    ) -> Result<TokenSecret, RotationError> {
        let text = self
            .store
            .value(self.secret_id, Selector::Version(self.token))
            .await?;
        let Some(text) = text else {
            return Err(RotationError::MissingValue {
                which: "pending",
                secret_id: self.secret_id.to_owned(),
            });
        };
        let problem = match TokenSecret::parse(&text) {
            None => {
                "the value is not a Redis AUTH token secret (`authToken`, `replicationGroupId`)"
            }
            Some(pending) if pending.settings() != current.settings() => {
                return Err(RotationError::PendingMismatch(
                    "the pending token secret names another group or endpoint".to_owned(),
                ))
            }
            Some(pending) if pending.token == current.token => {
                "the pending token is the current one"
            }
            Some(pending) if !valid_token(pending.token.expose()) => {
                "the pending token is not 16 to 128 letters, digits or !&#$^<>-"
            }
            Some(pending) => return Ok(pending),
        };
        Err(RotationError::InvalidSecret {
            which: "pending",
            problem: InvalidSecret(problem.to_owned()),
        })
    }

    async fn log_in_with(&self, host: &str, port: u16, token: &str) -> Result<(), RotationError> {
        self.cache
            .client
            .accepts(host, port, token)
            .await
            .map_err(|source| RotationError::TokenRejected {
                which: "pending",
                source,
            })
    }

    /// setSecret: the pending token added to the group's, once no task holds the one that drops.
    async fn add_token(
        &self,
        metadata: &SecretMetadata,
        current: &TokenSecret,
        pending: &TokenSecret,
        (host, port): (&str, u16),
    ) -> Result<Outcome, RotationError> {
        match self
            .cache
            .client
            .accepts(host, port, pending.token.expose())
            .await
        {
            // Taken by the node answering: an earlier setSecret added it; the wait below makes
            // sure every node has it.
            Ok(()) => {
                self.wait_until_applied(&current.group, host, port, pending)
                    .await?;
                return Ok(Outcome::PendingAlreadyLogsIn);
            }
            Err(TokenRejected::Refused(_)) => {}
            // Unreachable: nothing is changed on a server this function cannot check.
            Err(source) => {
                return Err(RotationError::TokenRejected {
                    which: "pending",
                    source,
                })
            }
        }
        self.tasks_hold_the_current_token(metadata).await?;
        let Some(group) = self.cache.client.group(&current.group).await? else {
            return Err(RotationError::InvalidSecret {
                which: "current",
                problem: InvalidSecret(format!(
                    "replication group {} does not exist",
                    current.group
                )),
            });
        };
        if group.ready_for_a_change() {
            match self
                .cache
                .client
                .rotate_token(&current.group, &pending.token)
                .await
            {
                // A change another call started meanwhile (a concurrent setSecret of this token):
                // waited for below like any change being applied.
                Err(error) if error.is_code("InvalidReplicationGroupState") => {}
                result => result?,
            }
            tracing::info!(group = %current.group, "pending token added (ROTATE)");
        }
        self.wait_until_applied(&current.group, host, port, pending)
            .await?;
        Ok(Outcome::TokenAdded)
    }

    /// Until the change is applied everywhere, within the configured bound: the group
    /// `available` with no token change pending (the configuration endpoint answers from one node,
    /// and ElastiCache applies a change to the nodes one after the other), and the server taking
    /// the pending token.
    async fn wait_until_applied(
        &self,
        group: &str,
        host: &str,
        port: u16,
        pending: &TokenSecret,
    ) -> Result<(), RotationError> {
        let started = Instant::now();
        loop {
            let state = self.cache.client.group(group).await?;
            let applied = state.as_ref().is_some_and(GroupState::ready_for_a_change);
            let why = match self
                .cache
                .client
                .accepts(host, port, pending.token.expose())
                .await
            {
                Ok(()) if applied => return Ok(()),
                Ok(()) => format!(
                    "the group is {}",
                    state.map_or("gone".to_owned(), |state| state.status)
                ),
                Err(rejected) => rejected.to_string(),
            };
            if started.elapsed() >= self.cache.wait {
                return Err(RotationError::TokenNotYetAccepted {
                    group: group.to_owned(),
                    why,
                });
            }
            tokio::time::sleep(self.cache.poll).await;
        }
    }

    /// When the group holds two tokens (the secret rotated before), `ROTATE` drops the older: the
    /// service's tasks must all have started after the current version was made, so they hold it.
    async fn tasks_hold_the_current_token(
        &self,
        metadata: &SecretMetadata,
    ) -> Result<(), RotationError> {
        let (Some(current), Some(_)) = (
            metadata.version_with(AWSCURRENT),
            metadata.version_with(AWSPREVIOUS),
        ) else {
            return Ok(());
        };
        let service = self.cache.ecs_service()?;
        // Listed first: cheap, and it makes the permission one every rotation after the first
        // uses, whether or not the service exists yet.
        let versions = self.store.versions(self.secret_id).await?;
        let Some(deployments) = self.cache.client.deployments(service).await? else {
            return Ok(());
        };
        let made = versions
            .iter()
            .find(|version| version.id == current)
            .map_or(0, |version| version.created_nanos);
        let newer = |deployment: &Deployment| deployment.created_nanos > made;
        if let [only] = deployments.as_slice() {
            if newer(only) {
                return Ok(());
            }
        }
        if !deployments.iter().any(newer) {
            self.cache.client.restart(service).await?;
            tracing::info!(service = %service.service, "restarting the tasks: they hold the previous token");
        }
        Err(RotationError::TasksHoldAnOldToken {
            service: service.service.clone(),
        })
    }

    /// finishSecret, once the labels moved: a new deployment of the service, whose tasks read the
    /// new token. Nothing when the service does not exist (yet, or any more).
    async fn restart_tasks(&self) -> Result<(), RotationError> {
        let service = self.cache.ecs_service()?;
        if self.cache.client.deployments(service).await?.is_some() {
            self.cache.client.restart(service).await?;
            tracing::info!(service = %service.service, "tasks restarted with the new token");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_secret_names_its_token_and_group_and_no_user() {
        let secret = TokenSecret::parse(
            r#"{"authToken": "t1", "replicationGroupId": "redis-pr-1", "host": "h", "port": 6379, "tls": true}"#,
        )
        .unwrap();
        assert_eq!(
            (secret.token.expose(), secret.group.as_str()),
            ("t1", "redis-pr-1")
        );
        assert_eq!(secret.endpoint().unwrap(), ("h", 6379));
        let next: Value = serde_json::from_str(&secret.with_token("t2")).unwrap();
        assert_eq!(
            next,
            serde_json::json!({"authToken": "t2", "replicationGroupId": "redis-pr-1", "host": "h", "port": 6379, "tls": true})
        );
        for other in [
            r#"{"authToken": "t1"}"#,
            r#"{"authToken": "t1", "replicationGroupId": "g", "username": "u"}"#,
            r#"{"authToken": 1, "replicationGroupId": "g"}"#,
            r#"["authToken"]"#,
            "not JSON",
        ] {
            assert_eq!(TokenSecret::parse(other), None, "{other}");
        }
        let incomplete =
            TokenSecret::parse(r#"{"authToken": "t", "replicationGroupId": "g", "port": 70000}"#)
                .unwrap();
        assert!(incomplete.endpoint().is_err());
    }

    #[test]
    fn tokens_are_16_to_128_letters_digits_and_elasticaches_punctuation() {
        assert!(valid_token(&"a".repeat(16)));
        assert!(valid_token(&format!("{}!&#$^<>-", "A1".repeat(8))));
        assert!(!valid_token(&"a".repeat(15)));
        assert!(!valid_token(&"a".repeat(129)));
        assert!(!valid_token(&format!("{}@", "a".repeat(20))));
        assert_eq!(
            (TOKEN_RULES.length, TOKEN_RULES.exclude_punctuation),
            (64, true)
        );
    }
}
