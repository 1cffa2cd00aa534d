//! The API keys secret (`{"apiKey": "<key>"}`, made by the database function), rotated by the same
//! function every 30 days. No server holds the key: the API reads it from the secret and accepts
//! the keys of AWSCURRENT and AWSPREVIOUS (README, "API keys"), so a client given the previous key
//! keeps working for a whole rotation period. So `setSecret` has nothing to change, and
//! `testSecret` and `finishSecret` check that the pending version is an API key that differs from
//! the current one before it is promoted. The checks every step makes first (rotation enabled, the
//! token pending, a token already current) are the protocol's.

use crate::cache::Cache;
use crate::cache_token::TokenSecret;
use crate::database::Database;
use crate::error::RotationError;
use crate::event::Step;
use crate::protocol::{Outcome, Rotation};
use crate::secret::InvalidSecret;
use secrets::versions::{SecretMetadata, SecretVersions, Selector, AWSCURRENT};
use secrets::PasswordRules;
use serde_json::{json, Value};

/// What a secret other than database credentials holds.
pub(crate) enum Kind {
    /// The current key.
    ApiKeys(String),
    CacheToken(TokenSecret),
}

/// The field that holds the key.
pub const FIELD: &str = "apiKey";

/// A key is 40 letters and digits from GetRandomPassword, at least one of each kind (about 238
/// bits): no punctuation, so it goes into a header, a URL or a shell unquoted.
pub const KEY_RULES: PasswordRules<'static> = PasswordRules {
    length: 40,
    exclude_characters: "",
    exclude_punctuation: true,
};

/// The key, when `text` is an API keys secret: a JSON object with a string `apiKey` and no
/// `username` (database credentials are never taken for keys).
pub fn key_of(text: &str) -> Option<String> {
    let value: Value = serde_json::from_str(text).ok()?;
    let fields = value.as_object()?;
    if fields.contains_key("username") {
        return None;
    }
    fields.get(FIELD)?.as_str().map(str::to_owned)
}

impl<S: SecretVersions, D: Database, C: Cache> Rotation<'_, S, D, C> {
    /// What the current version holds, when it is not database credentials: API keys or a Redis
    /// AUTH token. Read by the version id DescribeSecret gave, as the credentials are.
    pub(crate) async fn current_kind(
        &self,
        metadata: &SecretMetadata,
    ) -> Result<Option<Kind>, RotationError> {
        let selector = metadata
            .version_with(AWSCURRENT)
            .map_or(Selector::Stage(AWSCURRENT), Selector::Version);
        // A version without a value is neither (and credentials then report it missing).
        let text = self
            .store
            .value(self.secret_id, selector)
            .await?
            .unwrap_or_default();
        Ok(key_of(&text)
            .map(Kind::ApiKeys)
            .or_else(|| TokenSecret::parse(&text).map(Kind::CacheToken)))
    }

    pub(crate) async fn rotate_api_keys(
        &self,
        step: Step,
        metadata: &SecretMetadata,
        current: &str,
    ) -> Result<Outcome, RotationError> {
        if step == Step::Create {
            return self.create_api_key().await;
        }
        self.checked_pending_key(current).await?;
        match step {
            Step::Set => Ok(Outcome::NothingToSet),
            Step::Test => Ok(Outcome::Tested),
            _ => self.promote(metadata).await,
        }
    }

    /// A new key as the token's AWSPENDING version, once.
    async fn create_api_key(&self) -> Result<Outcome, RotationError> {
        if self.has_pending_value().await? {
            return Ok(Outcome::PendingAlreadyExists);
        }
        let key = self.store.random_password(&KEY_RULES).await?;
        let outcome = self
            .put_pending_once(&json!({ FIELD: key.expose() }).to_string())
            .await?;
        tracing::info!("pending API key created");
        Ok(outcome)
    }

    /// `value` as the token's AWSPENDING version. When the put fails but the version has a value,
    /// a concurrent createSecret stored its value first, or ours was stored before the call
    /// failed: either way the token has its pending value, which is all createSecret is for.
    pub(crate) async fn put_pending_once(&self, value: &str) -> Result<Outcome, RotationError> {
        let put = self
            .store
            .put_pending(self.secret_id, self.token, value)
            .await;
        if let Err(error) = put {
            if self.has_pending_value().await? {
                return Ok(Outcome::PendingAlreadyExists);
            }
            return Err(error.into());
        }
        Ok(Outcome::PendingCreated)
    }

    /// The pending version must be an API key, and a new one.
    async fn checked_pending_key(&self, current: &str) -> Result<(), RotationError> {
        let text = self
            .store
            .value(self.secret_id, Selector::Version(self.token));
        let Some(text) = text.await? else {
            return Err(RotationError::MissingValue {
                which: "pending",
                secret_id: self.secret_id.to_owned(),
            });
        };
        let problem = match key_of(&text) {
            None => "the value is not an API keys secret (`apiKey`)",
            Some(key) if key == current => "the pending key is the current one",
            Some(_) => return Ok(()),
        };
        Err(RotationError::InvalidSecret {
            which: "pending",
            problem: InvalidSecret(problem.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_object_with_a_string_key_and_no_user_is_an_api_keys_secret() {
        assert_eq!(key_of(r#"{"apiKey": "k1"}"#).as_deref(), Some("k1"));
        for other in [
            r#"{"apiKey": "k1", "username": "app"}"#,
            r#"{"apiKey": 7}"#,
            r#"{"username": "app", "password": "p"}"#,
            r#"["apiKey"]"#,
            "not JSON",
        ] {
            assert_eq!(key_of(other), None, "{other}");
        }
    }

    #[test]
    fn keys_are_40_letters_and_digits() {
        assert_eq!(
            (KEY_RULES.length, KEY_RULES.exclude_punctuation),
            (40, true)
        );
        assert!(KEY_RULES.exclude_characters.is_empty());
    }
}
