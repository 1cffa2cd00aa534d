//! The protocol's rules, one test each, against the in-memory fakes; then crash safety.

use crate::config::{PasswordPolicy, Settings};
use crate::event::{RotationEvent, Step};
use crate::fakes::{aws_failure, Fakes, Fault, Role, Secret, Version, HOST};
use crate::protocol::Outcome;
use crate::store::{SecretStore, AWSCURRENT, AWSPENDING, AWSPREVIOUS};
use crate::Function;
use env_core::settings::FunctionSettings;
use env_core::{ErrorName, NamedError};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub(crate) const APP: &str = "app-secret";
pub(crate) const MASTER: &str = "master-secret";
pub(crate) const STEPS: [Step; 4] = [Step::Create, Step::Set, Step::Test, Step::Finish];

pub(crate) fn app_value(user: &str, password: &str, alternating: bool) -> String {
    let mut value = json!({"engine": "postgres", "host": HOST, "port": 5432, "username": user,
        "password": password, "dbname": "catalog"});
    if alternating {
        value["masterarn"] = json!(MASTER);
    }
    value.to_string()
}

pub(crate) fn secret(value: String) -> Secret {
    Secret {
        rotation_enabled: true,
        versions: BTreeMap::from([(
            "v0".to_owned(),
            Version {
                value: Some(value),
                stages: vec![AWSCURRENT.to_owned()],
                created: 0,
            },
        )]),
    }
}

pub(crate) fn role(password: &str) -> Role {
    Role {
        password: password.to_owned(),
        ..Role::default()
    }
}

pub(crate) fn setup_with(user: &str, alternating: bool) -> (Function<Fakes, Fakes, Fakes>, Fakes) {
    let fakes = Fakes::default();
    {
        let mut world = fakes.world();
        world
            .secrets
            .insert(APP.to_owned(), secret(app_value(user, "p0", alternating)));
        world.secrets.insert(
            MASTER.to_owned(),
            secret(json!({"username": "admin", "password": "m0"}).to_string()),
        );
        world.roles.insert(user.to_owned(), role("p0"));
        // A master as RDS makes it: CREATEROLE, so it can manage the application's users.
        world.roles.insert(
            "admin".to_owned(),
            Role {
                attributes: vec!["CREATEROLE".to_owned()],
                ..role("m0")
            },
        );
    }
    let function = Function::new(fakes.clone(), parts(&fakes));
    (function, fakes)
}

/// What the function rotates with, all fakes: the token's service named, and no pause between looks.
pub(crate) fn parts(fakes: &Fakes) -> crate::Parts<Fakes, Fakes> {
    crate::Parts {
        database: fakes.clone(),
        policy: PasswordPolicy::default(),
        cache: crate::cache::CacheSide {
            client: fakes.clone(),
            service: Some(crate::cache::EcsService {
                cluster: "ecs-pr-1".to_owned(),
                service: "api-pr-1".to_owned(),
            }),
            // The fakes' time is their calls: a bound in seconds is never reached by waiting.
            wait: std::time::Duration::from_secs(5),
            poll: std::time::Duration::ZERO,
        },
    }
}

/// An SDK configuration for the clients a configured function builds (never called in these tests).
pub(crate) fn sdk_config() -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build()
}

pub(crate) fn setup(alternating: bool) -> (Function<Fakes, Fakes, Fakes>, Fakes) {
    setup_with("app", alternating)
}

pub(crate) fn event(token: &str, step: Step) -> RotationEvent {
    RotationEvent {
        secret_id: APP.to_owned(),
        client_request_token: token.to_owned(),
        step,
    }
}

pub(crate) async fn step(
    function: &Function<Fakes, Fakes, Fakes>,
    token: &str,
    step: Step,
) -> Result<Outcome, crate::error::RotationError> {
    function.handle(event(token, step)).await.map(|r| r.outcome)
}

/// What Secrets Manager does for one rotation: RotateSecret (a pending version without value), then
/// the four steps in order, stopping at the first failure.
pub(crate) async fn rotation(
    function: &Function<Fakes, Fakes, Fakes>,
    fakes: &Fakes,
    token: &str,
) -> Result<Vec<Outcome>, crate::error::RotationError> {
    if !fakes.world().secret(APP).versions.contains_key(token) {
        fakes.world().start_rotation(APP, token);
    }
    let mut outcomes = Vec::new();
    for next in STEPS {
        outcomes.push(step(function, token, next).await?);
    }
    Ok(outcomes)
}

pub(crate) fn current_json(fakes: &Fakes, stage: &str) -> Value {
    serde_json::from_str(&fakes.world().value_at(APP, stage).unwrap()).unwrap()
}

/// The credentials of `stage` log in to the fake database.
pub(crate) fn stage_logs_in(fakes: &Fakes, stage: &str) -> bool {
    let value = current_json(fakes, stage);
    fakes.world().logs_in(
        value["username"].as_str().unwrap(),
        value["password"].as_str().unwrap(),
    )
}

