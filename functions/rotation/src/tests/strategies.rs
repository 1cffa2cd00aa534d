//! The two strategies end to end: a single user's new password, alternating users with the clone
//! made once, the users made on first use, and the names PostgreSQL takes.

use super::*;
use env_core::{ErrorName, NamedError};
use secrets::versions::AWSPENDING;

#[tokio::test]
async fn single_user_rotation_sets_a_new_32_character_password_and_keeps_the_old_as_previous() {
    let (function, fakes) = setup(false);
    let outcomes = rotation(&function, &fakes, "t1").await.unwrap();
    assert_eq!(
        outcomes,
        [
            Outcome::PendingCreated,
            Outcome::PasswordSet,
            Outcome::Tested,
            Outcome::Finished
        ]
    );
    let current = current_json(&fakes, AWSCURRENT);
    assert_eq!(current["username"], "app");
    assert_eq!(current["password"].as_str().unwrap().len(), 32);
    assert_eq!(current["dbname"], "catalog");
    assert!(stage_logs_in(&fakes, AWSCURRENT));
    assert!(!fakes.world().logs_in("app", "p0"));
    assert_eq!(current_json(&fakes, AWSPREVIOUS)["password"], "p0");
    assert_eq!(fakes.world().version_with(APP, AWSCURRENT).unwrap(), "t1");
    assert_eq!(fakes.world().version_with(APP, AWSPENDING), None);
    let calls = fakes.world().calls.clone();
    let generated = "GetRandomPassword 32 \":/@\\\"'\\\\\" false";
    assert!(calls.iter().any(|c| c == generated), "{calls:?}");
}

#[tokio::test]
async fn alternating_users_create_the_clone_once_then_alternate_and_the_previous_user_keeps_working(
) {
    let (function, fakes) = setup(true);
    let first = rotation(&function, &fakes, "t1").await.unwrap();
    assert_eq!(first[1], Outcome::RoleCreated);
    assert_eq!(current_json(&fakes, AWSCURRENT)["username"], "app_clone");
    assert_eq!(fakes.world().roles["app_clone"].member_of, ["app"]);
    assert!(
        fakes.world().logs_in("app", "p0"),
        "the previous user still logs in"
    );
    assert_eq!(fakes.world().calls_named("connect admin"), 1);
    let second = rotation(&function, &fakes, "t2").await.unwrap();
    assert_eq!(second[1], Outcome::PasswordSet);
    assert_eq!(current_json(&fakes, AWSCURRENT)["username"], "app");
    assert_eq!(current_json(&fakes, AWSPREVIOUS)["username"], "app_clone");
    rotation(&function, &fakes, "t3").await.unwrap();
    let current = current_json(&fakes, AWSCURRENT);
    let previous = current_json(&fakes, AWSPREVIOUS);
    assert_eq!(current["username"], "app_clone");
    assert_eq!(previous["username"], "app");
    assert_eq!(current["masterarn"], MASTER);
    assert!(stage_logs_in(&fakes, AWSCURRENT));
    assert!(stage_logs_in(&fakes, AWSPREVIOUS));
    assert_eq!(fakes.world().calls_named("CREATE ROLE"), 1);
    assert_eq!(fakes.world().calls_named("ALTER ROLE"), 2);
}

#[tokio::test]
async fn the_first_rotation_creates_the_missing_current_user_with_its_privileges_then_the_clone() {
    let (function, fakes) = setup_first_use();
    let outcomes = rotation(&function, &fakes, "t1").await.unwrap();
    assert_eq!(outcomes[1], Outcome::RoleCreated);
    {
        let world = fakes.world();
        assert!(
            world.logs_in("app", "p0"),
            "the current user logs in with the secret's password"
        );
        assert_eq!(
            world.privileges["app"],
            [
                "CONNECT ON DATABASE catalog",
                "USAGE, CREATE ON SCHEMA public"
            ]
        );
        assert_eq!(world.roles["app_clone"].member_of, ["app"]);
        assert_eq!(world.calls_named("CREATE USER app ON catalog"), 1);
    }
    assert_eq!(current_json(&fakes, AWSCURRENT)["username"], "app_clone");
    assert!(stage_logs_in(&fakes, AWSCURRENT));
    assert!(stage_logs_in(&fakes, AWSPREVIOUS));
    // Later rotations find both users and only change passwords.
    let second = rotation(&function, &fakes, "t2").await.unwrap();
    assert_eq!(second[1], Outcome::PasswordSet);
    assert_eq!(fakes.world().calls_named("CREATE USER"), 1);
}

#[tokio::test]
async fn identifiers_are_passed_to_the_database_as_they_are() {
    let user = "App \"Quoted\" User";
    let (function, fakes) = setup_with(user, true);
    rotation(&function, &fakes, "t1").await.unwrap();
    let clone = format!("{user}_clone");
    assert_eq!(fakes.world().roles[&clone].member_of, [user]);
    assert_eq!(current_json(&fakes, AWSCURRENT)["username"], clone);
}

#[tokio::test]
async fn a_clone_name_of_64_characters_is_refused_before_anything_is_written() {
    let (function, fakes) = setup_with(&"u".repeat(58), true);
    fakes.world().start_rotation(APP, "t1");
    let error = step(&function, "t1", Step::Create).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(
        error
            .to_string()
            .contains("is 64 bytes long; PostgreSQL allows at most 63"),
        "{error}"
    );
    assert!(mutating_calls(&fakes).is_empty());
    assert_eq!(fakes.world().calls_named("GetRandomPassword"), 0);
}
