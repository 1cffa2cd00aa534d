//! The rotation protocol (docs/aws-behaviour.md, "Rotation protocol"): the checks every step
//! makes, then createSecret, setSecret, testSecret and finishSecret, for both strategies.
//!
//! Each step can be run any number of times with the same token, at the same time too, and ends in
//! the same state; whatever step fails, retrying the rotation ends with AWSCURRENT credentials that
//! log in and AWSPENDING absent or on the AWSCURRENT version (tested by injecting a failure at every
//! call, and by random sequences and interleavings of the four steps with several tokens).
//!
//! Before any login, setSecret, testSecret and finishSecret read the current and pending versions
//! (and, alternating, the master's) and refuse a pending version for another user, host, port or
//! database ([`crate::checks`]); alternating, the two users must be provably the application's user
//! and its clone ([`crate::ownership`]). The steps of the alternating strategy that alter roles are
//! in [`crate::alternating`], the label moves of finishSecret in [`crate::finish`], and the search
//! for a lost single-user password in [`crate::recovery`].

use crate::api_keys::Kind;
use crate::cache::{Cache, CacheSide};
use crate::checks::{check_master, check_pending, same_login};
use crate::config::PasswordPolicy;
use crate::database::{Database, Login, Session};
use crate::error::RotationError;
use crate::event::{RotationEvent, Step};
use crate::ownership;
use crate::recovery;
use crate::secret::{alternate_username, Credentials, InvalidSecret, Strategy, CLONE_SUFFIX};
use secrets::versions::{
    SecretMetadata, SecretVersions, Selector, AWSCURRENT, AWSPENDING, AWSPREVIOUS,
};
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
    /// Single user: setSecret ran before; the pending credentials already log in.
    PendingAlreadyLogsIn,
    PasswordSet,
    /// Single user: no labelled version logged in; the password of a recent unlabelled version
    /// did (a rotation abandoned after setSecret), and the pending password was set with it.
    PasswordSetAfterRecovery,
    /// Alternating users, first rotation: the clone role was created and granted the current role
    /// (and the current user itself first, with its privileges, when it did not exist yet).
    RoleCreated,
    /// API keys: no server holds the key, so setSecret has nothing to change.
    NothingToSet,
    /// Redis AUTH token: the group took the pending token beside the current one.
    TokenAdded,
    Tested,
    Finished,
}

/// Runs one step of a rotation.
pub async fn rotate<S: SecretVersions, D: Database, C: Cache>(
    event: &RotationEvent,
    store: &S,
    database: &D,
    cache: &CacheSide<C>,
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
        cache,
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

pub(crate) struct Rotation<'a, S, D, C> {
    pub(crate) store: &'a S,
    pub(crate) database: &'a D,
    pub(crate) cache: &'a CacheSide<C>,
    policy: &'a PasswordPolicy,
    pub(crate) secret_id: &'a str,
    pub(crate) token: &'a str,
}

/// The versions a step works with, read and checked before any login.
pub(crate) struct Checked {
    pub(crate) current: Credentials,
    pub(crate) pending: Credentials,
    pub(crate) alternating: bool,
    /// Alternating users, when the step logs in as the master (setSecret): the master's
    /// credentials, completed from the current secret.
    pub(crate) master: Option<Credentials>,
}

impl Checked {
    /// Alternating users: (base user, clone), whichever of them is current.
    pub(crate) fn pair(&self) -> (&str, &str) {
        let (current, pending) = (&self.current.username, &self.pending.username);
        if pending.strip_suffix(CLONE_SUFFIX) == Some(current.as_str()) {
            (current, pending)
        } else {
            (pending, current)
        }
    }
}

fn invalid(which: &'static str) -> impl FnOnce(InvalidSecret) -> RotationError {
    move |problem| RotationError::InvalidSecret { which, problem }
}

pub(crate) fn login(credentials: &Credentials) -> Login<'_> {
    Login {
        host: credentials.host.as_deref().unwrap_or_default(),
        port: credentials.port,
        dbname: &credentials.dbname,
        username: &credentials.username,
        password: &credentials.password,
    }
}

