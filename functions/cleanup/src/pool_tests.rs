//! The warm pool's upkeep through whole cleanup runs against the fake: refill counts, retirement
//! through the claim lock, a lost race, pagination and failures (a failed survey among them).

use super::*;
use crate::api::TaggedResource;
use crate::error::CleanupError;
use crate::fake::{execution_arn, FakeCloud};
use crate::handler::handle;
use crate::pool_settings::tests::{spec_text, CLAIM, PROVISION};
use crate::pool_settings::{
    CLAIM_STATE_MACHINE_ARN, POOL_SIZE, POOL_SPEC, PROVISION_STATE_MACHINE_ARN,
};
use crate::report::Skipped;
use crate::settings::{Settings, TEARDOWN_STATE_MACHINE_ARN};
use env_core::error::{ErrorName, NamedError};
use env_core::settings::{FunctionSettings, Misconfigured};
use env_core::tags::{ENVIRONMENT, EXPIRES_AT, MANAGED_BY, MANAGER_NAME, PROJECT, PROJECT_NAME};
use serde_json::json;

const TEARDOWN: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:catalog-teardown";
const NOW: &str = "2026-11-26T04:00:00Z";
const PAST: &str = "2026-11-26T03:00:00Z";
const FUTURE: &str = "2026-11-27T04:00:00Z";
/// The suffixes a run at NOW gives its refills (1795665600 s is tp3cg0 in base 36).
const FIRST_REFILL: &str = "pool-tp3cg000";
const SECOND_REFILL: &str = "pool-tp3cg001";

fn now() -> SystemTime {
    humantime::parse_rfc3339(NOW).unwrap()
}

/// The settings of a function keeping a pool of `size` with the test pool spec.
fn settings(size: &str) -> Result<Settings, Misconfigured> {
    let spec = spec_text();
    Settings::from_lookup(&|name| {
        let value = match name {
            TEARDOWN_STATE_MACHINE_ARN => TEARDOWN,
            PROVISION_STATE_MACHINE_ARN => PROVISION,
            CLAIM_STATE_MACHINE_ARN => CLAIM,
            POOL_SIZE => size,
            POOL_SPEC => spec.as_str(),
            _ => return None,
        };
        Some(value.to_owned())
    })
}

async fn run(cloud: &FakeCloud, size: &str) -> Report {
    handle(cloud, &settings(size), now()).await.unwrap()
}

async fn run_error(cloud: &FakeCloud, size: &str) -> CleanupError {
    handle(cloud, &settings(size), now()).await.unwrap_err()
}

