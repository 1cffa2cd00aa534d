//! [`SnsCalls`] over the AWS SDK: one SDK call (or one paginated listing) per method, its errors
//! named after the operation, and SNS's answers read into the plain types of the crate. No
//! decisions are taken here; they are the callers', where their unit tests reach them.

use crate::{is_topic_named, CallResult, EmailSubscription, SnsCalls};
use aws_config::SdkConfig;
use aws_sdk_sns::types as sns;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;

/// What ListSubscriptionsByTopic gives as the ARN of a subscription not confirmed yet.
const PENDING_CONFIRMATION: &str = "PendingConfirmation";

#[derive(Debug, Clone)]
pub struct Sns {
    client: aws_sdk_sns::Client,
}

impl Sns {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            client: aws_sdk_sns::Client::new(config),
        }
    }
}

fn sns_tag(tag: &Tag) -> sns::Tag {
    sns::Tag::builder()
        .key(tag.key)
        .value(&tag.value)
        .build()
        .expect("an SNS tag with its key and value set")
}

/// The ARN of the topic called `name` among those listed.
fn topic_named(topics: Vec<sns::Topic>, name: &str) -> Option<String> {
    topics
        .into_iter()
        .filter_map(|topic| topic.topic_arn)
        .find(|arn| is_topic_named(arn, name))
}

/// The email subscriptions among those listed; a pending one has no ARN.
fn email_subscriptions(subscriptions: Vec<sns::Subscription>) -> Vec<EmailSubscription> {
    subscriptions
        .into_iter()
        .filter(|s| s.protocol() == Some("email"))
        .filter_map(|s| {
            Some(EmailSubscription {
                email: s.endpoint?,
                arn: s.subscription_arn.filter(|arn| arn != PENDING_CONFIRMATION),
            })
        })
        .collect()
}

impl SnsCalls for Sns {
    async fn create_topic(&self, name: &str, kms_key: &str, tags: &[Tag]) -> CallResult<String> {
        let created = self
            .client
            .create_topic()
            .name(name)
            // SNS encrypts messages at rest with the environment's key.
            .attributes("KmsMasterKeyId", kms_key)
            .set_tags(Some(tags.iter().map(sns_tag).collect()))
            .send()
            .await
            .map_err(aws_error("CreateTopic"))?;
        let arn = created
            .topic_arn()
            .required("CreateTopicResponse.TopicArn")?;
        Ok(arn.to_owned())
    }

    async fn find_topic(&self, name: &str) -> CallResult<Option<String>> {
        let topics: Vec<sns::Topic> = self
            .client
            .list_topics()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("ListTopics"))?;
        Ok(topic_named(topics, name))
    }

    async fn email_subscriptions(&self, topic_arn: &str) -> CallResult<Vec<EmailSubscription>> {
        let subscriptions: Vec<sns::Subscription> = self
            .client
            .list_subscriptions_by_topic()
            .topic_arn(topic_arn)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("ListSubscriptionsByTopic"))?;
        Ok(email_subscriptions(subscriptions))
    }

    async fn subscribe_email(&self, topic_arn: &str, email: &str) -> CallResult<()> {
        self.client
            .subscribe()
            .topic_arn(topic_arn)
            .protocol("email")
            .endpoint(email)
            .send()
            .await
            .map_err(aws_error("Subscribe"))?;
        Ok(())
    }

    async fn unsubscribe(&self, subscription_arn: &str) -> CallResult<()> {
        self.client
            .unsubscribe()
            .subscription_arn(subscription_arn)
            .send()
            .await
            .map_err(aws_error("Unsubscribe"))?;
        Ok(())
    }

    async fn delete_topic(&self, topic_arn: &str) -> CallResult<()> {
        self.client
            .delete_topic()
            .topic_arn(topic_arn)
            .send()
            .await
            .map_err(aws_error("DeleteTopic"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
