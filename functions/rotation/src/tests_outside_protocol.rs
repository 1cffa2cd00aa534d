//! Issue 18 against the in-memory fakes: what a person or a stray invocation stepping outside the
//! protocol used to break, one test per class: a stuck rotation cleared by hand, steps out of
//! order, a pending or master secret naming another place, roles that are not ours, and concurrent
//! duplicates of a step.

use crate::event::Step;
use crate::fakes::{Fakes, Rng, Role, Version, HOST};
use crate::protocol::Outcome;
use crate::tests::{
    app_value, change_first_value, current_json, put_pending_value, role, rotation, setup,
    setup_with, stage_logs_in, step, APP, MASTER,
};
use env_core::{ErrorName, NamedError};
use secrets::versions::{AWSCURRENT, AWSPENDING, AWSPREVIOUS};
use serde_json::json;

/// What the CancelRotateSecret documentation advises for a stuck rotation: remove AWSPENDING from
/// the version that holds it.
fn clear_pending_by_hand(fakes: &Fakes) {
    let mut world = fakes.world();
    for version in world.secret(APP).versions.values_mut() {
        version.stages.retain(|stage| stage != AWSPENDING);
    }
}

/// A rotation stopped right after setSecret, its AWSPENDING label then removed by hand.
async fn abandoned_after_set(
    function: &crate::Function<Fakes, Fakes, Fakes>,
    fakes: &Fakes,
    token: &str,
) {
    fakes.world().start_rotation(APP, token);
    step(function, token, Step::Create).await.unwrap();
    step(function, token, Step::Set).await.unwrap();
    clear_pending_by_hand(fakes);
}

#[tokio::test]
async fn a_rotation_cleared_by_hand_after_set_secret_is_recovered_by_the_next_rotation() {
    let (function, fakes) = setup(false);
    abandoned_after_set(&function, &fakes, "t1").await;
    assert!(!stage_logs_in(&fakes, AWSCURRENT), "the lost password");
    let logins = fakes.world().calls_named("connect app");
    let outcomes = rotation(&function, &fakes, "t2").await.unwrap();
    assert_eq!(
        outcomes,
        [
            Outcome::PendingCreated,
            Outcome::PasswordSetAfterRecovery,
            Outcome::Tested,
            Outcome::Finished
        ]
    );
    assert!(stage_logs_in(&fakes, AWSCURRENT));
    let world = fakes.world();
    assert_eq!(world.version_with(APP, AWSCURRENT).as_deref(), Some("t2"));
    assert_eq!(world.version_with(APP, AWSPENDING), None);
    assert_eq!(world.calls_named("ListSecretVersionIds"), 1);
    // setSecret: the pending and current passwords (no previous yet), then t1's from the listing;
    // then one login each for testSecret and finishSecret.
    assert_eq!(world.calls_named("connect app") - logins, 3 + 1 + 1);
}

/// `count` rotations abandoned after setSecret, each cleared by hand: the database has the last.
async fn abandoned(count: usize) -> (crate::Function<Fakes, Fakes, Fakes>, Fakes) {
    let (function, fakes) = setup(false);
    for n in 1..=count {
        abandoned_after_set(&function, &fakes, &format!("a{n}")).await;
    }
    (function, fakes)
}

#[tokio::test]
async fn recovery_tries_the_five_newest_other_versions_and_no_more() {
    // The database's password is in the newest version: found with the first login.
    let (function, fakes) = abandoned(7).await;
    let logins = fakes.world().calls_named("connect app");
    assert_eq!(
        rotation(&function, &fakes, "t1").await.unwrap()[1],
        Outcome::PasswordSetAfterRecovery
    );
    // setSecret: pending, current, then the newest version's; testSecret and finishSecret: one each.
    assert_eq!(fakes.world().calls_named("connect app") - logins, 3 + 1 + 1);

    // It sits in the sixth newest other version: out of reach, and the step says so.
    let (function, fakes) = abandoned(6).await;
    let sixth = current_json_of(&fakes, "a1");
    fakes
        .world()
        .roles
        .insert("app".to_owned(), role(sixth["password"].as_str().unwrap()));
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    let before = fakes.world().calls.len();
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(
        error.to_string().starts_with(
            "none of the pending, current, previous or recent credentials of \"app\" log in"
        ),
        "{error}"
    );
    let world = fakes.world();
    let calls = &world.calls[before..];
    let read = |id: &str| {
        calls
            .iter()
            .any(|c| c.contains(&format!("Version(\"{id}\")")))
    };
    assert!(
        ["a6", "a5", "a4", "a3", "a2"].iter().all(|id| read(id)),
        "{calls:?}"
    );
    assert!(!read("a1"), "{calls:?}");
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.starts_with("connect app"))
            .count(),
        2 + 5
    );
    assert!(calls.iter().all(|c| !c.starts_with("ALTER")), "{calls:?}");
}

