//! Which credentials setSecret and testSecret log in with: the current, then the previous password,
//! the pending one, and the master's.

use super::*;
use env_core::{ErrorName, NamedError};
use secrets::versions::AWSPENDING;

#[tokio::test]
async fn set_secret_falls_back_from_the_current_to_the_previous_password() {
    let (function, fakes) = setup(false);
    with_previous(&fakes, "app", "p-prev");
    // The database still has the previous password (a rotation that set it and was then undone).
    fakes.world().roles.insert("app".to_owned(), role("p-prev"));
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    assert_eq!(
        step(&function, "t1", Step::Set).await.unwrap(),
        Outcome::PasswordSet
    );
    assert_eq!(fakes.world().calls_named("connect app"), 3);
    assert!(stage_logs_in(&fakes, AWSPENDING));
}

#[tokio::test]
async fn set_secret_fails_when_no_current_or_previous_password_logs_in() {
    for previous_user in [None, Some("someone-else"), Some("app")] {
        let (function, fakes) = setup(false);
        if let Some(user) = previous_user {
            with_previous(&fakes, user, "wrong");
        }
        fakes
            .world()
            .roles
            .insert("app".to_owned(), role("changed-by-hand"));
        fakes.world().start_rotation(APP, "t1");
        step(&function, "t1", Step::Create).await.unwrap();
        let error = step(&function, "t1", Step::Set).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert!(
            error.to_string().starts_with(
                "none of the pending, current, previous or recent credentials of \"app\" log in"
            ),
            "{error}"
        );
        assert!(mutating_calls(&fakes)
            .iter()
            .all(|c| !c.starts_with("ALTER")));
    }
}

#[tokio::test]
async fn a_wrong_pending_password_is_caught_by_test_secret() {
    let (function, fakes) = setup(false);
    put_pending_value(
        &fakes,
        "t1",
        app_value("app", "not-what-the-database-has", false),
    );
    let error = step(&function, "t1", Step::Test).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    let chain = env_core::error::error_chain(&error);
    assert!(
        chain.starts_with("the pending credentials do not work: PostgreSQL at db.example:5432 refused the login of \"app\""),
        "{chain}"
    );
    assert!(!chain.contains("not-what-the-database-has"));
}

#[tokio::test]
async fn the_master_must_log_in_and_be_for_the_same_host() {
    let (function, fakes) = setup(true);
    fakes
        .world()
        .roles
        .insert("admin".to_owned(), role("rotated-elsewhere"));
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(error.to_string(), "the master credentials do not work");

    let (function, fakes) = setup(true);
    change_first_value(
        &fakes,
        MASTER,
        json!({"username": "admin", "password": "m0", "host": "other.example"}).to_string(),
    );
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "the master secret does not fit the rotated secret: it is for other.example:5432/catalog, the current secret for db.example:5432/catalog"
    );
    assert_eq!(fakes.world().calls_named("connect admin"), 0);
}
