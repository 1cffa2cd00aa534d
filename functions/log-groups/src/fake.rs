//! [`LogGroupCalls`] in memory, for the unit tests of every log-group owner: the groups made, with
//! their key, retention and tags, answering as CloudWatch Logs answers (ResourceNotFoundException,
//! ResourceAlreadyExistsException) and recording every call in the function's shared
//! [`SharedRecorder`], where a test also injects faults.

use super::LogGroupCalls;
use env_core::error::{aws_failure, AwsCallError};
use env_core::recorder::SharedRecorder;
use env_core::tags::Tag;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLogGroup {
    /// `None` for a group without a key.
    pub kms_key_arn: Option<String>,
    pub retention_days: Option<i32>,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Default)]
pub struct FakeLogGroups {
    recorder: SharedRecorder,
    groups: Arc<Mutex<BTreeMap<String, StoredLogGroup>>>,
}

impl FakeLogGroups {
    /// Log groups whose calls land in `recorder`.
    pub fn new(recorder: SharedRecorder) -> Self {
        Self {
            recorder,
            groups: Arc::default(),
        }
    }

    /// The groups by name, to read or to change by hand as someone outside the function would.
    pub fn groups(&self) -> MutexGuard<'_, BTreeMap<String, StoredLogGroup>> {
        self.groups
            .lock()
            .expect("no test panics while holding the groups")
    }

    /// Records a call that changes the group `name`; fails it when a fault is due or the group is
    /// missing, else hands the group to `change` and records the change.
    fn change(
        &self,
        operation: &'static str,
        name: &str,
        change: impl FnOnce(&mut BTreeMap<String, StoredLogGroup>),
    ) -> Result<(), AwsCallError> {
        self.recorder.lock().call(operation)?;
        let mut groups = self.groups();
        if !groups.contains_key(name) {
            return Err(aws_failure(operation, "ResourceNotFoundException"));
        }
        change(&mut groups);
        self.recorder.lock().changes.push(operation);
        Ok(())
    }
}

impl LogGroupCalls for FakeLogGroups {
    async fn key(&self, name: &str) -> Result<Option<Option<String>>, AwsCallError> {
        self.recorder.lock().call("DescribeLogGroups")?;
        Ok(self
            .groups()
            .get(name)
            .map(|group| group.kms_key_arn.clone()))
    }

    async fn associate_key(&self, name: &str, kms_key_arn: &str) -> Result<(), AwsCallError> {
        self.change("AssociateKmsKey", name, |groups| {
            groups.get_mut(name).expect("checked").kms_key_arn = Some(kms_key_arn.to_owned());
        })
    }

    async fn create(
        &self,
        name: &str,
        kms_key_arn: &str,
        tags: &[Tag],
    ) -> Result<(), AwsCallError> {
        self.recorder.lock().call("CreateLogGroup")?;
        let mut groups = self.groups();
        if groups.contains_key(name) {
            return Err(aws_failure(
                "CreateLogGroup",
                "ResourceAlreadyExistsException",
            ));
        }
        let group = StoredLogGroup {
            kms_key_arn: Some(kms_key_arn.to_owned()),
            retention_days: None,
            tags: tags.to_vec(),
        };
        groups.insert(name.to_owned(), group);
        self.recorder.lock().changes.push("CreateLogGroup");
        Ok(())
    }

    async fn set_retention(&self, name: &str, days: i32) -> Result<(), AwsCallError> {
        self.change("PutRetentionPolicy", name, |groups| {
            groups.get_mut(name).expect("checked").retention_days = Some(days);
        })
    }

    async fn delete(&self, name: &str) -> Result<(), AwsCallError> {
        self.change("DeleteLogGroup", name, |groups| {
            groups.remove(name);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/k";

    #[tokio::test]
    async fn groups_are_made_kept_keyed_and_deleted_as_cloudwatch_logs_answers() {
        let recorder = SharedRecorder::default();
        let logs = FakeLogGroups::new(recorder.clone());
        assert!(!logs.exists("/catalog/pr-1/app").await.unwrap());
        logs.create("/catalog/pr-1/app", KEY, &[]).await.unwrap();
        let again = logs
            .create("/catalog/pr-1/app", KEY, &[])
            .await
            .unwrap_err();
        assert!(again.is_code("ResourceAlreadyExistsException"));
        logs.set_retention("/catalog/pr-1/app", 14).await.unwrap();
        logs.groups()
            .get_mut("/catalog/pr-1/app")
            .unwrap()
            .kms_key_arn = None;
        assert_eq!(logs.key("/catalog/pr-1/app").await.unwrap(), Some(None));
        logs.associate_key("/catalog/pr-1/app", KEY).await.unwrap();
        assert_eq!(
            logs.groups()["/catalog/pr-1/app"],
            StoredLogGroup {
                kms_key_arn: Some(KEY.into()),
                retention_days: Some(14),
                tags: Vec::new()
            }
        );
        logs.delete("/catalog/pr-1/app").await.unwrap();
        let missing = logs
            .set_retention("/catalog/pr-1/app", 14)
            .await
            .unwrap_err();
        assert!(missing.is_code("ResourceNotFoundException"));
        assert_eq!(
            recorder.lock().changes,
            [
                "CreateLogGroup",
                "PutRetentionPolicy",
                "AssociateKmsKey",
                "DeleteLogGroup"
            ]
        );
    }

    #[tokio::test]
    async fn a_fault_injected_in_the_shared_recorder_reaches_the_log_call() {
        let recorder = SharedRecorder::default();
        let logs = FakeLogGroups::new(recorder.clone());
        recorder
            .lock()
            .fail("CreateLogGroup", "OperationAbortedException");
        let error = logs.create("g", KEY, &[]).await.unwrap_err();
        assert!(error.is_code("OperationAbortedException"));
        assert!(logs.groups().is_empty());
        recorder
            .lock()
            .fail("DescribeLogGroups", "ThrottlingException");
        assert!(logs.exists("g").await.is_err());
    }
}
