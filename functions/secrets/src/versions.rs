//! The calls of the rotation protocol on a secret's versions and staging labels, behind a small
//! trait, [`SecretVersions`], so the protocol's rules are tested against an in-memory fake (the
//! rotation function's own, which shares one world, call log and fault injection with its
//! PostgreSQL and ElastiCache); [`crate::Secrets`] answers them over the SDK (in `sdk`, tested
//! against moto through the rotation function).

use crate::{PasswordRules, SecretValue};
use env_core::AwsCallError;
use std::collections::BTreeMap;
use std::future::Future;

mod sdk;

pub const AWSCURRENT: &str = "AWSCURRENT";
pub const AWSPENDING: &str = "AWSPENDING";
pub const AWSPREVIOUS: &str = "AWSPREVIOUS";

/// What DescribeSecret tells the protocol.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretMetadata {
    pub rotation_enabled: bool,
    /// Version id → its staging labels.
    pub versions: BTreeMap<String, Vec<String>>,
}

impl SecretMetadata {
    /// The version holding `stage`, if any.
    pub fn version_with(&self, stage: &str) -> Option<&str> {
        self.versions
            .iter()
            .find(|(_, stages)| stages.iter().any(|s| s == stage))
            .map(|(version, _)| version.as_str())
    }

    /// The version an unfinished rotation left `AWSPENDING` on: one without `AWSCURRENT`. A
    /// finished rotation leaves the label on `AWSCURRENT`'s version or on none; left elsewhere, it
    /// makes every later RotateSecret fail as "a previous rotation request is still in progress"
    /// (Secrets Manager API reference, RotateSecret).
    pub fn pending_left(&self) -> Option<&str> {
        let current = self.version_with(AWSCURRENT);
        self.version_with(AWSPENDING)
            .filter(|pending| Some(*pending) != current)
    }
}

/// One entry of ListSecretVersionIds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionEntry {
    pub id: String,
    pub stages: Vec<String>,
    /// When the version was created, in nanoseconds since the epoch (0 when not reported).
    pub created_nanos: i128,
}

/// Which value GetSecretValue reads. A stage or a version id is always passed: moto, unlike AWS,
/// answers a request with neither with a stale value after a stage moved (tools/emulator/README.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selector<'a> {
    Stage(&'a str),
    /// A version by its id alone: the versions DescribeSecret listed a moment before (the token's,
    /// the current one), so a label moved since by a concurrent step does not change what is read;
    /// and versions without labels, which have no stage to name.
    Version(&'a str),
}

/// ListSecretVersionIds' largest page (Secrets Manager API reference, MaxResults: 1-100).
pub const VERSIONS_PER_PAGE: i32 = 100;
/// Pages read at most. Secrets Manager keeps about 100 unlabelled versions (it removes the oldest
/// beyond 100 that are more than a day old, "Secrets Manager quotas"), so five pages hold every
/// version of a secret rotated as the rotation function rotates it; a secret rewritten faster than
/// that is listed only in part rather than holding the Lambda for an unbounded listing.
pub const MAX_VERSION_PAGES: usize = 5;

/// The calls of the rotation protocol on a secret's versions and staging labels. `secret_id` is
/// the secret's name or ARN. The futures are `Send`: the rotation steps run them concurrently.
pub trait SecretVersions {
    /// DescribeSecret: whether rotation is on, and every version's labels.
    fn describe(
        &self,
        secret_id: &str,
    ) -> impl Future<Output = Result<SecretMetadata, AwsCallError>> + Send;

    /// The value, or `None` when the version or stage has no value (ResourceNotFoundException).
    fn value(
        &self,
        secret_id: &str,
        selector: Selector<'_>,
    ) -> impl Future<Output = Result<Option<String>, AwsCallError>> + Send;

    /// ListSecretVersionIds with `IncludeDeprecated`: every version, labelled or not, in the order
    /// the service lists them (which it does not document), at most [`MAX_VERSION_PAGES`] pages.
    fn versions(
        &self,
        secret_id: &str,
    ) -> impl Future<Output = Result<Vec<VersionEntry>, AwsCallError>> + Send;

    /// GetRandomPassword, as [`crate::SecretCalls::random_password`] asks for it.
    fn random_password(
        &self,
        rules: &PasswordRules<'_>,
    ) -> impl Future<Output = Result<SecretValue, AwsCallError>> + Send;

    /// PutSecretValue with the token as version id and the AWSPENDING stage.
    fn put_pending(
        &self,
        secret_id: &str,
        token: &str,
        value: &str,
    ) -> impl Future<Output = Result<(), AwsCallError>> + Send;

    /// UpdateSecretVersionStage: `stage` onto version `to` (none: only removed) from version
    /// `from`, which must be the version holding it.
    fn move_stage(
        &self,
        secret_id: &str,
        stage: &str,
        to: Option<&str>,
        from: Option<&str>,
    ) -> impl Future<Output = Result<(), AwsCallError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_holding_a_stage_is_found_by_its_label() {
        let metadata = SecretMetadata {
            rotation_enabled: true,
            versions: BTreeMap::from([
                ("v1".to_owned(), vec![AWSPREVIOUS.to_owned()]),
                (
                    "v2".to_owned(),
                    vec![AWSCURRENT.to_owned(), AWSPENDING.to_owned()],
                ),
            ]),
        };
        assert_eq!(metadata.version_with(AWSCURRENT), Some("v2"));
        assert_eq!(metadata.version_with(AWSPENDING), Some("v2"));
        assert_eq!(metadata.version_with(AWSPREVIOUS), Some("v1"));
        assert_eq!(metadata.version_with("OTHER"), None);
        // On AWSCURRENT's version: a finished rotation's.
        assert_eq!(metadata.pending_left(), None);
    }

    #[test]
    fn only_an_awspending_apart_from_awscurrent_is_left_by_an_unfinished_rotation() {
        let labelled = |versions: &[(&str, &[&str])]| SecretMetadata {
            rotation_enabled: false,
            versions: versions
                .iter()
                .map(|(id, stages)| {
                    let stages = stages.iter().map(|stage| (*stage).to_owned()).collect();
                    ((*id).to_owned(), stages)
                })
                .collect(),
        };
        let unfinished = labelled(&[("v1", &[AWSCURRENT]), ("v2", &[AWSPENDING])]);
        assert_eq!(unfinished.pending_left(), Some("v2"));
        let finished = labelled(&[("v1", &[AWSPREVIOUS]), ("v2", &[AWSCURRENT])]);
        assert_eq!(finished.pending_left(), None);
        assert_eq!(SecretMetadata::default().pending_left(), None);
    }
}
