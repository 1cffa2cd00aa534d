//! A step run again (Secrets Manager retries): one version, one password, one label move.

use super::*;
use secrets::versions::AWSPENDING;

#[tokio::test]
async fn create_secret_twice_makes_one_version_with_one_password() {
    let (function, fakes) = setup(false);
    fakes.world().start_rotation(APP, "t1");
    assert_eq!(
        step(&function, "t1", Step::Create).await.unwrap(),
        Outcome::PendingCreated
    );
    let pending = fakes.world().value_at(APP, AWSPENDING);
    assert_eq!(
        step(&function, "t1", Step::Create).await.unwrap(),
        Outcome::PendingAlreadyExists
    );
    assert_eq!(fakes.world().value_at(APP, AWSPENDING), pending);
    assert_eq!(fakes.world().secret(APP).versions.len(), 2);
    assert_eq!(fakes.world().calls_named("PutSecretValue"), 1);
    assert_eq!(fakes.world().calls_named("GetRandomPassword"), 1);
}

#[tokio::test]
async fn set_secret_run_again_makes_no_ddl_for_a_single_user_and_sets_the_same_password_alternating(
) {
    let (function, fakes) = pending_created(false).await;
    step(&function, "t1", Step::Set).await.unwrap();
    let ddl = mutating_calls(&fakes).len();
    assert_eq!(
        step(&function, "t1", Step::Set).await.unwrap(),
        Outcome::PendingAlreadyLogsIn
    );
    assert_eq!(mutating_calls(&fakes).len(), ddl, "no new DDL");

    // Alternating, the one login is the master's: the clone's password is set again, the same.
    let (function, fakes) = pending_created(true).await;
    assert_eq!(
        step(&function, "t1", Step::Set).await.unwrap(),
        Outcome::RoleCreated
    );
    let logins = fakes.world().calls_named("connect");
    assert_eq!(
        step(&function, "t1", Step::Set).await.unwrap(),
        Outcome::PasswordSet
    );
    assert_eq!(fakes.world().calls_named("connect") - logins, 1);
    assert_eq!(fakes.world().calls_named("ALTER ROLE app_clone"), 1);
    assert!(stage_logs_in(&fakes, AWSPENDING));
    assert!(stage_logs_in(&fakes, AWSCURRENT));
}

#[tokio::test]
async fn finish_secret_twice_moves_current_once_and_leaves_no_pending_label() {
    let (function, fakes) = setup(false);
    fakes.world().start_rotation(APP, "t1");
    for next in [Step::Create, Step::Set, Step::Test] {
        step(&function, "t1", next).await.unwrap();
    }
    assert_eq!(
        step(&function, "t1", Step::Finish).await.unwrap(),
        Outcome::Finished
    );
    assert_eq!(
        step(&function, "t1", Step::Finish).await.unwrap(),
        Outcome::AlreadyCurrent
    );
    assert_eq!(fakes.world().calls_named("UpdateSecretVersionStage"), 2);
    let world = fakes.world();
    assert_eq!(world.version_with(APP, AWSCURRENT).as_deref(), Some("t1"));
    assert_eq!(world.version_with(APP, AWSPREVIOUS).as_deref(), Some("v0"));
    assert_eq!(world.version_with(APP, AWSPENDING), None);
}
