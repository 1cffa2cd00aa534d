use super::*;
use env_core::error::{ErrorName, NamedError};
use env_core::spec::example;
use serde_json::json;
use sfn::fake::FakeSfn as FakeCloud;
use sfn::EXECUTION_ALREADY_EXISTS;

const PROVISION: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:provision";
const CLAIM: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:claim";
const TEARDOWN: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:teardown";

pub fn settings() -> Settings {
    Settings {
        provision_arn: PROVISION.to_owned(),
        claim_arn: CLAIM.to_owned(),
        teardown_arn: TEARDOWN.to_owned(),
    }
}

/// The input of a provision of pull request 42's environment, `extra` in its spec.
pub fn input(extra: serde_json::Value) -> String {
    json!({ "spec": example::with(extra) }).to_string()
}

fn suffix(text: &str) -> EnvironmentSuffix {
    EnvironmentSuffix::parse(text).unwrap()
}

async fn decided(cloud: &FakeCloud, text: &str) -> CallResult<State> {
    decide(cloud, &settings(), &suffix(text)).await
}

#[tokio::test]
async fn an_environment_no_workflow_names_is_not_found_and_claims_are_read_for_pools_only() {
    let cloud = FakeCloud::default();
    cloud
        .world()
        .add(PROVISION, "pr-7--a", &input(json!({})), "SUCCEEDED");
    assert_eq!(decided(&cloud, "pr-42").await.unwrap(), State::NotFound);
    assert_eq!(cloud.calls("ListExecutions"), 2);
    assert_eq!(decided(&cloud, "pool-a").await.unwrap(), State::NotFound);
    assert_eq!(cloud.calls("ListExecutions"), 5);
    assert_eq!(cloud.calls("StartExecution"), 0);
}

#[tokio::test]
async fn an_environment_asleep_is_woken_under_the_name_env_wake_gives_and_only_once() {
    let cloud = FakeCloud::default();
    let asleep = input(json!({"asleep": true}));
    {
        let mut world = cloud.world();
        world.add(PROVISION, "pr-42--up", &input(json!({})), "SUCCEEDED");
        world.add(PROVISION, "pr-42--sleep-1", &asleep, "SUCCEEDED");
    }
    let first = decided(&cloud, "pr-42").await.unwrap();
    let spec = example::with(json!({"asleep": true}));
    let expected = converge(&spec, false, "pr-42--sleep-1").unwrap();
    assert_eq!(
        first,
        State::Waking {
            execution: expected.name.clone(),
            started: true
        }
    );
    let started = cloud.world().executions.last().cloned().unwrap();
    assert_eq!(
        started.summary.arn,
        format!(
            "{}:{}",
            PROVISION.replace("stateMachine", "execution"),
            expected.name
        )
    );
    assert_eq!(started.input, expected.input.to_string());
    let woken: Value = serde_json::from_str(&started.input).unwrap();
    assert!(
        !EnvironmentSpec::from_value(&woken["spec"])
            .unwrap()
            .fields()
            .asleep
    );
    // The next request sees the wake running: nothing more starts.
    let second = decided(&cloud, "pr-42").await.unwrap();
    assert_eq!(
        second,
        State::Waking {
            execution: expected.name,
            started: false
        }
    );
    assert_eq!(cloud.calls("StartExecution"), 1);
}

#[tokio::test]
async fn a_wake_started_meanwhile_by_someone_else_is_this_wake() {
    let cloud = FakeCloud::default();
    cloud.world().add(
        PROVISION,
        "pr-42--sleep-1",
        &input(json!({"asleep": true})),
        "SUCCEEDED",
    );
    cloud
        .recorder
        .lock()
        .fail("StartExecution", EXECUTION_ALREADY_EXISTS);
    let state = decided(&cloud, "pr-42").await.unwrap();
    assert!(
        matches!(state, State::Waking { started: false, .. }),
        "{state:?}"
    );
}

#[tokio::test]
async fn a_pool_environment_claimed_and_asleep_is_woken_in_the_claims_generation() {
    let cloud = FakeCloud::default();
    let claimed =
        json!({"spec": example::with(json!({"environmentSuffix": "pool-a", "asleep": true}))});
    {
        let mut world = cloud.world();
        world.add(
            PROVISION,
            "pool-a--refill",
            &input(json!({"environmentSuffix": "pool-a", "standby": true})),
            "SUCCEEDED",
        );
        world.add(CLAIM, "claim-pool-a", &claimed.to_string(), "SUCCEEDED");
    }
    let state = decided(&cloud, "pool-a").await.unwrap();
    let spec = example::with(json!({"environmentSuffix": "pool-a", "asleep": true}));
    let expected = converge(&spec, false, "claim-pool-a").unwrap();
    assert_eq!(
        state,
        State::Waking {
            execution: expected.name,
            started: true
        }
    );
}