fn current_json_of(fakes: &Fakes, version: &str) -> serde_json::Value {
    let value = fakes.world().secret(APP).versions[version].value.clone();
    serde_json::from_str(&value.unwrap()).unwrap()
}

#[tokio::test]
async fn recovery_skips_versions_of_another_user_or_place_and_passwords_already_tried() {
    let (function, fakes) = abandoned(1).await;
    let lost = current_json_of(&fakes, "a1");
    let mut other_host = lost.clone();
    other_host["host"] = json!("elsewhere.example");
    {
        let mut world = fakes.world();
        let versions = &mut world.secret(APP).versions;
        for (id, value, created) in [
            ("x-no-value", None, 90),
            ("x-not-json", Some("{{".to_owned()), 91),
            ("x-other-user", Some(app_value("admin", "m0", false)), 92),
            ("x-other-host", Some(other_host.to_string()), 93),
            ("x-current-again", Some(app_value("app", "p0", false)), 94),
        ] {
            versions.insert(
                id.to_owned(),
                Version {
                    value,
                    stages: vec![],
                    created,
                },
            );
        }
    }
    // Five versions newer than a1, none worth a login: a1 is sixth and out of reach.
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    let logins = fakes.world().calls_named("connect");
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(
        fakes.world().calls_named("connect") - logins,
        2,
        "pending and current only"
    );
    // With one of them gone, a1 is in reach.
    fakes.world().secret(APP).versions.remove("x-no-value");
    assert_eq!(
        step(&function, "t1", Step::Set).await.unwrap(),
        Outcome::PasswordSetAfterRecovery
    );
    assert!(stage_logs_in(&fakes, AWSPENDING));
}

#[tokio::test]
async fn finish_secret_before_create_or_set_secret_moves_no_label() {
    for alternating in [false, true] {
        let (function, fakes) = setup(alternating);
        fakes.world().start_rotation(APP, "t1");
        let error = step(&function, "t1", Step::Finish).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "the pending secret has no value: app-secret"
        );
        step(&function, "t1", Step::Create).await.unwrap();
        let error = step(&function, "t1", Step::Finish).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert_eq!(error.to_string(), "the pending credentials do not work");
        assert_eq!(fakes.world().calls_named("UpdateSecretVersionStage"), 0);
        assert_eq!(
            fakes.world().version_with(APP, AWSCURRENT).as_deref(),
            Some("v0")
        );
        assert!(stage_logs_in(&fakes, AWSCURRENT));
        // Then the steps in order finish the rotation.
        rotation(&function, &fakes, "t1").await.unwrap();
        assert!(stage_logs_in(&fakes, AWSCURRENT));
    }
}

#[tokio::test]
async fn finish_secret_stopped_between_its_label_moves_takes_pending_off_on_retry() {
    let (function, fakes) = setup(false);
    fakes.world().start_rotation(APP, "t1");
    for next in [Step::Create, Step::Set, Step::Test] {
        step(&function, "t1", next).await.unwrap();
    }
    // The first move done, the process gone before the second.
    {
        let mut world = fakes.world();
        let secret = world.secret(APP);
        secret.versions.get_mut("v0").unwrap().stages = vec![AWSPREVIOUS.to_owned()];
        secret
            .versions
            .get_mut("t1")
            .unwrap()
            .stages
            .push(AWSCURRENT.to_owned());
    }
    for next in [Step::Create, Step::Set, Step::Test] {
        assert_eq!(
            step(&function, "t1", next).await.unwrap(),
            Outcome::AlreadyCurrent
        );
    }
    assert_eq!(
        fakes.world().version_with(APP, AWSPENDING).as_deref(),
        Some("t1")
    );
    assert_eq!(
        step(&function, "t1", Step::Finish).await.unwrap(),
        Outcome::Finished
    );
    assert_eq!(fakes.world().version_with(APP, AWSPENDING), None);
    assert_eq!(
        step(&function, "t1", Step::Finish).await.unwrap(),
        Outcome::AlreadyCurrent
    );
    assert_eq!(fakes.world().calls_named("UpdateSecretVersionStage"), 1);
}

