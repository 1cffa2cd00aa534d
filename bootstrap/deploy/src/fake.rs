//! An in-memory [`Cloud`] for the unit tests, with a way to make any call fail.

use super::api::{
    Cloud, FunctionState, MachineState, Permission, Result, RoleState, ScheduleState,
};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Default)]
pub struct FakeCloud {
    pub buckets: RefCell<BTreeMap<String, BTreeSet<String>>>,
    /// Each object put, by key.
    pub objects: RefCell<BTreeMap<String, Vec<u8>>>,
    pub roles: RefCell<BTreeMap<String, RoleState>>,
    pub managed_policies: RefCell<BTreeMap<String, Value>>,
    pub functions: RefCell<BTreeMap<String, FunctionState>>,
    /// Each function's resource-based policy statements, by (function, statement id).
    pub permissions: RefCell<BTreeMap<(String, String), Permission>>,
    pub machines: RefCell<BTreeMap<String, MachineState>>,
    pub schedules: RefCell<BTreeMap<String, ScheduleState>>,
    pub environments: Vec<String>,
    /// Calls that change something, in order: "CreateRole catalog-fn-network", …
    pub calls: RefCell<Vec<String>>,
    /// The call (operation name) that fails, as AWS would with AccessDenied.
    pub failing: Option<&'static str>,
}

impl FakeCloud {
    fn call(&self, operation: &'static str, target: &str) -> Result<()> {
        if self.failing == Some(operation) {
            anyhow::bail!("{operation} {target}: AccessDenied: not authorized");
        }
        self.calls
            .borrow_mut()
            .push(format!("{operation} {target}"));
        Ok(())
    }
}

impl Cloud for FakeCloud {
    async fn account(&self) -> Result<String> {
        self.call("GetCallerIdentity", "")?;
        Ok("123456789012".into())
    }

    async fn bucket_exists(&self, bucket: &str) -> Result<bool> {
        Ok(self.buckets.borrow().contains_key(bucket))
    }

    async fn create_bucket(&self, bucket: &str) -> Result<()> {
        self.call("CreateBucket", bucket)?;
        self.buckets
            .borrow_mut()
            .insert(bucket.into(), BTreeSet::new());
        Ok(())
    }

    async fn object_exists(&self, bucket: &str, key: &str) -> Result<bool> {
        Ok(self
            .buckets
            .borrow()
            .get(bucket)
            .is_some_and(|keys| keys.contains(key)))
    }

    async fn put_object(&self, bucket: &str, key: &str, body: Vec<u8>) -> Result<()> {
        self.call("PutObject", key)?;
        self.objects.borrow_mut().insert(key.into(), body);
        self.buckets
            .borrow_mut()
            .entry(bucket.into())
            .or_default()
            .insert(key.into());
        Ok(())
    }

    async fn delete_bucket(&self, bucket: &str) -> Result<bool> {
        self.call("DeleteBucket", bucket)?;
        Ok(self.buckets.borrow_mut().remove(bucket).is_some())
    }

    async fn role(&self, name: &str) -> Result<Option<RoleState>> {
        Ok(self.roles.borrow().get(name).cloned())
    }

    async fn create_role(&self, name: &str, trust: &Value) -> Result<()> {
        self.call("CreateRole", name)?;
        self.roles.borrow_mut().insert(
            name.into(),
            RoleState {
                trust: trust.clone(),
                policy: None,
            },
        );
        Ok(())
    }

    async fn update_trust(&self, name: &str, trust: &Value) -> Result<()> {
        self.call("UpdateAssumeRolePolicy", name)?;
        if let Some(role) = self.roles.borrow_mut().get_mut(name) {
            role.trust = trust.clone();
        }
        Ok(())
    }

    async fn put_role_policy(&self, name: &str, policy: &Value) -> Result<()> {
        self.call("PutRolePolicy", name)?;
        if let Some(role) = self.roles.borrow_mut().get_mut(name) {
            role.policy = Some(policy.clone());
        }
        Ok(())
    }

    async fn delete_role(&self, name: &str) -> Result<bool> {
        self.call("DeleteRole", name)?;
        Ok(self.roles.borrow_mut().remove(name).is_some())
    }

    async fn managed_policy(&self, arn: &str) -> Result<Option<Value>> {
        Ok(self.managed_policies.borrow().get(arn).cloned())
    }

    async fn create_managed_policy(&self, name: &str, document: &Value) -> Result<()> {
        self.call("CreatePolicy", name)?;
        let arn = format!("arn:aws:iam::123456789012:policy/{name}");
        self.managed_policies
            .borrow_mut()
            .insert(arn, document.clone());
        Ok(())
    }

    async fn update_managed_policy(&self, arn: &str, document: &Value) -> Result<()> {
        self.call("CreatePolicyVersion", arn)?;
        self.managed_policies
            .borrow_mut()
            .insert(arn.into(), document.clone());
        Ok(())
    }

