//! The SNS calls of the components that own or read an environment's alarm topic (the monitoring
//! function makes and deletes it, the outputs function reads its ARN): one capability,
//! [`SnsCalls`], written once over the SDK ([`Sns`]) and once in memory for the unit tests
//! (`fake::FakeSns`, feature `test-util`). Each function's `Cloud` hands out its implementation
//! instead of declaring the calls again. The moto tests drive every SDK method through those
//! functions' binaries.

mod aws;

pub use aws::Sns;

use env_core::tags::Tag;
use env_core::AwsCallError;

pub type CallResult<T> = Result<T, AwsCallError>;

/// An email address subscribed to the alarm topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailSubscription {
    pub email: String,
    /// `None` while the address has not confirmed: SNS lists the subscription's ARN as
    /// `PendingConfirmation` until then, and it cannot be deleted (SNS developer guide, "Deleting an
    /// Amazon SNS subscription and topic": SNS deletes it itself after 48 hours unconfirmed).
    pub arn: Option<String>,
}

/// Whether `topic_arn` is the ARN of the topic called `name`: a topic ARN ends with `:<name>` (SNS
/// API reference, CreateTopic).
pub fn is_topic_named(topic_arn: &str, name: &str) -> bool {
    topic_arn.ends_with(&format!(":{name}"))
}

/// Everything the environment's functions ask of SNS, each one AWS operation (or one paginated
/// listing).
// The lint warns that callers cannot require `Send` futures from a public async trait; only the
// functions' binaries implement and call it, and their entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait SnsCalls {
    /// CreateTopic, encrypted with `kms_key` and tagged: the topic's ARN.
    async fn create_topic(&self, name: &str, kms_key: &str, tags: &[Tag]) -> CallResult<String>;
    /// ListTopics, every page: the ARN of the topic with this name, if it exists.
    async fn find_topic(&self, name: &str) -> CallResult<Option<String>>;
    /// ListSubscriptionsByTopic, every page: the email subscriptions, confirmed or pending.
    async fn email_subscriptions(&self, topic_arn: &str) -> CallResult<Vec<EmailSubscription>>;
    async fn subscribe_email(&self, topic_arn: &str, email: &str) -> CallResult<()>;
    /// Unsubscribe: deletes a confirmed subscription.
    async fn unsubscribe(&self, subscription_arn: &str) -> CallResult<()>;
    /// DeleteTopic, which deletes the topic's subscriptions too (SNS API reference, DeleteTopic).
    async fn delete_topic(&self, topic_arn: &str) -> CallResult<()>;
}

#[cfg(any(test, feature = "test-util"))]
pub mod fake;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topic_is_known_by_the_last_part_of_its_arn_whole() {
        let arn = "arn:aws:sns:us-west-2:123456789012:alarms-pr-42";
        assert!(is_topic_named(arn, "alarms-pr-42"));
        assert!(!is_topic_named(arn, "pr-42"));
        assert!(!is_topic_named(arn, "alarms-pr-4"));
        assert!(!is_topic_named("alarms-pr-42", "alarms-pr-42"));
    }
}
