//! GetFunction's configuration read into the plain type, with the members every answer carries
//! required and the defaults Lambda documents for the others; the settings' environment written
//! back as Lambda's.

use super::*;

fn configuration() -> lambda::builders::FunctionConfigurationBuilder {
    lambda::FunctionConfiguration::builder()
        .function_arn("arn:aws:lambda:us-west-2:123456789012:function:rotation-pr-42")
        .state(lambda::State::Active)
        .code_sha256("c2hh")
        .timeout(60)
}

#[test]
fn lambdas_last_modified_reads_to_the_second() {
    // The Lambda API reference's format: ISO 8601, `YYYY-MM-DDThh:mm:ss.sTZD`, in UTC.
    let read = lambda_time("2019-08-14T22:26:11.234+0000").unwrap();
    assert_eq!(
        humantime::format_rfc3339(read).to_string(),
        "2019-08-14T22:26:11Z"
    );
    assert_eq!(lambda_time("yesterday"), None);
    assert_eq!(lambda_time("2019-08-14T22:26:1x.234+0000"), None);
}

#[test]
fn a_function_in_a_vpc_is_read_with_its_network_code_and_environment() {
    let described = configuration()
        .last_update_status(lambda::LastUpdateStatus::InProgress)
        .last_modified("2019-08-14T22:26:11.234+0000")
        .vpc_config(
            lambda::VpcConfigResponse::builder()
                .subnet_ids("subnet-1")
                .security_group_ids("sg-1")
                .build(),
        )
        .architectures(lambda::Architecture::Arm64)
        .environment(
            lambda::EnvironmentResponse::builder()
                .variables("DB_CA_BUNDLE", "/opt/ca.pem")
                .build(),
        )
        .build();
    let read = function_of(&described).unwrap();
    assert!(read.active() && read.updating);
    assert_eq!(read.update_failure, None);
    assert!(read.last_modified.is_some());
    assert_eq!(
        (read.subnet_ids, read.security_group_ids),
        (vec!["subnet-1".to_owned()], vec!["sg-1".to_owned()])
    );
    assert_eq!(
        (read.code_sha256.as_str(), read.architecture.as_str()),
        ("c2hh", "arm64")
    );
    assert_eq!(read.timeout_seconds, 60);
    assert_eq!(read.environment["DB_CA_BUNDLE"], "/opt/ca.pem");
}

#[test]
fn a_function_outside_a_vpc_takes_lambdas_defaults_and_a_failed_update_its_reason() {
    let described = configuration()
        .state(lambda::State::Pending)
        .last_update_status(lambda::LastUpdateStatus::Failed)
        .build();
    let read = function_of(&described).unwrap();
    assert!(!read.active() && !read.updating);
    assert_eq!(
        read.update_failure.as_deref(),
        Some("Lambda gave no reason")
    );
    assert_eq!(read.last_modified, None);
    assert!(read.subnet_ids.is_empty() && read.security_group_ids.is_empty());
    assert_eq!(read.architecture, "x86_64");
    assert!(read.environment.is_empty());

    let described = configuration()
        .last_update_status(lambda::LastUpdateStatus::Failed)
        .last_update_status_reason("EniLimitExceeded")
        .build();
    let read = function_of(&described).unwrap();
    assert_eq!(read.update_failure.as_deref(), Some("EniLimitExceeded"));
}

#[test]
fn a_function_without_a_member_every_answer_carries_is_an_error() {
    let bare = lambda::FunctionConfiguration::builder;
    for (described, member) in [
        (bare().build(), "FunctionConfiguration.FunctionArn"),
        (
            bare().function_arn("arn").build(),
            "FunctionConfiguration.State",
        ),
        (
            bare()
                .function_arn("arn")
                .state(lambda::State::Active)
                .build(),
            "FunctionConfiguration.CodeSha256",
        ),
        (
            bare()
                .function_arn("arn")
                .state(lambda::State::Active)
                .code_sha256("c2hh")
                .build(),
            "FunctionConfiguration.Timeout",
        ),
    ] {
        let error = function_of(&described).unwrap_err();
        assert!(error.to_string().contains(member), "{error}");
    }
}

#[test]
fn the_settings_environment_is_written_by_name() {
    let settings = FunctionSettings {
        name: "rotation-pr-42".into(),
        description: "Rotation",
        role_arn: "arn:aws:iam::123456789012:role/rotation".into(),
        code_bucket: "bucket".into(),
        code_key: "rotation.zip".into(),
        code_sha256: "c2hh".into(),
        architecture: "arm64".into(),
        subnet_ids: Vec::new(),
        security_group_ids: Vec::new(),
        environment: vec![("B", "2".into()), ("A", "1".into())],
        timeout_seconds: 60,
        tags: Vec::new(),
    };
    let written = environment_of(&settings);
    let variables = written.variables().unwrap();
    assert_eq!(
        (variables["A"].as_str(), variables["B"].as_str()),
        ("1", "2")
    );
}
