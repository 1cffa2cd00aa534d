//! The backend's own roles in IAM (each function's, the state machines', the schedule's): each
//! with its trust policy and one inline policy named after it.

use super::policy_document;
use crate::api::{Result, RoleState};
use env_core::error::{aws_error, found};
use iam_roles::{RoleCalls, Roles};
use serde_json::Value;

#[derive(Debug, Clone)]
pub(super) struct BackendRoles {
    iam: aws_sdk_iam::Client,
    roles: Roles,
}

impl BackendRoles {
    pub(super) fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            iam: aws_sdk_iam::Client::new(config),
            roles: Roles::new(config),
        }
    }

    pub(super) async fn get(&self, name: &str) -> Result<Option<RoleState>> {
        let role = self.iam.get_role().role_name(name).send().await;
        let Some(role) = found(role.map_err(aws_error("GetRole")), &["NoSuchEntity"])? else {
            return Ok(None);
        };
        let trust = role
            .role()
            .and_then(|role| role.assume_role_policy_document())
            .unwrap_or("{}");
        let trust = policy_document(trust)?;
        let policy = self
            .iam
            .get_role_policy()
            .role_name(name)
            .policy_name(name)
            .send()
            .await;
        let policy = policy.map_err(aws_error("GetRolePolicy"));
        let policy = found(policy, &["NoSuchEntity"])?;
        let policy = policy
            .map(|policy| policy_document(policy.policy_document()))
            .transpose()?;
        Ok(Some(RoleState { trust, policy }))
    }

    pub(super) async fn create(&self, name: &str, trust: &Value) -> Result<()> {
        let description = "catalog-environments backend (envctl deploy)";
        self.roles
            .create(name, description, &trust.to_string(), &[])
            .await?;
        Ok(())
    }

    pub(super) async fn update_trust(&self, name: &str, trust: &Value) -> Result<()> {
        self.iam
            .update_assume_role_policy()
            .role_name(name)
            .policy_document(trust.to_string())
            .send()
            .await
            .map_err(aws_error("UpdateAssumeRolePolicy"))?;
        Ok(())
    }

    pub(super) async fn put_policy(&self, name: &str, policy: &Value) -> Result<()> {
        // One inline policy per role, named after it.
        self.roles
            .put_policy(name, name, &policy.to_string())
            .await?;
        Ok(())
    }

    /// Deletes the inline policy, then the role; false when there was no role.
    pub(super) async fn delete(&self, name: &str) -> Result<bool> {
        if self.get(name).await?.is_none() {
            return Ok(false);
        }
        // IAM refuses to delete a role that still has inline policies (DeleteRole, "DeleteConflict");
        // a role without its policy (a deploy that stopped between the two) answers NoSuchEntity.
        let detached = self.roles.delete_policy(name, name).await;
        found(detached, &["NoSuchEntity"])?;
        self.roles.delete(name).await?;
        Ok(true)
    }
}
