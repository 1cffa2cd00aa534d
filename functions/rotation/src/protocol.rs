//! The rotation protocol (OPERATIONS.md, "Rotation protocol"): the checks every step makes, then
//! createSecret, setSecret, testSecret and finishSecret, for both strategies.
//!
//! Each step can be run any number of times with the same token and ends in the same state, and
//! whatever step fails, retrying the rotation ends with AWSCURRENT credentials that log in and
//! AWSPENDING absent or on the AWSCURRENT version (tested by injecting a failure at every call).

use crate::config::PasswordPolicy;
use crate::database::{Database, DbError, Login, Session};
use crate::error::RotationError;
use crate::event::{RotationEvent, Step};
use crate::secret::{alternate_username, Credentials, InvalidSecret, Strategy};
use crate::store::{SecretMetadata, SecretStore, Selector, AWSCURRENT, AWSPENDING, AWSPREVIOUS};
use serde::Serialize;
use tracing::Instrument;

/// What a step did, so the caller (and a test) can tell a step that acted from one that found its
/// work already done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// The token is already AWSCURRENT: the rotation finished before; nothing was changed.
    AlreadyCurrent,
    PendingCreated,
    /// createSecret ran before for this token: the pending value was kept.
    PendingAlreadyExists,
    /// setSecret ran before: the pending credentials already log in.
    PendingAlreadyLogsIn,
    PasswordSet,
    /// Alternating users, first rotation: the clone role was created and granted the current role
    /// (and the current user itself first, with its privileges, when it did not exist yet).
    RoleCreated,
    Tested,
    Finished,
}

/// Runs one step of a rotation.
pub async fn rotate<S: SecretStore, D: Database>(
    event: &RotationEvent,
    store: &S,
    database: &D,
    policy: &PasswordPolicy,
) -> Result<Outcome, RotationError> {
    // Only the secret id and the step: never the event (it names the secret's versions), never a value.
    let span = tracing::info_span!(
        "rotation",
        secret_id = %event.secret_id,
        step = event.step.as_str()
    );
    let rotation = Rotation {
        store,
        database,
        policy,
        secret_id: &event.secret_id,
        token: &event.client_request_token,
    };
    async move {
        let result = rotation.step(event.step).await;
        match &result {
            Ok(outcome) => tracing::info!(?outcome, "step done"),
            Err(error) => {
                tracing::error!(error = %env_core::error::error_chain(error), "step failed")
            }
        }
        result
    }
    .instrument(span)
    .await
}

struct Rotation<'a, S, D> {
    store: &'a S,
    database: &'a D,
    policy: &'a PasswordPolicy,
    secret_id: &'a str,
    token: &'a str,
}

fn invalid(which: &'static str) -> impl FnOnce(InvalidSecret) -> RotationError {
    move |problem| RotationError::InvalidSecret { which, problem }
}

fn login(credentials: &Credentials) -> Login<'_> {
    Login {
        host: credentials.host.as_deref().unwrap_or_default(),
        port: credentials.port,
        dbname: &credentials.dbname,
        username: &credentials.username,
        password: &credentials.password,
    }
}

fn has(stages: &[String], stage: &str) -> bool {
    stages.iter().any(|s| s == stage)
}

/// The user the pending secret must be for.
fn pending_username(current: &Credentials, strategy: &Strategy) -> Result<String, RotationError> {
    match strategy {
        Strategy::SingleUser => Ok(current.username.clone()),
        Strategy::AlternatingUsers { .. } => {
            alternate_username(&current.username).map_err(invalid("current"))
        }
    }
}

/// A pending secret for another user or another server would change a password it must not.
fn check_pending(
    current: &Credentials,
    pending: &Credentials,
    expected_user: &str,
) -> Result<(), RotationError> {
    if pending.username != expected_user {
        return Err(RotationError::PendingMismatch(format!(
            "it is for user {:?}, this rotation changes {expected_user:?}",
            pending.username
        )));
    }
    if pending.host != current.host || pending.port != current.port {
        return Err(RotationError::PendingMismatch(format!(
            "it is for {}:{}, the current secret for {}:{}",
            pending.host.as_deref().unwrap_or("(no host)"),
            pending.port,
            current.host.as_deref().unwrap_or_default(),
            current.port
        )));
    }
    Ok(())
}