#[tokio::test]
async fn test_and_finish_secret_refuse_a_pending_secret_for_another_host_port_or_database() {
    for (field, value, place) in [
        (
            "host",
            json!("attacker.example"),
            "attacker.example:5432/catalog",
        ),
        ("port", json!(6543), "db.example:6543/catalog"),
        ("dbname", json!("postgres"), "db.example:5432/postgres"),
    ] {
        for next in [Step::Set, Step::Test, Step::Finish] {
            let (function, fakes) = setup(false);
            let mut pending: serde_json::Value =
                serde_json::from_str(&app_value("app", "p0", false)).unwrap();
            pending[field] = value.clone();
            put_pending_value(&fakes, "t1", pending.to_string());
            let error = step(&function, "t1", next).await.unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("the pending secret does not match the current one: it is for {place}, the current secret for db.example:5432/catalog")
            );
            assert_eq!(fakes.world().calls_named("connect"), 0, "{next:?} {field}");
        }
    }
}

#[tokio::test]
async fn a_master_secret_on_another_port_is_refused_before_any_login() {
    let (function, fakes) = setup(true);
    change_first_value(
        &fakes,
        MASTER,
        json!({"username": "admin", "password": "m0", "host": HOST, "port": 6432}).to_string(),
    );
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(
        error.to_string(),
        "the master secret does not fit the rotated secret: it is for db.example:6432/catalog, the current secret for db.example:5432/catalog"
    );
    assert_eq!(fakes.world().calls_named("connect"), 0);
}

/// Alternating users with `app_clone` already there, made as `clone`.
fn with_existing_clone(clone: Role) -> (crate::Function<Fakes, Fakes, Fakes>, Fakes) {
    let (function, fakes) = setup(true);
    fakes.world().roles.insert("app_clone".to_owned(), clone);
    fakes.world().start_rotation(APP, "t1");
    (function, fakes)
}

#[tokio::test]
async fn an_existing_app_clone_that_is_not_our_clone_is_never_altered() {
    let someone_else = Role {
        password: "theirs".to_owned(),
        ..Role::default()
    };
    let privileged = Role {
        password: "theirs".to_owned(),
        member_of: vec!["app".to_owned()],
        attributes: vec!["CREATEROLE".to_owned()],
    };
    let wider = Role {
        password: "theirs".to_owned(),
        member_of: vec!["app".to_owned(), "pg_read_all_data".to_owned()],
        ..Role::default()
    };
    for (clone, problem) in [
        (
            someone_else,
            "it is not a member of \"app\", so it is not the clone this function creates",
        ),
        (privileged, "it has CREATEROLE, beyond what \"app\" has"),
        (
            wider,
            "it is a member of [\"pg_read_all_data\"], beyond what \"app\" has",
        ),
    ] {
        let (function, fakes) = with_existing_clone(clone);
        step(&function, "t1", Step::Create).await.unwrap();
        let error = step(&function, "t1", Step::Set).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert_eq!(
            error.to_string(),
            format!("role \"app_clone\" is not one this rotation may use: {problem}")
        );
        assert!(
            fakes.world().logs_in("app_clone", "theirs"),
            "its owner still logs in"
        );
        assert_eq!(fakes.world().calls_named("ALTER"), 0);
    }
    // Our own clone, as the first rotation made it, is altered.
    let ours = Role {
        password: "old".to_owned(),
        member_of: vec!["app".to_owned()],
        ..Role::default()
    };
    let (function, fakes) = with_existing_clone(ours);
    step(&function, "t1", Step::Create).await.unwrap();
    assert_eq!(
        step(&function, "t1", Step::Set).await.unwrap(),
        Outcome::PasswordSet
    );
    assert!(stage_logs_in(&fakes, AWSPENDING));
    // A role the base user belongs to, granted to the clone too, is nothing beyond the base's.
    let shared = Role {
        password: "old".to_owned(),
        member_of: vec!["app".to_owned(), "readers".to_owned()],
        ..Role::default()
    };
    let (function, fakes) = with_existing_clone(shared);
    fakes.world().roles.get_mut("app").unwrap().member_of = vec!["readers".to_owned()];
    fakes
        .world()
        .roles
        .insert("readers".to_owned(), Role::default());
    step(&function, "t1", Step::Create).await.unwrap();
    assert_eq!(
        step(&function, "t1", Step::Set).await.unwrap(),
        Outcome::PasswordSet
    );
}

