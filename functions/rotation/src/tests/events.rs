//! Which invocations the protocol refuses before any work (an unknown or settled token, a secret
//! without rotation) and which it answers as already done.

use super::*;
use env_core::{ErrorName, NamedError};

#[tokio::test]
async fn an_unknown_token_is_an_invalid_event_and_nothing_else_is_called() {
    let (function, fakes) = setup(false);
    let error = step(&function, "nope", Step::Create).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::InvalidEvent);
    assert_eq!(error.to_string(), "secret app-secret has no version nope");
    assert_eq!(fakes.world().calls, ["DescribeSecret app-secret"]);
}

#[tokio::test]
async fn a_token_that_is_not_pending_is_an_invalid_event() {
    let (function, fakes) = setup(false);
    fakes.world().secret(APP).versions.insert(
        "old".to_owned(),
        Version {
            value: Some("{}".to_owned()),
            stages: vec![AWSPREVIOUS.to_owned()],
            created: 0,
        },
    );
    let error = step(&function, "old", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::InvalidEvent);
    assert_eq!(
        error.to_string(),
        "version old of secret app-secret is not AWSPENDING"
    );
    assert_eq!(fakes.world().calls.len(), 1);
}

#[tokio::test]
async fn a_secret_without_rotation_enabled_is_refused() {
    let (function, fakes) = setup(false);
    fakes.world().start_rotation(APP, "t1");
    fakes.world().secret(APP).rotation_enabled = false;
    let error = step(&function, "t1", Step::Create).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::InvalidEvent);
    assert_eq!(
        error.to_string(),
        "rotation is not enabled for secret app-secret"
    );
    assert_eq!(fakes.world().calls.len(), 1);
}

#[tokio::test]
async fn a_token_already_current_succeeds_at_every_step_without_a_mutating_call() {
    let (function, fakes) = setup(true);
    for next in STEPS {
        assert_eq!(
            step(&function, "v0", next).await.unwrap(),
            Outcome::AlreadyCurrent
        );
    }
    assert_eq!(fakes.world().calls.len(), 4, "only DescribeSecret");
    assert!(mutating_calls(&fakes).is_empty());
}
