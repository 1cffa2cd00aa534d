//! The harness itself: the moto server answers the AWS SDK for Rust, and our tags find resources.

use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType, Tag};
use env_core::naming::{NameKind, Names};
use env_core::spec::EnvironmentSpec;
use env_core::tags::{environment_tags, ENVIRONMENT};
use integration_tests::emulator::emulator;
use integration_tests::unique_suffix;
use serde_json::json;
use std::time::SystemTime;

#[tokio::test]
async fn resources_created_through_the_sdk_are_found_again_by_their_environment_tag() {
    let suffix = unique_suffix();
    let spec = EnvironmentSpec::from_value(&json!({
        "environmentSuffix": suffix.as_str(),
        "containerImage": "nginx",
        "selfSignedCertificate": true,
        "ttlHours": 24,
        "pullRequest": 42
    }))
    .unwrap();
    let client = aws_sdk_secretsmanager::Client::new(&emulator().sdk_config().await);
    let name = Names::new(&suffix).of(NameKind::DatabaseSecret);
    let tags: Vec<Tag> = environment_tags(&spec, SystemTime::now())
        .into_iter()
        .map(|tag| Tag::builder().key(tag.key).value(tag.value).build())
        .collect();
    client
        .create_secret()
        .name(&name)
        .secret_string(r#"{"username":"catalog"}"#)
        .set_tags(Some(tags))
        .send()
        .await
        .expect("moto creates the secret");

    let found = client
        .list_secrets()
        .filters(
            Filter::builder()
                .key(FilterNameStringType::TagKey)
                .values(ENVIRONMENT)
                .build(),
        )
        .filters(
            Filter::builder()
                .key(FilterNameStringType::TagValue)
                .values(suffix.as_str())
                .build(),
        )
        .send()
        .await
        .expect("moto lists secrets");
    let names: Vec<&str> = found
        .secret_list()
        .iter()
        .filter_map(|s| s.name())
        .collect();
    assert_eq!(names, [format!("secret-db-app-{suffix}")]);
    let tags = found.secret_list()[0].tags();
    let tag = |key: &str| {
        tags.iter()
            .find(|t| t.key() == Some(key))
            .and_then(|t| t.value())
            .map(str::to_owned)
    };
    assert_eq!(tag("catalog:pull-request").as_deref(), Some("42"));
    assert!(tag("catalog:expires-at").is_some_and(|expiry| expiry.ends_with('Z')));
}

#[tokio::test]
async fn an_aws_error_keeps_its_code_and_is_not_retryable() {
    let client = aws_sdk_secretsmanager::Client::new(&emulator().sdk_config().await);
    let missing = format!("secret-db-app-{}", unique_suffix());
    let error = client
        .describe_secret()
        .secret_id(&missing)
        .send()
        .await
        .map_err(env_core::error::aws_error("DescribeSecret"))
        .unwrap_err();
    assert!(error.is_code("ResourceNotFoundException"), "{error}");
    assert!(!error.is_retryable());
    assert_eq!(
        env_core::NamedError::error_name(&error),
        env_core::ErrorName::AwsRejected
    );
}
