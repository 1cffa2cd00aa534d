//! The Redis AUTH token's rotation against the in-memory fakes: the four steps with the group
//! taking the new token some time after `ROTATE`, each step run again, a failure at every call, the
//! tasks that still hold a token the next change would drop, and pending versions never promoted.

use crate::cache::Deployment;
use crate::error::RotationError;
use crate::event::Step;
use crate::fakes::{Fakes, Fault};
use crate::protocol::Outcome;
use crate::tests::{
    change_first_value, current_json, each_step_again_changes_nothing, parts, rotation, secret,
    step, APP,
};
use crate::Function;
use env_core::{ErrorName, NamedError};
use secrets::versions::{AWSCURRENT, AWSPENDING, AWSPREVIOUS};
use serde_json::{json, Value};
use std::time::Duration;

const T0: &str = "token-zero-0123456789";

fn token_secret(token: &str) -> Value {
    json!({"authToken": token, "replicationGroupId": "redis-pr-1", "host": "clustercfg.redis-pr-1",
           "port": 6379, "tls": true})
}

/// A group whose server takes T0, applying a new token after `apply_after` logins; the function
/// waits up to `wait` logins' worth (the fakes' time is logins).
fn group(apply_after: usize) -> (Function<Fakes, Fakes, Fakes>, Fakes) {
    let fakes = Fakes::default();
    {
        let mut world = fakes.world();
        world
            .secrets
            .insert(APP.to_owned(), secret(token_secret(T0).to_string()));
        world.cache.exists = true;
        world.cache.tokens = vec![T0.to_owned()];
        world.cache.apply_after = apply_after;
    }
    let mut parts = parts(&fakes);
    parts.cache.wait = Duration::from_secs(5);
    (Function::new(fakes.clone(), parts), fakes)
}

