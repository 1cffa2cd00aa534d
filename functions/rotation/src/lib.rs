//! The Secrets Manager rotation function of the Aurora PostgreSQL credentials, of the
//! environment's API keys ([`api_keys`]) and of its Redis AUTH token ([`cache_token`]).
//!
//! Secrets Manager calls it four times per rotation (`createSecret`, `setSecret`, `testSecret`,
//! `finishSecret`) with `{"SecretId", "ClientRequestToken", "Step"}`. The secret's contents choose
//! the strategy: single user (the user's own password changes), or alternating users when the
//! secret names a `masterarn` (the master creates `<user>_clone` on first use and alternates the
//! two, so the previous credentials keep working for a whole rotation period).
//! The protocol is in [`protocol`] (with [`checks`], [`ownership`] and [`recovery`]); Secrets
//! Manager and PostgreSQL sit behind traits: the `secrets` crate's
//! [`SecretVersions`](secrets::versions::SecretVersions) (the calls on a secret's versions and
//! staging labels) and [`database`].

mod alternating;
pub mod api_keys;
pub mod cache;
pub mod cache_token;
pub mod checks;
pub mod config;
pub mod database;
pub mod error;
pub mod event;
mod finish;
pub mod ownership;
pub mod postgres;
pub mod protocol;
pub mod recovery;
pub mod redis;
pub mod secret;

#[cfg(test)]
mod api_keys_tests;
#[cfg(test)]
mod cache_token_tests;
#[cfg(test)]
mod fakes;
#[cfg(test)]
mod sequences;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_outside_protocol;

use cache::{AwsCache, Cache, CacheSide};
use config::{PasswordPolicy, Settings};
use database::Database;
use env_core::settings::Misconfigured;
use error::RotationError;
use event::{RotationEvent, Step};
use postgres::Postgres;
use protocol::Outcome;
use redis::Redis;
use secrets::versions::SecretVersions;
use secrets::Secrets;
use serde::Serialize;
use std::time::Duration;

/// What a step answers (Secrets Manager ignores it; tests and local runs read it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepResult {
    pub step: Step,
    pub outcome: Outcome,
}

/// The function: its clients and settings, built once per Lambda instance.
#[derive(Debug)]
pub struct Function<S = Secrets, D = Postgres, C = AwsCache> {
    store: S,
    /// A configuration error is kept and reported by every invocation under `Misconfigured`,
    /// rather than crashing the Lambda at start where only its logs would say why.
    parts: Result<Parts<D, C>, Misconfigured>,
}

/// What a configured function rotates with.
#[derive(Debug)]
pub struct Parts<D, C> {
    pub database: D,
    pub policy: PasswordPolicy,
    pub cache: CacheSide<C>,
}

/// How often setSecret asks whether the Redis server takes a token it added.
pub const TOKEN_POLL: Duration = Duration::from_secs(2);

impl Function {
    /// The function as the Lambda runs it: the SDK from the environment, and `settings` as `main`
    /// read them once (`Settings::from_env`).
    pub async fn load(settings: Result<Settings, Misconfigured>) -> Self {
        let config = env_core::aws::load().await;
        Self::configured(Secrets::new(&config), &config, settings)
    }
}

impl<S> Function<S, Postgres, AwsCache> {
    /// Reads the CA bundle once; a bad one is reported by every invocation.
    pub fn configured(
        store: S,
        config: &aws_config::SdkConfig,
        settings: Result<Settings, Misconfigured>,
    ) -> Self {
        let parts = settings.and_then(|settings| {
            let tls = postgres::tls_config(&settings.ca_bundle)?;
            let redis = Redis::new(
                redis::tls_config(&settings.ca_bundle)?,
                settings.connect_timeout,
            );
            Ok(Parts {
                database: Postgres::new(tls, settings.connect_timeout),
                policy: settings.password,
                cache: CacheSide {
                    client: AwsCache::new(config, redis),
                    service: settings.ecs_service,
                    wait: settings.token_wait,
                    poll: TOKEN_POLL,
                },
            })
        });
        Self { store, parts }
    }
}

impl<S: SecretVersions, D: Database, C: Cache> Function<S, D, C> {
    pub fn new(store: S, parts: Parts<D, C>) -> Self {
        Self {
            store,
            parts: Ok(parts),
        }
    }

    pub async fn handle(&self, event: RotationEvent) -> Result<StepResult, RotationError> {
        let parts = self
            .parts
            .as_ref()
            .map_err(|error| RotationError::Misconfigured(error.clone()))?;
        let outcome = protocol::rotate(
            &event,
            &self.store,
            &parts.database,
            &parts.cache,
            &parts.policy,
        )
        .await?;
        Ok(StepResult {
            step: event.step,
            outcome,
        })
    }
}
