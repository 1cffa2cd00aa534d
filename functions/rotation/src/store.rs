//! The Secrets Manager calls of the rotation protocol, behind a small trait so the protocol's rules
//! are tested against an in-memory fake; [`SecretsManager`] is the real one (tested against moto).

use crate::config::PasswordPolicy;
use crate::secret::Password;
use aws_sdk_secretsmanager::Client;
use env_core::error::{aws_error, AwsCallError};
use std::collections::BTreeMap;
use std::future::Future;

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
/// version of a secret rotated as this function rotates it; a secret rewritten faster than that is
/// listed only in part rather than holding the Lambda for an unbounded listing.
pub const MAX_VERSION_PAGES: usize = 5;

pub trait SecretStore {
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

    fn random_password(
        &self,
        policy: &PasswordPolicy,
    ) -> impl Future<Output = Result<Password, AwsCallError>> + Send;

    /// PutSecretValue with the token as version id and the AWSPENDING stage.
    fn put_pending(
        &self,
        secret_id: &str,
        token: &str,
        value: &str,
    ) -> impl Future<Output = Result<(), AwsCallError>> + Send;

    /// UpdateSecretVersionStage.
    fn move_stage(
        &self,
        secret_id: &str,
        stage: &str,
        to: Option<&str>,
        from: Option<&str>,
    ) -> impl Future<Output = Result<(), AwsCallError>> + Send;
}

/// The token of the next page of a listing, if there is one: moto answers an empty NextToken on the
/// last page, AWS leaves it out.
fn next_page(token: Option<&str>) -> Option<String> {
    token.filter(|token| !token.is_empty()).map(str::to_owned)
}

/// The real store: the Secrets Manager API.
#[derive(Debug, Clone)]
pub struct SecretsManager {
    client: Client,
}

impl SecretsManager {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            client: Client::new(config),
        }
    }
}

impl SecretStore for SecretsManager {
    async fn describe(&self, secret_id: &str) -> Result<SecretMetadata, AwsCallError> {
        let output = self
            .client
            .describe_secret()
            .secret_id(secret_id)
            .send()
            .await
            .map_err(aws_error("DescribeSecret"))?;
        Ok(SecretMetadata {
            rotation_enabled: output.rotation_enabled() == Some(true),
            versions: output
                .version_ids_to_stages()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .collect(),
        })
    }

    async fn value(
        &self,
        secret_id: &str,
        selector: Selector<'_>,
    ) -> Result<Option<String>, AwsCallError> {
        let request = self.client.get_secret_value().secret_id(secret_id);
        let request = match selector {
            Selector::Stage(stage) => request.version_stage(stage),
            Selector::Version(id) => request.version_id(id),
        };
        match request.send().await.map_err(aws_error("GetSecretValue")) {
            Ok(output) => Ok(output.secret_string().map(str::to_owned)),
            Err(error) if error.is_code("ResourceNotFoundException") => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn versions(&self, secret_id: &str) -> Result<Vec<VersionEntry>, AwsCallError> {
        let mut versions = Vec::new();
        let mut next_token = None;
        let mut pages = 0;
        // The first page, then as long as the last named a next one, up to the bound.
        while pages == 0 || (next_token.is_some() && pages < MAX_VERSION_PAGES) {
            let output = self
                .client
                .list_secret_version_ids()
                .secret_id(secret_id)
                // Versions without labels are the ones a person's relabelling leaves behind.
                .include_deprecated(true)
                .max_results(VERSIONS_PER_PAGE)
                .set_next_token(next_token.take())
                .send()
                .await
                .map_err(aws_error("ListSecretVersionIds"))?;
            pages += 1;
            versions.extend(output.versions().iter().map(|entry| VersionEntry {
                id: entry.version_id().unwrap_or_default().to_owned(),
                stages: entry.version_stages().to_vec(),
                created_nanos: entry.created_date().map_or(0, |date| date.as_nanos()),
            }));
            next_token = next_page(output.next_token());
        }
        Ok(versions)
    }

    async fn random_password(&self, policy: &PasswordPolicy) -> Result<Password, AwsCallError> {
        let output = self
            .client
            .get_random_password()
            .password_length(i64::from(policy.length))
            .exclude_characters(&policy.exclude_characters)
            .exclude_punctuation(policy.exclude_punctuation)
            .require_each_included_type(true)
            .send()
            .await
            .map_err(aws_error("GetRandomPassword"))?;
        Ok(Password::new(output.random_password().unwrap_or_default()))
    }

    async fn put_pending(
        &self,
        secret_id: &str,
        token: &str,
        value: &str,
    ) -> Result<(), AwsCallError> {
        self.client
            .put_secret_value()
            .secret_id(secret_id)
            .client_request_token(token)
            .secret_string(value)
            .version_stages(AWSPENDING)
            .send()
            .await
            .map_err(aws_error("PutSecretValue"))?;
        Ok(())
    }

    async fn move_stage(
        &self,
        secret_id: &str,
        stage: &str,
        to: Option<&str>,
        from: Option<&str>,
    ) -> Result<(), AwsCallError> {
        self.client
            .update_secret_version_stage()
            .secret_id(secret_id)
            .version_stage(stage)
            .set_move_to_version_id(to.map(str::to_owned))
            .set_remove_from_version_id(from.map(str::to_owned))
            .send()
            .await
            .map_err(aws_error("UpdateSecretVersionStage"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_goes_on_only_with_a_non_empty_next_token() {
        assert_eq!(next_page(Some("page-2")).as_deref(), Some("page-2"));
        assert_eq!(next_page(Some("")), None);
        assert_eq!(next_page(None), None);
    }

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
    }
}
