//! Secret values that do not fit the rotation (another user or host, missing or malformed fields):
//! refused with the secret named, before the database is touched.

use super::*;
use env_core::{ErrorName, NamedError};

#[tokio::test]
async fn a_pending_secret_for_another_user_or_host_is_refused_before_the_database_is_touched() {
    let mut wrong_host: Value = serde_json::from_str(&app_value("app", "x", false)).unwrap();
    wrong_host["host"] = json!("attacker.example");
    for (alternating, value, problem) in [
        (
            false,
            app_value("admin", "x", false),
            "it is for user \"admin\", this rotation changes \"app\"",
        ),
        (
            true,
            app_value("app", "x", true),
            "it is for user \"app\", this rotation changes \"app_clone\"",
        ),
        (
            false,
            wrong_host.to_string(),
            "it is for attacker.example:5432/catalog, the current secret for db.example:5432/catalog",
        ),
    ] {
        let (function, fakes) = setup(alternating);
        put_pending_value(&fakes, "t1", value);
        let error = step(&function, "t1", Step::Set).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert_eq!(
            error.to_string(),
            format!("the pending secret does not match the current one: {problem}")
        );
        assert_eq!(fakes.world().calls_named("connect"), 0);
    }
}

#[tokio::test]
async fn missing_or_malformed_secret_values_are_reported_with_the_secret_named() {
    // No pending value at setSecret: createSecret has not run.
    let (function, fakes) = setup(false);
    fakes.world().start_rotation(APP, "t1");
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(
        error.to_string(),
        "the pending secret has no value: app-secret"
    );
    // A current value without a host.
    let (function, fakes) = setup(false);
    change_first_value(
        &fakes,
        APP,
        json!({"username": "app", "password": "p0"}).to_string(),
    );
    fakes.world().start_rotation(APP, "t1");
    let error = step(&function, "t1", Step::Create).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "the current secret is not valid: `host` is missing"
    );
    // A pending value that is not JSON, at testSecret.
    let (function, fakes) = setup(false);
    put_pending_value(&fakes, "t1", "{{".to_owned());
    let error = step(&function, "t1", Step::Test).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "the pending secret is not valid: the value is not JSON"
    );
    // A pending value without a host, at testSecret.
    let (function, fakes) = setup(false);
    put_pending_value(
        &fakes,
        "t1",
        json!({"username": "app", "password": "x"}).to_string(),
    );
    let error = step(&function, "t1", Step::Test).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "the pending secret does not match the current one: it is for (no host):5432/postgres, the current secret for db.example:5432/catalog"
    );
    // A masterarn that is not a string.
    let (function, fakes) = setup(false);
    change_first_value(
        &fakes,
        APP,
        json!({"host": HOST, "username": "app", "password": "p0", "masterarn": 1}).to_string(),
    );
    fakes.world().start_rotation(APP, "t1");
    let error = step(&function, "t1", Step::Create).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "the current secret is not valid: `masterarn` is not a non-empty string"
    );
    put_pending_value(&fakes, "t1", app_value("app", "p1", false));
    for next in [Step::Set, Step::Test, Step::Finish] {
        let error = step(&function, "t1", next).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "the current secret is not valid: `masterarn` is not a non-empty string"
        );
    }
    assert_eq!(fakes.world().calls_named("connect"), 0);
}