#[tokio::test]
async fn a_secret_for_the_masters_clone_never_touches_the_masters_password() {
    let (function, fakes) = setup_with("admin_clone", true);
    fakes
        .world()
        .roles
        .get_mut("admin_clone")
        .unwrap()
        .member_of = vec!["admin".to_owned()];
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    assert_eq!(current_json(&fakes, AWSPENDING)["username"], "admin");
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "the master secret does not fit the rotated secret: its user \"admin\" is one of the two users this rotation alternates (\"admin_clone\" and \"admin\")"
    );
    assert_eq!(fakes.world().calls_named("connect"), 0);
    for next in [Step::Test, Step::Finish] {
        let error = step(&function, "t1", next).await.unwrap_err();
        assert_eq!(error.to_string(), "the pending credentials do not work");
    }
    assert!(fakes.world().logs_in("admin", "m0"));
    assert_eq!(fakes.world().calls_named("ALTER"), 0);

    // A pending version written by hand with the master's real password: logging in works, and
    // the pair check refuses the master (an administrator) before anything is promoted.
    let (function, fakes) = setup_with("admin_clone", true);
    fakes
        .world()
        .roles
        .get_mut("admin_clone")
        .unwrap()
        .member_of = vec!["admin".to_owned()];
    put_pending_value(&fakes, "t1", app_value("admin", "m0", true));
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("the master secret does not fit"),
        "{error}"
    );
    for next in [Step::Test, Step::Finish] {
        let error = step(&function, "t1", next).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "role \"admin\" is not one this rotation may use: it has CREATEROLE: this function rotates application users only"
        );
    }
    assert_eq!(
        fakes.world().version_with(APP, AWSCURRENT).as_deref(),
        Some("v0")
    );
    assert_eq!(fakes.world().calls_named("UpdateSecretVersionStage"), 0);
}

#[tokio::test]
async fn a_hand_made_pending_secret_for_a_privileged_role_is_neither_tested_nor_promoted() {
    // `boss_clone` rotates to `boss`, an administrator whose real password the pending version has.
    let (function, fakes) = setup_with("boss_clone", true);
    fakes.world().roles.insert(
        "boss".to_owned(),
        Role {
            password: "boss-password".to_owned(),
            attributes: vec!["CREATEROLE".to_owned()],
            ..Role::default()
        },
    );
    fakes.world().roles.get_mut("boss_clone").unwrap().member_of = vec!["boss".to_owned()];
    put_pending_value(&fakes, "t1", app_value("boss", "boss-password", true));
    let problem = "role \"boss\" is not one this rotation may use: it has CREATEROLE: this function rotates application users only";
    for next in [Step::Set, Step::Test, Step::Finish] {
        let error = step(&function, "t1", next).await.unwrap_err();
        assert_eq!(error.to_string(), problem, "{next:?}");
    }
    assert_eq!(
        fakes.world().version_with(APP, AWSCURRENT).as_deref(),
        Some("v0")
    );
    assert_eq!(fakes.world().calls_named("UpdateSecretVersionStage"), 0);
}

