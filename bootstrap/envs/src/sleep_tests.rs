//! `env sleep|wake` against the in-memory fake: what each recorded history leads to.

use super::*;
use crate::fake::FakeWorkflows;
use crate::pool::tests_support::{block, names, pr_spec, record, set_status};
use crate::tests::{env, FAST};
use serde_json::Value;

fn scope() -> ArnScope {
    ArnScope::new("us-west-2", "123456789012")
}

/// The input of pull request 42's environment, `extra` on its spec.
fn input(extra: Value) -> Value {
    json!({ "spec": pr_spec(42, extra) })
}

/// Pull request 42's environment brought up by `up` (SUCCEEDED unless `status` says otherwise).
fn brought_up(status: &str) -> FakeWorkflows {
    let cloud = FakeWorkflows::default();
    record(&cloud, "provision", "pr-42--up1", status, input(json!({})));
    cloud
}

fn refusal(result: anyhow::Result<()>) -> Refusal {
    result
        .unwrap_err()
        .downcast::<Refusal>()
        .expect("a typed refusal")
}

fn planned(cloud: &FakeWorkflows, wanted: Wanted) -> anyhow::Result<Plan> {
    block(plan(cloud, &scope(), "pr-42", wanted))
}

fn provisions(cloud: &FakeWorkflows) -> Vec<String> {
    names(cloud, "provision")
}

#[test]
fn sleep_starts_a_provision_of_the_current_spec_asleep_and_a_repeat_attaches_to_it() {
    let cloud = brought_up("SUCCEEDED");
    let (result, out, err) = env(&cloud, &["sleep", "--suffix", "pr-42", "--no-wait"]);
    result.unwrap();
    let started = provisions(&cloud);
    assert_eq!(started.len(), 2, "{started:?}");
    let name = started[1].clone();
    assert!(name.starts_with("pr-42--") && name.contains("-g"), "{name}");
    let executions = cloud.executions.borrow();
    let sleep = &executions[1];
    assert_eq!(sleep.input["spec"]["asleep"], true);
    // Everything else is the spec it runs with now.
    let mut same = sleep.input.clone();
    same["spec"].as_object_mut().unwrap().remove("asleep");
    assert_eq!(same, executions[0].input);
    drop(executions);
    assert_eq!(out, format!("{name} RUNNING\n"));
    assert!(
        err.contains(&format!("provision {name}: started (sleep)")),
        "{err}"
    );

    // Asked again while it runs: it is followed, nothing new starts.
    let (result, _, err) = env(&cloud, &["sleep", "--suffix", "pr-42", "--no-wait"]);
    result.unwrap();
    assert_eq!(provisions(&cloud).len(), 2);
    assert!(
        err.contains(&format!(
            "provision {name}: RUNNING already, making it asleep"
        )),
        "{err}"
    );

    // Once it has succeeded, it sleeps: nothing starts.
    set_status(&cloud, &name, "SUCCEEDED");
    let (result, out, _) = env(&cloud, &["sleep", "--suffix", "pr-42"]);
    result.unwrap();
    assert_eq!(
        out,
        format!("pr-42 is already asleep ({name} SUCCEEDED): nothing started\n")
    );
    let (result, out, _) = env(&cloud, &["--json", "sleep", "--suffix", "pr-42"]);
    result.unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap(),
        json!({"suffix": "pr-42", "state": "asleep", "started": false, "execution": name})
    );
    assert_eq!(provisions(&cloud).len(), 2);
}

#[test]
fn wake_starts_a_provision_named_apart_from_the_one_that_made_it_and_follows_it() {
    let cloud = FakeWorkflows {
        // The plan reads the sleeping provision; the follow sees the wake run, then succeed.
        script: vec!["SUCCEEDED", "RUNNING", "SUCCEEDED"],
        output: Some(json!({"outputs": {"httpsUrl": "https://alb-pr-42"}})),
        ..FakeWorkflows::default()
    };
    record(
        &cloud,
        "provision",
        "pr-42--up1",
        "SUCCEEDED",
        input(json!({})),
    );
    let asleep = input(json!({"asleep": true}));
    record(&cloud, "provision", "pr-42--sleep1", "SUCCEEDED", asleep);
    // Awake, it is the spec `up` started with: the same input, so the name must differ.
    let (result, out, err) = env(&cloud, &["wake", "--suffix", "pr-42", FAST[0], FAST[1]]);
    result.unwrap();
    let started = provisions(&cloud);
    assert_eq!(started.len(), 3, "{started:?}");
    let wake = cloud.executions.borrow()[2].clone();
    assert_eq!(wake.input, input(json!({})));
    assert_ne!(wake.name, "pr-42--up1");
    let expected = crate::request::execution_name(
        pr_spec(42, json!({})).suffix(),
        None,
        &wake.input,
        Some("pr-42--sleep1"),
    );
    assert_eq!(wake.name, expected);
    assert_eq!(
        out,
        format!("{} SUCCEEDED\nhttpsUrl: https://alb-pr-42\n", wake.name)
    );
    assert!(err.contains("started (wake)"), "{err}");

    // Awake: waking again starts nothing.
    let (result, out, _) = env(&cloud, &["wake", "--suffix", "pr-42"]);
    result.unwrap();
    assert!(out.starts_with("pr-42 is already awake ("), "{out}");
    assert_eq!(provisions(&cloud).len(), 3);
}

