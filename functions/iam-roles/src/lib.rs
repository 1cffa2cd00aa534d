//! The IAM calls every component that owns a role makes (the network's flow-log role, the
//! database's rotation role, the service's execution, task and infrastructure roles) and `envctl
//! deploy` makes for the backend's roles, one SDK call per method, so each `Cloud` implementation
//! delegates here instead of repeating them. The moto tests drive every method through those
//! functions' binaries and the CLI.

use aws_config::SdkConfig;
use env_core::error::{aws_error, found, MissingSetting};
use env_core::iam::ROLE_BOUNDARY_VAR;
use env_core::tags::Tag;
use env_core::AwsCallError;

/// Whether the roles made carry a permissions boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Boundary {
    /// The backend's own roles (`envctl deploy`): the person deploying is trusted with them.
    None,
    /// An environment's roles: always bounded (`ROLE_PERMISSIONS_BOUNDARY`), so no inline policy
    /// a function writes can reach beyond the boundary; `None` when the setting is missing.
    Required(Option<String>),
}

#[derive(Debug, Clone)]
pub struct Roles {
    iam: aws_sdk_iam::Client,
    boundary: Boundary,
}

impl Roles {
    /// For the backend's own roles, which carry no boundary.
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            iam: aws_sdk_iam::Client::new(config),
            boundary: Boundary::None,
        }
    }

    /// For an environment's roles: each is created with `boundary` (the value of
    /// `ROLE_PERMISSIONS_BOUNDARY`) as its permissions boundary; without one, creating a role
    /// fails as `Misconfigured` before calling IAM.
    pub fn bounded(config: &SdkConfig, boundary: Option<String>) -> Self {
        Self {
            iam: aws_sdk_iam::Client::new(config),
            boundary: Boundary::Required(boundary.filter(|arn| !arn.trim().is_empty())),
        }
    }

    /// The account the roles are made in, read from the boundary's ARN (its fifth field): what a
    /// trust policy's `aws:SourceAccount` names before any role exists.
    pub fn account(&self) -> Result<String, AwsCallError> {
        match &self.boundary {
            Boundary::Required(Some(arn)) => {
                Ok(arn.split(':').nth(4).unwrap_or_default().to_owned())
            }
            _ => Err(missing_boundary("GetCallerIdentity")),
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
        let boundary = match &self.boundary {
            Boundary::None => None,
            Boundary::Required(Some(arn)) => Some(arn.clone()),
            Boundary::Required(None) => return Err(missing_boundary("CreateRole")),
        };
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
            .set_permissions_boundary(boundary)
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

fn missing_boundary(operation: &'static str) -> AwsCallError {
    AwsCallError::misconfigured(
        operation,
        MissingSetting {
            variable: ROLE_BOUNDARY_VAR,
            meaning: "the ARN of the permissions boundary every role of an environment carries (envctl deploy sets it)",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::{ErrorName, NamedError};

    fn config() -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-west-2"))
            .build()
    }

    #[tokio::test]
    async fn an_environment_role_without_its_boundary_is_misconfigured_before_any_call() {
        for missing in [None, Some("  ".to_owned())] {
            let roles = Roles::bounded(&config(), missing);
            let error = roles
                .create("role-x", "a role", "{}", &[])
                .await
                .unwrap_err();
            assert_eq!(error.error_name(), ErrorName::Misconfigured);
            assert_eq!(error.operation(), "CreateRole");
            assert!(error.to_string().contains(ROLE_BOUNDARY_VAR), "{error}");
        }
    }

    #[test]
    fn the_account_is_the_boundary_arns_fifth_field_and_missing_without_one() {
        let arn = "arn:aws:iam::123456789012:policy/catalog-environments-role-boundary";
        let roles = Roles::bounded(&config(), Some(arn.to_owned()));
        assert_eq!(roles.account().unwrap(), "123456789012");
        for roles in [Roles::bounded(&config(), None), Roles::new(&config())] {
            let error = roles.account().unwrap_err();
            assert_eq!(error.error_name(), ErrorName::Misconfigured);
            assert!(error.to_string().contains(ROLE_BOUNDARY_VAR), "{error}");
        }
    }
}
