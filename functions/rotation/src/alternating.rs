//! setSecret of the alternating strategy, as the master user: the pending user's password, after
//! the pair is proven ours; on the first rotation, the clone (and the application's user itself
//! when the database function made the secret before the user). Run again, it sets the same
//! password again: the pending user is not the current one, so nothing that works changes.

use crate::cache::Cache;
use crate::database::{Database, DbError, PairFacts, Session};
use crate::error::RotationError;
use crate::ownership;
use crate::protocol::{login, Checked, Outcome, Rotation};
use crate::secret::Credentials;
use secrets::versions::SecretVersions;

impl<S: SecretVersions, D: Database, C: Cache> Rotation<'_, S, D, C> {
    pub(crate) async fn set_alternating(
        &self,
        checked: &Checked,
        master: &Credentials,
    ) -> Result<Outcome, RotationError> {
        // No login with the pending credentials first: the master's login is needed anyway, and
        // setting the pending password again when a setSecret already did is harmless, so one
        // login is all this step makes.
        let mut session = self
            .database
            .connect(login(master))
            .await
            .map_err(|source| RotationError::Login {
                which: "master",
                source,
            })?;
        let (base, clone) = checked.pair();
        let pending = &checked.pending;
        // Each CREATE ROLE refused as existing means one more of the two roles exists now.
        let mut looks_left = 2;
        loop {
            let facts = session.role_pair(base, clone).await?;
            ownership::verify(base, clone, &facts, &pending.username)?;
            if facts.clone.is_none() {
                match create_pair(&mut session, checked, &facts).await {
                    Ok(()) => return Ok(Outcome::RoleCreated),
                    // A concurrent setSecret of this rotation created it since the look: look
                    // again, and treat it as any existing role (it must prove to be ours).
                    Err(DbError::RoleExists { .. }) if looks_left > 0 => {
                        looks_left -= 1;
                        continue;
                    }
                    Err(error) => return Err(error.into()),
                }
            }
            return self
                .set_pending_password(&mut session, checked, Outcome::PasswordSet)
                .await;
        }
    }
}

/// The first rotation: the clone, a member of the current (base) user, which comes first when it
/// does not exist yet, with the secret's password and its privileges.
async fn create_pair<T: Session>(
    session: &mut T,
    checked: &Checked,
    facts: &PairFacts,
) -> Result<(), DbError> {
    let (current, pending) = (&checked.current, &checked.pending);
    if facts.base.is_none() {
        session
            .create_user(&current.username, &current.password, &current.dbname)
            .await?;
        tracing::info!(username = %current.username, "current user created");
    }
    session
        .create_role(&pending.username, &pending.password, &current.username)
        .await
}
