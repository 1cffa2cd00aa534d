//! Crash safety: a rotation failed at any of its calls and retried as Secrets Manager retries it
//! ends with working credentials; and the fake's Secrets Manager rules it is measured against.

use super::*;
use crate::fakes::Fault;
use env_core::{ErrorName, NamedError};
use secrets::versions::{SecretVersions, AWSPENDING};

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