fn token_at(fakes: &Fakes, stage: &str) -> String {
    current_json(fakes, stage)["authToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_rotation_adds_a_64_character_token_waits_for_it_and_keeps_the_old_one_working() {
    let (function, fakes) = group(3);
    fakes.world().cache.deployments = Some(vec![Deployment { created_nanos: 0 }]);
    let outcomes = rotation(&function, &fakes, "t1").await.unwrap();
    assert_eq!(
        outcomes,
        [
            Outcome::PendingCreated,
            Outcome::TokenAdded,
            Outcome::Tested,
            Outcome::Finished
        ]
    );
    let token = token_at(&fakes, AWSCURRENT);
    assert_eq!(token.len(), 64);
    assert!(token.chars().all(|c| c.is_ascii_alphanumeric()), "{token}");
    // Everything but the token kept; the old token still taken beside the new one.
    let mut expected = token_secret(&token);
    assert_eq!(current_json(&fakes, AWSCURRENT), expected);
    expected["authToken"] = json!(T0);
    assert_eq!(current_json(&fakes, AWSPREVIOUS), expected);
    let world = fakes.world();
    assert_eq!(world.cache.tokens, [T0.to_owned(), token]);
    assert_eq!(world.version_with(APP, AWSPENDING), None);
    assert_eq!(world.calls_named("GetRandomPassword 64 \"\" true"), 1);
    assert_eq!(world.calls_named("ModifyReplicationGroup redis-pr-1"), 1);
    // The tasks restarted once the new token was current.
    assert_eq!(world.calls_named("UpdateService api-pr-1"), 1);
    let restarted = world.cache.deployments.as_ref().unwrap()[0].created_nanos;
    assert!(restarted > 0);
}

#[tokio::test]
async fn every_step_run_again_changes_nothing_more() {
    let (function, fakes) = group(0);
    fakes.world().start_rotation(APP, "t1");
    each_step_again_changes_nothing(&function, &fakes, "t1", Outcome::PendingAlreadyLogsIn).await;
}

#[tokio::test]
async fn a_failure_at_any_call_is_retried_to_the_same_end_with_both_tokens_taken() {
    let (clean, clean_fakes) = group(2);
    rotation(&clean, &clean_fakes, "t1").await.unwrap();
    let calls = clean_fakes.world().calls.len();
    for at in 1..=calls {
        for after_effect in [false, true] {
            let (function, fakes) = group(2);
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
            drop(world);
            let current = token_at(&fakes, AWSCURRENT);
            assert_eq!(
                fakes.world().cache.tokens,
                [T0.to_owned(), current],
                "{at} {after_effect}"
            );
        }
    }
}

#[tokio::test]
async fn a_token_the_group_has_not_applied_within_the_wait_fails_the_step_for_a_retry() {
    let (function, fakes) = group(1_000);
    let mut slow = parts(&fakes);
    slow.cache.wait = Duration::ZERO;
    let function_without_wait = Function::new(fakes.clone(), slow);
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    let error = step(&function_without_wait, "t1", Step::Set)
        .await
        .unwrap_err();
    assert!(
        matches!(error, RotationError::TokenNotYetAccepted { .. }),
        "{error}"
    );
    assert_eq!(error.error_name(), ErrorName::Retryable);
    // Asked again while the change is applied: no second change, the same wait.
    fakes.world().cache.applying.as_mut().unwrap().1 = 1;
    assert_eq!(
        step(&function, "t1", Step::Set).await.unwrap(),
        Outcome::TokenAdded
    );
    assert_eq!(fakes.world().calls_named("ModifyReplicationGroup"), 1);
    drop(function_without_wait);
}

#[tokio::test]
async fn a_token_one_node_takes_is_not_enough_while_the_group_still_applies_it() {
    let (_, fakes) = group(0);
    let mut impatient = parts(&fakes);
    impatient.cache.wait = Duration::ZERO;
    let function = Function::new(fakes.clone(), impatient);
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    // The node behind the configuration endpoint has the token; the others are still modifying.
    let pending = token_at(&fakes, AWSPENDING);
    fakes.world().cache.tokens.push(pending);
    fakes.world().cache.applying = Some(("another-change".to_owned(), 1_000));
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "replication group redis-pr-1 has not applied the new token yet (the group is modifying); Secrets Manager retries the rotation"
    );
}

#[tokio::test]
async fn a_change_refused_because_another_is_applied_is_waited_for_like_ours() {
    let (function, fakes) = group(1);
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    // A concurrent setSecret of this token changed the group between this one's look and its
    // own change: ElastiCache refuses the second change.
    fakes.world().cache.concurrent_change = true;
    assert_eq!(
        step(&function, "t1", Step::Set).await.unwrap(),
        Outcome::TokenAdded
    );
    let pending = token_at(&fakes, AWSPENDING);
    assert_eq!(fakes.world().cache.tokens, [T0.to_owned(), pending]);
}

#[tokio::test]
async fn tasks_that_may_hold_the_token_a_change_would_drop_are_replaced_first() {
    let (function, fakes) = group(0);
    // A first rotation: the group takes T0 and T1; the service started before it holds T0.
    fakes.world().cache.deployments = Some(vec![Deployment { created_nanos: 0 }]);
    rotation(&function, &fakes, "t1").await.unwrap();
    // Its restart at finishSecret never happened (stopped, or the service was updated back).
    fakes.world().cache.deployments = Some(vec![Deployment { created_nanos: 0 }]);
    let error = rotation(&function, &fakes, "t2").await.unwrap_err();
    assert!(
        matches!(error, RotationError::TasksHoldAnOldToken { ref service } if service == "api-pr-1"),
        "{error}"
    );
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert_eq!(fakes.world().cache.tokens.len(), 2, "nothing dropped");
    assert_eq!(fakes.world().calls_named("UpdateService"), 2);
    // While that deployment rolls out beside the old one, still refused, and not restarted again.
    let restarted = fakes.world().cache.deployments.clone().unwrap();
    fakes.world().cache.deployments =
        Some([restarted.clone(), vec![Deployment { created_nanos: 0 }]].concat());
    assert!(rotation(&function, &fakes, "t2").await.is_err());
    assert_eq!(fakes.world().calls_named("UpdateService"), 2);
    // Once only the new deployment runs, the rotation goes on and T0 is dropped.
    fakes.world().cache.deployments = Some(restarted);
    rotation(&function, &fakes, "t2").await.unwrap();
    let tokens = fakes.world().cache.tokens.clone();
    assert!(!tokens.contains(&T0.to_owned()));
    assert_eq!(tokens[1], token_at(&fakes, AWSCURRENT));
}

