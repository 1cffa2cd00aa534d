//! [`CloudWatchCalls`] in memory, for the unit tests of every caller: the alarms put, with their
//! action and tags, and the dashboards, answering the finders from them and recording every call
//! in the function's shared [`SharedRecorder`], where a test also injects faults. A test puts
//! alarms and dashboards into [`FakeCloudWatch::world`] directly, as someone outside the function
//! would. Deleting what is not there succeeds here; a test that needs AWS's not-found answer
//! injects it as a fault.

use crate::{Alarm, CallResult, CloudWatchCalls, DELETE_ALARMS_BATCH};
use env_core::error::aws_failure;
use env_core::recorder::{RecordedWorld, SharedRecorder};
use env_core::tags::Tag;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct StoredAlarm {
    pub alarm: Alarm,
    /// Its alarm and OK action.
    pub topic_arn: String,
    pub tags: Vec<Tag>,
}

/// What the fake CloudWatch holds.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CloudWatchWorld {
    /// The metric alarms by name.
    pub alarms: BTreeMap<String, StoredAlarm>,
    /// The dashboards' bodies by name.
    pub dashboards: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
pub struct FakeCloudWatch {
    /// The alarms and dashboards, and the function's recorder their calls land in.
    recorded: RecordedWorld<CloudWatchWorld>,
}

impl FakeCloudWatch {
    /// An account without alarms or dashboards, whose calls land in `recorder`.
    pub fn new(recorder: SharedRecorder) -> Self {
        let mut recorded = RecordedWorld::new(CloudWatchWorld::default());
        recorded.recorder = recorder;
        Self { recorded }
    }
}

env_core::recorded_world!(FakeCloudWatch, CloudWatchWorld, recorded);

impl CloudWatchCalls for FakeCloudWatch {
    async fn alarm_names(&self, prefix: &str) -> CallResult<Vec<String>> {
        let world = self.read("DescribeAlarms")?;
        Ok(world
            .alarms
            .keys()
            .filter(|name| name.starts_with(prefix))
            .cloned()
            .collect())
    }

    async fn put_alarm(&self, alarm: &Alarm, topic_arn: &str, tags: &[Tag]) -> CallResult<()> {
        let mut world = self.write("PutMetricAlarm")?;
        let stored = StoredAlarm {
            alarm: alarm.clone(),
            topic_arn: topic_arn.to_owned(),
            tags: tags.to_vec(),
        };
        world.alarms.insert(alarm.name.clone(), stored);
        Ok(())
    }

    /// More names than one call takes is refused, as CloudWatch refuses it, and deletes nothing.
    async fn delete_alarms(&self, names: &[String]) -> CallResult<()> {
        if names.len() > DELETE_ALARMS_BATCH {
            self.recorder.lock().call("DeleteAlarms")?;
            return Err(aws_failure("DeleteAlarms", "ValidationError"));
        }
        let mut world = self.write("DeleteAlarms")?;
        world.alarms.retain(|name, _| !names.contains(name));
        Ok(())
    }

    async fn dashboard_exists(&self, name: &str) -> CallResult<bool> {
        let world = self.read("ListDashboards")?;
        Ok(world.dashboards.contains_key(name))
    }

    async fn put_dashboard(&self, name: &str, body: &str) -> CallResult<()> {
        let mut world = self.write("PutDashboard")?;
        world.dashboards.insert(name.to_owned(), body.to_owned());
        Ok(())
    }

    async fn delete_dashboard(&self, name: &str) -> CallResult<()> {
        let mut world = self.write("DeleteDashboards")?;
        world.dashboards.remove(name);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
