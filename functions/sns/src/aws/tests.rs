//! SNS's answers, built by hand, read into the plain types.

use super::*;

fn topic(arn: &str) -> sns::Topic {
    sns::Topic::builder().topic_arn(arn).build()
}

fn subscription(protocol: &str, endpoint: Option<&str>, arn: &str) -> sns::Subscription {
    sns::Subscription::builder()
        .protocol(protocol)
        .set_endpoint(endpoint.map(str::to_owned))
        .subscription_arn(arn)
        .build()
}

#[test]
fn the_topic_is_found_by_the_name_its_arn_ends_with() {
    let listed = vec![
        sns::Topic::builder().build(),
        topic("arn:aws:sns:us-west-2:123456789012:alarms-pr-420"),
        topic("arn:aws:sns:us-west-2:123456789012:alarms-pr-42"),
    ];
    assert_eq!(
        topic_named(listed.clone(), "alarms-pr-42").as_deref(),
        Some("arn:aws:sns:us-west-2:123456789012:alarms-pr-42")
    );
    assert_eq!(topic_named(listed, "alarms-pr-4"), None);
}

#[test]
fn only_email_subscriptions_are_read_and_a_pending_one_has_no_arn() {
    let topic = "arn:aws:sns:us-west-2:123456789012:alarms-pr-42";
    let listed = vec![
        subscription("email", Some("oncall@example.com"), &format!("{topic}:1")),
        subscription("email", Some("new@example.com"), PENDING_CONFIRMATION),
        subscription("sqs", Some("arn:aws:sqs:us-west-2:123456789012:q"), "x"),
        subscription("email", None, "y"),
    ];
    assert_eq!(
        email_subscriptions(listed),
        [
            EmailSubscription {
                email: "oncall@example.com".into(),
                arn: Some(format!("{topic}:1")),
            },
            EmailSubscription {
                email: "new@example.com".into(),
                arn: None,
            },
        ]
    );
}

#[test]
fn a_tag_is_written_with_its_key_and_value() {
    let tag = sns_tag(&Tag {
        key: "Environment",
        value: "pr-42".into(),
    });
    assert_eq!((tag.key(), tag.value()), ("Environment", "pr-42"));
}