/// A VPC of `environment` with our tags, expiring at `expiry`.
fn vpc(environment: &str, expiry: &str) -> TaggedResource {
    TaggedResource {
        arn: format!("arn:aws:ec2:us-west-2:123456789012:vpc/vpc-{environment}"),
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

/// The input a pool provision of `suffix` ran with.
fn pool_input(suffix: &str) -> String {
    let spec: serde_json::Map<String, Value> = serde_json::from_str(&spec_text()).unwrap();
    json!({"spec": with_suffix(&spec, suffix)}).to_string()
}

/// Records a provision of `suffix` named `<suffix>--<request>` in `status`.
fn provision(cloud: &FakeCloud, suffix: &str, request: &str, status: &str) {
    let name = format!("{suffix}--{request}");
    let input = pool_input(suffix);
    cloud
        .world()
        .add_execution(PROVISION, &name, &input, status);
}

/// Records the claim of `suffix` by pull request 42.
fn claim(cloud: &FakeCloud, suffix: &str) {
    let input = json!({"spec": {"environmentSuffix": suffix, "pullRequest": 42}}).to_string();
    let name = claim_execution_name(suffix);
    cloud
        .world()
        .add_execution(CLAIM, &name, &input, "SUCCEEDED");
}

/// The executions of `machine`, as (name, input).
fn started(cloud: &FakeCloud, machine: &str) -> Vec<(String, Value)> {
    let prefix = execution_arn(machine, "");
    cloud
        .world()
        .executions
        .iter()
        .filter(|execution| execution.arn.starts_with(&prefix))
        .map(|execution| {
            let input = serde_json::from_str(&execution.input).unwrap();
            (execution.name.clone(), input)
        })
        .collect()
}

#[tokio::test]
async fn an_empty_pool_is_filled_on_standby_and_a_second_run_starts_none() {
    let cloud = FakeCloud::default();
    let report = run(&cloud, "2").await;
    assert_eq!(
        report.refilled,
        [FIRST_REFILL, SECOND_REFILL].map(|suffix| Refill {
            environment: suffix.to_owned(),
            execution: format!("{suffix}--refill"),
        })
    );
    let provisions = started(&cloud, PROVISION);
    assert_eq!(provisions.len(), 2);
    let (name, input) = &provisions[0];
    assert_eq!(name, "pool-tp3cg000--refill");
    assert_eq!(input["spec"]["environmentSuffix"], FIRST_REFILL);
    assert_eq!(input["spec"]["standby"], true);
    assert_eq!(input["spec"]["ttlHours"], 168);
    assert_eq!(
        input["spec"]["containerImage"],
        "public.ecr.aws/acme/catalog-api:main"
    );
    assert!(env_core::spec::EnvironmentSpec::from_value(&input["spec"]).is_ok());

    // Both still provisioning: they count, so nothing more is started.
    let again = run(&cloud, "2").await;
    assert_eq!(again.refilled, []);
    assert_eq!(cloud.count("StartExecution"), 2);
}

#[tokio::test]
async fn available_and_provisioning_environments_count_and_nothing_else_does() {
    let cloud = FakeCloud::default();
    provision(&cloud, "pool-avail", "refill", "SUCCEEDED");
    provision(&cloud, "pool-coming", "refill", "RUNNING");
    provision(&cloud, "pool-taken", "refill", "SUCCEEDED");
    claim(&cloud, "pool-taken");
    // Its latest provision decides: a redeploy that failed.
    provision(&cloud, "pool-broken", "refill", "SUCCEEDED");
    provision(&cloud, "pool-broken", "push-g2", "FAILED");
    provision(&cloud, "pr-7", "push-g1", "SUCCEEDED");
    cloud
        .world()
        .add_execution(PROVISION, "no-separator", "{}", "SUCCEEDED");
    let report = run(&cloud, "3").await;
    let refilled: Vec<&str> = report
        .refilled
        .iter()
        .map(|r| r.environment.as_str())
        .collect();
    assert_eq!(refilled, [FIRST_REFILL]);

    let full = FakeCloud::default();
    for n in 0..3 {
        provision(&full, &format!("pool-{n}"), "refill", "SUCCEEDED");
    }
    assert_eq!(
        run(&full, "2").await.refilled,
        [],
        "more than the size: none"
    );
    assert_eq!(full.count("StartExecution"), 0);
}

#[tokio::test]
async fn an_expired_unclaimed_environment_is_retired_through_the_claim_lock_and_replaced() {
    let cloud = FakeCloud::default();
    provision(&cloud, "pool-old", "refill", "SUCCEEDED");
    cloud.world().resources = vec![vpc("pool-old", PAST)];
    let report = run(&cloud, "1").await;
    assert_eq!(
        report.retired,
        [Teardown {
            environment: "pool-old".into(),
            execution: "claim-pool-old".into(),
            expires_at: PAST.into(),
            status: None,
        }]
    );
    assert_eq!(report.started, [], "no teardown of its own");
    let claims = started(&cloud, CLAIM);
    assert_eq!(claims.len(), 1);
    let expected: Value = serde_json::from_str(&pool_input("pool-old")).unwrap();
    assert_eq!(
        claims[0],
        (
            "claim-pool-old".to_owned(),
            json!({"retire": true, "spec": expected["spec"]})
        )
    );
    assert!(started(&cloud, TEARDOWN).is_empty());
    assert_eq!(report.refilled.len(), 1, "the retired one is replaced");

    // Its resources are still listed while it goes: the retirement is found, not repeated.
    let again = run(&cloud, "1").await;
    assert_eq!(again.retired, []);
    assert_eq!(again.already_started.len(), 1);
    assert_eq!(again.already_started[0].execution, "claim-pool-old");
    assert_eq!(again.already_started[0].status.as_deref(), Some("RUNNING"));
    assert_eq!(again.refilled, []);
    assert_eq!(started(&cloud, CLAIM).len(), 1);
    assert!(started(&cloud, TEARDOWN).is_empty());
}

#[tokio::test]
async fn a_retirement_that_loses_the_race_to_a_claim_is_no_error() {
    let cloud = FakeCloud::default();
    provision(&cloud, "pool-old", "refill", "SUCCEEDED");
    cloud.world().resources = vec![vpc("pool-old", PAST)];
    // A claim took the name between the survey and the retirement.
    cloud
        .recorder
        .lock()
        .fail("StartExecution", EXECUTION_ALREADY_EXISTS);
    let report = run(&cloud, "1").await;
    assert_eq!(report.retired, []);
    assert_eq!(report.already_started.len(), 1);
    assert_eq!(report.already_started[0].execution, "claim-pool-old");
    assert_eq!(report.started, []);
    // Not available any more: the refill replaces it.
    assert_eq!(report.refilled.len(), 1);
    assert_eq!(started(&cloud, CLAIM), []);
}

#[tokio::test]
async fn a_claimed_environment_expires_through_a_teardown_as_any_other() {
    let cloud = FakeCloud::default();
    provision(&cloud, "pool-pr", "refill", "SUCCEEDED");
    claim(&cloud, "pool-pr");
    cloud.world().resources = vec![
        vpc("pool-pr", PAST),
        vpc("pool-new", FUTURE),
        vpc("pr-9", PAST),
    ];
    let report = run(&cloud, "0").await;
    assert_eq!(report.retired, []);
    let executions: Vec<&str> = report
        .started
        .iter()
        .map(|teardown| teardown.execution.as_str())
        .collect();
    assert_eq!(
        executions,
        [
            "cleanup-pool-pr-20261126T030000Z",
            "cleanup-pr-9-20261126T030000Z"
        ]
    );
    assert_eq!(started(&cloud, TEARDOWN).len(), 2);
    assert!(started(&cloud, CLAIM)
        .iter()
        .all(|(name, _)| name == "claim-pool-pr"));
    assert_eq!(report.not_expired[0].environment, "pool-new");
    assert_eq!(report.refilled, [], "a pool of 0 starts none");
}

#[tokio::test]
async fn without_a_provision_record_the_retirement_carries_the_teardown_spec() {
    let cloud = FakeCloud::default();
    cloud.world().resources = vec![vpc("pool-lost", PAST)];
    let report = run(&cloud, "0").await;
    assert_eq!(report.retired.len(), 1);
    let (_, input) = &started(&cloud, CLAIM)[0];
    let suffix = EnvironmentSuffix::parse("pool-lost").unwrap();
    assert_eq!(input["spec"], teardown::input(&suffix)["spec"]);
    assert_eq!(input["retire"], true);

    // A provision input that holds no spec is not trusted either.
    let broken = FakeCloud::default();
    broken
        .world()
        .add_execution(PROVISION, "pool-lost--refill", "not json", "SUCCEEDED");
    broken.world().resources = vec![vpc("pool-lost", PAST)];
    run(&broken, "0").await;
    assert_eq!(
        started(&broken, CLAIM)[0].1["spec"]["containerImage"],
        teardown::PLACEHOLDER_IMAGE
    );
}

#[tokio::test]
async fn every_page_of_both_machines_is_read() {
    let cloud = FakeCloud::default();
    for n in 0..5 {
        provision(&cloud, &format!("pool-{n}"), "refill", "SUCCEEDED");
    }
    claim(&cloud, "pool-0");
    claim(&cloud, "pool-1");
    claim(&cloud, "pool-2");
    cloud.world().execution_page_size = 2;
    let report = run(&cloud, "3").await;
    // pool-3 and pool-4 are available (the claims on page two count too): one is missing.
    assert_eq!(report.refilled.len(), 1);
    // Five provisions in three pages, three claims in two.
    assert_eq!(cloud.count("ListExecutions"), 5);
}

#[tokio::test]
async fn a_taken_refill_name_is_left_for_the_next_run() {
    let cloud = FakeCloud::default();
    cloud
        .recorder
        .lock()
        .fail("StartExecution", EXECUTION_ALREADY_EXISTS);
    let report = run(&cloud, "2").await;
    let refilled: Vec<&str> = report
        .refilled
        .iter()
        .map(|r| r.environment.as_str())
        .collect();
    assert_eq!(refilled, [SECOND_REFILL]);
}

#[tokio::test]
async fn failures_after_the_survey_are_named_and_a_rerun_finishes_the_job() {
    for (code, after, name) in [
        ("AccessDeniedException", 0, ErrorName::AwsRejected),
        ("ThrottlingException", 1, ErrorName::Retryable),
    ] {
        let cloud = FakeCloud::default();
        provision(&cloud, "pool-old", "refill", "SUCCEEDED");
        cloud.world().resources = vec![vpc("pool-old", PAST)];
        cloud
            .recorder
            .lock()
            .fail_after("StartExecution", code, after);
        let error = run_error(&cloud, "1").await;
        assert_eq!(error.error_name(), name, "{code}");
        assert!(error.to_string().contains("StartExecution"), "{error}");
        let report = run(&cloud, "1").await;
        let retired = report.retired.len() + report.already_started.len();
        assert_eq!(retired, 1, "{code}");
        assert_eq!(started(&cloud, PROVISION).len(), 2, "{code}");
    }
}

/// pool-old unclaimed, pool-pr claimed by pull request 42, pr-9 not the pool's: all expired.
fn expired_pool_and_pull_requests() -> FakeCloud {
    let cloud = FakeCloud::default();
    provision(&cloud, "pool-old", "refill", "SUCCEEDED");
    provision(&cloud, "pool-pr", "refill", "SUCCEEDED");
    claim(&cloud, "pool-pr");
    cloud.world().resources = vec![
        vpc("pool-old", PAST),
        vpc("pool-pr", PAST),
        vpc("pr-9", PAST),
    ];
    cloud
}

fn executions(teardowns: &[Teardown]) -> Vec<&str> {
    teardowns.iter().map(|t| t.execution.as_str()).collect()
}

#[tokio::test]
async fn a_failed_survey_is_reported_and_the_teardowns_still_start() {
    for (operation, after) in [
        ("ListExecutions", 0),
        ("ListExecutions", 1),
        ("DescribeExecution", 0),
    ] {
        let cloud = expired_pool_and_pull_requests();
        cloud
            .recorder
            .lock()
            .fail_after(operation, "ThrottlingException", after);
        let report = run(&cloud, "2").await;
        let error = report.pool_error.as_ref().expect(operation);
        assert_eq!(error.error, "Retryable", "{operation}");
        assert!(error.message.contains(operation), "{}", error.message);
        // The claimed pool environment and the pull request's expire; the unclaimed one waits.
        assert_eq!(
            executions(&report.started),
            [
                "cleanup-pool-pr-20261126T030000Z",
                "cleanup-pr-9-20261126T030000Z"
            ],
            "{operation}"
        );
        assert_eq!(
            report.skipped,
            [Skipped {
                environment: Some("pool-old".into()),
                resource: None,
                reason: format!(
                    "{SURVEY_FAILED}: unclaimed or being retired, it is retired by a later run"
                ),
            }]
        );
        assert_eq!((report.retired.len(), report.refilled.len()), (0, 0));
        assert_eq!(started(&cloud, CLAIM).len(), 1, "only pool-pr's claim");

        // With the pool readable again, the next run retires it and refills.
        let next = run(&cloud, "2").await;
        assert_eq!(next.pool_error, None);
        assert_eq!(executions(&next.retired), ["claim-pool-old"]);
        assert_eq!(next.refilled.len(), 2);
        assert_eq!(started(&cloud, TEARDOWN).len(), 2);
    }
}

#[tokio::test]
async fn a_claim_unreadable_after_a_failed_survey_leaves_the_environment_with_the_reason() {
    let cloud = expired_pool_and_pull_requests();
    cloud
        .recorder
        .lock()
        .fail("ListExecutions", "AccessDeniedException");
    cloud
        .recorder
        .lock()
        .fail("DescribeExecution", "ThrottlingException");
    let report = run(&cloud, "2").await;
    assert_eq!(
        report.pool_error.as_ref().map(|e| e.error.as_str()),
        Some("AwsRejected")
    );
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].environment.as_deref(), Some("pool-old"));
    let reason = &report.skipped[0].reason;
    let expected = format!("{SURVEY_FAILED}, nor its claim: DescribeExecution failed");
    assert!(reason.starts_with(&expected), "{reason}");
    assert_eq!(
        executions(&report.started),
        [
            "cleanup-pool-pr-20261126T030000Z",
            "cleanup-pr-9-20261126T030000Z"
        ]
    );
}

