//! Wake on request (issue 22) end to end in the emulator, through `envctl local request`: an
//! environment comes up and sleeps; a request to it, as its load balancer hands it to the waker,
//! answers the "waking up" page and starts the wake, which runs to the end, so the environment is
//! awake again and the next request finds it so. And the orders that must stay consistent: sleep,
//! request and down in quick succession leave nothing; a request after the teardown, or while one
//! runs, starts nothing.

use env_core::naming::{NameKind, Names};
use env_core::spec::EnvironmentSuffix;
use integration_tests::emulator::Emulator;
use integration_tests::leftovers::leftovers_in;
use integration_tests::local::{local_in_dir, local_without_emulator};
use integration_tests::scratch::ScratchDir;
use integration_tests::unique_suffix;
use serde_json::{json, Value};
use std::path::Path;

const PROVISION: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:provision";

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

/// A small pull-request spec that sleeps after 15 idle minutes, written into `work`.
fn idle_spec(work: &Path) -> String {
    let spec = json!({
        "ttlHours": 24, "forceDestroy": true, "natGateways": "single", "dbMinCapacity": 0,
        "cacheShards": 1, "cacheNodeType": "cache.t4g.micro", "sleepAfterIdleMinutes": 15,
        "containerImage": "public.ecr.aws/acme/catalog-api:sha-1f2e3d", "selfSignedCertificate": true,
    });
    let path = work.join("idle.json");
    std::fs::write(&path, spec.to_string()).expect("the spec is written");
    path.to_string_lossy().into_owned()
}

/// How many tasks the environment's service wants.
async fn desired_tasks(emulator: &Emulator, suffix: &EnvironmentSuffix) -> i32 {
    let names = Names::new(suffix);
    let ecs = aws_sdk_ecs::Client::new(&emulator.sdk_config().await);
    let described = ecs
        .describe_services()
        .cluster(names.of(NameKind::EcsCluster))
        .services(names.of(NameKind::EcsService))
        .send()
        .await
        .expect("DescribeServices answers");
    described.services()[0].desired_count()
}

/// The environment's provisions the emulator records: (name, status), oldest first.
async fn provisions(emulator: &Emulator, suffix: &EnvironmentSuffix) -> Vec<(String, String)> {
    let sfn = aws_sdk_sfn::Client::new(&emulator.sdk_config().await);
    let listed = sfn
        .list_executions()
        .state_machine_arn(PROVISION)
        .send()
        .await
        .expect("ListExecutions answers");
    let prefix = format!("{suffix}--");
    // ListExecutions lists the newest first.
    listed
        .executions()
        .iter()
        .rev()
        .filter(|execution| execution.name().starts_with(&prefix))
        .map(|execution| {
            (
                execution.name().to_owned(),
                execution.status().as_str().to_owned(),
            )
        })
        .collect()
}

/// The outputs document the provision `name` ended with.
async fn outputs_of(emulator: &Emulator, name: &str) -> Value {
    let sfn = aws_sdk_sfn::Client::new(&emulator.sdk_config().await);
    let arn = PROVISION.replace(":stateMachine:", ":execution:") + ":" + name;
    let described = sfn
        .describe_execution()
        .execution_arn(arn)
        .send()
        .await
        .expect("DescribeExecution answers");
    parse(described.output().unwrap_or("null"))["outputs"].clone()
}

