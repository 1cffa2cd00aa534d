//! One scheduled run: find our environments by tag, start the teardown of each expired one under a
//! name that makes a repeated start harmless, keep the warm pool when the function has one
//! ([`crate::pool`]: retire its expired unclaimed environments, refill it), put the others that
//! have been idle long enough to sleep ([`crate::sleep`]), and report what was done. A pool or a
//! history that cannot be read does not hold up the expiries: the run reports it and tears down
//! what it can without it.
//!
//! The cleanup only ever starts workflows (a teardown with an environment's suffix; a provision or
//! a claim for the pool and the idle sleep); it deletes nothing itself. It sees only resources
//! carrying both our project and manager tags, so an environment that is not ours is never found,
//! let alone torn down or put to sleep.

use crate::api::{CallResult, Cloud, TaggedResource, EXECUTION_ALREADY_EXISTS};
use crate::error::CleanupError;
use crate::inventory::{group, judge, Verdict};
use crate::pool::{survey, unsurveyed};
use crate::report::{ErrorReport, NotExpired, Report, Skipped, Teardown};
use crate::settings::Settings;
use crate::sleep::{load_balancer, put_idle_to_sleep, Candidate};
use crate::teardown::{execution_name, input};
use env_core::error::NamedError;
use env_core::pool::is_pool_suffix;
use env_core::settings::Misconfigured;
use env_core::spec::EnvironmentSuffix;
use env_core::tags::{ownership_tags, ENVIRONMENT};
use std::time::SystemTime;

/// `settings` are the function's, as `main` read them once; wrong ones fail the run before any
/// AWS call. The scheduler's event carries nothing the run needs.
pub async fn handle<C: Cloud>(
    cloud: &C,
    settings: &Result<Settings, Misconfigured>,
    now: SystemTime,
) -> Result<Report, CleanupError> {
    let settings = settings.as_ref().map_err(Clone::clone)?;
    let inventory = group(our_resources(cloud).await?);
    let mut report = Report::default();
    let mut pool = None;
    if let Some(pool_settings) = &settings.pool {
        match survey(cloud, pool_settings).await {
            Ok(surveyed) => pool = Some(surveyed),
            Err(error) => {
                tracing::error!(%error, "pool survey failed: no retirement or refill this run");
                report.pool_error = Some(ErrorReport {
                    error: error.error_name().as_str().to_owned(),
                    message: error.to_string(),
                });
            }
        }
    }
    // Set only when the survey failed.
    let unsurveyed_pool = settings.pool.as_ref().filter(|_| pool.is_none());
    for arn in inventory.unassigned {
        report.skipped.push(Skipped {
            environment: None,
            resource: Some(arn),
            reason: format!("no {ENVIRONMENT} tag: no teardown can find it"),
        });
    }
    // Every environment that stays this run, whether it expires later or never.
    let mut staying = Vec::new();
    for (environment, resources) in &inventory.environments {
        let verdict = judge(environment, resources, now);
        if !matches!(verdict, Verdict::Expired { .. }) {
            if let Ok(suffix) = EnvironmentSuffix::parse(environment) {
                let load_balancer = load_balancer(resources);
                staying.push(Candidate {
                    suffix,
                    load_balancer,
                });
            }
        }
        match verdict {
            Verdict::Skipped(reason) => report.skipped.push(Skipped {
                environment: Some(environment.clone()),
                resource: None,
                reason,
            }),
            Verdict::NotExpired { expires_at } => report.not_expired.push(NotExpired {
                environment: environment.clone(),
                expires_at: text(expires_at),
            }),
            Verdict::Expired {
                suffix,
                first,
                last,
            } => {
                if let Some(pool) = pool.as_mut() {
                    let retired = pool.expire(cloud, &suffix, text(last), &mut report);
                    if retired.await? {
                        continue;
                    }
                }
                let pool_environment = is_pool_suffix(suffix.as_str());
                if let Some(pool_settings) = unsurveyed_pool.filter(|_| pool_environment) {
                    if let Some(reason) = unsurveyed(cloud, pool_settings, &suffix).await {
                        report.skipped.push(Skipped {
                            environment: Some(environment.clone()),
                            resource: None,
                            reason,
                        });
                        continue;
                    }
                }
                let teardown = Teardown {
                    environment: environment.clone(),
                    execution: execution_name(&suffix, first),
                    expires_at: text(last),
                    status: None,
                };
                start(cloud, settings, &suffix, teardown, &mut report).await?;
            }
        }
    }
    if let Some(pool) = &pool {
        pool.refill(cloud, now, &mut report).await?;
    }
    if let Some(sleep) = &settings.sleep {
        let teardown = settings.state_machine_arn();
        put_idle_to_sleep(cloud, sleep, teardown, &staying, now, &mut report).await;
    }
    let (started, already_started) = (report.started.len(), report.already_started.len());
    let (not_expired, skipped) = (report.not_expired.len(), report.skipped.len());
    let (retired, refilled) = (report.retired.len(), report.refilled.len());
    let (slept, not_slept) = (report.slept.len(), report.not_slept.len());
    tracing::info!(
        started,
        already_started,
        not_expired,
        skipped,
        retired,
        refilled,
        slept,
        not_slept,
        "cleanup run"
    );
    Ok(report)
}

