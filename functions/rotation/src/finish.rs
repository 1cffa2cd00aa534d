//! finishSecret's label moves: AWSCURRENT to the token's version (Secrets Manager moves AWSPREVIOUS
//! to the old one), then AWSPENDING off it, so the next RotateSecret never finds a rotation still
//! in progress ("previous rotation isn't complete").
//!
//! Each move names the version it takes the label from, so Secrets Manager refuses it once another
//! call moved that label: a move that fails is followed by a look at the labels, and a label
//! already where this step puts it (a concurrent finishSecret of the same token, or a failure after
//! the move took effect) is success, not an error.

use crate::cache::Cache;
use crate::database::Database;
use crate::error::RotationError;
use crate::protocol::{has, Outcome, Rotation};
use secrets::versions::{SecretMetadata, SecretVersions, AWSCURRENT, AWSPENDING};

impl<S: SecretVersions, D: Database, C: Cache> Rotation<'_, S, D, C> {
    pub(crate) async fn promote(
        &self,
        metadata: &SecretMetadata,
    ) -> Result<Outcome, RotationError> {
        let current_version = metadata.version_with(AWSCURRENT);
        let moved = self
            .store
            .move_stage(
                self.secret_id,
                AWSCURRENT,
                Some(self.token),
                current_version,
            )
            .await;
        if let Err(error) = moved {
            if !self.token_has(AWSCURRENT).await? {
                return Err(error.into());
            }
        }
        self.remove_pending().await?;
        Ok(Outcome::Finished)
    }

    /// AWSPENDING off the token's version, which must already be AWSCURRENT.
    pub(crate) async fn remove_pending(&self) -> Result<(), RotationError> {
        let removed = self
            .store
            .move_stage(self.secret_id, AWSPENDING, None, Some(self.token))
            .await;
        if let Err(error) = removed {
            if self.token_has(AWSPENDING).await? {
                return Err(error.into());
            }
        }
        Ok(())
    }

    /// Whether the token's version carries `stage` now.
    async fn token_has(&self, stage: &str) -> Result<bool, RotationError> {
        let metadata = self.store.describe(self.secret_id).await?;
        Ok(metadata
            .versions
            .get(self.token)
            .is_some_and(|stages| has(stages, stage)))
    }
}
