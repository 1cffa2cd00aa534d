//! The idle sleep through whole cleanup runs against the fake: an idle environment put to sleep
//! once, everything that keeps one awake (requests, a short time awake, an execution under way, a
//! later teardown, a failed provision, no load balancer, an incomplete metric answer), the specs
//! that are left out, a claimed pool environment, and failures.

use super::*;
use crate::api::TaggedResource;
use crate::fake::{execution_arn, FakeCloud};
use crate::handler::handle;
use crate::pool_settings::{CLAIM_STATE_MACHINE_ARN, PROVISION_STATE_MACHINE_ARN};
use crate::settings::{Settings, TEARDOWN_STATE_MACHINE_ARN};
use env_core::error::ErrorName;
use env_core::settings::{FunctionSettings, Misconfigured};
use env_core::tags::{ENVIRONMENT, EXPIRES_AT, MANAGED_BY, MANAGER_NAME, PROJECT, PROJECT_NAME};

const TEARDOWN: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:catalog-teardown";
const PROVISION: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:catalog-provision";
const CLAIM: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:catalog-claim";
const NOW: &str = "2026-11-26T04:00:00Z";
const LATER: &str = "2026-11-29T04:00:00Z";
const MINUTE: i64 = 60;
const LOAD_BALANCER: &str = "app/alb-pr-1/50dc6c495c0c9188";

fn now() -> SystemTime {
    humantime::parse_rfc3339(NOW).unwrap()
}

/// `minutes` before NOW, in seconds since the epoch.
fn ago(minutes: i64) -> i64 {
    seconds(now()) - minutes * MINUTE
}

/// The settings `envctl deploy` gives without a pool, or with the claim machine too.
fn settings(claim: bool) -> Result<Settings, Misconfigured> {
    Settings::from_lookup(&|name| {
        let value = match name {
            TEARDOWN_STATE_MACHINE_ARN => TEARDOWN,
            PROVISION_STATE_MACHINE_ARN => PROVISION,
            CLAIM_STATE_MACHINE_ARN if claim => CLAIM,
            _ => return None,
        };
        Some(value.to_owned())
    })
}

async fn run(cloud: &FakeCloud) -> Report {
    handle(cloud, &settings(false), now()).await.unwrap()
}

/// A resource `arn` of `environment` with our tags, expiring at `expiry`.
fn ours(arn: &str, environment: &str, expiry: &str) -> TaggedResource {
    TaggedResource {
        arn: arn.to_owned(),
        tags: [
            (ENVIRONMENT, environment),
            (PROJECT, PROJECT_NAME),
            (MANAGED_BY, MANAGER_NAME),
            (EXPIRES_AT, expiry),
        ]
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .to_vec(),
    }
}

/// The VPC and the load balancer of `environment`, which expires at LATER.
fn resources(environment: &str, balancer: &str) -> Vec<TaggedResource> {
    vec![
        ours(
            &format!("arn:aws:ec2:us-west-2:123456789012:vpc/vpc-{environment}"),
            environment,
            LATER,
        ),
        ours(
            &format!("arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/{balancer}"),
            environment,
            LATER,
        ),
    ]
}

/// The spec of `environment` asking to sleep after 30 idle minutes, with `extra` fields.
fn spec(environment: &str, extra: Value) -> Value {
    let mut spec = json!({
        "environmentSuffix": environment,
        "containerImage": "public.ecr.aws/acme/catalog-api:sha-1",
        "selfSignedCertificate": true,
        "natGateways": "single",
        "sleepAfterIdleMinutes": 30
    });
    let fields = spec.as_object_mut().unwrap();
    fields.extend(extra.as_object().unwrap().clone());
    spec
}

/// An execution of `machine` named `name` with `input`, in `status`, ended `stopped`.
fn execution(
    cloud: &FakeCloud,
    machine: &str,
    name: &str,
    input: &Value,
    (status, stopped): (&str, Option<i64>),
) {
    let mut world = cloud.world();
    world.add_execution(machine, name, &input.to_string(), status);
    world.executions.last_mut().unwrap().stopped = stopped;
}

