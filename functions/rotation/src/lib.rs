//! The Secrets Manager rotation function of the Aurora PostgreSQL credentials, and of the
//! environment's API keys ([`api_keys`]).
//!
//! Secrets Manager calls it four times per rotation (`createSecret`, `setSecret`, `testSecret`,
//! `finishSecret`) with `{"SecretId", "ClientRequestToken", "Step"}`. The secret's contents choose
//! the strategy: single user (the user's own password changes), or alternating users when the
//! secret names a `masterarn` (the master creates `<user>_clone` on first use and alternates the
//! two, so the previous credentials keep working for a whole rotation period).
//! The protocol is in [`protocol`] (with [`checks`], [`ownership`] and [`recovery`]); Secrets
//! Manager and PostgreSQL sit behind the [`store`] and [`database`] traits.

mod alternating;
pub mod api_keys;
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
pub mod secret;
pub mod store;

#[cfg(test)]
mod api_keys_tests;
#[cfg(test)]
mod fakes;
#[cfg(test)]
mod sequences;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_outside_protocol;

use config::{ConfigError, PasswordPolicy, Settings};
use database::Database;
use error::RotationError;
use event::{RotationEvent, Step};
use postgres::Postgres;
use protocol::Outcome;
use serde::Serialize;
use store::{SecretStore, SecretsManager};

/// What a step answers (Secrets Manager ignores it; tests and local runs read it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepResult {
    pub step: Step,
    pub outcome: Outcome,
}

/// The function: its clients and settings, built once per Lambda instance.
#[derive(Debug)]
pub struct Function<S = SecretsManager, D = Postgres> {
    store: S,
    /// A configuration error is kept and reported by every invocation under `Misconfigured`,
    /// rather than crashing the Lambda at start where only its logs would say why.
    database: Result<(D, PasswordPolicy), ConfigError>,
}

impl Function {
    /// The function as the Lambda runs it: the SDK from the environment, settings from env vars.
    pub async fn from_env() -> Self {
        let store = SecretsManager::new(&env_core::aws::load().await);
        Self::configured(
            store,
            Settings::from_lookup(|name| std::env::var(name).ok()),
        )
    }
}

impl<S> Function<S, Postgres> {
    /// Reads the CA bundle once; a bad one is reported by every invocation.
    pub fn configured(store: S, settings: Result<Settings, ConfigError>) -> Self {
        let database = settings.and_then(|settings| {
            let tls = postgres::tls_config(&settings.ca_bundle)?;
            Ok((
                Postgres::new(tls, settings.connect_timeout),
                settings.password,
            ))
        });
        Self { store, database }
    }
}

impl<S: SecretStore, D: Database> Function<S, D> {
    pub fn new(store: S, database: D, policy: PasswordPolicy) -> Self {
        Self {
            store,
            database: Ok((database, policy)),
        }
    }

    pub async fn handle(&self, event: RotationEvent) -> Result<StepResult, RotationError> {
        let (database, policy) = self
            .database
            .as_ref()
            .map_err(|error| RotationError::Misconfigured(error.clone()))?;
        let outcome = protocol::rotate(&event, &self.store, database, policy).await?;
        Ok(StepResult {
            step: event.step,
            outcome,
        })
    }
}