#[tokio::test]
async fn what_runs_or_has_ended_decides_the_page_and_starts_nothing() {
    let cases = [
        (
            PROVISION,
            "pr-42--w",
            json!({}),
            "RUNNING",
            State::Waking {
                execution: "pr-42--w".into(),
                started: false,
            },
        ),
        (
            PROVISION,
            "pr-42--s",
            json!({"asleep": true}),
            "RUNNING",
            State::GoingToSleep {
                execution: "pr-42--s".into(),
            },
        ),
        (
            PROVISION,
            "pr-42--s",
            json!({"asleep": true}),
            "PENDING_REDRIVE",
            State::GoingToSleep {
                execution: "pr-42--s".into(),
            },
        ),
        (
            PROVISION,
            "pr-42--up",
            json!({}),
            "SUCCEEDED",
            State::Awake {
                execution: "pr-42--up".into(),
            },
        ),
        (
            PROVISION,
            "pr-42--up",
            json!({"asleep": true}),
            "FAILED",
            State::ProvisionFailed {
                execution: "pr-42--up".into(),
                status: "FAILED".into(),
            },
        ),
        (
            PROVISION,
            "pr-42--up",
            json!({"standby": true}),
            "SUCCEEDED",
            State::Standby {
                execution: "pr-42--up".into(),
            },
        ),
    ];
    for (machine, name, extra, status, expected) in cases {
        let cloud = FakeCloud::default();
        cloud.world().add(machine, name, &input(extra), status);
        assert_eq!(
            decided(&cloud, "pr-42").await.unwrap(),
            expected,
            "{name} {status}"
        );
        assert_eq!(cloud.calls("StartExecution"), 0);
    }
}

#[tokio::test]
async fn a_teardown_after_the_sleep_keeps_the_environment_from_waking() {
    for (name, status, expected) in [
        (
            "pr-42--down",
            "RUNNING",
            State::BeingTornDown {
                execution: "pr-42--down".into(),
            },
        ),
        (
            "cleanup-pr-42-20261126T030000Z",
            "RUNNING",
            State::BeingTornDown {
                execution: "cleanup-pr-42-20261126T030000Z".into(),
            },
        ),
        (
            "rollback-pr-42--x",
            "SUCCEEDED",
            State::TornDown {
                execution: "rollback-pr-42--x".into(),
            },
        ),
        (
            "pr-42--down",
            "FAILED",
            State::TeardownFailed {
                execution: "pr-42--down".into(),
                status: "FAILED".into(),
            },
        ),
    ] {
        let cloud = FakeCloud::default();
        {
            let mut world = cloud.world();
            world.add(
                PROVISION,
                "pr-42--sleep-1",
                &input(json!({"asleep": true})),
                "SUCCEEDED",
            );
            world.add(TEARDOWN, name, "{}", status);
        }
        assert_eq!(decided(&cloud, "pr-42").await.unwrap(), expected, "{name}");
        assert_eq!(cloud.calls("StartExecution"), 0);
        assert_eq!(
            cloud.calls("DescribeExecution"),
            0,
            "a teardown's input is not read"
        );
    }
}

#[tokio::test]
async fn a_retirement_is_a_teardown_and_an_input_without_a_spec_is_unreadable() {
    let cloud = FakeCloud::default();
    cloud
        .world()
        .add(CLAIM, "claim-pool-a", r#"{"retire": true}"#, "RUNNING");
    assert_eq!(
        decided(&cloud, "pool-a").await.unwrap(),
        State::BeingTornDown {
            execution: "claim-pool-a".into()
        }
    );
    for (text, reason) in [
        ("not json", "its input is not JSON"),
        (
            r#"{"spec": {"environmentSuffix": "pr-42"}}"#,
            "the environment spec has",
        ),
    ] {
        let cloud = FakeCloud::default();
        cloud.world().add(PROVISION, "pr-42--x", text, "SUCCEEDED");
        let state = decided(&cloud, "pr-42").await.unwrap();
        let State::Unreadable {
            execution,
            reason: said,
        } = state
        else {
            panic!("{state:?}");
        };
        assert_eq!(execution, "pr-42--x");
        assert!(said.starts_with(reason), "{said}");
    }
}

#[tokio::test]
async fn the_first_page_holding_the_environment_holds_its_latest_and_later_pages_are_not_read() {
    let cloud = FakeCloud::default();
    {
        let mut world = cloud.world();
        world.page_size = 2;
        world.add(PROVISION, "pr-42--old", &input(json!({})), "SUCCEEDED");
        world.add(PROVISION, "pr-42--up", &input(json!({})), "SUCCEEDED");
        for other in ["pr-1--a", "pr-2--a", "pr-3--a"] {
            world.add(PROVISION, other, "{}", "SUCCEEDED");
        }
    }
    assert_eq!(
        decided(&cloud, "pr-42").await.unwrap(),
        State::Awake {
            execution: "pr-42--up".into()
        }
    );
    // Provision: pages 1 (pr-3, pr-2) and 2 (pr-1, pr-42--up); teardown: one empty page.
    assert_eq!(cloud.calls("ListExecutions"), 3);
}

#[tokio::test]
async fn every_failing_call_fails_the_decision_with_its_name() {
    for (operation, code, name) in [
        (
            "ListExecutions",
            "ThrottlingException",
            ErrorName::Retryable,
        ),
        (
            "DescribeExecution",
            "AccessDeniedException",
            ErrorName::AwsRejected,
        ),
        (
            "StartExecution",
            "AccessDeniedException",
            ErrorName::AwsRejected,
        ),
    ] {
        let cloud = FakeCloud::default();
        cloud.world().add(
            PROVISION,
            "pr-42--sleep-1",
            &input(json!({"asleep": true})),
            "SUCCEEDED",
        );
        cloud.recorder.lock().fail(operation, code);
        let error = decided(&cloud, "pr-42").await.unwrap_err();
        assert_eq!(error.operation(), operation);
        assert_eq!(error.error_name(), name, "{operation} {code}");
    }
}
