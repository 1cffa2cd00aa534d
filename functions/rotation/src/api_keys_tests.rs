//! The API keys secret's rotation against the in-memory fakes: the four steps, each run again, a
//! failure at every call, and a pending version that is not a new key.

use crate::error::RotationError;
use crate::event::Step;
use crate::fakes::{Fakes, Fault};
use crate::protocol::Outcome;
use crate::tests::{current_json, each_step_again_changes_nothing, rotation, secret, step, APP};
use crate::Function;
use env_core::{ErrorName, NamedError};
use secrets::versions::{AWSCURRENT, AWSPENDING, AWSPREVIOUS};
use serde_json::json;

fn keys() -> (Function<Fakes, Fakes, Fakes>, Fakes) {
    let fakes = Fakes::default();
    fakes
        .world()
        .secrets
        .insert(APP.to_owned(), secret(json!({"apiKey": "k0"}).to_string()));
    let function = Function::new(fakes.clone(), crate::tests::parts(&fakes));
    (function, fakes)
}

#[tokio::test]
async fn a_rotation_makes_a_new_40_character_key_current_and_keeps_the_old_one_as_previous() {
    let (function, fakes) = keys();
    let outcomes = rotation(&function, &fakes, "t1").await.unwrap();
    assert_eq!(
        outcomes,
        [
            Outcome::PendingCreated,
            Outcome::NothingToSet,
            Outcome::Tested,
            Outcome::Finished
        ]
    );
    let key = current_json(&fakes, AWSCURRENT)["apiKey"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(key.len(), 40);
    assert!(key.chars().all(|c| c.is_ascii_alphanumeric()), "{key}");
    assert_eq!(current_json(&fakes, AWSPREVIOUS), json!({"apiKey": "k0"}));
    let world = fakes.world();
    assert_eq!(world.version_with(APP, AWSCURRENT).unwrap(), "t1");
    assert_eq!(world.version_with(APP, AWSPENDING), None);
    assert_eq!(world.calls_named("GetRandomPassword 40 \"\" true"), 1);
    assert_eq!(world.calls_named("connect"), 0, "no database is involved");
}

#[tokio::test]
async fn every_step_run_again_changes_nothing_more() {
    let (function, fakes) = keys();
    fakes.world().start_rotation(APP, "t1");
    each_step_again_changes_nothing(&function, &fakes, "t1", Outcome::NothingToSet).await;
}

#[tokio::test]
async fn a_failure_at_any_call_is_retried_to_the_same_end() {
    let (clean, clean_fakes) = keys();
    rotation(&clean, &clean_fakes, "t1").await.unwrap();
    let calls = clean_fakes.world().calls.len();
    for at in 1..=calls {
        for after_effect in [false, true] {
            let (function, fakes) = keys();
            fakes.world().fault = Some(Fault { at, after_effect });
            let first = rotation(&function, &fakes, "t1").await;
            fakes.world().fault = None;
            if first.is_err() {
                rotation(&function, &fakes, "t1").await.unwrap();
            }
            let world = fakes.world();
            assert_eq!(
                world.version_with(APP, AWSCURRENT).as_deref(),
                Some("t1"),
                "{at} {after_effect}"
            );
            assert_eq!(world.version_with(APP, AWSPENDING), None);
            assert_eq!(
                world.value_at(APP, AWSPREVIOUS).unwrap(),
                r#"{"apiKey":"k0"}"#
            );
        }
    }
}

#[tokio::test]
async fn a_pending_version_that_is_no_new_key_is_never_promoted() {
    for (pending, problem) in [
        (
            json!({"apiKey": "k0"}),
            "the pending key is the current one",
        ),
        (
            json!({"username": "app", "password": "p"}),
            "the value is not an API keys secret (`apiKey`)",
        ),
    ] {
        let (function, fakes) = keys();
        fakes.world().start_rotation(APP, "t1");
        fakes
            .world()
            .secret(APP)
            .versions
            .get_mut("t1")
            .unwrap()
            .value = Some(pending.to_string());
        for next in [Step::Set, Step::Test, Step::Finish] {
            let error = step(&function, "t1", next).await.unwrap_err();
            assert_eq!(error.error_name(), ErrorName::ComponentFailed);
            assert!(error.to_string().contains(problem), "{error}");
        }
        assert_eq!(fakes.world().version_with(APP, AWSCURRENT).unwrap(), "v0");
    }
}

#[tokio::test]
async fn a_step_after_create_needs_the_pending_value() {
    let (function, fakes) = keys();
    fakes.world().start_rotation(APP, "t1");
    let error = step(&function, "t1", Step::Test).await.unwrap_err();
    assert!(
        matches!(
            error,
            RotationError::MissingValue {
                which: "pending",
                ..
            }
        ),
        "{error}"
    );
}