impl<S: SecretStore, D: Database> Rotation<'_, S, D> {
    async fn step(&self, step: Step) -> Result<Outcome, RotationError> {
        let metadata = self.store.describe(self.secret_id).await?;
        if !metadata.rotation_enabled {
            return Err(RotationError::RotationDisabled {
                secret_id: self.secret_id.to_owned(),
            });
        }
        let Some(stages) = metadata.versions.get(self.token) else {
            return Err(RotationError::UnknownToken {
                secret_id: self.secret_id.to_owned(),
                token: self.token.to_owned(),
            });
        };
        if has(stages, AWSCURRENT) {
            return Ok(Outcome::AlreadyCurrent);
        }
        if !has(stages, AWSPENDING) {
            return Err(RotationError::NotPending {
                secret_id: self.secret_id.to_owned(),
                token: self.token.to_owned(),
            });
        }
        match step {
            Step::Create => self.create().await,
            Step::Set => self.set().await,
            Step::Test => self.test().await,
            Step::Finish => self.finish(&metadata).await,
        }
    }

    async fn credentials(
        &self,
        secret_id: &str,
        selector: Selector<'_>,
        which: &'static str,
    ) -> Result<Option<Credentials>, RotationError> {
        match self.store.value(secret_id, selector).await? {
            None => Ok(None),
            Some(text) => Credentials::parse(&text).map(Some).map_err(invalid(which)),
        }
    }

    async fn required(
        &self,
        secret_id: &str,
        selector: Selector<'_>,
        which: &'static str,
    ) -> Result<Credentials, RotationError> {
        let credentials = self.credentials(secret_id, selector, which).await?;
        credentials.ok_or_else(|| RotationError::MissingValue {
            which,
            secret_id: secret_id.to_owned(),
        })
    }

    /// The AWSCURRENT credentials of the secret being rotated, which must name their host.
    async fn current(&self) -> Result<Credentials, RotationError> {
        let current = self
            .required(self.secret_id, Selector::Stage(AWSCURRENT), "current")
            .await?;
        current.require_host().map_err(invalid("current"))?;
        Ok(current)
    }

    async fn pending(&self) -> Result<Credentials, RotationError> {
        self.required(self.secret_id, Selector::Pending(self.token), "pending")
            .await
    }

    /// A new password (and, alternating, the other user) as the token's AWSPENDING version.
    async fn create(&self) -> Result<Outcome, RotationError> {
        let current = self.current().await?;
        let strategy = current.strategy().map_err(invalid("current"))?;
        if self
            .store
            .value(self.secret_id, Selector::Pending(self.token))
            .await?
            .is_some()
        {
            return Ok(Outcome::PendingAlreadyExists);
        }
        let username = pending_username(&current, &strategy)?;
        let password = self.store.random_password(self.policy).await?;
        let pending = current.with_login(&username, &password);
        self.store
            .put_pending(self.secret_id, self.token, &pending.to_json())
            .await?;
        tracing::info!(username, "pending version created");
        Ok(Outcome::PendingCreated)
    }

    /// Makes the database accept the pending credentials.
    async fn set(&self) -> Result<Outcome, RotationError> {
        let current = self.current().await?;
        let strategy = current.strategy().map_err(invalid("current"))?;
        let pending = self.pending().await?;
        check_pending(&current, &pending, &pending_username(&current, &strategy)?)?;
        match self.database.connect(login(&pending)).await {
            Ok(_) => return Ok(Outcome::PendingAlreadyLogsIn),
            Err(error) if error.is_login_rejected() => {}
            Err(error) => return Err(error.into()),
        }
        match strategy {
            Strategy::SingleUser => {
                let mut session = self.single_user_session(&current).await?;
                session
                    .set_password(&pending.username, &pending.password)
                    .await?;
                Ok(Outcome::PasswordSet)
            }
            Strategy::AlternatingUsers { master_arn } => {
                let mut session = self.master_session(&master_arn, &current).await?;
                if session.role_exists(&pending.username).await? {
                    session
                        .set_password(&pending.username, &pending.password)
                        .await?;
                    Ok(Outcome::PasswordSet)
                } else {
                    // The first rotation of a secret made before its user (the database function
                    // creates the secret, this rotation the user): the clone needs the current
                    // user to be a member of, so that one comes first, with the secret's password.
                    if !session.role_exists(&current.username).await? {
                        session
                            .create_user(&current.username, &current.password, &current.dbname)
                            .await?;
                        tracing::info!(username = %current.username, "current user created");
                    }
                    session
                        .create_role(&pending.username, &pending.password, &current.username)
                        .await?;
                    Ok(Outcome::RoleCreated)
                }
            }
        }
    }

    /// Single user: log in as the user with the current password or, when a rotation changed the
    /// password and failed before finishing, with the previous one.
    async fn single_user_session(
        &self,
        current: &Credentials,
    ) -> Result<D::Session, RotationError> {
        let rejected = match self.database.connect(login(current)).await {
            Ok(session) => return Ok(session),
            Err(error) if error.is_login_rejected() => error,
            Err(error) => return Err(error.into()),
        };
        let no_working_login = |last: DbError| RotationError::NoWorkingLogin {
            username: current.username.clone(),
            last,
        };
        let previous = self
            .credentials(self.secret_id, Selector::Stage(AWSPREVIOUS), "previous")
            .await?;
        match previous {
            Some(previous)
                if previous.username == current.username && previous.host == current.host =>
            {
                self.database
                    .connect(login(&previous))
                    .await
                    .map_err(no_working_login)
            }
            _ => Err(no_working_login(rejected)),
        }
    }

    /// Alternating users: log in as the master user of `masterarn`, completed from the rotated
    /// secret when RDS manages it (it then holds only a user name and a password).
    async fn master_session(
        &self,
        master_arn: &str,
        current: &Credentials,
    ) -> Result<D::Session, RotationError> {
        let master = self
            .required(master_arn, Selector::Stage(AWSCURRENT), "master")
            .await?
            .completed_from(current);
        if master.host != current.host {
            return Err(RotationError::PendingMismatch(format!(
                "the master secret is for host {:?}, the rotated secret for {:?}",
                master.host.as_deref().unwrap_or_default(),
                current.host.as_deref().unwrap_or_default()
            )));
        }
        self.database
            .connect(login(&master))
            .await
            .map_err(|source| RotationError::Login {
                which: "master",
                source,
            })
    }

    async fn test(&self) -> Result<Outcome, RotationError> {
        let pending = self.pending().await?;
        pending.require_host().map_err(invalid("pending"))?;
        let mut session = self
            .database
            .connect(login(&pending))
            .await
            .map_err(|source| RotationError::Login {
                which: "pending",
                source,
            })?;
        session.check().await?;
        Ok(Outcome::Tested)
    }

    /// AWSCURRENT to the token's version (Secrets Manager moves AWSPREVIOUS to the old one), then
    /// AWSPENDING off it, so the next RotateSecret never finds a rotation still in progress.
    async fn finish(&self, metadata: &SecretMetadata) -> Result<Outcome, RotationError> {
        let current_version = metadata.version_with(AWSCURRENT);
        self.store
            .move_stage(
                self.secret_id,
                AWSCURRENT,
                Some(self.token),
                current_version,
            )
            .await?;
        self.store
            .move_stage(self.secret_id, AWSPENDING, None, Some(self.token))
            .await?;
        Ok(Outcome::Finished)
    }
}
