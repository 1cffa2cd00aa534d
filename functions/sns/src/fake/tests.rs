//! The in-memory SNS answers as SNS does.

use super::*;

const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/k";

fn tags() -> Vec<Tag> {
    vec![Tag {
        key: "Environment",
        value: "pr-42".into(),
    }]
}

#[tokio::test]
async fn a_topic_is_made_once_found_by_name_and_deleted_with_its_subscriptions() {
    let recorder = SharedRecorder::default();
    let sns = FakeSns::new(recorder.clone());
    assert_eq!(sns.find_topic("alarms-pr-42").await.unwrap(), None);
    let arn = sns
        .create_topic("alarms-pr-42", KEY, &tags())
        .await
        .unwrap();
    assert_eq!(arn, SnsWorld::arn_of("alarms-pr-42"));
    let again = sns
        .create_topic("alarms-pr-42", "other", &[])
        .await
        .unwrap();
    assert_eq!(again, arn);
    assert_eq!(
        sns.world().topics,
        [StoredTopic {
            arn: arn.clone(),
            kms_key: KEY.into(),
            tags: tags(),
        }]
    );
    assert_eq!(
        sns.find_topic("alarms-pr-42").await.unwrap(),
        Some(arn.clone())
    );
    assert_eq!(sns.find_topic("pr-42").await.unwrap(), None);

    sns.subscribe_email(&arn, "oncall@example.com")
        .await
        .unwrap();
    sns.delete_topic(&arn).await.unwrap();
    assert_eq!(*sns.world(), SnsWorld::default());
    assert_eq!(
        recorder.lock().changes,
        ["CreateTopic", "CreateTopic", "Subscribe", "DeleteTopic"]
    );
}

#[tokio::test]
async fn only_a_confirmed_subscription_has_an_arn_and_can_be_removed() {
    let sns = FakeSns::default();
    let topic = SnsWorld::arn_of("alarms-pr-42");
    // A topic someone else made, with an address that never confirmed.
    sns.world().subscriptions.push(StoredSubscription {
        topic_arn: topic.clone(),
        email: "unconfirmed@example.com".into(),
        confirmed: false,
    });
    sns.subscribe_email(&topic, "oncall@example.com")
        .await
        .unwrap();
    sns.subscribe_email("arn:other", "x@example.com")
        .await
        .unwrap();
    let listed = sns.email_subscriptions(&topic).await.unwrap();
    assert_eq!(
        listed,
        [
            EmailSubscription {
                email: "unconfirmed@example.com".into(),
                arn: None,
            },
            EmailSubscription {
                email: "oncall@example.com".into(),
                arn: Some(format!("{topic}:oncall@example.com")),
            },
        ]
    );
    sns.unsubscribe(&format!("{topic}:unconfirmed@example.com"))
        .await
        .unwrap();
    sns.unsubscribe(&format!("{topic}:oncall@example.com"))
        .await
        .unwrap();
    let left = sns.email_subscriptions(&topic).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].email, "unconfirmed@example.com");
}

#[tokio::test]
async fn a_fault_injected_in_the_shared_recorder_reaches_the_sns_call_and_changes_nothing() {
    let recorder = SharedRecorder::default();
    let sns = FakeSns::new(recorder.clone());
    recorder.lock().fail("CreateTopic", "AuthorizationError");
    recorder.lock().fail("ListTopics", "Throttling");
    let error = sns
        .create_topic("alarms-pr-42", KEY, &[])
        .await
        .unwrap_err();
    assert!(error.is_code("AuthorizationError"));
    assert!(sns.world().topics.is_empty());
    let error = sns.find_topic("alarms-pr-42").await.unwrap_err();
    assert!(error.is_code("Throttling"));
    for operation in [
        "ListSubscriptionsByTopic",
        "Subscribe",
        "Unsubscribe",
        "DeleteTopic",
    ] {
        recorder.lock().fail(operation, "InternalError");
    }
    assert!(sns.email_subscriptions("t").await.is_err());
    assert!(sns.subscribe_email("t", "a@example.com").await.is_err());
    assert!(sns.unsubscribe("t:a@example.com").await.is_err());
    assert!(sns.delete_topic("t").await.is_err());
    assert!(recorder.lock().changes.is_empty());
    assert!(recorder.lock().faults_answered());
}
