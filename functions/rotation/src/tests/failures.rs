//! Failures and how they are named: an unreachable database, a throttled call, refused statements,
//! and a misconfigured function.

use super::*;
use crate::config::Settings;
use crate::fakes::aws_failure;
use env_core::settings::FunctionSettings;
use env_core::{ErrorName, NamedError};

#[tokio::test]
async fn an_unreachable_database_or_a_throttled_call_is_retryable() {
    let (function, fakes) = pending_created(false).await;
    fakes.world().unreachable = true;
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    // Reachable for the pending login's rejection, unreachable for the current one's.
    fakes.world().unreachable = false;
    fakes.world().fail_call(5, false);
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(
        error.to_string().contains("could not be reached"),
        "{error}"
    );
    fakes.world().fail_call(1, false);
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert_eq!(
        error.to_string(),
        "DescribeSecret failed: InternalFailure: fake"
    );
    let throttled = crate::error::RotationError::from(aws_failure(
        "GetSecretValue",
        400,
        "ThrottlingException",
    ));
    assert_eq!(throttled.error_name(), ErrorName::Retryable);
    let denied = crate::error::RotationError::from(aws_failure(
        "GetSecretValue",
        400,
        "AccessDeniedException",
    ));
    assert_eq!(denied.error_name(), ErrorName::AwsRejected);
}

#[tokio::test]
async fn statements_the_database_refuses_fail_the_step() {
    let (function, fakes) = pending_created(true).await;
    fakes.world().statements_fail = true;
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(error.to_string(), "CREATE ROLE and GRANT failed");
    fakes.world().statements_fail = false;
    step(&function, "t1", Step::Set).await.unwrap();
    let (function, fakes) = pending_created(false).await;
    fakes.world().statements_fail = true;
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(error.to_string(), "ALTER ROLE failed");
    fakes.world().statements_fail = false;
    step(&function, "t1", Step::Set).await.unwrap();
    fakes.world().statements_fail = true;
    let error = step(&function, "t1", Step::Test).await.unwrap_err();
    assert_eq!(error.to_string(), "SELECT 1 failed");
}

#[tokio::test]
async fn a_misconfigured_function_reports_misconfigured_at_every_invocation() {
    let fakes = Fakes::default();
    let missing = Settings::from_lookup(&|_| None);
    let function = Function::configured(fakes.clone(), &sdk_config(), missing);
    let error = function.handle(event("t", Step::Create)).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Misconfigured);
    assert!(env_core::error::error_chain(&error).contains("DB_CA_BUNDLE is (not set): it must be"));
    let unreadable = Settings::from_lookup(&|name| {
        (name == "DB_CA_BUNDLE").then(|| "/nonexistent/ca.pem".to_owned())
    });
    let function = Function::configured(fakes.clone(), &sdk_config(), unreadable);
    let error = function.handle(event("t", Step::Create)).await.unwrap_err();
    let chain = env_core::error::error_chain(&error);
    assert!(
        chain.contains(
            "DB_CA_BUNDLE is \"/nonexistent/ca.pem\": it must be the path of the PEM bundle"
        ) && chain.contains("; this one could not be read: "),
        "{error:?}"
    );
    let not_a_certificate =
        Settings::from_lookup(&|name| (name == "DB_CA_BUNDLE").then(|| "/etc/hostname".to_owned()));
    let function = Function::configured(fakes.clone(), &sdk_config(), not_a_certificate);
    let error = function.handle(event("t", Step::Create)).await.unwrap_err();
    assert!(
        env_core::error::error_chain(&error).ends_with(
            "DB_CA_BUNDLE is \"/etc/hostname\": it must be the path of the PEM bundle of the CA certificates the database's server certificate chains to; this one holds no usable CA certificate"
        ),
        "{error:?}"
    );
    assert!(fakes.world().calls.is_empty(), "nothing is called");
    let good = Settings::from_lookup(&|name| {
        (name == "DB_CA_BUNDLE").then(|| "/etc/ssl/certs/ssl-cert-snakeoil.pem".to_owned())
    });
    let function = Function::configured(fakes.clone(), &sdk_config(), good);
    assert!(format!("{function:?}").contains("connect_timeout: 5s"));
}

#[tokio::test]
async fn the_lambdas_function_keeps_the_settings_main_read() {
    let wrong = Settings::from_lookup(&|_| None);
    let expected = wrong.clone().unwrap_err();
    let function = Function::load(wrong).await;
    let error = function.handle(event("t", Step::Create)).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Misconfigured);
    assert_eq!(
        env_core::error::error_chain(&error),
        format!("the rotation function is misconfigured: {expected}")
    );
}