/// Runs `first` and `second` at the same time, interleaved at every call as `seed` chooses.
async fn concurrently(
    function: &crate::Function<Fakes, Fakes, Fakes>,
    fakes: &Fakes,
    seed: u64,
    first: Step,
    second: Step,
) -> [Result<Outcome, crate::error::RotationError>; 2] {
    fakes.world().interleave = Some(Rng::new(seed));
    let (a, b) = tokio::join!(step(function, "t1", first), step(function, "t1", second));
    fakes.world().interleave = None;
    [a, b]
}

#[tokio::test]
async fn concurrent_duplicates_of_each_step_all_succeed() {
    let mut raced = [0; 3];
    for seed in 0..40 {
        for first_use in [false, true] {
            let (function, fakes) = setup(true);
            if first_use {
                fakes.world().roles.remove("app");
            }
            fakes.world().start_rotation(APP, "t1");
            // createSecret twice: one stores its password, the other finds it stored.
            let created = concurrently(&function, &fakes, seed, Step::Create, Step::Create).await;
            let outcomes: Vec<Outcome> = created.into_iter().map(Result::unwrap).collect();
            assert!(
                outcomes.contains(&Outcome::PendingAlreadyExists),
                "{outcomes:?}"
            );
            raced[0] += usize::from(fakes.world().calls_named("PutSecretValue") == 2);
            // setSecret twice on the first rotation: both create, one finds the roles made.
            let set = concurrently(&function, &fakes, seed, Step::Set, Step::Set).await;
            for result in set {
                result.unwrap();
            }
            raced[1] += usize::from(fakes.world().calls_named("CREATE ROLE") == 2);
            assert!(stage_logs_in(&fakes, AWSPENDING));
            step(&function, "t1", Step::Test).await.unwrap();
            // finishSecret twice: the second move finds the label moved.
            let finished = concurrently(&function, &fakes, seed, Step::Finish, Step::Finish).await;
            for result in finished {
                result.unwrap();
            }
            raced[2] += usize::from(fakes.world().calls_named("UpdateSecretVersionStage") > 2);
            let world = fakes.world();
            assert_eq!(world.version_with(APP, AWSCURRENT).as_deref(), Some("t1"));
            assert_eq!(world.version_with(APP, AWSPREVIOUS).as_deref(), Some("v0"));
            assert_eq!(world.version_with(APP, AWSPENDING), None);
            drop(world);
            assert!(stage_logs_in(&fakes, AWSCURRENT));
        }
    }
    // Every race happened in some interleaving, so the paths above were taken.
    assert!(raced.iter().all(|&count| count > 0), "{raced:?}");
}

#[tokio::test]
async fn a_database_lost_during_the_fallback_logins_is_retryable_and_changes_nothing() {
    // The previous password's login (the eighth call of setSecret) finds the server gone.
    let (function, fakes) = setup(false);
    crate::tests::with_previous(&fakes, "app", "p-prev");
    fakes.world().roles.insert("app".to_owned(), role("p-prev"));
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    fakes.world().fail_call(8, false);
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(fakes
        .world()
        .calls
        .last()
        .unwrap()
        .starts_with("connect app"));

    // A recent version's login (the tenth call: no previous version to try) finds it gone too.
    let (function, fakes) = abandoned(1).await;
    fakes.world().start_rotation(APP, "t2");
    step(&function, "t2", Step::Create).await.unwrap();
    fakes.world().fail_call(10, false);
    let error = step(&function, "t2", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    let calls = fakes.world().calls.clone();
    assert!(
        calls[calls.len() - 2].contains("Version(\"a1\")"),
        "{calls:?}"
    );
    assert_eq!(
        fakes.world().calls_named("ALTER ROLE app"),
        1,
        "a1's own setSecret only"
    );

    // The listing of the versions (the eighth call) fails, here after Secrets Manager answered.
    fakes.world().fail_call(8, true);
    let error = step(&function, "t2", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert_eq!(
        error.to_string(),
        "ListSecretVersionIds failed: InternalFailure: fake"
    );
    fakes.world().fault = None;
    assert_eq!(
        step(&function, "t2", Step::Set).await.unwrap(),
        Outcome::PasswordSetAfterRecovery
    );
}
