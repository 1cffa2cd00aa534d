//! Sleep and wake (issue 22) end to end in the emulator, through `envctl local`: an environment of
//! examples/pr.json's settings comes up, sleeps (no NAT gateway, no replication group, no task
//! wanted), wakes (all three back, `minTasks` tasks wanted), sleeps again and is torn down to
//! nothing; and the orders that must stay consistent: sleep twice, wake while awake, a provision
//! still recorded as running when `down` comes, down while asleep, sleep after down.

use env_core::naming::{NameKind, Names};
use env_core::spec::EnvironmentSuffix;
use integration_tests::emulator::Emulator;
use integration_tests::leftovers::leftovers_in;
use integration_tests::local::local_in_dir;
use integration_tests::scratch::ScratchDir;
use integration_tests::unique_suffix;
use serde_json::{json, Value};
use std::path::Path;

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

/// examples/pr.json's settings (one NAT, one cache shard of two cache.t4g.micro nodes, two tasks
/// at least), without its pull request; written into `work`.
fn pr_spec(work: &Path) -> String {
    let spec = json!({
        "ttlHours": 72, "forceDestroy": true, "natGateways": "single", "dbMinCapacity": 0,
        "cacheShards": 1, "cacheNodeType": "cache.t4g.micro",
        "containerImage": "public.ecr.aws/acme/catalog-api:sha-1f2e3d", "selfSignedCertificate": true,
    });
    let path = work.join("pr.json");
    std::fs::write(&path, spec.to_string()).expect("the spec is written");
    path.to_string_lossy().into_owned()
}

/// What sleeping changes, as the emulator holds it now.
#[derive(Debug, PartialEq, Eq)]
struct Shape {
    /// NAT gateways of the environment not `deleted`.
    nats: usize,
    /// The status of its replication group, when there is one.
    cache: Option<String>,
    /// The service's desired task count.
    desired: i32,
}

async fn shape(emulator: &Emulator, suffix: &EnvironmentSuffix) -> Shape {
    let config = emulator.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    // moto ignores tag filters on DescribeNatGateways: filtered here.
    let nats = ec2
        .describe_nat_gateways()
        .send()
        .await
        .expect("DescribeNatGateways answers");
    let mine = |tags: &[aws_sdk_ec2::types::Tag]| {
        tags.iter().any(|tag| {
            tag.key() == Some(env_core::tags::ENVIRONMENT) && tag.value() == Some(suffix.as_str())
        })
    };
    let nats = nats
        .nat_gateways()
        .iter()
        .filter(|nat| mine(nat.tags()))
        .filter(|nat| nat.state().map(|state| state.as_str()) != Some("deleted"))
        .count();
    let names = Names::new(suffix);
    let group = names.of(NameKind::CacheReplicationGroup);
    let groups = aws_sdk_elasticache::Client::new(&config)
        .describe_replication_groups()
        .send()
        .await
        .expect("DescribeReplicationGroups answers");
    let cache = groups
        .replication_groups()
        .iter()
        .find(|found| found.replication_group_id() == Some(group.as_str()))
        .map(|found| found.status().unwrap_or_default().to_owned());
    let services = aws_sdk_ecs::Client::new(&config)
        .describe_services()
        .cluster(names.of(NameKind::EcsCluster).as_str())
        .services(names.of(NameKind::EcsService).as_str())
        .send()
        .await
        .expect("DescribeServices answers");
    let desired = services.services()[0].desired_count();
    Shape {
        nats,
        cache,
        desired,
    }
}

/// The executions of `machine` in the emulator whose name starts with `prefix`: (name, status).
async fn executions(emulator: &Emulator, machine: &str, prefix: &str) -> Vec<(String, String)> {
    let sfn = aws_sdk_sfn::Client::new(&emulator.sdk_config().await);
    let arn = format!("arn:aws:states:us-west-2:123456789012:stateMachine:{machine}");
    let listed = sfn
        .list_executions()
        .state_machine_arn(&arn)
        .send()
        .await
        .expect("ListExecutions answers");
    let mut found: Vec<(String, String)> = listed
        .executions()
        .iter()
        .filter(|execution| execution.name().starts_with(prefix))
        .map(|execution| {
            let status = execution.status().as_str().to_owned();
            (execution.name().to_owned(), status)
        })
        .collect();
    found.sort();
    found
}