/// pr-1, tagged and with its load balancer, provisioned with `spec_extra` two hours before NOW:
/// idle unless a test adds requests.
fn provisioned(spec_extra: Value) -> FakeCloud {
    let cloud = FakeCloud::default();
    {
        let mut world = cloud.world();
        world.resources = resources("pr-1", LOAD_BALANCER);
        world.clock = ago(180);
    }
    let input = json!({"spec": spec("pr-1", spec_extra)});
    execution(
        &cloud,
        PROVISION,
        "pr-1--up",
        &input,
        ("SUCCEEDED", Some(ago(120))),
    );
    cloud
}

fn one_reason(report: &Report) -> String {
    assert_eq!(report.slept, [], "{report:?}");
    assert_eq!(report.not_slept.len(), 1, "{report:?}");
    report.not_slept[0].reason.clone()
}

#[tokio::test]
async fn an_idle_environment_is_put_to_sleep_once_with_its_spec_asleep() {
    let cloud = provisioned(json!({}));
    let first = run(&cloud).await;
    // The provision started at the fake's clock: 180 minutes before NOW, plus one second.
    let name = "pr-1--sleep-20261126T010001Z";
    assert_eq!(
        first.slept,
        [Slept {
            environment: "pr-1".into(),
            execution: name.into(),
            idle_minutes: 30,
            load_balancer: LOAD_BALANCER.into(),
        }]
    );
    assert_eq!(first.not_slept, []);
    assert_eq!(first.started, []);
    assert_eq!(first.not_expired.len(), 1);
    let (arn, input) = {
        let world = cloud.world();
        let sleep = world.executions.last().unwrap().clone();
        (sleep.arn, sleep.input)
    };
    assert_eq!(arn, execution_arn(PROVISION, name));
    let input: Value = serde_json::from_str(&input).unwrap();
    // The same spec (every field, defaults filled), asleep.
    let mut expected = EnvironmentSpec::from_value(&spec("pr-1", json!({})))
        .map(|spec| serde_json::to_value(spec).unwrap())
        .unwrap();
    expected["asleep"] = json!(true);
    assert_eq!(input, json!({"spec": expected}));

    // The next run finds the sleep the latest provision, its spec asleep: nothing to start or
    // report, while it runs and once it succeeded.
    let second = run(&cloud).await;
    assert_eq!((second.slept.len(), second.not_slept.len()), (0, 0));
    {
        let mut world = cloud.world();
        let sleep = world.executions.last_mut().unwrap();
        sleep.status = "SUCCEEDED".into();
        sleep.stopped = Some(ago(5));
    }
    let third = run(&cloud).await;
    assert_eq!((third.slept.len(), third.not_slept.len()), (0, 0));
    assert_eq!(cloud.count("StartExecution"), 1);
}

#[tokio::test]
async fn a_request_within_the_idle_minutes_keeps_it_awake_and_an_older_one_does_not() {
    let cloud = provisioned(json!({}));
    cloud.world().requests.insert(
        LOAD_BALANCER.into(),
        vec![(ago(45), 7.0), (ago(29), 2.0), (ago(1), 1.0)],
    );
    let report = run(&cloud).await;
    assert_eq!(
        one_reason(&report),
        format!("3 request(s) to {LOAD_BALANCER} in the last 30 minutes")
    );
    // The window is the last 30 minutes: a request 31 minutes back is not in it.
    cloud
        .world()
        .requests
        .insert(LOAD_BALANCER.into(), vec![(ago(31), 4.0)]);
    assert_eq!(run(&cloud).await.slept.len(), 1);
}

#[tokio::test]
async fn an_environment_awake_for_less_than_its_idle_minutes_stays_awake() {
    let cloud = provisioned(json!({}));
    cloud.world().executions[0].stopped = Some(ago(10));
    let report = run(&cloud).await;
    assert_eq!(
        one_reason(&report),
        "awake only since 2026-11-26T03:50:00Z (pr-1--up ended): less than its 30 idle minutes"
    );
    // A succeeded provision without an end counts as ending now.
    cloud.world().executions[0].stopped = None;
    let report = run(&cloud).await;
    assert!(
        one_reason(&report).starts_with("awake only since 2026-11-26T04:00:00Z"),
        "{report:?}"
    );
}

