//! `envctl pool fill|status` and `env up|status --pr` against the emulator's Step Functions, with
//! the three state machines created as deploy names them (moto records executions, runs none: the
//! pool's provisions stay RUNNING, so nothing is available to claim).

use integration_tests::emulator::Emulator;
use integration_tests::functions::run;
use serde_json::Value;

fn envctl_at(emulator: &Emulator, args: &[&str]) -> (i32, String, String) {
    let mut argv = vec!["--endpoint-url", emulator.endpoint()];
    argv.extend_from_slice(args);
    let output = run("envctl", &argv, "", &emulator.env());
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

/// `provision`, `teardown` and `claim`, each a definition that only succeeds (moto runs none).
fn machines(emulator: &Emulator) {
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let sfn = rt.block_on(async { aws_sdk_sfn::Client::new(&emulator.sdk_config().await) });
    for name in ["provision", "teardown", "claim"] {
        let created = sfn
            .create_state_machine()
            .name(name)
            .definition(r#"{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}"#)
            .role_arn("arn:aws:iam::123456789012:role/catalog-environments-states")
            .send();
        rt.block_on(created).expect("the state machine is created");
    }
}

#[test]
fn a_pool_is_filled_to_its_size_once_and_an_unmatched_pull_request_provisions_its_own() {
    let emulator = Emulator::own();
    machines(&emulator);
    let envctl = |args: &[&str]| envctl_at(&emulator, args);

    let (code, out, err) = envctl(&["--json", "pool", "fill", "--size", "2"]);
    assert_eq!(code, 0, "{err}");
    let started = json(&out)["started"].as_array().unwrap().clone();
    assert_eq!(started.len(), 2, "{out}");
    assert!(started
        .iter()
        .all(|s| s.as_str().unwrap().starts_with("pool-")));
    let (code, out, err) = envctl(&["pool", "fill", "--size", "2"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "the pool has 2 environments standing by or on the way\n"
    );

    let (code, out, err) = envctl(&["--json", "pool", "status"]);
    assert_eq!(code, 0, "{err}");
    let status = json(&out);
    let states: Vec<&str> = status["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["refilling", "refilling"]);
    assert_eq!(status["cost"]["size"], 2);

    // Nothing available (the pool's provisions still run): pr-77 is provisioned as without a pool.
    let (code, out, err) = envctl(&["--json", "env", "up", "--pr", "77", "--no-wait"]);
    assert_eq!(code, 0, "{err}");
    let up = json(&out);
    assert!(up["name"].as_str().unwrap().starts_with("pr-77--"), "{up}");
    assert_eq!(up["input"]["spec"]["pullRequest"], 77);
    let (code, out, err) = envctl(&["--json", "env", "status", "--pr", "77"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["suffix"], "pr-77");

    let (code, _, err) = envctl(&["pool", "fill", "--size", "21"]);
    assert_eq!(code, 2);
    assert!(err.contains("21 is not in 0..=20"), "{err}");
}