const ASLEEP: Shape = Shape {
    nats: 0,
    cache: None,
    desired: 0,
};

fn awake() -> Shape {
    Shape {
        nats: 1,
        cache: Some("available".into()),
        desired: 2,
    }
}

#[test]
fn an_environment_sleeps_wakes_sleeps_and_tears_down_to_nothing() {
    let emulator = Emulator::own();
    let work = ScratchDir::new("envctl-it-sleep");
    let local = |args: &[&str]| local_in_dir(&emulator, &work, args);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let spec = pr_spec(&work);
    let suffix = unique_suffix();
    let s = suffix.as_str();

    let (code, _, err) = local(&["local", "deploy"]);
    assert_eq!(code, 0, "{err}");
    let up = ["local", "up", "--suffix", s, "--spec", &spec, "--no-deploy"];
    let (code, _, err) = local(&up);
    assert_eq!(code, 0, "{err}");
    assert_eq!(runtime.block_on(shape(&emulator, &suffix)), awake());
    // `local up` is recorded as Step Functions records it: what sleep and wake read.
    let prefix = format!("{s}--");
    let provisions = runtime.block_on(executions(&emulator, "provision", &prefix));
    assert_eq!(provisions.len(), 1, "{provisions:?}");
    assert_eq!(provisions[0].1, "SUCCEEDED");

    let (code, out, err) = local(&["--json", "local", "sleep", "--suffix", s, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("started (sleep)"), "{err}");
    let outputs = parse(&out);
    assert_eq!(outputs["asleep"], true, "{outputs}");
    assert_eq!(outputs["cacheConfigurationEndpoint"], "", "{outputs}");
    assert_eq!(runtime.block_on(shape(&emulator, &suffix)), ASLEEP);

    let (code, out, err) = local(&["--json", "local", "wake", "--suffix", s, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    let outputs = parse(&out);
    assert_ne!(outputs["cacheConfigurationEndpoint"], "", "{outputs}");
    assert_eq!(runtime.block_on(shape(&emulator, &suffix)), awake());

    let (code, _, err) = local(&["local", "sleep", "--suffix", s, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(runtime.block_on(shape(&emulator, &suffix)), ASLEEP);
    // up, sleep, wake, sleep: four provisions, each under its own name, all SUCCEEDED.
    let provisions = runtime.block_on(executions(&emulator, "provision", &prefix));
    assert_eq!(provisions.len(), 4, "{provisions:?}");
    assert!(provisions.iter().all(|(_, status)| status == "SUCCEEDED"));

    let down = [
        "--json",
        "local",
        "down",
        "--suffix",
        s,
        "--spec",
        &spec,
        "--no-deploy",
    ];
    let (code, out, err) = local(&down);
    assert_eq!(code, 0, "{err}");
    assert_eq!(parse(&out), json!({"suffix": s, "status": "DELETED"}));
    let config = runtime.block_on(emulator.sdk_config());
    let left = runtime.block_on(leftovers_in(&config, &suffix));
    assert!(left.is_empty(), "{s} left {left:?}");
}

#[test]
fn sleep_and_wake_in_any_order_stay_consistent_and_down_leaves_nothing() {
    let emulator = Emulator::own();
    let work = ScratchDir::new("envctl-it-sleep-orders");
    let local = |args: &[&str]| local_in_dir(&emulator, &work, args);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let spec = pr_spec(&work);
    let suffix = unique_suffix();
    let s = suffix.as_str();
    let prefix = format!("{s}--");
    let provisions = || runtime.block_on(executions(&emulator, "provision", &prefix));

    let (code, _, err) = local(&["local", "deploy"]);
    assert_eq!(code, 0, "{err}");
    // Nothing of it exists yet: refused, naming it.
    let (code, out, err) = local(&["local", "sleep", "--suffix", s, "--no-deploy"]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(
        err.ends_with(&format!("error: EnvironmentNotFound: no execution of any workflow names {s}: bring it up with `envctl env up` first\n")),
        "{err}"
    );

    let up = ["local", "up", "--suffix", s, "--spec", &spec, "--no-deploy"];
    let (code, _, err) = local(&up);
    assert_eq!(code, 0, "{err}");
    // Awake already: waking starts nothing.
    let (code, out, err) = local(&["local", "wake", "--suffix", s, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(&format!("{s} is already awake ({s}--")),
        "{out}"
    );
    assert_eq!(provisions().len(), 1);

    // Asleep twice over: the second starts nothing.
    let (code, _, err) = local(&["local", "sleep", "--suffix", s, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = local(&["--json", "local", "sleep", "--suffix", s, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    let said = parse(&out);
    assert_eq!(
        (&said["state"], &said["started"]),
        (&json!("asleep"), &json!(false)),
        "{said}"
    );
    assert_eq!(provisions().len(), 2);
    assert_eq!(runtime.block_on(shape(&emulator, &suffix)), ASLEEP);

    // A wake another command started and has not finished (moto holds it RUNNING): a second wake
    // leaves it to that command, and `down` stops it before tearing down.
    let sleeping = provisions();
    let running = format!("{s}--elsewhere");
    runtime.block_on(start_wake_elsewhere(&emulator, &running, &spec, s));
    let (code, out, err) = local(&["local", "wake", "--suffix", s, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!("{s}: provision {running} is RUNNING (another command runs it): nothing started\n")
    );
    let (code, out, err) = local(&["--json", "local", "wake", "--suffix", s, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        parse(&out),
        json!({"suffix": s, "state": "RUNNING", "started": false, "execution": running})
    );
    let down = [
        "local",
        "down",
        "--suffix",
        s,
        "--spec",
        &spec,
        "--no-deploy",
    ];
    let (code, out, err) = local(&down);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, format!("{s}: deleted\n"));
    assert!(
        err.contains(&format!("provision {running}: stopped before the teardown")),
        "{err}"
    );
    let after = provisions();
    assert!(
        after.contains(&(running.clone(), "ABORTED".to_owned())),
        "{after:?}"
    );
    assert_eq!(after.len(), sleeping.len() + 1, "{after:?}");
    let config = runtime.block_on(emulator.sdk_config());
    let left = runtime.block_on(leftovers_in(&config, &suffix));
    assert!(left.is_empty(), "{s} left {left:?}");

    // Torn down: neither sleep nor wake brings anything back.
    for command in ["sleep", "wake"] {
        let (code, out, err) = local(&["local", command, "--suffix", s, "--no-deploy"]);
        assert_eq!((code, out.as_str()), (1, ""), "{err}");
        assert!(err.contains("error: EnvironmentTornDown: "), "{err}");
    }
    assert_eq!(provisions().len(), after.len());
    // A pull request's environment is the pool environment it holds, else pr-<N>: none here.
    let (code, _, err) = local(&["local", "sleep", "--pr", "9", "--no-deploy"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.ends_with("error: EnvironmentNotFound: no execution of any workflow names pr-9: bring it up with `envctl env up` first\n"),
        "{err}"
    );
}

/// Starts (and leaves RUNNING: moto runs nothing) a wake of `suffix` named `name`, as a `local
/// wake` still running elsewhere would have recorded it.
async fn start_wake_elsewhere(emulator: &Emulator, name: &str, spec: &str, suffix: &str) {
    let mut value = parse(&std::fs::read_to_string(spec).expect("the spec is there"));
    value["environmentSuffix"] = json!(suffix);
    let sfn = aws_sdk_sfn::Client::new(&emulator.sdk_config().await);
    sfn.start_execution()
        .state_machine_arn("arn:aws:states:us-west-2:123456789012:stateMachine:provision")
        .name(name)
        .input(json!({ "spec": value }).to_string())
        .send()
        .await
        .expect("StartExecution answers");
}