#[tokio::test]
async fn specs_that_do_not_ask_to_sleep_or_sleep_already_are_left_out_quietly() {
    for input in [
        json!({"spec": spec("pr-1", json!({"sleepAfterIdleMinutes": null}))}),
        json!({"spec": spec("pr-1", json!({"asleep": true}))}),
        json!({"retire": true, "spec": spec("pr-1", json!({}))}),
        json!({"spec": "not an object"}),
        json!("not an object"),
    ] {
        let cloud = provisioned(json!({}));
        cloud.world().executions[0].input = input.to_string();
        let report = run(&cloud).await;
        assert_eq!(
            (report.slept.len(), report.not_slept.len()),
            (0, 0),
            "{input}"
        );
    }
    let cloud = provisioned(json!({}));
    let mut without = spec("pr-1", json!({}));
    without
        .as_object_mut()
        .unwrap()
        .remove("sleepAfterIdleMinutes");
    cloud.world().executions[0].input = json!({"spec": without}).to_string();
    let report = run(&cloud).await;
    assert_eq!((report.slept.len(), report.not_slept.len()), (0, 0));
    // Only a teardown recorded, or no execution at all: nothing to read a spec from.
    let cloud = provisioned(json!({}));
    cloud.world().executions[0].arn = execution_arn(TEARDOWN, "pr-1--down");
    cloud.world().executions[0].name = "pr-1--down".into();
    cloud
        .world()
        .resources
        .extend(resources("pr-2", "app/alb-pr-2/1"));
    let report = run(&cloud).await;
    assert_eq!((report.slept.len(), report.not_slept.len()), (0, 0));
    assert_eq!(cloud.count("DescribeExecution"), 0);
    assert_eq!(cloud.count("GetMetricData"), 0);
}

#[tokio::test]
async fn a_spec_that_cannot_sleep_is_reported_with_its_problems() {
    // A pool environment on standby waits awake to be claimed.
    let cloud = provisioned(json!({"standby": true}));
    assert_eq!(
        one_reason(&run(&cloud).await),
        "its spec (the input of pr-1--up) cannot sleep: the environment spec has 1 invalid field: asleep = true: only without standby (a warm-pool environment waits awake to be claimed)"
    );
    let cloud = provisioned(json!({"minTasks": 0}));
    let reason = one_reason(&run(&cloud).await);
    assert!(
        reason.starts_with("its spec (the input of pr-1--up) cannot sleep: the environment spec has 1 invalid field: minTasks = 0"),
        "{reason}"
    );
    assert_eq!(cloud.count("GetMetricData"), 0);
}

#[tokio::test]
async fn an_execution_under_way_a_later_teardown_or_a_failed_provision_keeps_it_awake() {
    let cloud = provisioned(json!({}));
    let teardown_input = json!({"spec": spec("pr-1", json!({}))});
    execution(
        &cloud,
        TEARDOWN,
        "rollback-pr-1--up",
        &teardown_input,
        ("RUNNING", None),
    );
    assert_eq!(
        one_reason(&run(&cloud).await),
        "rollback-pr-1--up is running"
    );
    cloud.world().executions[1].status = "FAILED".into();
    assert_eq!(
        one_reason(&run(&cloud).await),
        "rollback-pr-1--up (FAILED) tore it down after its latest provision pr-1--up"
    );
    // A teardown before the latest provision is history.
    let cloud = provisioned(json!({}));
    {
        let mut world = cloud.world();
        world.clock = ago(500);
    }
    execution(
        &cloud,
        TEARDOWN,
        "pr-1--down",
        &teardown_input,
        ("SUCCEEDED", Some(ago(400))),
    );
    assert_eq!(run(&cloud).await.slept.len(), 1);
    // A provision that failed (and whose rollback is gone from the record).
    let cloud = provisioned(json!({}));
    cloud.world().executions[0].status = "FAILED".into();
    assert_eq!(
        one_reason(&run(&cloud).await),
        "its latest provision pr-1--up ended FAILED"
    );
}

#[tokio::test]
async fn without_a_tagged_load_balancer_its_requests_cannot_be_read() {
    let cloud = provisioned(json!({}));
    cloud.world().resources.remove(1);
    // A network load balancer or any other ELB resource is not the application one.
    cloud.world().resources.push(ours(
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/nlb-pr-1/1",
        "pr-1",
        LATER,
    ));
    cloud.world().resources.push(ours(
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/tg-blue-pr-1/1",
        "pr-1",
        LATER,
    ));
    assert_eq!(
        one_reason(&run(&cloud).await),
        "no load balancer of it is tagged, so its requests cannot be read"
    );
}