#[test]
fn the_same_request_from_the_same_state_gets_the_same_name() {
    let cloud = brought_up("SUCCEEDED");
    let first = planned(&cloud, Wanted::Asleep).unwrap();
    assert_eq!(first, planned(&cloud, Wanted::Asleep).unwrap());
    let Plan::Start { name, .. } = first else {
        panic!("{first:?}")
    };
    // From another state it would change: another name.
    let other = brought_up("SUCCEEDED");
    record(
        &other,
        "provision",
        "pr-42--up2",
        "SUCCEEDED",
        input(json!({})),
    );
    let Plan::Start { name: later, .. } = planned(&other, Wanted::Asleep).unwrap() else {
        panic!("a start")
    };
    assert_ne!(name, later);
}

#[test]
fn an_environment_without_executions_is_not_found() {
    let cloud = FakeWorkflows::default();
    let (result, _, _) = env(&cloud, &["sleep", "--suffix", "pr-42"]);
    let refused = refusal(result);
    assert_eq!(refused.name(), "EnvironmentNotFound");
    assert_eq!(
        refused.to_string(),
        "EnvironmentNotFound: no execution of any workflow names pr-42: bring it up with `envctl env up` first"
    );
    assert!(cloud.executions.borrow().is_empty());
}

#[test]
fn a_teardown_running_done_or_failed_refuses_naming_it() {
    for (status, name, message) in [
        (
            "RUNNING",
            "EnvironmentBeingTornDown",
            "pr-42 is being torn down (pr-42--down1, RUNNING): nothing to sleep or wake",
        ),
        (
            "SUCCEEDED",
            "EnvironmentTornDown",
            "pr-42 was torn down (pr-42--down1, SUCCEEDED): bring it up again with `envctl env up`",
        ),
        (
            "FAILED",
            "EnvironmentTeardownFailed",
            "the teardown of pr-42 (pr-42--down1) ended FAILED: remove what is left with `envctl env down`",
        ),
    ] {
        let cloud = brought_up("SUCCEEDED");
        record(&cloud, "teardown", "pr-42--down1", status, input(json!({})));
        for wanted in [Wanted::Asleep, Wanted::Awake] {
            let refused = planned(&cloud, wanted).unwrap_err();
            let refused = refused.downcast::<Refusal>().unwrap();
            assert_eq!(refused.name(), name);
            assert_eq!(refused.to_string(), format!("{name}: {message}"));
        }
        assert_eq!(provisions(&cloud).len(), 1);
    }
    // A provision rolled back: torn down as well.
    let cloud = brought_up("FAILED");
    let rollback = "rollback-pr-42--up1";
    record(&cloud, "teardown", rollback, "SUCCEEDED", input(json!({})));
    let refused = planned(&cloud, Wanted::Asleep).unwrap_err();
    assert_eq!(
        refused.downcast::<Refusal>().unwrap(),
        Refusal::TornDown {
            suffix: "pr-42".into(),
            execution: rollback.into()
        }
    );
    // The scheduled cleanup's teardown of an expired environment (`cleanup-<suffix>-<time>`):
    // torn down too, so a wake never brings back what the cleanup removed.
    let cloud = brought_up("SUCCEEDED");
    let expired = "cleanup-pr-42-20261207T040000Z";
    record(&cloud, "teardown", expired, "SUCCEEDED", input(json!({})));
    let refused = planned(&cloud, Wanted::Awake).unwrap_err();
    assert_eq!(
        refused.downcast::<Refusal>().unwrap(),
        Refusal::TornDown {
            suffix: "pr-42".into(),
            execution: expired.into()
        }
    );
}