#[tokio::test]
async fn without_a_service_nothing_holds_a_token_and_nothing_is_restarted() {
    let (function, fakes) = group(0);
    rotation(&function, &fakes, "t1").await.unwrap();
    rotation(&function, &fakes, "t2").await.unwrap();
    assert_eq!(fakes.world().calls_named("UpdateService"), 0);
    assert_eq!(fakes.world().cache.tokens.len(), 2);
}

#[tokio::test]
async fn a_function_that_does_not_name_the_service_refuses_to_rotate_a_token() {
    let fakes = group(0).1;
    let mut unnamed = parts(&fakes);
    unnamed.cache.service = None;
    let function = Function::new(fakes.clone(), unnamed);
    let error = rotation(&function, &fakes, "t1").await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Misconfigured);
    assert!(format!("{:?}", error).contains("ECS_SERVICE"), "{error:?}");
}

#[tokio::test]
async fn an_unreachable_server_or_a_missing_group_changes_nothing() {
    let (function, fakes) = group(0);
    fakes.world().start_rotation(APP, "t1");
    step(&function, "t1", Step::Create).await.unwrap();
    fakes.world().cache.unreachable = true;
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(
        error
            .to_string()
            .contains("does not take the pending token"),
        "{error}"
    );
    fakes.world().cache.unreachable = false;
    fakes.world().cache.exists = false;
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert!(
        error.to_string().contains("redis-pr-1 does not exist"),
        "{error:?}"
    );
    assert_eq!(fakes.world().calls_named("ModifyReplicationGroup"), 0);
    // testSecret refuses a token the server does not take.
    let error = step(&function, "t1", Step::Test).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
}

#[tokio::test]
async fn a_pending_version_that_is_no_new_token_for_the_same_group_is_never_promoted() {
    let mut other_group = token_secret("another-token-0123456789");
    other_group["replicationGroupId"] = json!("redis-other");
    for (pending, problem) in [
        (token_secret(T0), "the pending token is the current one"),
        (token_secret("short"), "is not 16 to 128 letters"),
        (other_group, "names another group or endpoint"),
        (json!({"apiKey": "k"}), "not a Redis AUTH token secret"),
    ] {
        let (function, fakes) = group(0);
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
        assert_eq!(fakes.world().calls_named("ModifyReplicationGroup"), 0);
    }
}

#[tokio::test]
async fn a_secret_without_the_groups_endpoint_or_a_pending_value_is_refused() {
    let (function, fakes) = group(0);
    fakes.world().start_rotation(APP, "t1");
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
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
    let mut incomplete = token_secret(T0);
    incomplete.as_object_mut().unwrap().remove("host");
    change_first_value(&fakes, APP, incomplete.to_string());
    step(&function, "t1", Step::Create).await.unwrap();
    let error = step(&function, "t1", Step::Set).await.unwrap_err();
    assert!(error.to_string().contains("not valid"), "{error}");
}

#[test]
fn a_token_secret_prints_its_group_and_never_its_token() {
    let secret = crate::cache_token::TokenSecret::parse(&token_secret(T0).to_string())
        .expect("a token secret");
    assert_eq!(secret.token.expose(), T0);
    let printed = format!("{secret:?}");
    assert_eq!(printed, r#"TokenSecret { group: "redis-pr-1", .. }"#);
}