/// Every resource with our project and manager tags, all pages.
async fn our_resources<C: Cloud>(cloud: &C) -> CallResult<Vec<TaggedResource>> {
    let filters = ownership_tags();
    let mut resources = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = cloud.tagged_resources(&filters, token.as_deref()).await?;
        resources.extend(page.resources);
        match page.next {
            Some(next) => token = Some(next),
            None => return Ok(resources),
        }
    }
}

/// Starts the teardown unless an execution of that name exists. Step Functions answers a start with
/// the name and input of a running execution with success (API reference, StartExecution,
/// "Idempotency"), so only DescribeExecution tells a first start from a repeated one. A teardown
/// that ended (even failed) is not started again: its name is taken, and a failed teardown of a
/// protected environment is for a person to look at, not for a retry every hour.
async fn start<C: Cloud>(
    cloud: &C,
    settings: &Settings,
    suffix: &EnvironmentSuffix,
    mut teardown: Teardown,
    report: &mut Report,
) -> Result<(), CleanupError> {
    let arn = settings.execution_arn(&teardown.execution);
    if let Some(status) = cloud.execution_status(&arn).await? {
        teardown.status = Some(status);
        report.already_started.push(teardown);
        return Ok(());
    }
    let started = cloud
        .start_execution(
            settings.state_machine_arn(),
            &teardown.execution,
            &input(suffix).to_string(),
        )
        .await;
    match started {
        Ok(_) => {
            tracing::info!(environment = %suffix, execution = %teardown.execution, "teardown started");
            report.started.push(teardown);
        }
        // Started by a run overlapping this one, after it asked.
        Err(error) if error.is_code(EXECUTION_ALREADY_EXISTS) => {
            report.already_started.push(teardown);
        }
        Err(error) => return Err(error.into()),
    }
    Ok(())
}