#[test]
fn a_pool_environment_waiting_to_be_claimed_is_refused() {
    let cloud = FakeWorkflows::default();
    let standby = json!({"spec": pr_spec(42, json!({"standby": true, "pullRequest": null}))});
    record(&cloud, "provision", "pr-42--fill", "SUCCEEDED", standby);
    let refused = refusal(env(&cloud, &["sleep", "--suffix", "pr-42"]).0);
    assert_eq!(refused.name(), "EnvironmentIsStandby");
    assert!(
        refused
            .to_string()
            .ends_with("pr-42 is a warm-pool environment (standby, pr-42--fill): it waits awake to be claimed, and a spec may not be standby and asleep"),
        "{refused}"
    );
}

#[test]
fn a_provision_of_the_other_state_running_is_refused_and_a_failed_one_too() {
    let cloud = brought_up("RUNNING");
    let refused = planned(&cloud, Wanted::Asleep).unwrap_err();
    let refused = refused.downcast::<Refusal>().unwrap();
    assert_eq!(refused.name(), "EnvironmentBusy");
    assert_eq!(
        refused.to_string(),
        "EnvironmentBusy: pr-42 has a provision running that makes it awake (pr-42--up1): try again once it has finished (`envctl env status --suffix pr-42`)"
    );
    // Waking while `up` runs: that provision brings it up awake, so it is followed.
    let Plan::Running { machine, execution } = planned(&cloud, Wanted::Awake).unwrap() else {
        panic!("the running provision")
    };
    assert_eq!(
        (machine, execution.name.as_str()),
        ("provision", "pr-42--up1")
    );

    // Waking while a sleep runs: refused too.
    record(
        &cloud,
        "provision",
        "pr-42--sleep1",
        "RUNNING",
        input(json!({"asleep": true})),
    );
    let refused = planned(&cloud, Wanted::Awake).unwrap_err().to_string();
    assert!(
        refused.contains("has a provision running that makes it asleep (pr-42--sleep1)"),
        "{refused}"
    );

    for status in ["FAILED", "ABORTED", "TIMED_OUT"] {
        let cloud = brought_up(status);
        let refused = planned(&cloud, Wanted::Awake).unwrap_err();
        let refused = refused.downcast::<Refusal>().unwrap();
        assert_eq!(refused.name(), "EnvironmentFailed");
        assert_eq!(
            refused.to_string(),
            format!("EnvironmentFailed: the latest provision of pr-42 (pr-42--up1) ended {status} without a rollback: bring it up again with `envctl env up` or remove it with `envctl env down`")
        );
    }
}

#[test]
fn an_unreadable_spec_in_the_latest_input_is_an_error_naming_the_execution() {
    let cloud = FakeWorkflows::default();
    record(&cloud, "provision", "pr-42--up1", "SUCCEEDED", json!({}));
    let error = planned(&cloud, Wanted::Asleep).unwrap_err();
    assert_eq!(error.to_string(), "the input of pr-42--up1");
}

#[test]
fn a_claimed_pool_environment_sleeps_by_its_pull_request() {
    let cloud = FakeWorkflows::default();
    let claimed = json!({"spec": pr_spec(42, json!({"environmentSuffix": "pool-a1"}))});
    record(
        &cloud,
        "claim",
        "claim-pool-a1",
        "SUCCEEDED",
        claimed.clone(),
    );
    let (result, _, _) = env(&cloud, &["sleep", "--pr", "42", "--no-wait"]);
    result.unwrap();
    let started = provisions(&cloud);
    assert_eq!(started.len(), 1, "{started:?}");
    assert!(started[0].starts_with("pool-a1--"), "{started:?}");
    let sleep = cloud.executions.borrow()[1].clone();
    assert_eq!(sleep.input["spec"]["environmentSuffix"], "pool-a1");
    assert_eq!(sleep.input["spec"]["asleep"], true);
}

