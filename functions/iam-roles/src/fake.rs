//! [`RoleCalls`] in memory, for the unit tests of every role owner: the roles made, with their
//! trust policy, tags and inline policies, answering as IAM answers (NoSuchEntity,
//! EntityAlreadyExists, DeleteConflict) and recording every call in the function's shared
//! [`SharedRecorder`], where a test also injects faults.

use super::{same_document, RoleCalls};
use env_core::error::{aws_failure, AwsCallError};
use env_core::recorder::SharedRecorder;
use env_core::tags::Tag;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// The account the fake's roles are made in.
pub const ACCOUNT: &str = "123456789012";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRole {
    pub arn: String,
    pub description: String,
    pub trust_policy: String,
    pub tags: Vec<Tag>,
    /// Inline policies by name.
    pub policies: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct FakeRoles {
    recorder: SharedRecorder,
    roles: Arc<Mutex<BTreeMap<String, StoredRole>>>,
}

impl FakeRoles {
    /// Roles whose calls land in `recorder`.
    pub fn new(recorder: SharedRecorder) -> Self {
        Self {
            recorder,
            roles: Arc::default(),
        }
    }

    /// The roles by name, to read or to change by hand as someone outside the function would.
    pub fn roles(&self) -> MutexGuard<'_, BTreeMap<String, StoredRole>> {
        self.roles
            .lock()
            .expect("no test panics while holding the roles")
    }

    /// Records the call; fails it when a fault is due or when the role is missing.
    fn existing(
        &self,
        operation: &'static str,
        name: &str,
    ) -> Result<MutexGuard<'_, BTreeMap<String, StoredRole>>, AwsCallError> {
        self.recorder.lock().call(operation)?;
        let roles = self.roles();
        if !roles.contains_key(name) {
            return Err(aws_failure(operation, "NoSuchEntity"));
        }
        Ok(roles)
    }

    fn changed(&self, operation: &'static str) {
        self.recorder.lock().changes.push(operation);
    }
}

impl RoleCalls for FakeRoles {
    async fn arn(&self, name: &str) -> Result<Option<String>, AwsCallError> {
        self.recorder.lock().call("GetRole")?;
        Ok(self.roles().get(name).map(|role| role.arn.clone()))
    }

    async fn create(
        &self,
        name: &str,
        description: &str,
        trust_policy: &str,
        tags: &[Tag],
    ) -> Result<String, AwsCallError> {
        self.recorder.lock().call("CreateRole")?;
        let mut roles = self.roles();
        if roles.contains_key(name) {
            return Err(aws_failure("CreateRole", "EntityAlreadyExists"));
        }
        let arn = format!("arn:aws:iam::{ACCOUNT}:role/{name}");
        let role = StoredRole {
            arn: arn.clone(),
            description: description.to_owned(),
            trust_policy: trust_policy.to_owned(),
            tags: tags.to_vec(),
            policies: BTreeMap::new(),
        };
        roles.insert(name.to_owned(), role);
        self.changed("CreateRole");
        Ok(arn)
    }

    async fn put_policy(
        &self,
        role: &str,
        policy: &str,
        document: &str,
    ) -> Result<(), AwsCallError> {
        let mut roles = self.existing("GetRolePolicy", role)?;
        let stored = roles.get_mut(role).expect("checked by existing");
        if same_document(stored.policies.get(policy).map(String::as_str), document) {
            return Ok(());
        }
        drop(roles);
        let mut roles = self.existing("PutRolePolicy", role)?;
        let stored = roles.get_mut(role).expect("checked by existing");
        stored
            .policies
            .insert(policy.to_owned(), document.to_owned());
        self.changed("PutRolePolicy");
        Ok(())
    }

    async fn policy_names(&self, role: &str) -> Result<Vec<String>, AwsCallError> {
        let roles = self.existing("ListRolePolicies", role)?;
        Ok(roles[role].policies.keys().cloned().collect())
    }

    async fn delete_policy(&self, role: &str, policy: &str) -> Result<(), AwsCallError> {
        let mut roles = self.existing("DeleteRolePolicy", role)?;
        let stored = roles.get_mut(role).expect("checked by existing");
        if stored.policies.remove(policy).is_none() {
            return Err(aws_failure("DeleteRolePolicy", "NoSuchEntity"));
        }
        self.changed("DeleteRolePolicy");
        Ok(())
    }

    async fn delete(&self, name: &str) -> Result<(), AwsCallError> {
        let mut roles = self.existing("DeleteRole", name)?;
        if !roles[name].policies.is_empty() {
            return Err(aws_failure("DeleteRole", "DeleteConflict"));
        }
        roles.remove(name);
        self.changed("DeleteRole");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[]}"#;
    const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}"#;

    #[tokio::test]
    async fn roles_are_made_given_policies_and_deleted_as_iam_answers() {
        let recorder = SharedRecorder::default();
        let roles = FakeRoles::new(recorder.clone());
        assert_eq!(roles.arn("flow-logs").await.unwrap(), None);
        let arn = roles
            .create("flow-logs", "writes flow logs", TRUST, &[])
            .await
            .unwrap();
        assert_eq!(arn, "arn:aws:iam::123456789012:role/flow-logs");
        assert_eq!(roles.arn("flow-logs").await.unwrap(), Some(arn));
        let again = roles.create("flow-logs", "", TRUST, &[]).await.unwrap_err();
        assert!(again.is_code("EntityAlreadyExists"));

        roles
            .put_policy("flow-logs", "write", POLICY)
            .await
            .unwrap();
        // The same document again, spaced otherwise, is no change.
        let spaced = POLICY.replace(',', ", ");
        roles
            .put_policy("flow-logs", "write", &spaced)
            .await
            .unwrap();
        assert_eq!(roles.policy_names("flow-logs").await.unwrap(), ["write"]);
        let conflict = roles.delete("flow-logs").await.unwrap_err();
        assert!(conflict.is_code("DeleteConflict"));
        roles.delete_policy("flow-logs", "write").await.unwrap();
        let gone = roles.delete_policy("flow-logs", "write").await.unwrap_err();
        assert!(gone.is_code("NoSuchEntity"));
        roles.delete("flow-logs").await.unwrap();
        let missing = roles.put_policy("flow-logs", "write", POLICY).await;
        assert!(missing.unwrap_err().is_code("NoSuchEntity"));
        assert!(roles.roles().is_empty());
        assert_eq!(
            recorder.lock().changes,
            [
                "CreateRole",
                "PutRolePolicy",
                "DeleteRolePolicy",
                "DeleteRole"
            ]
        );
    }

    #[tokio::test]
    async fn a_fault_injected_in_the_shared_recorder_reaches_the_role_call() {
        let recorder = SharedRecorder::default();
        let roles = FakeRoles::new(recorder.clone());
        recorder.lock().fail("CreateRole", "Throttling");
        let error = roles.create("r", "", TRUST, &[]).await.unwrap_err();
        assert!(error.is_code("Throttling"));
        assert!(roles.roles().is_empty());
        assert_eq!(recorder.lock().calls, ["CreateRole"]);
    }
}