/// Runs the four steps of a started rotation of `token`, each twice: the second run of each
/// answers that its work is done (setSecret: `set_again`) and changes nothing.
pub(crate) async fn each_step_again_changes_nothing(
    function: &Function<Fakes, Fakes, Fakes>,
    fakes: &Fakes,
    token: &str,
    set_again: Outcome,
) {
    for next in STEPS {
        step(function, token, next).await.unwrap();
        let made = mutating_calls(fakes).len();
        let again = step(function, token, next).await.unwrap();
        let expected = match next {
            Step::Create => Outcome::PendingAlreadyExists,
            Step::Set => set_again,
            Step::Test => Outcome::Tested,
            Step::Finish => Outcome::AlreadyCurrent,
        };
        assert_eq!(again, expected);
        assert_eq!(mutating_calls(fakes).len(), made, "{next:?} again");
    }
}

pub(crate) fn mutating_calls(fakes: &Fakes) -> Vec<String> {
    fakes
        .world()
        .calls
        .iter()
        .filter(|c| {
            [
                "PutSecretValue",
                "UpdateSecretVersionStage",
                "ALTER",
                "CREATE",
                "ModifyReplicationGroup",
                "UpdateService",
            ]
            .iter()
            .any(|m| c.starts_with(m))
        })
        .cloned()
        .collect()
}

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
    let (function, fakes) = setup(false);
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    step(&function, "t1", Step::Set).await.unwrap();
    let ddl = mutating_calls(&fakes).len();
    assert_eq!(
        step(&function, "t1", Step::Set).await.unwrap(),
        Outcome::PendingAlreadyLogsIn
    );
    assert_eq!(mutating_calls(&fakes).len(), ddl, "no new DDL");

    // Alternating, the one login is the master's: the clone's password is set again, the same.
    let (function, fakes) = setup(true);
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
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

pub(crate) fn with_previous(fakes: &Fakes, user: &str, password: &str) {
    fakes.world().secret(APP).versions.insert(
        "v-prev".to_owned(),
        Version {
            value: Some(app_value(user, password, false)),
            stages: vec![AWSPREVIOUS.to_owned()],
            created: 0,
        },
    );
}

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

