//! [`Cloud`] with the AWS SDK: one SDK call (or one short sequence) per method, each service's
//! calls in a module of their own: the artifacts bucket ([`buckets`]), the backend's roles
//! ([`roles`]) and the boundary policy ([`managed_policies`]) in IAM, the functions ([`functions`])
//! and who may invoke them ([`permissions`]), the state machines ([`state_machines`]) and the cleanup schedule ([`schedules`]).

mod buckets;
mod functions;
mod managed_policies;
mod permissions;
mod roles;
mod schedules;
mod state_machines;

use super::api::{
    Cloud, FunctionState, MachineState, Permission, Result, RoleState, ScheduleState,
};
use anyhow::Context;
use envctl_common::account::Caller;
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct AwsCloud {
    caller: Caller,
    buckets: buckets::Buckets,
    roles: roles::BackendRoles,
    managed_policies: managed_policies::ManagedPolicies,
    functions: functions::Functions,
    permissions: permissions::Permissions,
    state_machines: state_machines::StateMachines,
    schedules: schedules::Schedules,
    ec2: aws_sdk_ec2::Client,
}

impl AwsCloud {
    pub fn new(config: &aws_config::SdkConfig, region: &str) -> Self {
        Self {
            caller: Caller::new(config),
            buckets: buckets::Buckets::new(config, region),
            roles: roles::BackendRoles::new(config),
            managed_policies: managed_policies::ManagedPolicies::new(config),
            functions: functions::Functions::new(config),
            permissions: permissions::Permissions::new(config),
            state_machines: state_machines::StateMachines::new(config),
            schedules: schedules::Schedules::new(config),
            ec2: aws_sdk_ec2::Client::new(config),
        }
    }
}

/// A policy document IAM answered (URL-encoded, or plain from an emulator), as JSON.
fn policy_document(encoded: &str) -> Result<Value> {
    iam_roles::decoded_document(encoded).context("a policy document that is not JSON")
}

impl Cloud for AwsCloud {
    async fn account(&self) -> Result<String> {
        self.caller.account().await
    }

    async fn bucket_exists(&self, bucket: &str) -> Result<bool> {
        self.buckets.exists(bucket).await
    }

    async fn create_bucket(&self, bucket: &str) -> Result<()> {
        self.buckets.create(bucket).await
    }

    async fn object_exists(&self, bucket: &str, key: &str) -> Result<bool> {
        self.buckets.object_exists(bucket, key).await
    }

    async fn put_object(&self, bucket: &str, key: &str, body: Vec<u8>) -> Result<()> {
        self.buckets.put_object(bucket, key, body).await
    }

    async fn delete_bucket(&self, bucket: &str) -> Result<bool> {
        self.buckets.delete(bucket).await
    }

    async fn role(&self, name: &str) -> Result<Option<RoleState>> {
        self.roles.get(name).await
    }

    async fn create_role(&self, name: &str, trust: &Value) -> Result<()> {
        self.roles.create(name, trust).await
    }

    async fn update_trust(&self, name: &str, trust: &Value) -> Result<()> {
        self.roles.update_trust(name, trust).await
    }

    async fn put_role_policy(&self, name: &str, policy: &Value) -> Result<()> {
        self.roles.put_policy(name, policy).await
    }

    async fn delete_role(&self, name: &str) -> Result<bool> {
        self.roles.delete(name).await
    }

    async fn managed_policy(&self, arn: &str) -> Result<Option<Value>> {
        self.managed_policies.get(arn).await
    }

    async fn create_managed_policy(&self, name: &str, document: &Value) -> Result<()> {
        self.managed_policies.create(name, document).await
    }

    async fn update_managed_policy(&self, arn: &str, document: &Value) -> Result<()> {
        self.managed_policies.update(arn, document).await
    }

    async fn delete_managed_policy(&self, arn: &str) -> Result<bool> {
        self.managed_policies.delete(arn).await
    }

    async fn function(&self, name: &str) -> Result<Option<FunctionState>> {
        self.functions.get(name).await
    }

    async fn create_function(&self, name: &str, state: &FunctionState, zip: Vec<u8>) -> Result<()> {
        self.functions.create(name, state, zip).await
    }

    async fn update_code(&self, name: &str, architecture: &str, zip: Vec<u8>) -> Result<()> {
        self.functions.update_code(name, architecture, zip).await
    }

    async fn update_configuration(&self, name: &str, state: &FunctionState) -> Result<()> {
        self.functions.update_configuration(name, state).await
    }

    async fn delete_function(&self, name: &str) -> Result<bool> {
        self.functions.delete(name).await
    }

    async fn put_concurrency(&self, name: &str, reserved: i32) -> Result<()> {
        self.functions.put_concurrency(name, reserved).await
    }

    async fn permission(&self, function: &str, statement_id: &str) -> Result<Option<Permission>> {
        self.permissions.get(function, statement_id).await
    }

    async fn add_permission(&self, function: &str, permission: &Permission) -> Result<()> {
        self.permissions.add(function, permission).await
    }

    async fn remove_permission(&self, function: &str, statement_id: &str) -> Result<()> {
        self.permissions.remove(function, statement_id).await
    }

    async fn state_machine(&self, arn: &str) -> Result<Option<MachineState>> {
        self.state_machines.get(arn).await
    }

    async fn create_state_machine(&self, name: &str, state: &MachineState) -> Result<()> {
        self.state_machines.create(name, state).await
    }

    async fn update_state_machine(&self, arn: &str, state: &MachineState) -> Result<()> {
        self.state_machines.update(arn, state).await
    }

    async fn delete_state_machine(&self, arn: &str) -> Result<bool> {
        self.state_machines.delete(arn).await
    }

    async fn schedule(&self, name: &str) -> Result<Option<ScheduleState>> {
        self.schedules.get(name).await
    }

    async fn create_schedule(&self, name: &str, state: &ScheduleState) -> Result<()> {
        self.schedules.create(name, state).await
    }

    async fn update_schedule(&self, name: &str, state: &ScheduleState) -> Result<()> {
        self.schedules.update(name, state).await
    }

    async fn delete_schedule(&self, name: &str) -> Result<bool> {
        self.schedules.delete(name).await
    }

    async fn environments(&self) -> Result<Vec<String>> {
        envctl_common::tagged::environment_suffixes(&self.ec2).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_policy_documents_are_decoded() {
        let value = policy_document("%7B%22a%22%3A%20%22b%25%22%7D").unwrap();
        assert_eq!(value, serde_json::json!({"a": "b%"}));
        assert_eq!(policy_document("{\"c\": \"%zz\"}").unwrap()["c"], "%zz");
        let error = policy_document("%7B").unwrap_err();
        assert_eq!(error.to_string(), "a policy document that is not JSON");
    }
}