#[test]
fn a_request_to_an_asleep_environment_wakes_it_and_the_next_finds_it_awake() {
    let emulator = Emulator::own();
    let work = ScratchDir::new("envctl-it-wake-request");
    let local = |args: &[&str]| local_in_dir(&emulator, &work, args);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let spec = idle_spec(&work);
    let suffix = unique_suffix();
    let s = suffix.as_str();

    let (code, _, err) = local(&["local", "deploy"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = local(&["local", "up", "--suffix", s, "--spec", &spec, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = local(&["local", "sleep", "--suffix", s, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(runtime.block_on(desired_tasks(&emulator, &suffix)), 0);
    let before = runtime.block_on(provisions(&emulator, &suffix));
    assert_eq!(before.len(), 2, "up and sleep: {before:?}");

    // The request: the waking page, and the wake it started run here to the end.
    let request = [
        "--json",
        "local",
        "request",
        "--suffix",
        s,
        "--path",
        "/orders?page=2",
        "--no-deploy",
    ];
    let (code, out, err) = local(&request);
    assert_eq!(code, 0, "{err}");
    let said = parse(&out);
    assert_eq!(
        (
            &said["statusCode"],
            &said["statusDescription"],
            &said["title"]
        ),
        (
            &json!(503),
            &json!("503 Service Unavailable"),
            &json!("Waking up")
        ),
        "{said}"
    );
    assert_eq!(said["headers"]["Cache-Control"], "no-store", "{said}");
    assert!(
        said["body"].as_str().unwrap_or_default().contains(s),
        "{said}"
    );
    let woken = said["woken"].as_array().expect("the wakes started");
    assert_eq!(woken.len(), 1, "{said}");
    let wake = woken[0].as_str().expect("an execution name");
    let after = runtime.block_on(provisions(&emulator, &suffix));
    assert_eq!(after.len(), 3, "{after:?}");
    assert!(
        after.contains(&(wake.to_owned(), "SUCCEEDED".to_owned())),
        "{after:?}"
    );
    let outputs = runtime.block_on(outputs_of(&emulator, wake));
    assert_ne!(outputs["asleep"], true, "{outputs}");
    assert_ne!(outputs["cacheConfigurationEndpoint"], "", "{outputs}");
    assert_eq!(runtime.block_on(desired_tasks(&emulator, &suffix)), 2);

    // Awake now: the next request (HEAD, no body) starts nothing; so does `local wake`.
    let head = [
        "local",
        "request",
        "--suffix",
        s,
        "--method",
        "HEAD",
        "--no-deploy",
    ];
    let (code, out, err) = local(&head);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, format!("{s}: 503 Service Unavailable\n"));
    let (code, out, err) = local(&["local", "request", "--suffix", s, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, format!("{s}: 503 Service Unavailable: Awake\n"));
    let (code, out, err) = local(&["local", "wake", "--suffix", s, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(&format!("{s} is already awake ({wake}")),
        "{out}"
    );
    assert_eq!(runtime.block_on(provisions(&emulator, &suffix)), after);

    let down = [
        "local",
        "down",
        "--suffix",
        s,
        "--spec",
        &spec,
        "--no-deploy",
    ];
    let (code, _, err) = local(&down);
    assert_eq!(code, 0, "{err}");
    let config = runtime.block_on(emulator.sdk_config());
    let left = runtime.block_on(leftovers_in(&config, &suffix));
    assert!(left.is_empty(), "{s} left {left:?}");
}

#[test]
fn sleep_request_and_down_in_quick_order_leave_nothing_and_a_teardown_is_never_woken() {
    let emulator = Emulator::own();
    let work = ScratchDir::new("envctl-it-wake-request-orders");
    let local = |args: &[&str]| local_in_dir(&emulator, &work, args);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let spec = idle_spec(&work);
    let suffix = unique_suffix();
    let s = suffix.as_str();

    let (code, _, err) = local(&["local", "deploy"]);
    assert_eq!(code, 0, "{err}");
    // Nothing of it exists yet: the waker says so and starts nothing. A pull request's
    // environment is the pool environment it holds, else pr-<N>: none here either.
    let (code, out, err) = local(&["local", "request", "--suffix", s, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, format!("{s}: 404 Not Found: No such environment\n"));
    let (code, out, err) = local(&["local", "request", "--pr", "9", "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "pr-9: 404 Not Found: No such environment\n");

    let (code, _, err) = local(&["local", "up", "--suffix", s, "--spec", &spec, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    for command in ["sleep", "request"] {
        let (code, _, err) = local(&["local", command, "--suffix", s, "--no-deploy"]);
        assert_eq!(code, 0, "{command}: {err}");
    }
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
    let config = runtime.block_on(emulator.sdk_config());
    let left = runtime.block_on(leftovers_in(&config, &suffix));
    assert!(left.is_empty(), "{s} left {left:?}");
    let provisioned = runtime.block_on(provisions(&emulator, &suffix));
    assert_eq!(
        provisioned.len(),
        3,
        "up, sleep, the request's wake: {provisioned:?}"
    );

    // Torn down: a request (a stale tab reloading) wakes nothing.
    let (code, out, err) = local(&["--json", "local", "request", "--suffix", s, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    let said = parse(&out);
    assert_eq!(
        (&said["statusCode"], &said["title"]),
        (&json!(404), &json!("Torn down")),
        "{said}"
    );
    assert_eq!(said["woken"], json!([]));
    // A teardown under way (another command's, which moto holds RUNNING): nothing either.
    runtime.block_on(start_teardown_elsewhere(&emulator, s, &spec));
    let (code, out, err) = local(&["local", "request", "--suffix", s, "--no-deploy"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!("{s}: 503 Service Unavailable: Being torn down\n")
    );
    assert_eq!(
        runtime.block_on(provisions(&emulator, &suffix)),
        provisioned
    );
    let left = runtime.block_on(leftovers_in(&config, &suffix));
    assert!(left.is_empty(), "{s} left {left:?}");
}

/// Starts (and leaves RUNNING: moto runs nothing) a teardown of `suffix`, as a `local down` still
/// running elsewhere would have recorded it.
async fn start_teardown_elsewhere(emulator: &Emulator, suffix: &str, spec: &str) {
    let mut value = parse(&std::fs::read_to_string(spec).expect("the spec is there"));
    value["environmentSuffix"] = json!(suffix);
    let sfn = aws_sdk_sfn::Client::new(&emulator.sdk_config().await);
    sfn.start_execution()
        .state_machine_arn(PROVISION.replace(":provision", ":teardown"))
        .name(format!("{suffix}--down-elsewhere"))
        .input(json!({ "spec": value }).to_string())
        .send()
        .await
        .expect("StartExecution answers");
}

#[test]
fn a_request_is_checked_before_anything_runs_and_needs_an_environment() {
    for (args, refused) in [
        (
            vec!["local", "request", "--suffix", "pr-1", "--path", "orders"],
            "error: InvalidRequest: --path \"orders\": allowed: a path starting with `/`",
        ),
        (
            vec!["local", "request", "--suffix", "pr-1", "--method", "get"],
            "error: InvalidRequest: --method \"get\": allowed: an HTTP method in capitals",
        ),
        (
            vec!["local", "request", "--suffix", "PR_1"],
            "error: InvalidRequest: --suffix \"PR_1\": ",
        ),
        (
            vec!["local", "request", "--pr", "4"],
            "error: EnvironmentNotFound: no execution of any workflow names pr-4: ",
        ),
    ] {
        let (code, out, err) = local_without_emulator("request", &args);
        assert_eq!((code, out.as_str()), (1, ""), "{args:?}: {err}");
        assert!(err.starts_with(refused), "{args:?}: {err}");
    }
}

/// The waker's statement in its function policy and its reservation as the emulator holds them.
async fn waker_access(emulator: &Emulator) -> (String, Option<i32>) {
    let lambda = aws_sdk_lambda::Client::new(&emulator.sdk_config().await);
    let policy = lambda.get_policy().function_name("waker").send().await;
    let policy = policy.expect("the waker has a policy");
    let function = lambda.get_function().function_name("waker").send().await;
    let reserved = function
        .expect("the waker")
        .concurrency()
        .and_then(|concurrency| concurrency.reserved_concurrent_executions());
    (policy.policy().unwrap_or_default().to_owned(), reserved)
}

#[test]
fn a_widened_invoke_permission_or_a_lost_reservation_is_put_back_by_the_next_deploy() {
    let emulator = Emulator::own();
    let work = ScratchDir::new("envctl-it-wake-request-deploy");
    let local = |args: &[&str]| local_in_dir(&emulator, &work, args);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let (code, _, err) = local(&["local", "deploy"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("permission load-balancers-invoke-waker: created"),
        "{err}"
    );
    let (deployed, reserved) = runtime.block_on(waker_access(&emulator));
    let target_groups =
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/tg-wake-*/*";
    assert!(deployed.contains(target_groups), "{deployed}");
    assert_eq!(reserved, Some(5));

    // By hand: any target group of any account may invoke it, and nothing is reserved.
    runtime.block_on(async {
        let lambda = aws_sdk_lambda::Client::new(&emulator.sdk_config().await);
        let statement = "load-balancers-invoke-waker";
        let removed = lambda
            .remove_permission()
            .function_name("waker")
            .statement_id(statement);
        removed.send().await.expect("the statement is removed");
        let added = lambda
            .add_permission()
            .function_name("waker")
            .statement_id(statement)
            .action("lambda:InvokeFunction")
            .principal("elasticloadbalancing.amazonaws.com");
        added.send().await.expect("the widened statement is added");
        let unreserved = lambda.delete_function_concurrency().function_name("waker");
        unreserved.send().await.expect("the reservation is removed");
    });
    let (code, _, err) = local(&["local", "deploy"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("permission load-balancers-invoke-waker: updated"),
        "{err}"
    );
    assert!(err.contains("function waker: updated"), "{err}");
    let (restored, reserved) = runtime.block_on(waker_access(&emulator));
    assert!(restored.contains(target_groups), "{restored}");
    assert!(restored.contains("123456789012"), "{restored}");
    assert_eq!(reserved, Some(5));
    let (code, _, err) = local(&["local", "deploy"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("permission load-balancers-invoke-waker: no changes"),
        "{err}"
    );
}
