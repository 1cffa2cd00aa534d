//! [`SnsCalls`] in memory, for the unit tests of every caller: the topics made, with their key and
//! tags, and their email subscriptions, answering the finders from them and recording every call
//! in the function's shared [`SharedRecorder`], where a test also injects faults. A test puts
//! topics and subscriptions into [`FakeSns::world`] directly, as someone outside the function
//! would.

use crate::{is_topic_named, CallResult, EmailSubscription, SnsCalls};
use env_core::recorder::{RecordedWorld, SharedRecorder};
use env_core::tags::Tag;

/// The account and region of the topics the fake makes.
const ARN_PREFIX: &str = "arn:aws:sns:us-west-2:123456789012:";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTopic {
    pub arn: String,
    pub kms_key: String,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSubscription {
    pub topic_arn: String,
    pub email: String,
    /// Whether the address clicked the link; until then the subscription has no ARN.
    pub confirmed: bool,
}

impl StoredSubscription {
    /// The subscription's ARN once confirmed: the topic's, then the address.
    fn arn(&self) -> String {
        format!("{}:{}", self.topic_arn, self.email)
    }
}

/// What the fake SNS holds.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SnsWorld {
    pub topics: Vec<StoredTopic>,
    pub subscriptions: Vec<StoredSubscription>,
}

impl SnsWorld {
    /// The ARN the fake gives the topic called `name`.
    pub fn arn_of(name: &str) -> String {
        format!("{ARN_PREFIX}{name}")
    }

    /// The topic called `name`, found as ListTopics' callers find it: by the end of its ARN.
    pub fn topic(&self, name: &str) -> Option<&StoredTopic> {
        self.topics
            .iter()
            .find(|topic| is_topic_named(&topic.arn, name))
    }
}

#[derive(Debug, Default)]
pub struct FakeSns {
    /// The topics and subscriptions, and the function's recorder their calls land in.
    recorded: RecordedWorld<SnsWorld>,
}

impl FakeSns {
    /// An account without topics, whose calls land in `recorder`.
    pub fn new(recorder: SharedRecorder) -> Self {
        let mut recorded = RecordedWorld::new(SnsWorld::default());
        recorded.recorder = recorder;
        Self { recorded }
    }
}

env_core::recorded_world!(FakeSns, SnsWorld, recorded);

impl SnsCalls for FakeSns {
    /// Like SNS, CreateTopic of an existing name answers that topic's ARN and changes nothing.
    async fn create_topic(&self, name: &str, kms_key: &str, tags: &[Tag]) -> CallResult<String> {
        let mut world = self.write("CreateTopic")?;
        if let Some(topic) = world.topic(name) {
            return Ok(topic.arn.clone());
        }
        let arn = SnsWorld::arn_of(name);
        world.topics.push(StoredTopic {
            arn: arn.clone(),
            kms_key: kms_key.to_owned(),
            tags: tags.to_vec(),
        });
        Ok(arn)
    }

    async fn find_topic(&self, name: &str) -> CallResult<Option<String>> {
        let world = self.read("ListTopics")?;
        Ok(world.topic(name).map(|topic| topic.arn.clone()))
    }

    async fn email_subscriptions(&self, topic_arn: &str) -> CallResult<Vec<EmailSubscription>> {
        let world = self.read("ListSubscriptionsByTopic")?;
        Ok(world
            .subscriptions
            .iter()
            .filter(|s| s.topic_arn == topic_arn)
            .map(|s| EmailSubscription {
                email: s.email.clone(),
                arn: s.confirmed.then(|| s.arn()),
            })
            .collect())
    }

    async fn subscribe_email(&self, topic_arn: &str, email: &str) -> CallResult<()> {
        let mut world = self.write("Subscribe")?;
        // Confirmed at once, as if the address had clicked the link.
        world.subscriptions.push(StoredSubscription {
            topic_arn: topic_arn.to_owned(),
            email: email.to_owned(),
            confirmed: true,
        });
        Ok(())
    }

    async fn unsubscribe(&self, subscription_arn: &str) -> CallResult<()> {
        let mut world = self.write("Unsubscribe")?;
        world
            .subscriptions
            .retain(|s| !s.confirmed || s.arn() != subscription_arn);
        Ok(())
    }

    async fn delete_topic(&self, topic_arn: &str) -> CallResult<()> {
        let mut world = self.write("DeleteTopic")?;
        world.topics.retain(|topic| topic.arn != topic_arn);
        world.subscriptions.retain(|s| s.topic_arn != topic_arn);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
