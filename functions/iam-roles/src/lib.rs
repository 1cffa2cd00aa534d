//! The IAM calls every component that owns a role makes (the network's flow-log role, the
//! database's rotation role, the service's execution, task and infrastructure roles) and `envctl
//! deploy` makes for the backend's roles, one SDK call per method, so each `Cloud` implementation
//! delegates here instead of repeating them. The moto tests drive every method through those
//! functions' binaries and the CLI.

use aws_config::SdkConfig;
use env_core::error::{aws_error, found};
use env_core::tags::Tag;
use env_core::AwsCallError;

#[derive(Debug, Clone)]
pub struct Roles {
    iam: aws_sdk_iam::Client,
}

impl Roles {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            iam: aws_sdk_iam::Client::new(config),
        }
    }

    /// The ARN of the role of this name, if it exists.
    pub async fn arn(&self, name: &str) -> Result<Option<String>, AwsCallError> {
        let output = self
            .iam
            .get_role()
            .role_name(name)
            .send()
            .await
            .map_err(aws_error("GetRole"));
        Ok(found(output, &["NoSuchEntity"])?
            .and_then(|output| output.role().map(|role| role.arn().to_owned())))
    }

    /// A role that `trust_policy`'s principals may assume, tagged as the environment; its ARN.
    pub async fn create(
        &self,
        name: &str,
        description: &str,
        trust_policy: &str,
        tags: &[Tag],
    ) -> Result<String, AwsCallError> {
        let tags = tags
            .iter()
            // build() fails only without a key or a value, and every tag has both.
            .filter_map(|tag| {
                aws_sdk_iam::types::Tag::builder()
                    .key(tag.key)
                    .value(&tag.value)
                    .build()
                    .ok()
            })
            .collect();
        let output = self
            .iam
            .create_role()
            .role_name(name)
            .description(description)
            .assume_role_policy_document(trust_policy)
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(aws_error("CreateRole"))?;
        Ok(output
            .role()
            .map(|role| role.arn().to_owned())
            .unwrap_or_default())
    }

    pub async fn put_policy(
        &self,
        role: &str,
        policy: &str,
        document: &str,
    ) -> Result<(), AwsCallError> {
        self.iam
            .put_role_policy()
            .role_name(role)
            .policy_name(policy)
            .policy_document(document)
            .send()
            .await
            .map_err(aws_error("PutRolePolicy"))?;
        Ok(())
    }

    pub async fn delete_policy(&self, role: &str, policy: &str) -> Result<(), AwsCallError> {
        self.iam
            .delete_role_policy()
            .role_name(role)
            .policy_name(policy)
            .send()
            .await
            .map_err(aws_error("DeleteRolePolicy"))?;
        Ok(())
    }

    pub async fn delete(&self, name: &str) -> Result<(), AwsCallError> {
        self.iam
            .delete_role()
            .role_name(name)
            .send()
            .await
            .map_err(aws_error("DeleteRole"))?;
        Ok(())
    }
}