    async fn delete_managed_policy(&self, arn: &str) -> Result<bool> {
        self.call("DeletePolicy", arn)?;
        Ok(self.managed_policies.borrow_mut().remove(arn).is_some())
    }

    async fn function(&self, name: &str) -> Result<Option<FunctionState>> {
        Ok(self.functions.borrow().get(name).cloned())
    }

    async fn create_function(
        &self,
        name: &str,
        state: &FunctionState,
        _zip: Vec<u8>,
    ) -> Result<()> {
        self.call("CreateFunction", name)?;
        // CreateFunction takes no reserved concurrency: PutFunctionConcurrency sets it.
        let created = FunctionState {
            reserved_concurrency: None,
            ..state.clone()
        };
        self.functions.borrow_mut().insert(name.into(), created);
        Ok(())
    }

    async fn update_code(&self, name: &str, architecture: &str, zip: Vec<u8>) -> Result<()> {
        self.call("UpdateFunctionCode", name)?;
        if let Some(function) = self.functions.borrow_mut().get_mut(name) {
            function.code_sha256 = super::apply::code_sha256(&zip);
            function.architecture = architecture.into();
        }
        Ok(())
    }

    async fn update_configuration(&self, name: &str, state: &FunctionState) -> Result<()> {
        self.call("UpdateFunctionConfiguration", name)?;
        if let Some(function) = self.functions.borrow_mut().get_mut(name) {
            function.role_arn.clone_from(&state.role_arn);
            function.environment.clone_from(&state.environment);
        }
        Ok(())
    }

    async fn delete_function(&self, name: &str) -> Result<bool> {
        self.call("DeleteFunction", name)?;
        // A function's policy goes with it.
        self.permissions
            .borrow_mut()
            .retain(|(function, _), _| function != name);
        Ok(self.functions.borrow_mut().remove(name).is_some())
    }

    async fn put_concurrency(&self, name: &str, reserved: i32) -> Result<()> {
        self.call("PutFunctionConcurrency", name)?;
        if let Some(function) = self.functions.borrow_mut().get_mut(name) {
            function.reserved_concurrency = Some(reserved);
        }
        Ok(())
    }

    async fn permission(&self, function: &str, statement_id: &str) -> Result<Option<Permission>> {
        let key = (function.to_owned(), statement_id.to_owned());
        Ok(self.permissions.borrow().get(&key).cloned())
    }

    async fn add_permission(&self, function: &str, permission: &Permission) -> Result<()> {
        self.call("AddPermission", function)?;
        let key = (function.to_owned(), permission.statement_id.clone());
        self.permissions
            .borrow_mut()
            .insert(key, permission.clone());
        Ok(())
    }

    async fn remove_permission(&self, function: &str, statement_id: &str) -> Result<()> {
        self.call("RemovePermission", function)?;
        let key = (function.to_owned(), statement_id.to_owned());
        self.permissions.borrow_mut().remove(&key);
        Ok(())
    }

    async fn state_machine(&self, arn: &str) -> Result<Option<MachineState>> {
        Ok(self.machines.borrow().get(arn).cloned())
    }

    async fn create_state_machine(&self, name: &str, state: &MachineState) -> Result<()> {
        self.call("CreateStateMachine", name)?;
        let arn = format!("arn:aws:states:us-west-2:123456789012:stateMachine:{name}");
        self.machines.borrow_mut().insert(arn, state.clone());
        Ok(())
    }

    async fn update_state_machine(&self, arn: &str, state: &MachineState) -> Result<()> {
        self.call("UpdateStateMachine", arn)?;
        self.machines.borrow_mut().insert(arn.into(), state.clone());
        Ok(())
    }

    async fn delete_state_machine(&self, arn: &str) -> Result<bool> {
        self.call("DeleteStateMachine", arn)?;
        Ok(self.machines.borrow_mut().remove(arn).is_some())
    }

    async fn schedule(&self, name: &str) -> Result<Option<ScheduleState>> {
        Ok(self.schedules.borrow().get(name).cloned())
    }

    async fn create_schedule(&self, name: &str, state: &ScheduleState) -> Result<()> {
        self.call("CreateSchedule", name)?;
        self.schedules
            .borrow_mut()
            .insert(name.into(), state.clone());
        Ok(())
    }

    async fn update_schedule(&self, name: &str, state: &ScheduleState) -> Result<()> {
        self.call("UpdateSchedule", name)?;
        self.schedules
            .borrow_mut()
            .insert(name.into(), state.clone());
        Ok(())
    }

    async fn delete_schedule(&self, name: &str) -> Result<bool> {
        self.call("DeleteSchedule", name)?;
        Ok(self.schedules.borrow_mut().remove(name).is_some())
    }

    async fn environments(&self) -> Result<Vec<String>> {
        Ok(self.environments.clone())
    }
}