pub(crate) fn put_pending_value(fakes: &Fakes, token: &str, value: String) {
    let mut world = fakes.world();
    world.start_rotation(APP, token);
    world.secret(APP).versions.get_mut(token).unwrap().value = Some(value);
}

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
    fakes
        .world()
        .secret(MASTER)
        .versions
        .get_mut("v0")
        .unwrap()
        .value =
        Some(json!({"username": "admin", "password": "m0", "host": "other.example"}).to_string());
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "the master secret does not fit the rotated secret: it is for other.example:5432/catalog, the current secret for db.example:5432/catalog"
    );
    assert_eq!(fakes.world().calls_named("connect admin"), 0);
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
    fakes
        .world()
        .secret(APP)
        .versions
        .get_mut("v0")
        .unwrap()
        .value = Some(json!({"username": "app", "password": "p0"}).to_string());
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
    fakes
        .world()
        .secret(APP)
        .versions
        .get_mut("v0")
        .unwrap()
        .value = Some(
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

#[tokio::test]
async fn an_unreachable_database_or_a_throttled_call_is_retryable() {
    let (function, fakes) = setup(false);
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    fakes.world().unreachable = true;
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    // Reachable for the pending login's rejection, unreachable for the current one's.
    fakes.world().unreachable = false;
    fakes.world().fault = Some(Fault {
        at: 5,
        after_effect: false,
    });
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(
        error.to_string().contains("could not be reached"),
        "{error}"
    );
    fakes.world().fault = Some(Fault {
        at: 1,
        after_effect: false,
    });
    fakes.world().counted = 0;
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
    let (function, fakes) = setup(true);
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    fakes.world().statements_fail = true;
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(error.to_string(), "CREATE ROLE and GRANT failed");
    fakes.world().statements_fail = false;
    step(&function, "t1", Step::Set).await.unwrap();
    let (function, fakes) = setup(false);
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
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

#[tokio::test]
async fn the_fake_secrets_manager_keeps_the_rules_the_protocol_relies_on() {
    let (_, fakes) = setup(false);
    fakes.put_pending(APP, "t1", "one").await.unwrap();
    fakes.put_pending(APP, "t1", "one").await.unwrap();
    let changed = fakes.put_pending(APP, "t1", "two").await.unwrap_err();
    assert!(changed.is_code("ResourceExistsException"));
    let unnamed = fakes
        .move_stage(APP, AWSCURRENT, Some("t1"), None)
        .await
        .unwrap_err();
    assert!(unnamed.is_code("InvalidParameterException"));
    let not_the_holder = fakes
        .move_stage(APP, AWSPENDING, None, Some("v0"))
        .await
        .unwrap_err();
    assert!(not_the_holder.is_code("InvalidParameterException"));
    fakes
        .move_stage(APP, AWSCURRENT, Some("t1"), Some("v0"))
        .await
        .unwrap();
    assert_eq!(
        fakes.world().version_with(APP, AWSPREVIOUS).as_deref(),
        Some("v0")
    );
}

/// How many calls a clean rotation `token` makes after `before` clean rotations.
async fn calls_of_a_rotation(
    function: &Function<Fakes, Fakes, Fakes>,
    fakes: &Fakes,
    before: usize,
    token: &str,
) -> usize {
    for clean in 1..=before {
        rotation(function, fakes, &format!("t{clean}"))
            .await
            .unwrap();
    }
    let made = fakes.world().calls.len();
    rotation(function, fakes, token).await.unwrap();
    fakes.world().calls.len() - made
}

/// Crash safety: a failure injected at every call of a rotation (each AWS call and each database
/// call, before and after its effect; a failure after the last call of a step is a failure after
/// that step), in the first, second and third rotation, for both strategies. After the failure the
/// rotation is retried as Secrets Manager retries it (same token, from createSecret); it must end
/// with AWSCURRENT credentials that log in and AWSPENDING absent or on the AWSCURRENT version. With
/// alternating users, AWSCURRENT must also log in right after the failure, before any retry. A
/// failure after an effect the step can see (a stored value, a moved label) is absorbed: the
/// rotation then succeeds at once, and must end in the same state.
#[tokio::test]
async fn a_rotation_interrupted_at_any_call_and_retried_ends_with_working_current_credentials() {
    let (mut cases, mut absorbed) = (0, 0);
    for alternating in [false, true] {
        for faulty in 1..=3 {
            let token = format!("t{faulty}");
            let (function, fakes) = setup(alternating);
            let calls = calls_of_a_rotation(&function, &fakes, faulty - 1, &token).await;
            assert!(calls >= 15, "a rotation makes at least 15 calls: {calls}");
            for after_effect in [false, true] {
                for at in 1..=calls {
                    let (function, fakes) = setup(alternating);
                    for clean in 1..faulty {
                        rotation(&function, &fakes, &format!("t{clean}"))
                            .await
                            .unwrap();
                    }
                    fakes.world().fault = Some(Fault { at, after_effect });
                    let failed = rotation(&function, &fakes, &token).await.is_err();
                    fakes.world().fault = None;
                    let case = format!("alternating={alternating} rotation={faulty} call={at} after={after_effect}");
                    if failed {
                        cases += 1;
                        if alternating {
                            assert!(
                                stage_logs_in(&fakes, AWSCURRENT),
                                "{case}: current broken by the failure"
                            );
                        }
                        let retried = rotation(&function, &fakes, &token).await;
                        assert!(retried.is_ok(), "{case}: retry failed: {:?}", retried.err());
                    } else {
                        assert!(
                            after_effect,
                            "{case}: a failure before a call's effect is reported"
                        );
                        absorbed += 1;
                    }
                    let world = fakes.world();
                    assert_eq!(
                        world.version_with(APP, AWSCURRENT).as_deref(),
                        Some(token.as_str()),
                        "{case}"
                    );
                    let pending = world.version_with(APP, AWSPENDING);
                    assert!(
                        pending.is_none() || pending.as_deref() == Some(token.as_str()),
                        "{case}"
                    );
                    drop(world);
                    assert!(
                        stage_logs_in(&fakes, AWSCURRENT),
                        "{case}: current does not log in"
                    );
                    assert_ne!(
                        current_json(&fakes, AWSCURRENT)["password"],
                        current_json(&fakes, AWSPREVIOUS)["password"],
                        "{case}"
                    );
                }
            }
        }
    }
    eprintln!("crash safety: {cases} injected failures, each retried to a working rotation; {absorbed} absorbed");
    assert!(cases >= 100, "{cases} injected cases");
    // PutSecretValue and both label moves of each rotation, failed after their effect.
    assert!(absorbed >= 18, "{absorbed} absorbed failures");
}

/// The database function creates the application secret before any user exists.
fn setup_first_use() -> (Function<Fakes, Fakes, Fakes>, Fakes) {
    let (function, fakes) = setup(true);
    fakes.world().roles.remove("app");
    (function, fakes)
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
async fn a_first_use_refused_by_the_database_fails_the_step_and_a_retry_after_any_crash_succeeds() {
    let (function, fakes) = setup_first_use();
    fakes.world().statements_fail = true;
    let error = rotation(&function, &fakes, "t1").await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(!fakes.world().roles.contains_key("app"));

    let calls = {
        let (function, fakes) = setup_first_use();
        calls_of_a_rotation(&function, &fakes, 0, "t1").await
    };
    let mut cases = 0;
    for after_effect in [false, true] {
        for at in 1..=calls {
            let (function, fakes) = setup_first_use();
            fakes.world().fault = Some(Fault { at, after_effect });
            let failed = rotation(&function, &fakes, "t1").await.is_err();
            fakes.world().fault = None;
            if failed {
                cases += 1;
                let retried = rotation(&function, &fakes, "t1").await;
                assert!(
                    retried.is_ok(),
                    "call={at} after={after_effect}: {retried:?}"
                );
            }
            assert!(
                stage_logs_in(&fakes, AWSCURRENT),
                "call={at} after={after_effect}"
            );
            assert_eq!(
                fakes.world().privileges["app"].len(),
                2,
                "call={at} after={after_effect}"
            );
        }
    }
    assert!(cases >= 30, "{cases} injected cases");
}