fn text(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::FakeCloud;
    use env_core::error::{ErrorName, NamedError};
    use env_core::settings::FunctionSettings;
    use env_core::tags::{EXPIRES_AT, MANAGED_BY, MANAGER_NAME, PROJECT, PROJECT_NAME};
    use serde_json::{json, Value};

    const ARN: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:catalog-teardown";
    const NOW: &str = "2026-11-26T04:00:00Z";

    fn now() -> SystemTime {
        humantime::parse_rfc3339(NOW).unwrap()
    }

    /// The settings as `main` reads them when the variable holds `value` (`None`: not set).
    fn settings(value: Option<&str>) -> Result<Settings, Misconfigured> {
        Settings::from_lookup(&|name| {
            (name == crate::settings::TEARDOWN_STATE_MACHINE_ARN)
                .then(|| value.map(str::to_owned))
                .flatten()
        })
    }

    /// A resource of `environment` with our project and manager tags, and an expiry when given.
    fn ours(arn: &str, environment: &str, expiry: Option<&str>) -> TaggedResource {
        let mut tags = vec![
            (ENVIRONMENT.to_owned(), environment.to_owned()),
            (PROJECT.to_owned(), PROJECT_NAME.to_owned()),
            (MANAGED_BY.to_owned(), MANAGER_NAME.to_owned()),
        ];
        if let Some(expiry) = expiry {
            tags.push((EXPIRES_AT.to_owned(), expiry.to_owned()));
        }
        TaggedResource {
            arn: arn.into(),
            tags,
        }
    }

    /// The acceptance's three environments: expired, not expired, and one not ours (environment and
    /// expiry tags, long past, but not our project's).
    fn three_environments() -> FakeCloud {
        let cloud = FakeCloud::default();
        let mut not_ours = ours("vpc-other", "pr-3", Some("2020-01-01T00:00:00Z"));
        not_ours.tags.retain(|(key, _)| key != PROJECT);
        not_ours
            .tags
            .push((PROJECT.to_owned(), "someone-else".to_owned()));
        cloud.world().resources = vec![
            ours("vpc-1", "pr-1", Some("2026-11-26T03:00:00Z")),
            ours("secret-1", "pr-1", Some("2026-11-26T03:05:00Z")),
            ours("vpc-2", "pr-2", Some("2026-11-26T05:00:00Z")),
            ours("secret-2", "pr-2", Some("2026-11-26T05:05:00Z")),
            not_ours,
        ];
        cloud
    }

    async fn run(cloud: &FakeCloud) -> Report {
        handle(cloud, &settings(Some(ARN)), now()).await.unwrap()
    }

    #[tokio::test]
    async fn one_run_starts_exactly_the_expired_teardown_and_a_second_starts_none() {
        let cloud = three_environments();

        let first = run(&cloud).await;
        let expected = Teardown {
            environment: "pr-1".into(),
            execution: "cleanup-pr-1-20261126T030000Z".into(),
            expires_at: "2026-11-26T03:05:00Z".into(),
            status: None,
        };
        assert_eq!(first.started, std::slice::from_ref(&expected));
        assert_eq!(first.already_started, []);
        assert_eq!(
            first.not_expired,
            [NotExpired {
                environment: "pr-2".into(),
                expires_at: "2026-11-26T05:05:00Z".into()
            }]
        );
        assert_eq!(first.skipped, []);
        {
            let world = cloud.world();
            assert_eq!(world.executions.len(), 1);
            let execution = &world.executions[0];
            assert_eq!(
                execution.arn,
                "arn:aws:states:us-west-2:123456789012:execution:catalog-teardown:cleanup-pr-1-20261126T030000Z"
            );
            let input: Value = serde_json::from_str(&execution.input).unwrap();
            assert_eq!(input["spec"]["environmentSuffix"], "pr-1");
            assert_eq!(input["spec"]["forceDestroy"], false);
        }

        let second = run(&cloud).await;
        assert_eq!(second.started, []);
        assert_eq!(
            second.already_started,
            [Teardown {
                status: Some("RUNNING".into()),
                ..expected
            }]
        );
        assert_eq!(second.not_expired, first.not_expired);
        let world = cloud.world();
        assert_eq!(world.executions.len(), 1);
        assert_eq!(cloud.count("StartExecution"), 1);
    }

    #[tokio::test]
    async fn only_resources_with_our_project_and_manager_tags_are_asked_for() {
        let cloud = three_environments();
        let mut managed_elsewhere = ours("vpc-4", "pr-4", Some("2020-01-01T00:00:00Z"));
        managed_elsewhere.tags[2].1 = "another-tool".into();
        cloud.world().resources.push(managed_elsewhere);
        let report = run(&cloud).await;
        assert_eq!(report.started.len(), 1);
        assert_eq!(report.started[0].environment, "pr-1");
        assert_eq!(report.not_expired.len(), 1);
        assert_eq!(report.not_expired[0].environment, "pr-2");
        let text = serde_json::to_string(&report).unwrap();
        assert!(!text.contains("pr-3") && !text.contains("pr-4"), "{text}");
        assert_eq!(cloud.world().executions.len(), 1);
    }

    #[tokio::test]
    async fn an_ended_teardown_is_reported_with_its_status_and_not_started_again() {
        let cloud = three_environments();
        run(&cloud).await;
        cloud.world().executions[0].status = "FAILED".into();
        let report = run(&cloud).await;
        assert_eq!(report.started, []);
        assert_eq!(report.already_started[0].status.as_deref(), Some("FAILED"));
        assert_eq!(cloud.count("StartExecution"), 1);
    }

    #[tokio::test]
    async fn a_start_refused_as_already_existing_counts_as_already_started() {
        let cloud = three_environments();
        cloud
            .recorder
            .lock()
            .fail("StartExecution", EXECUTION_ALREADY_EXISTS);
        let report = run(&cloud).await;
        assert_eq!(report.started, []);
        assert_eq!(report.already_started.len(), 1);
        assert_eq!(
            report.already_started[0].execution,
            "cleanup-pr-1-20261126T030000Z"
        );
        assert_eq!(report.already_started[0].status, None);
    }

    #[tokio::test]
    async fn every_page_of_resources_is_read() {
        let cloud = FakeCloud::default();
        {
            let mut world = cloud.world();
            world.page_size = 2;
            world.resources = (1..=5)
                .map(|n| ours(&format!("vpc-{n}"), &format!("pr-{n}"), Some(NOW)))
                .collect();
        }
        let report = run(&cloud).await;
        let started: Vec<&str> = report
            .started
            .iter()
            .map(|t| t.environment.as_str())
            .collect();
        assert_eq!(started, ["pr-1", "pr-2", "pr-3", "pr-4", "pr-5"]);
        assert_eq!(cloud.count("GetResources"), 3);
    }

    #[tokio::test]
    async fn environments_that_cannot_be_judged_are_skipped_with_their_reason() {
        let cloud = FakeCloud::default();
        let mut stray = ours("stray", "x", Some("2020-01-01T00:00:00Z"));
        stray.tags.remove(0);
        cloud.world().resources = vec![
            ours("vpc-1", "pr-1", Some("yesterday")),
            ours("vpc-2", "pr-2", None),
            stray,
        ];
        let report = run(&cloud).await;
        assert_eq!(report.started, []);
        assert_eq!(
            report.skipped,
            [
                Skipped {
                    environment: None,
                    resource: Some("stray".into()),
                    reason: "no catalog:environment tag: no teardown can find it".into()
                },
                Skipped {
                    environment: Some("pr-1".into()),
                    resource: None,
                    reason: "vpc-1 has catalog:expires-at \"yesterday\", not a UTC time such as 2026-11-26T03:15:00Z".into()
                },
                Skipped {
                    environment: Some("pr-2".into()),
                    resource: None,
                    reason: "vpc-2 has no catalog:expires-at tag: the environment did not ask to expire".into()
                },
            ]
        );
        assert_eq!(cloud.count("DescribeExecution"), 0);
    }

    #[tokio::test]
    async fn a_missing_or_wrong_setting_fails_before_any_aws_call() {
        let cloud = three_environments();
        for setting in [None, Some("catalog-teardown")] {
            let error = handle(&cloud, &settings(setting), now()).await.unwrap_err();
            assert_eq!(error.error_name(), ErrorName::Misconfigured);
            assert!(error
                .to_string()
                .starts_with("TEARDOWN_STATE_MACHINE_ARN is "));
            assert!(error
                .to_string()
                .contains(": it must be a Step Functions state machine ARN"));
        }
        assert_eq!(cloud.recorder.lock().calls, Vec::<&str>::new());
    }

    #[tokio::test]
    async fn throttling_anywhere_is_retryable_and_a_rerun_finishes_the_job() {
        for operation in ["GetResources", "DescribeExecution", "StartExecution"] {
            let cloud = three_environments();
            cloud.recorder.lock().fail(operation, "ThrottlingException");
            let error = handle(&cloud, &settings(Some(ARN)), now())
                .await
                .unwrap_err();
            assert_eq!(error.error_name(), ErrorName::Retryable, "{operation}");
            assert!(error.to_string().contains(operation), "{error}");
            let report = run(&cloud).await;
            assert_eq!(report.started.len(), 1, "{operation}");
        }
    }

    #[tokio::test]
    async fn a_refused_start_is_rejected_with_its_code() {
        let cloud = three_environments();
        cloud
            .recorder
            .lock()
            .fail("StartExecution", "AccessDeniedException");
        let error = run_error(&cloud).await;
        assert_eq!(error.error_name(), ErrorName::AwsRejected);
        assert!(error.to_string().contains("AccessDeniedException"));
    }

    async fn run_error(cloud: &FakeCloud) -> CleanupError {
        handle(cloud, &settings(Some(ARN)), now())
            .await
            .unwrap_err()
    }

    #[tokio::test]
    async fn the_report_serialises_in_the_documented_shape() {
        let report = run(&three_environments()).await;
        let value = serde_json::to_value(&report).unwrap();
        assert_eq!(
            value,
            json!({
                "started": [{
                    "environment": "pr-1",
                    "execution": "cleanup-pr-1-20261126T030000Z",
                    "expiresAt": "2026-11-26T03:05:00Z"
                }],
                "alreadyStarted": [],
                "notExpired": [{"environment": "pr-2", "expiresAt": "2026-11-26T05:05:00Z"}],
                "skipped": [],
                "retired": [],
                "refilled": [],
                "slept": [],
                "notSlept": []
            })
        );
    }
}