pub(crate) fn has(stages: &[String], stage: &str) -> bool {
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

impl<S: SecretVersions, D: Database, C: Cache> Rotation<'_, S, D, C> {
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
            if step == Step::Finish && has(stages, AWSPENDING) {
                // A finishSecret stopped between its two label moves: the second is what is left.
                self.remove_pending().await?;
                return Ok(Outcome::Finished);
            }
            return Ok(Outcome::AlreadyCurrent);
        }
        if !has(stages, AWSPENDING) {
            return Err(RotationError::NotPending {
                secret_id: self.secret_id.to_owned(),
                token: self.token.to_owned(),
            });
        }
        // One read more than credentials need: the secret's contents choose what it holds.
        match self.current_kind(&metadata).await? {
            Some(Kind::ApiKeys(current)) => {
                return self.rotate_api_keys(step, &metadata, &current).await
            }
            Some(Kind::CacheToken(current)) => {
                return self.rotate_cache_token(step, &metadata, &current).await
            }
            None => {}
        }
        match step {
            Step::Create => self.create(&metadata).await,
            Step::Set => self.set(&metadata).await,
            Step::Test => self.test(&metadata).await,
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

    /// The AWSCURRENT credentials of the secret being rotated, which must name their host. Read by
    /// the version id DescribeSecret gave, so a concurrent finishSecret moving the label in between
    /// cannot make the step check the pending version against itself.
    async fn current(&self, metadata: &SecretMetadata) -> Result<Credentials, RotationError> {
        let selector = metadata
            .version_with(AWSCURRENT)
            .map_or(Selector::Stage(AWSCURRENT), Selector::Version);
        let current = self.required(self.secret_id, selector, "current").await?;
        current.require_host().map_err(invalid("current"))?;
        Ok(current)
    }

    async fn pending(&self) -> Result<Credentials, RotationError> {
        // By id: the step checked a moment ago that the token is AWSPENDING, and a concurrent
        // finishSecret of the same token may have taken the label off since.
        self.required(self.secret_id, Selector::Version(self.token), "pending")
            .await
    }

    /// The current and pending credentials, and with `master` (alternating, for a step that logs in
    /// as the master) the master's, refused unless every login the step may make goes to the
    /// current secret's server and database as a user of this rotation. testSecret and
    /// finishSecret log in only as the pending user, whose pair check refuses any administrator (a
    /// master needs CREATEROLE or SUPERUSER to manage users), so they do not read the master secret.
    pub(crate) async fn checked(
        &self,
        metadata: &SecretMetadata,
        master: bool,
    ) -> Result<Checked, RotationError> {
        // Independent reads at the same time: the checks cost no extra round trip.
        let (current, pending) = tokio::try_join!(self.current(metadata), self.pending())?;
        let strategy = current.strategy().map_err(invalid("current"))?;
        let expected_user = pending_username(&current, &strategy)?;
        let master = match &strategy {
            Strategy::AlternatingUsers { master_arn } if master => Some(
                self.required(master_arn, Selector::Stage(AWSCURRENT), "master")
                    .await?
                    .completed_from(&current),
            ),
            _ => None,
        };
        check_pending(&current, &pending, &expected_user)?;
        if let Some(master) = &master {
            check_master(&current, &pending, master)?;
        }
        Ok(Checked {
            alternating: strategy != Strategy::SingleUser,
            current,
            pending,
            master,
        })
    }

    /// Alternating users: the pair read through `session` (any logged-in user may read the
    /// catalog) and refused unless it is the application's user and its clone.
    pub(crate) async fn verify_pair(
        &self,
        session: &mut D::Session,
        checked: &Checked,
    ) -> Result<(), RotationError> {
        if !checked.alternating {
            return Ok(());
        }
        let (base, clone) = checked.pair();
        let facts = session.role_pair(base, clone).await?;
        ownership::verify(base, clone, &facts, &checked.pending.username)
    }

    /// A new password (and, alternating, the other user) as the token's AWSPENDING version.
    async fn create(&self, metadata: &SecretMetadata) -> Result<Outcome, RotationError> {
        let (current, has_value) =
            tokio::try_join!(self.current(metadata), self.has_pending_value())?;
        let strategy = current.strategy().map_err(invalid("current"))?;
        if has_value {
            return Ok(Outcome::PendingAlreadyExists);
        }
        let username = pending_username(&current, &strategy)?;
        let password = self.store.random_password(&self.policy.rules()).await?;
        let pending = current.with_login(&username, &password);
        let put = self
            .store
            .put_pending(self.secret_id, self.token, &pending.to_json())
            .await;
        if let Err(error) = put {
            // A concurrent createSecret of this token stored its value first (Secrets Manager
            // refuses to change a version's value), or the call failed after storing ours: either
            // way the token has its pending value, which is all this step is for.
            if self.has_pending_value().await? {
                return Ok(Outcome::PendingAlreadyExists);
            }
            return Err(error.into());
        }
        tracing::info!(username, "pending version created");
        Ok(Outcome::PendingCreated)
    }

    pub(crate) async fn has_pending_value(&self) -> Result<bool, RotationError> {
        let value = self
            .store
            .value(self.secret_id, Selector::Version(self.token))
            .await?;
        Ok(value.is_some())
    }

    /// Makes the database accept the pending credentials.
    async fn set(&self, metadata: &SecretMetadata) -> Result<Outcome, RotationError> {
        let checked = self.checked(metadata, true).await?;
        match &checked.master {
            None => self.set_single_user(&checked, metadata).await,
            Some(master) => self.set_alternating(&checked, master).await,
        }
    }

    async fn set_single_user(
        &self,
        checked: &Checked,
        metadata: &SecretMetadata,
    ) -> Result<Outcome, RotationError> {
        let Some((mut session, outcome)) = self.single_user_session(checked, metadata).await?
        else {
            return Ok(Outcome::PendingAlreadyLogsIn);
        };
        self.set_pending_password(&mut session, checked, outcome)
            .await
    }

    /// `ALTER ROLE … PASSWORD` with the pending password, answering `outcome`. When it fails but the
    /// pending credentials then log in, a concurrent setSecret of this rotation set the same
    /// password at the same moment (PostgreSQL refuses the second update of the role's row with
    /// "tuple concurrently updated"), or the statement took effect before the failure: the work is
    /// done.
    pub(crate) async fn set_pending_password(
        &self,
        session: &mut D::Session,
        checked: &Checked,
        outcome: Outcome,
    ) -> Result<Outcome, RotationError> {
        let pending = &checked.pending;
        let Err(error) = session
            .set_password(&pending.username, &pending.password)
            .await
        else {
            return Ok(outcome);
        };
        match self.database.connect(login(pending)).await {
            Ok(_) => Ok(Outcome::PendingAlreadyLogsIn),
            Err(_) => Err(error.into()),
        }
    }

    /// Single user: a session as the user, and what setting the password through it achieves; `None`
    /// when the pending password already logs in (setSecret ran before).
    ///
    /// The current password first: on a first setSecret it is the one the database has, so one login
    /// does. Then the pending one (setSecret ran before); the previous one, when a rotation set it
    /// and was then undone; and, when none works, the password of one of the secret's newest other
    /// versions ([`recovery`]).
    async fn single_user_session(
        &self,
        checked: &Checked,
        metadata: &SecretMetadata,
    ) -> Result<Option<(D::Session, Outcome)>, RotationError> {
        let (current, pending) = (&checked.current, &checked.pending);
        let rejected = match self.database.connect(login(current)).await {
            Ok(session) => return Ok(Some((session, Outcome::PasswordSet))),
            Err(error) if error.is_login_rejected() => error,
            Err(error) => return Err(error.into()),
        };
        match self.database.connect(login(pending)).await {
            Ok(_) => return Ok(None),
            Err(error) if error.is_login_rejected() => {}
            Err(error) => return Err(error.into()),
        }
        let mut tried = vec![pending.password.clone(), current.password.clone()];
        let previous = self
            .credentials(self.secret_id, Selector::Stage(AWSPREVIOUS), "previous")
            .await?;
        if let Some(previous) = previous
            .filter(|previous| same_login(current, previous) && !tried.contains(&previous.password))
        {
            match self.database.connect(login(&previous)).await {
                Ok(session) => return Ok(Some((session, Outcome::PasswordSet))),
                Err(error) if error.is_login_rejected() => tried.push(previous.password),
                Err(error) => return Err(error.into()),
            }
        }
        let skip = [
            Some(self.token),
            metadata.version_with(AWSCURRENT),
            metadata.version_with(AWSPREVIOUS),
        ];
        let found = recovery::find_login(
            self.store,
            self.database,
            self.secret_id,
            current,
            &skip,
            &mut tried,
        )
        .await?;
        match found {
            Some(session) => Ok(Some((session, Outcome::PasswordSetAfterRecovery))),
            None => Err(RotationError::NoWorkingLogin {
                username: current.username.clone(),
                last: rejected,
            }),
        }
    }

    /// Logs in with the pending credentials and, alternating, proves the pair is ours.
    async fn pending_session(&self, checked: &Checked) -> Result<D::Session, RotationError> {
        let mut session = self
            .database
            .connect(login(&checked.pending))
            .await
            .map_err(|source| RotationError::Login {
                which: "pending",
                source,
            })?;
        self.verify_pair(&mut session, checked).await?;
        Ok(session)
    }

    async fn test(&self, metadata: &SecretMetadata) -> Result<Outcome, RotationError> {
        let checked = self.checked(metadata, false).await?;
        let mut session = self.pending_session(&checked).await?;
        if !checked.alternating {
            // Alternating, the catalog query of the pair proved the login; here a query does.
            session.check().await?;
        }
        Ok(Outcome::Tested)
    }

    /// Promotes the token's version once its credentials log in (one login), so AWSCURRENT never
    /// moves to a version whose password the database does not have, or to one with no value.
    async fn finish(&self, metadata: &SecretMetadata) -> Result<Outcome, RotationError> {
        let checked = self.checked(metadata, false).await?;
        drop(self.pending_session(&checked).await?);
        self.promote(metadata).await
    }
}
