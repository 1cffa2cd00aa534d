//! The customer managed policy in IAM the backend keeps (the environments' permissions boundary):
//! read by its default version, written as a new default version, deleted with its versions.

use super::policy_document;
use crate::api::Result;
use anyhow::Context;
use env_core::error::{aws_error, found};
use serde_json::Value;

#[derive(Debug, Clone)]
pub(super) struct ManagedPolicies {
    iam: aws_sdk_iam::Client,
}

impl ManagedPolicies {
    pub(super) fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            iam: aws_sdk_iam::Client::new(config),
        }
    }

    /// The default version's document, if the policy exists.
    pub(super) async fn get(&self, arn: &str) -> Result<Option<Value>> {
        let got = self.iam.get_policy().policy_arn(arn).send().await;
        let Some(got) = found(got.map_err(aws_error("GetPolicy")), &["NoSuchEntity"])? else {
            return Ok(None);
        };
        let version = got
            .policy()
            .and_then(|policy| policy.default_version_id())
            .context("IAM answered GetPolicy without a default version")?;
        let document = self
            .iam
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await
            .map_err(aws_error("GetPolicyVersion"))?;
        let encoded = document
            .policy_version()
            .and_then(|version| version.document())
            .context("IAM answered GetPolicyVersion without a document")?;
        Ok(Some(policy_document(encoded)?))
    }

    pub(super) async fn create(&self, name: &str, document: &Value) -> Result<()> {
        self.iam
            .create_policy()
            .policy_name(name)
            .description("catalog-environments: the most any role of an environment may do")
            .policy_document(document.to_string())
            .send()
            .await
            .map_err(aws_error("CreatePolicy"))?;
        Ok(())
    }

    pub(super) async fn update(&self, arn: &str, document: &Value) -> Result<()> {
        let others = self.versions(arn).await?;
        // IAM keeps at most five versions of a managed policy (IAM user guide, "Versioning IAM
        // policies"): make room by deleting the oldest one that is not the default.
        let room = match others.first() {
            Some(oldest) if others.len() >= 4 => self
                .iam
                .delete_policy_version()
                .policy_arn(arn)
                .version_id(oldest)
                .send()
                .await
                .map(|_| ()),
            _ => Ok(()),
        };
        room.map_err(aws_error("DeletePolicyVersion"))?;
        self.iam
            .create_policy_version()
            .policy_arn(arn)
            .policy_document(document.to_string())
            .set_as_default(true)
            .send()
            .await
            .map_err(aws_error("CreatePolicyVersion"))?;
        Ok(())
    }

    /// Deletes every version, then the policy; false when there was no policy.
    pub(super) async fn delete(&self, arn: &str) -> Result<bool> {
        if self.get(arn).await?.is_none() {
            return Ok(false);
        }
        // IAM deletes a policy only without its other versions (DeletePolicy).
        for version in self.versions(arn).await? {
            self.iam
                .delete_policy_version()
                .policy_arn(arn)
                .version_id(version)
                .send()
                .await
                .map_err(aws_error("DeletePolicyVersion"))?;
        }
        self.iam
            .delete_policy()
            .policy_arn(arn)
            .send()
            .await
            .map_err(aws_error("DeletePolicy"))?;
        Ok(true)
    }

    /// The ids of a managed policy's versions other than the default, oldest first.
    async fn versions(&self, arn: &str) -> Result<Vec<String>> {
        let listed = self
            .iam
            .list_policy_versions()
            .policy_arn(arn)
            .send()
            .await
            .map_err(aws_error("ListPolicyVersions"))?;
        let mut versions: Vec<_> = listed
            .versions()
            .iter()
            .filter(|version| !version.is_default_version())
            .filter_map(|version| {
                let id = version.version_id()?;
                // Versions made within one second are told apart by their number (`v10`
                // after `v9`), not by the id's text; an id not of IAM's form `v<N>` sorts first.
                let number: Option<u64> = id.trim_start_matches('v').parse().ok();
                Some(((version.create_date()?.secs(), number), id.to_owned()))
            })
            .collect();
        versions.sort();
        Ok(versions.into_iter().map(|(_, id)| id).collect())
    }
}
