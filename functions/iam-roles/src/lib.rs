//! The IAM calls every component that owns a role makes (the network's flow-log role, the
//! database's rotation role, the service's execution, task and infrastructure roles) and `envctl
//! deploy` makes for the backend's roles: one capability, [`RoleCalls`], written once over the SDK
//! ([`Roles`]) and once in memory for the unit tests (`fake::FakeRoles`, feature `test-util`).
//! Each function's `Cloud` hands out its implementation instead of declaring the calls again. The
//! moto tests drive every SDK method through those functions' binaries and the CLI.

use aws_config::SdkConfig;
use env_core::error::{aws_error, found, MissingSetting, Required};
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
}

/// The calls on IAM roles every role owner makes.
// Only the workspace's own crates implement and call it, with concrete types.
#[allow(async_fn_in_trait)]
pub trait RoleCalls {
    /// The ARN of the role of this name, if it exists.
    async fn arn(&self, name: &str) -> Result<Option<String>, AwsCallError>;
    /// A role that `trust_policy`'s principals may assume, tagged as the environment; its ARN.
    async fn create(
        &self,
        name: &str,
        description: &str,
        trust_policy: &str,
        tags: &[Tag],
    ) -> Result<String, AwsCallError>;
    /// Puts `document` as the role's inline policy `policy`, unless the role has exactly that
    /// policy already.
    async fn put_policy(
        &self,
        role: &str,
        policy: &str,
        document: &str,
    ) -> Result<(), AwsCallError>;
    /// The names of the role's inline policies.
    async fn policy_names(&self, role: &str) -> Result<Vec<String>, AwsCallError>;
    async fn delete_policy(&self, role: &str, policy: &str) -> Result<(), AwsCallError>;
    /// Deletes the role, which must have no inline policy left (IAM answers DeleteConflict).
    async fn delete(&self, name: &str) -> Result<(), AwsCallError>;
}

impl RoleCalls for Roles {
    /// The ARN of the role of this name, if it exists.
    async fn arn(&self, name: &str) -> Result<Option<String>, AwsCallError> {
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
    async fn create(
        &self,
        name: &str,
        description: &str,
        trust_policy: &str,
        tags: &[Tag],
    ) -> Result<String, AwsCallError> {
        let boundary = self.boundary_arn()?;
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
        let role = output.role().required("CreateRoleResponse.Role")?;
        Ok(role.arn().to_owned())
    }

    /// Puts `document` as the role's inline policy `policy`, unless the role has exactly that
    /// policy already: a hand-edited policy is put back, and an unchanged one is left alone, so a
    /// converge that runs again is not an IAM change services must wait out again (a policy just
    /// put takes a while to be in force everywhere: IAM user guide, "Changes that I make are not
    /// always immediately visible").
    async fn put_policy(
        &self,
        role: &str,
        policy: &str,
        document: &str,
    ) -> Result<(), AwsCallError> {
        let current = self
            .iam
            .get_role_policy()
            .role_name(role)
            .policy_name(policy)
            .send()
            .await
            .map_err(aws_error("GetRolePolicy"));
        let current = found(current, &["NoSuchEntity"])?;
        if same_document(current.as_ref().map(|c| c.policy_document()), document) {
            return Ok(());
        }
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

    async fn delete_policy(&self, role: &str, policy: &str) -> Result<(), AwsCallError> {
        self.iam
            .delete_role_policy()
            .role_name(role)
            .policy_name(policy)
            .send()
            .await
            .map_err(aws_error("DeleteRolePolicy"))?;
        Ok(())
    }

    async fn delete(&self, name: &str) -> Result<(), AwsCallError> {
        self.iam
            .delete_role()
            .role_name(name)
            .send()
            .await
            .map_err(aws_error("DeleteRole"))?;
        Ok(())
    }

    async fn policy_names(&self, role: &str) -> Result<Vec<String>, AwsCallError> {
        let mut pages = self
            .iam
            .list_role_policies()
            .role_name(role)
            .into_paginator()
            .send();
        let mut names = Vec::new();
        while let Some(page) = pages.next().await {
            names.extend_from_slice(page.map_err(aws_error("ListRolePolicies"))?.policy_names());
        }
        Ok(names)
    }
}

impl Roles {
    /// The boundary a new role gets, if any. A plain method, not part of `create`'s async body:
    /// that body is compiled into each crate that awaits it, this once.
    fn boundary_arn(&self) -> Result<Option<String>, AwsCallError> {
        match &self.boundary {
            Boundary::None => Ok(None),
            Boundary::Required(Some(arn)) => Ok(Some(arn.clone())),
            Boundary::Required(None) => Err(missing_boundary("CreateRole")),
        }
    }
}

/// A policy document as IAM answers it: URL-encoded (IAM API reference, GetRolePolicy: "URL-encoded
/// compliant with RFC 3986"), or plain, as some emulators answer; `None` when it is not JSON.
pub fn decoded_document(text: &str) -> Option<serde_json::Value> {
    serde_json::from_str(text).ok().or_else(|| {
        let decoded = percent_encoding::percent_decode_str(text)
            .decode_utf8()
            .ok()?;
        serde_json::from_str(&decoded).ok()
    })
}

/// Whether the policy IAM holds (`current`) says what `wanted` says, whatever the spacing.
fn same_document(current: Option<&str>, wanted: &str) -> bool {
    let decoded = current.and_then(decoded_document);
    let wanted = serde_json::from_str::<serde_json::Value>(wanted).ok();
    decoded.is_some() && decoded == wanted
}

#[cfg(any(test, feature = "test-util"))]
pub mod fake;

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
    fn a_new_role_gets_the_boundary_it_was_given_none_or_an_error_naming_the_setting() {
        let arn = "arn:aws:iam::123456789012:policy/catalog-environments-role-boundary";
        let bounded = Roles::bounded(&config(), Some(arn.to_owned()));
        assert_eq!(bounded.boundary_arn().unwrap().as_deref(), Some(arn));
        assert_eq!(Roles::new(&config()).boundary_arn().unwrap(), None);
        let error = Roles::bounded(&config(), None).boundary_arn().unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Misconfigured);
        assert!(error.to_string().contains(ROLE_BOUNDARY_VAR), "{error}");
    }

    #[test]
    fn a_policy_is_the_same_when_it_decodes_to_the_same_json() {
        let wanted = r#"{"Version": "2012-10-17", "Statement": []}"#;
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert!(same_document(Some(encoded), wanted));
        assert!(same_document(Some(wanted), wanted));
        let edited = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B1%5D%7D";
        assert!(!same_document(Some(edited), wanted));
        assert!(!same_document(None, wanted));
        assert!(!same_document(Some("%FF"), wanted));
        assert!(!same_document(Some("not json"), "not json"));
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