#[tokio::test]
async fn an_incomplete_metric_answer_is_not_taken_for_silence() {
    let cloud = provisioned(json!({}));
    cloud.world().metric_status = "PartialData".into();
    assert_eq!(
        one_reason(&run(&cloud).await),
        "CloudWatch answered its request count PartialData, not Complete: idle or not cannot be told"
    );
}

#[tokio::test]
async fn a_claimed_pool_environment_sleeps_with_its_claims_spec() {
    let cloud = FakeCloud::default();
    let suffix = "pool-tp3cg000";
    let balancer = "app/alb-pool-tp3cg000/1";
    {
        let mut world = cloud.world();
        world.resources = resources(suffix, balancer);
        world.clock = ago(300);
    }
    let standby = json!({"spec": spec(suffix, json!({"standby": true}))});
    let claimed = json!({"spec": spec(suffix, json!({"pullRequest": 7}))});
    execution(
        &cloud,
        PROVISION,
        &format!("{suffix}--refill"),
        &standby,
        ("SUCCEEDED", Some(ago(250))),
    );
    execution(
        &cloud,
        CLAIM,
        &format!("claim-{suffix}"),
        &claimed,
        ("SUCCEEDED", Some(ago(200))),
    );
    let report = handle(&cloud, &settings(true), now()).await.unwrap();
    assert_eq!(report.slept.len(), 1, "{report:?}");
    assert_eq!(report.slept[0].load_balancer, balancer);
    let input: Value = serde_json::from_str(&cloud.world().executions[2].input).unwrap();
    assert_eq!(input["spec"]["pullRequest"], 7);
    assert_eq!(input["spec"]["asleep"], true);
    assert_eq!(
        cloud.world().executions[2].name,
        format!("{suffix}--sleep-20261125T230002Z")
    );
}

#[tokio::test]
async fn unreadable_executions_are_reported_and_hold_nothing_else_up() {
    let cloud = provisioned(json!({}));
    // An expired environment beside it still gets its teardown.
    cloud.world().resources.push(ours(
        "arn:aws:ec2:us-west-2:123456789012:vpc/vpc-pr-9",
        "pr-9",
        "2026-11-26T03:00:00Z",
    ));
    cloud
        .recorder
        .lock()
        .fail_after("ListExecutions", "AccessDeniedException", 1);
    let report = run(&cloud).await;
    assert_eq!(report.started.len(), 1);
    assert_eq!((report.slept.len(), report.not_slept.len()), (0, 0));
    let error = report.sleep_error.unwrap();
    assert_eq!(error.error, "AwsRejected");
    assert!(
        error
            .message
            .starts_with("ListExecutions failed: AccessDeniedException"),
        "{}",
        error.message
    );
    // The next run has them, and the sleep starts.
    assert_eq!(run(&cloud).await.slept.len(), 1);
}

#[tokio::test]
async fn a_failed_call_about_one_environment_is_reported_with_its_name() {
    for operation in ["DescribeExecution", "GetMetricData", "StartExecution"] {
        let cloud = provisioned(json!({}));
        cloud.recorder.lock().fail(operation, "ThrottlingException");
        let report = run(&cloud).await;
        assert_eq!(report.slept, [], "{operation}");
        assert_eq!(report.not_slept.len(), 1, "{operation}");
        let not_slept = &report.not_slept[0];
        let retryable = ErrorName::Retryable.as_str();
        assert_eq!(not_slept.error.as_deref(), Some(retryable), "{operation}");
        assert!(
            not_slept
                .reason
                .starts_with(&format!("{operation} failed: ThrottlingException")),
            "{}",
            not_slept.reason
        );
    }
}

#[tokio::test]
async fn a_sleep_started_by_another_run_meanwhile_is_reported_not_repeated() {
    let cloud = provisioned(json!({}));
    cloud
        .recorder
        .lock()
        .fail("StartExecution", EXECUTION_ALREADY_EXISTS);
    assert_eq!(
        one_reason(&run(&cloud).await),
        "pr-1--sleep-20261126T010001Z was started already, by another run"
    );
}

#[tokio::test]
async fn without_candidates_nothing_is_read() {
    let cloud = FakeCloud::default();
    let report = run(&cloud).await;
    assert_eq!((report.slept.len(), report.sleep_error), (0, None));
    assert_eq!(cloud.count("ListExecutions"), 0);
}
