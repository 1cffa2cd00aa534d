//! The protocol's rules against the in-memory fakes, one file per concern: [`strategies`],
//! [`events`], [`repeated_steps`], [`logins`], [`secret_values`], [`failures`], then
//! [`crash_safety`]. Here: the secrets, roles and steps they share with the other rotation tests.

mod crash_safety;
mod events;
mod failures;
mod logins;
mod repeated_steps;
mod secret_values;
mod strategies;

use crate::config::PasswordPolicy;
use crate::event::{RotationEvent, Step};
use crate::fakes::{Fakes, Role, Secret, Version, HOST};
use crate::protocol::Outcome;
use crate::Function;
use secrets::versions::{AWSCURRENT, AWSPREVIOUS};
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

/// The database function creates the application secret before any user exists.
fn setup_first_use() -> (Function<Fakes, Fakes, Fakes>, Fakes) {
    let (function, fakes) = setup(true);
    fakes.world().roles.remove("app");
    (function, fakes)
}

/// A rotation of `t1` started, its createSecret done.
pub(crate) async fn pending_created(alternating: bool) -> (Function<Fakes, Fakes, Fakes>, Fakes) {
    let (function, fakes) = setup(alternating);
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    (function, fakes)
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

/// Changes the value of the secret `id`'s first version (`v0`, AWSCURRENT until a rotation) by hand.
pub(crate) fn change_first_value(fakes: &Fakes, id: &str, value: String) {
    fakes
        .world()
        .secret(id)
        .versions
        .get_mut("v0")
        .unwrap()
        .value = Some(value);
}

pub(crate) fn put_pending_value(fakes: &Fakes, token: &str, value: String) {
    let mut world = fakes.world();
    world.start_rotation(APP, token);
    world.secret(APP).versions.get_mut(token).unwrap().value = Some(value);
}