#[tokio::test]
async fn a_failed_retirement_is_retried_through_a_teardown() {
    for status in ["FAILED", "TIMED_OUT", "ABORTED"] {
        let cloud = FakeCloud::default();
        provision(&cloud, "pool-old", "refill", "SUCCEEDED");
        cloud.world().resources = vec![vpc("pool-old", PAST)];
        let first = run(&cloud, "0").await;
        assert_eq!(executions(&first.retired), ["claim-pool-old"]);
        cloud.world().executions.last_mut().unwrap().status = status.into();
        let report = run(&cloud, "0").await;
        assert_eq!(report.already_started, [], "{status}");
        assert_eq!(
            executions(&report.started),
            ["cleanup-pool-old-20261126T030000Z"],
            "{status}"
        );
        assert_eq!(started(&cloud, TEARDOWN).len(), 1, "{status}");
        assert_eq!(started(&cloud, CLAIM).len(), 1, "{status}");
    }
}

#[tokio::test]
async fn a_pull_requests_environment_whose_claim_aged_out_is_neither_counted_nor_retired() {
    let cloud = FakeCloud::default();
    provision(&cloud, "pool-aged", "refill", "SUCCEEDED");
    // Its claim is older than Step Functions keeps executions; its latest provision is the pull
    // request's redeploy, not on standby.
    let redeploy =
        json!({"spec": {"environmentSuffix": "pool-aged", "pullRequest": 42}}).to_string();
    cloud
        .world()
        .add_execution(PROVISION, "pool-aged--push-g3", &redeploy, "SUCCEEDED");
    // A provision on its way counts only when it is a standby one.
    provision(&cloud, "pool-ready", "refill", "SUCCEEDED");
    provision(&cloud, "pool-coming", "refill", "RUNNING");
    let other = json!({"spec": {"environmentSuffix": "pool-other"}}).to_string();
    cloud
        .world()
        .add_execution(PROVISION, "pool-other--push-g1", &other, "RUNNING");
    cloud.world().resources = vec![vpc("pool-aged", PAST)];
    let report = run(&cloud, "3").await;
    assert_eq!(report.retired, []);
    assert_eq!(
        executions(&report.started),
        ["cleanup-pool-aged-20261126T030000Z"]
    );
    assert_eq!(report.refilled.len(), 1, "pool-ready and pool-coming count");
    assert_eq!(started(&cloud, CLAIM), []);
}