#[test]
fn down_during_a_running_sleep_stops_it_then_tears_down() {
    let cloud = brought_up("SUCCEEDED");
    let asleep = input(json!({"asleep": true}));
    record(
        &cloud,
        "provision",
        "pr-42--sleep1",
        "RUNNING",
        asleep.clone(),
    );
    let (result, out, err) = env(&cloud, &["down", "--suffix", "pr-42", "--no-wait"]);
    result.unwrap();
    assert_eq!(
        *cloud.stopped.borrow(),
        ["arn:aws:states:us-west-2:123456789012:execution:provision:pr-42--sleep1"]
    );
    assert!(
        err.contains("provision pr-42--sleep1: stopped before the teardown"),
        "{err}"
    );
    let executions = cloud.executions.borrow();
    assert_eq!(
        executions[0].status, "SUCCEEDED",
        "only a running one stops"
    );
    assert_eq!(executions[1].status, "ABORTED");
    let teardown = executions[2].clone();
    drop(executions);
    assert!(teardown.arn.contains(":execution:teardown:pr-42--"));
    // The teardown takes the latest spec, asleep: delete works from either shape.
    assert_eq!(teardown.input, asleep);
    assert_eq!(out, format!("{} RUNNING\n", teardown.name));
    // Sleeping it meanwhile, or once it is gone, is refused.
    let refused = refusal(env(&cloud, &["sleep", "--suffix", "pr-42"]).0);
    assert_eq!(refused.name(), "EnvironmentBeingTornDown");
    set_status(&cloud, &teardown.name, "SUCCEEDED");
    let refused = refusal(env(&cloud, &["wake", "--suffix", "pr-42"]).0);
    assert_eq!(refused.name(), "EnvironmentTornDown");
    // A second `down` finds nothing running to stop.
    env(&cloud, &["down", "--suffix", "pr-42", "--no-wait"])
        .0
        .unwrap();
    assert_eq!(cloud.stopped.borrow().len(), 1);
}

#[test]
fn status_says_asleep_once_the_sleep_succeeded() {
    let cloud = brought_up("SUCCEEDED");
    let asleep = input(json!({"asleep": true}));
    record(&cloud, "provision", "pr-42--sleep1", "SUCCEEDED", asleep);
    let (result, out, _) = env(&cloud, &["status", "--suffix", "pr-42"]);
    result.unwrap();
    assert!(out.starts_with("pr-42: provision pr-42--sleep1 SUCCEEDED (state Network, started "));
    assert!(out.ends_with("): asleep\n"), "{out}");
    let (result, out, _) = env(&cloud, &["--json", "status", "--suffix", "pr-42"]);
    result.unwrap();
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["asleep"], true);
    let awake = brought_up("SUCCEEDED");
    let (result, out, _) = env(&awake, &["--json", "status", "--suffix", "pr-42"]);
    result.unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["asleep"],
        false
    );
}

#[test]
fn the_comment_of_a_sleeping_environment_says_asleep() {
    let cloud = brought_up("SUCCEEDED");
    let asleep = input(json!({"asleep": true}));
    record(&cloud, "provision", "pr-42--sleep1", "SUCCEEDED", asleep);
    let (result, out, _) = env(&cloud, &["comment", "--suffix", "pr-42"]);
    result.unwrap();
    assert!(
        out.contains("**Preview environment `pr-42`: asleep**"),
        "{out}"
    );
    assert!(out.contains("per hour asleep"), "{out}");
}

#[test]
fn each_state_has_its_word_and_command() {
    assert_eq!(
        (Wanted::Asleep.word(), Wanted::Asleep.command()),
        ("asleep", "sleep")
    );
    assert_eq!(
        (Wanted::Awake.word(), Wanted::Awake.command()),
        ("awake", "wake")
    );
}

#[test]
fn each_local_command_is_named_anew_in_the_environments_history() {
    let cloud = FakeWorkflows::default();
    let spec = pr_spec(42, json!({}));
    let start = |machine| block(crate::start_next(&cloud, "us-west-2", machine, &spec));
    let (first, input) = start("provision").unwrap();
    assert_eq!(input, json!({ "spec": spec }));
    let name = |arn: &str| arn.rsplit_once(':').unwrap().1.to_owned();
    assert_eq!(
        name(&first),
        crate::request::execution_name(spec.suffix(), None, &input, None)
    );
    set_status(&cloud, &name(&first), "SUCCEEDED");
    // The same spec again (a second `local up`): a new name, in the first one's generation.
    let (second, _) = start("provision").unwrap();
    assert_ne!(first, second);
    assert_eq!(
        name(&second),
        crate::request::execution_name(spec.suffix(), None, &input, Some(&name(&first)))
    );
    let (teardown, _) = start("teardown").unwrap();
    assert!(
        teardown.contains(":execution:teardown:pr-42--"),
        "{teardown}"
    );

    // The name it would take, held meanwhile by an older execution of other input: refused.
    let taken = crate::request::execution_name(spec.suffix(), None, &input, Some(&name(&teardown)));
    cloud.executions.borrow_mut().push(Execution {
        arn: format!("arn:aws:states:us-west-2:123456789012:execution:provision:{taken}"),
        name: taken.clone(),
        status: "SUCCEEDED".into(),
        started: std::time::SystemTime::UNIX_EPOCH,
        input: json!({}),
        output: None,
        error: None,
        cause: None,
    });
    let error = start("provision").unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("provision {taken} exists already: another command started it meanwhile")
    );
}
