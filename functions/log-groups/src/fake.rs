//! [`LogGroupCalls`] and [`MetricFilterCalls`] in memory, for the unit tests of every log-group
//! owner: the groups made, with their key, retention, tags and metric filters, answering as
//! CloudWatch Logs answers (ResourceNotFoundException, ResourceAlreadyExistsException) and
//! recording every call in the function's shared [`SharedRecorder`], where a test also injects
//! faults.

use super::{LogGroupCalls, MetricFilter, MetricFilterCalls};
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

/// The metric filters of each group, by group name, then by filter name.
pub type StoredMetricFilters = BTreeMap<String, BTreeMap<String, MetricFilter>>;

#[derive(Debug, Clone, Default)]
pub struct FakeLogGroups {
    recorder: SharedRecorder,
    groups: Arc<Mutex<BTreeMap<String, StoredLogGroup>>>,
    /// Kept beside the groups (whose type other crates' tests build); always locked after them.
    filters: Arc<Mutex<StoredMetricFilters>>,
}

impl FakeLogGroups {
    /// Log groups whose calls land in `recorder`.
    pub fn new(recorder: SharedRecorder) -> Self {
        Self {
            recorder,
            groups: Arc::default(),
            filters: Arc::default(),
        }
    }

    /// The groups by name, to read or to change by hand as someone outside the function would.
    pub fn groups(&self) -> MutexGuard<'_, BTreeMap<String, StoredLogGroup>> {
        self.groups
            .lock()
            .expect("no test panics while holding the groups")
    }

    /// The metric filters by group, to read or to change by hand; a group's filters count only
    /// while the group exists.
    pub fn metric_filters(&self) -> MutexGuard<'_, StoredMetricFilters> {
        self.filters
            .lock()
            .expect("no test panics while holding the metric filters")
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

    /// Deleting a group deletes its metric filters too.
    async fn delete(&self, name: &str) -> Result<(), AwsCallError> {
        self.change("DeleteLogGroup", name, |groups| {
            groups.remove(name);
            self.metric_filters().remove(name);
        })
    }
}

impl MetricFilterCalls for FakeLogGroups {
    async fn put_metric_filter(
        &self,
        log_group: &str,
        filter: &MetricFilter,
    ) -> Result<(), AwsCallError> {
        self.change("PutMetricFilter", log_group, |_| {
            self.metric_filters()
                .entry(log_group.to_owned())
                .or_default()
                .insert(filter.name.clone(), filter.clone());
        })
    }

    async fn metric_filter_names(&self, log_group: &str) -> Result<Vec<String>, AwsCallError> {
        self.recorder.lock().call("DescribeMetricFilters")?;
        let groups = self.groups();
        if !groups.contains_key(log_group) {
            return Err(aws_failure(
                "DescribeMetricFilters",
                "ResourceNotFoundException",
            ));
        }
        let filters = self.metric_filters();
        let names = filters.get(log_group).into_iter().flat_map(BTreeMap::keys);
        Ok(names.cloned().collect())
    }

    /// A filter that is not there is ResourceNotFoundException, as a missing group is.
    async fn delete_metric_filter(&self, log_group: &str, name: &str) -> Result<(), AwsCallError> {
        self.recorder.lock().call("DeleteMetricFilter")?;
        let groups = self.groups();
        let mut filters = self.metric_filters();
        let removed = match filters.get_mut(log_group) {
            Some(group) if groups.contains_key(log_group) => group.remove(name),
            _ => None,
        };
        if removed.is_none() {
            return Err(aws_failure(
                "DeleteMetricFilter",
                "ResourceNotFoundException",
            ));
        }
        self.recorder.lock().changes.push("DeleteMetricFilter");
        Ok(())
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

    fn filter(name: &str) -> MetricFilter {
        MetricFilter {
            name: name.into(),
            pattern: "{ $.status >= 500 }",
            namespace: "catalog-api-pr-1".into(),
            metric_name: "ServerErrors",
            value: "1",
            unit: crate::Unit::Count,
        }
    }

    #[tokio::test]
    async fn metric_filters_live_on_their_group_are_replaced_by_name_and_go_with_it() {
        let recorder = SharedRecorder::default();
        let logs = FakeLogGroups::new(recorder.clone());
        let missing = logs.put_metric_filter("app", &filter("errors")).await;
        assert!(missing.unwrap_err().is_code("ResourceNotFoundException"));
        let listed = logs.metric_filter_names("app").await.unwrap_err();
        assert!(listed.is_code("ResourceNotFoundException"));

        logs.create("app", KEY, &[]).await.unwrap();
        assert!(logs.metric_filter_names("app").await.unwrap().is_empty());
        logs.put_metric_filter("app", &filter("errors"))
            .await
            .unwrap();
        let mut replaced = filter("errors");
        replaced.value = "2";
        logs.put_metric_filter("app", &replaced).await.unwrap();
        logs.put_metric_filter("app", &filter("latency"))
            .await
            .unwrap();
        assert_eq!(
            logs.metric_filter_names("app").await.unwrap(),
            ["errors", "latency"]
        );
        assert_eq!(logs.metric_filters()["app"]["errors"].value, "2");

        logs.delete_metric_filter("app", "errors").await.unwrap();
        let again = logs
            .delete_metric_filter("app", "errors")
            .await
            .unwrap_err();
        assert!(again.is_code("ResourceNotFoundException"));
        logs.delete("app").await.unwrap();
        assert!(logs.metric_filters().is_empty());
        let gone = logs
            .delete_metric_filter("app", "latency")
            .await
            .unwrap_err();
        assert!(gone.is_code("ResourceNotFoundException"));
        assert_eq!(
            recorder.lock().changes,
            [
                "CreateLogGroup",
                "PutMetricFilter",
                "PutMetricFilter",
                "PutMetricFilter",
                "DeleteMetricFilter",
                "DeleteLogGroup"
            ]
        );
    }

    #[tokio::test]
    async fn a_fault_injected_in_the_shared_recorder_reaches_the_metric_filter_call() {
        let recorder = SharedRecorder::default();
        let logs = FakeLogGroups::new(recorder.clone());
        logs.create("app", KEY, &[]).await.unwrap();
        logs.put_metric_filter("app", &filter("errors"))
            .await
            .unwrap();
        for operation in ["DescribeMetricFilters", "DeleteMetricFilter"] {
            recorder.lock().fail(operation, "AccessDeniedException");
        }
        assert!(logs.metric_filter_names("app").await.is_err());
        assert!(logs.delete_metric_filter("app", "errors").await.is_err());
        assert_eq!(logs.metric_filters()["app"].len(), 1);
        assert!(recorder.lock().faults_answered());
    }
}