#[tokio::test]
async fn a_claim_whose_input_is_unreadable_is_a_claim() {
    let cloud = FakeCloud::default();
    cloud
        .world()
        .add_execution(CLAIM, "claim-pool-odd", "{", "SUCCEEDED");
    cloud.world().resources = vec![vpc("pool-odd", PAST)];
    let report = run(&cloud, "0").await;
    assert_eq!(report.started.len(), 1, "torn down as a claimed one");
    assert_eq!(report.retired, []);
}

#[tokio::test]
async fn a_wrong_pool_setting_fails_before_any_aws_call() {
    let cloud = FakeCloud::default();
    let error = handle(&cloud, &settings("many"), now()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Misconfigured);
    assert!(
        error.to_string().starts_with("POOL_SIZE is \"many\""),
        "{error}"
    );
    assert_eq!(cloud.recorder.lock().calls, Vec::<&str>::new());
}

#[tokio::test]
async fn without_pool_settings_a_pool_environment_expires_as_before() {
    let cloud = FakeCloud::default();
    cloud.world().resources = vec![vpc("pool-old", PAST)];
    let plain = Settings::from_lookup(&|name| {
        (name == TEARDOWN_STATE_MACHINE_ARN).then(|| TEARDOWN.to_owned())
    });
    let report = handle(&cloud, &plain, now()).await.unwrap();
    assert_eq!(
        report.started[0].execution,
        "cleanup-pool-old-20261126T030000Z"
    );
    assert_eq!(cloud.count("ListExecutions"), 0);
}
