//! [`SecretVersions`] over the SDK, on the same [`Secrets`] client as [`crate::SecretCalls`].

use super::{
    SecretMetadata, SecretVersions, Selector, VersionEntry, AWSPENDING, MAX_VERSION_PAGES,
    VERSIONS_PER_PAGE,
};
use crate::{PasswordRules, SecretValue, Secrets};
use aws_sdk_secretsmanager::types::SecretVersionsListEntry;
use env_core::aws::next_page;
use env_core::error::{aws_error, AwsCallError, Required};

fn entry_of(entry: &SecretVersionsListEntry) -> Result<VersionEntry, AwsCallError> {
    let id = entry
        .version_id()
        .required("ListSecretVersionIds.VersionId")?;
    Ok(VersionEntry {
        id: id.to_owned(),
        stages: entry.version_stages().to_vec(),
        created_nanos: entry.created_date().map_or(0, |date| date.as_nanos()),
    })
}

impl SecretVersions for Secrets {
    async fn describe(&self, secret_id: &str) -> Result<SecretMetadata, AwsCallError> {
        let output = self.describe_secret(secret_id).await?;
        Ok(SecretMetadata {
            rotation_enabled: output.rotation_enabled() == Some(true),
            // Absent for a secret without versions.
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
            let page: Result<Vec<_>, _> = output.versions().iter().map(entry_of).collect();
            versions.extend(page?);
            next_token = next_page(output.next_token());
        }
        Ok(versions)
    }

    async fn random_password(
        &self,
        rules: &PasswordRules<'_>,
    ) -> Result<SecretValue, AwsCallError> {
        self.generate_password(rules).await
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
    fn a_listed_version_needs_its_id() {
        let listed = SecretVersionsListEntry::builder()
            .version_id("v1")
            .version_stages("AWSCURRENT")
            .build();
        let entry = entry_of(&listed).unwrap();
        assert_eq!(
            entry,
            VersionEntry {
                id: "v1".to_owned(),
                stages: vec!["AWSCURRENT".to_owned()],
                created_nanos: 0,
            }
        );
        let anonymous = SecretVersionsListEntry::builder().build();
        let error = entry_of(&anonymous).unwrap_err();
        assert!(
            error.to_string().contains("ListSecretVersionIds.VersionId"),
            "{error}"
        );
    }
}
