//! The AWS calls `deploy` and `undeploy` make, as one small trait over plain types: the logic in
//! [`super::apply`] talks only to [`Cloud`]; [`super::aws::AwsCloud`] implements it with the SDK and
//! the unit tests with [`super::fake::FakeCloud`].

use serde_json::Value;
use std::collections::BTreeMap;

pub type Result<T> = anyhow::Result<T>;

/// A role as IAM holds it: the trust policy and the one inline policy the CLI writes.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleState {
    pub trust: Value,
    pub policy: Option<Value>,
}

/// The parts of a Lambda function the CLI sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionState {
    pub role_arn: String,
    pub architecture: String,
    /// Lambda's `CodeSha256`: base64 of the SHA-256 of the zip (API reference, FunctionConfiguration).
    pub code_sha256: String,
    pub environment: BTreeMap<String, String>,
    /// The function's reserved concurrency, which GetFunction answers as
    /// `Concurrency.ReservedConcurrentExecutions` (Lambda API reference, GetFunction); `None`:
    /// none reserved (CreateFunction cannot set it: PutFunctionConcurrency does).
    pub reserved_concurrency: Option<i32>,
}

/// One statement of a function's resource-based policy letting an AWS service invoke it, as
/// AddPermission writes it: `lambda:InvokeFunction` for `principal`, only from `source_account` and
/// a source whose ARN matches `source_arn` (Lambda adds it as an `ArnLike` condition, so it may
/// hold wildcards: Lambda API reference, AddPermission; IAM user guide, ARN condition operators).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    pub statement_id: String,
    pub principal: String,
    pub source_account: String,
    pub source_arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineState {
    pub definition: String,
    pub role_arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleState {
    pub expression: String,
    pub target_arn: String,
    pub role_arn: String,
}

#[allow(async_fn_in_trait)] // used with concrete types only, never as `dyn`
pub trait Cloud {
    async fn account(&self) -> Result<String>;

    async fn bucket_exists(&self, bucket: &str) -> Result<bool>;
    async fn create_bucket(&self, bucket: &str) -> Result<()>;
    async fn object_exists(&self, bucket: &str, key: &str) -> Result<bool>;
    async fn put_object(&self, bucket: &str, key: &str, body: Vec<u8>) -> Result<()>;
    /// Deletes every object, then the bucket; false when there was no bucket.
    async fn delete_bucket(&self, bucket: &str) -> Result<bool>;

    async fn role(&self, name: &str) -> Result<Option<RoleState>>;
    async fn create_role(&self, name: &str, trust: &Value) -> Result<()>;
    async fn update_trust(&self, name: &str, trust: &Value) -> Result<()>;
    async fn put_role_policy(&self, name: &str, policy: &Value) -> Result<()>;
    /// Deletes the inline policy, then the role; false when there was no role.
    async fn delete_role(&self, name: &str) -> Result<bool>;

    /// The default version's document of a customer managed policy, if the policy exists.
    async fn managed_policy(&self, arn: &str) -> Result<Option<Value>>;
    async fn create_managed_policy(&self, name: &str, document: &Value) -> Result<()>;
    /// A new default version; the oldest other version goes first when the policy already has
    /// the five IAM keeps (IAM user guide, "Versioning IAM policies").
    async fn update_managed_policy(&self, arn: &str, document: &Value) -> Result<()>;
    /// Deletes every version, then the policy; false when there was no policy.
    async fn delete_managed_policy(&self, arn: &str) -> Result<bool>;

    async fn function(&self, name: &str) -> Result<Option<FunctionState>>;
    async fn create_function(&self, name: &str, state: &FunctionState, zip: Vec<u8>) -> Result<()>;
    async fn update_code(&self, name: &str, architecture: &str, zip: Vec<u8>) -> Result<()>;
    async fn update_configuration(&self, name: &str, state: &FunctionState) -> Result<()>;
    async fn delete_function(&self, name: &str) -> Result<bool>;
    /// PutFunctionConcurrency: at most `reserved` instances of the function at once, and that
    /// many kept for it out of the account's concurrency.
    async fn put_concurrency(&self, name: &str, reserved: i32) -> Result<()>;
    /// The statement `statement_id` of the function's resource-based policy (GetPolicy), if the
    /// function has a policy holding it.
    async fn permission(&self, function: &str, statement_id: &str) -> Result<Option<Permission>>;
    async fn add_permission(&self, function: &str, permission: &Permission) -> Result<()>;
    async fn remove_permission(&self, function: &str, statement_id: &str) -> Result<()>;

    async fn state_machine(&self, arn: &str) -> Result<Option<MachineState>>;
    async fn create_state_machine(&self, name: &str, state: &MachineState) -> Result<()>;
    async fn update_state_machine(&self, arn: &str, state: &MachineState) -> Result<()>;
    async fn delete_state_machine(&self, arn: &str) -> Result<bool>;

    async fn schedule(&self, name: &str) -> Result<Option<ScheduleState>>;
    async fn create_schedule(&self, name: &str, state: &ScheduleState) -> Result<()>;
    async fn update_schedule(&self, name: &str, state: &ScheduleState) -> Result<()>;
    async fn delete_schedule(&self, name: &str) -> Result<bool>;

    /// The suffixes of the environments that exist: VPCs carrying the environment tag.
    async fn environments(&self) -> Result<Vec<String>>;
}
