//! `env comment`: what a pull request's comment says about its environment, as Markdown. The
//! pull-request workflow posts it once and edits it in place on every run (it finds its comment by
//! the marker on the first line), so reviewers always read the current URL, state, cost and expiry,
//! and are warned before the scheduled cleanup removes the environment.

use super::api::Workflows;
use super::commands::status;
use env_core::spec::EnvironmentSpec;
use envctl_deploy::asl;
use std::time::{Duration, SystemTime};

/// The first line of every comment: the workflow edits the comment that starts with it.
pub fn marker(suffix: &str) -> String {
    format!("<!-- catalog-environments:{suffix} -->")
}

/// Where the environment stands, from its latest execution (provision or teardown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// No execution of either workflow names it.
    Unknown,
    /// A provision is running, in the state named (when known).
    Provisioning(Option<String>),
    Ready,
    /// The provision failed (and was rolled back): its error and cause.
    Failed {
        error: String,
        cause: String,
    },
    TearingDown,
    Removed,
    /// The teardown failed: something may be left.
    TeardownFailed {
        error: String,
        cause: String,
    },
}

impl Stage {
    /// From the latest execution: its workflow (`provision` or `teardown`) and status
    /// (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED: Step Functions API reference,
    /// DescribeExecution).
    pub fn of(
        provision: bool,
        status: &str,
        state: Option<String>,
        error: Option<&str>,
        cause: Option<&str>,
    ) -> Self {
        let failure = || {
            (
                error.unwrap_or(status).to_owned(),
                cause.unwrap_or("no cause recorded").to_owned(),
            )
        };
        match (provision, status) {
            (true, "RUNNING") => Stage::Provisioning(state),
            (true, "SUCCEEDED") => Stage::Ready,
            (true, _) => {
                let (error, cause) = failure();
                Stage::Failed { error, cause }
            }
            (false, "RUNNING") => Stage::TearingDown,
            (false, "SUCCEEDED") => Stage::Removed,
            (false, _) => {
                let (error, cause) = failure();
                Stage::TeardownFailed { error, cause }
            }
        }
    }

    fn describe(&self) -> String {
        match self {
            Stage::Unknown => "not provisioned yet".into(),
            Stage::Provisioning(Some(state)) => format!("provisioning (now at `{state}`)"),
            Stage::Provisioning(None) => "provisioning".into(),
            Stage::Ready => "ready".into(),
            Stage::Failed { error, cause } => {
                format!("failed and rolled back: `{error}`: {}", cell(cause))
            }
            Stage::TearingDown => "being torn down".into(),
            Stage::Removed => "removed".into(),
            Stage::TeardownFailed { error, cause } => {
                format!(
                    "teardown failed, resources may be left: `{error}`: {}",
                    cell(cause)
                )
            }
        }
    }

    fn headline(&self) -> &'static str {
        match self {
            Stage::Unknown => "not provisioned yet",
            Stage::Provisioning(_) => "provisioning",
            Stage::Ready => "ready",
            Stage::Failed { .. } => "failed",
            Stage::TearingDown => "being torn down",
            Stage::Removed => "removed",
            Stage::TeardownFailed { .. } => "teardown failed",
        }
    }

    /// Whether the environment (or part of it) exists, so its cost and expiry matter.
    fn lives(&self) -> bool {
        !matches!(self, Stage::Unknown | Stage::Removed | Stage::Failed { .. })
    }
}

/// Everything the comment says, read by the caller from AWS.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub suffix: String,
    pub pull_request: Option<u32>,
    pub stage: Stage,
    pub url: Option<String>,
    /// Idle and peak cost per hour of the spec it was provisioned with, in USD.
    pub cost_per_hour: Option<(f64, f64)>,
    pub expires_at: Option<SystemTime>,
}

/// Reads what the comment says: the environment's latest execution (its stage, the URL its
/// outputs document gives, the cost of the spec it ran with) and the expiry on its VPC.
pub async fn facts<C: Workflows>(
    cloud: &C,
    region: &str,
    suffix: &str,
    pull_request: Option<u32>,
) -> anyhow::Result<Facts> {
    let report = status(cloud, region, suffix).await?;
    let tagged = cloud
        .environments()
        .await?
        .into_iter()
        .find(|environment| environment.suffix == suffix);
    let mut facts = Facts {
        suffix: suffix.to_owned(),
        pull_request,
        stage: Stage::Unknown,
        url: None,
        cost_per_hour: None,
        expires_at: None,
    };
    if let (Some(workflow), Some(execution)) = (report.workflow, &report.execution) {
        facts.stage = Stage::of(
            workflow == asl::PROVISION_NAME,
            &execution.status,
            report.current_state.clone(),
            execution.error.as_deref(),
            execution.cause.as_deref(),
        );
        facts.url = execution
            .output
            .as_ref()
            .and_then(|output| output["outputs"]["httpsUrl"].as_str())
            .map(str::to_owned);
        // Both workflows take the spec as their input.
        let spec = EnvironmentSpec::from_value(&execution.input["spec"]).ok();
        facts.cost_per_hour = spec.as_ref().map(hourly_cost).transpose()?;
    }
    if let Some(tagged) = tagged {
        facts.expires_at = tagged
            .expires_at
            .and_then(|text| humantime::parse_rfc3339(&text).ok());
        facts.pull_request = facts
            .pull_request
            .or_else(|| tagged.pull_request.and_then(|text| text.parse().ok()));
    }
    Ok(facts)
}

/// Idle and peak cost per hour, from the bundled price table.
fn hourly_cost(spec: &EnvironmentSpec) -> anyhow::Result<(f64, f64)> {
    let prices = envctl_cost::PriceTable::bundled()?;
    let items = envctl_cost::estimate(spec, &prices)?;
    Ok((
        items.iter().map(|item| item.idle_hour).sum(),
        items.iter().map(|item| item.peak_hour).sum(),
    ))
}

/// The comment, with the expiry warning when the environment expires within `warn_before` of `now`.
pub fn render(facts: &Facts, now: SystemTime, warn_before: Duration) -> String {
    let extend = match facts.pull_request {
        Some(number) => format!("envctl env extend --pr {number} --ttl 48h"),
        None => format!("envctl env extend --suffix {} --ttl 48h", facts.suffix),
    };
    let mut text = format!(
        "{}\n**Preview environment `{}`: {}**\n\n| | |\n|---|---|\n",
        marker(&facts.suffix),
        facts.suffix,
        facts.stage.headline()
    );
    let url = match (&facts.url, &facts.stage) {
        (Some(url), Stage::Ready) => url.clone(),
        (Some(url), stage) if stage.lives() => format!("{url} (not serving yet)"),
        _ => "-".into(),
    };
    text.push_str(&format!("| URL | {url} |\n"));
    text.push_str(&format!("| State | {} |\n", facts.stage.describe()));
    if facts.stage.lives() {
        if let Some((idle, peak)) = facts.cost_per_hour {
            text.push_str(&format!(
                "| Cost | ${idle:.2} per hour idle, ${peak:.2} at peak (estimate, `envctl spec cost`) |\n"
            ));
        }
        let expiry = match facts.expires_at {
            Some(at) if at <= now => format!("{} (expired)", stamp(at)),
            Some(at) => format!("{} ({})", stamp(at), until(now, at)),
            None => "never: no TTL, remove it with `envctl env down`".into(),
        };
        text.push_str(&format!("| Expires | {expiry} |\n"));
    }
    if let (true, Some(at)) = (facts.stage.lives(), facts.expires_at) {
        text.push('\n');
        if at <= now {
            text.push_str(&format!(
                "> **Warning:** this environment expired at {}; the hourly cleanup removes it on its next run. To keep it: `{extend}`.\n",
                stamp(at)
            ));
        } else if at.duration_since(now).unwrap_or_default() <= warn_before {
            text.push_str(&format!(
                "> **Warning:** the scheduled cleanup removes this environment at {} ({}). To keep it: `{extend}`.\n",
                stamp(at),
                until(now, at)
            ));
        } else {
            text.push_str(&format!("To keep it longer: `{extend}`.\n"));
        }
    }
    text
}

fn stamp(at: SystemTime) -> String {
    humantime::format_rfc3339_seconds(at).to_string()
}

/// `in 5h 30m`, to the minute.
fn until(now: SystemTime, at: SystemTime) -> String {
    let left = at.duration_since(now).unwrap_or_default().as_secs() / 60 * 60;
    format!(
        "in {}",
        humantime::format_duration(Duration::from_secs(left))
    )
}

/// A value fit for one Markdown table cell: one line, no column separator, at most 300 characters.
fn cell(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|");
    match flat.char_indices().nth(300) {
        Some((index, _)) => format!("{}…", &flat[..index]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_780_000_000; // 2026-05-28T20:26:40Z

    fn at(seconds_from_now: i64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(NOW.saturating_add_signed(seconds_from_now))
    }

    fn ready(expires_in_hours: Option<i64>) -> Facts {
        Facts {
            suffix: "pr-42".into(),
            pull_request: Some(42),
            stage: Stage::Ready,
            url: Some("https://alb-pr-42-1.us-west-2.elb.amazonaws.com".into()),
            cost_per_hour: Some((0.2849, 0.6512)),
            expires_at: expires_in_hours.map(|hours| at(hours * 3600)),
        }
    }

    fn comment(facts: &Facts) -> String {
        render(facts, at(0), Duration::from_secs(12 * 3600))
    }

    #[test]
    fn a_ready_environment_names_its_url_cost_expiry_and_how_to_extend_it() {
        assert_eq!(
            comment(&ready(Some(71))),
            "<!-- catalog-environments:pr-42 -->\n\
             **Preview environment `pr-42`: ready**\n\n\
             | | |\n|---|---|\n\
             | URL | https://alb-pr-42-1.us-west-2.elb.amazonaws.com |\n\
             | State | ready |\n\
             | Cost | $0.28 per hour idle, $0.65 at peak (estimate, `envctl spec cost`) |\n\
             | Expires | 2026-05-31T19:26:40Z (in 2days 23h) |\n\n\
             To keep it longer: `envctl env extend --pr 42 --ttl 48h`.\n"
        );
    }

    #[test]
    fn the_warning_comes_within_the_warning_time_and_after_the_expiry() {
        let soon = comment(&ready(Some(5)));
        assert!(soon.ends_with(
            "\n> **Warning:** the scheduled cleanup removes this environment at 2026-05-29T01:26:40Z (in 5h). To keep it: `envctl env extend --pr 42 --ttl 48h`.\n"
        ), "{soon}");
        // Exactly at the warning time is within it; a minute outside is not.
        assert!(comment(&ready(Some(12))).contains("> **Warning:**"));
        let later = render(&ready(Some(12)), at(-60), Duration::from_secs(12 * 3600));
        assert!(!later.contains("Warning"), "{later}");
        let expired = comment(&ready(Some(-1)));
        assert!(expired.ends_with(
            "\n> **Warning:** this environment expired at 2026-05-28T19:26:40Z; the hourly cleanup removes it on its next run. To keep it: `envctl env extend --pr 42 --ttl 48h`.\n"
        ), "{expired}");
        assert!(expired.contains("| Expires | 2026-05-28T19:26:40Z (expired) |"));
    }

    #[test]
    fn without_a_ttl_it_never_expires_and_is_never_warned_about() {
        let text = comment(&ready(None));
        assert!(text.contains("| Expires | never: no TTL, remove it with `envctl env down` |\n"));
        assert!(!text.contains("Warning") && !text.contains("To keep it"));
    }

    #[test]
    fn without_a_pull_request_the_extend_command_names_the_suffix() {
        let facts = Facts {
            pull_request: None,
            ..ready(Some(30))
        };
        assert!(comment(&facts).contains("`envctl env extend --suffix pr-42 --ttl 48h`"));
    }

    #[test]
    fn each_stage_says_where_the_environment_stands() {
        let with = |stage: Stage| {
            comment(&Facts {
                stage,
                ..ready(Some(30))
            })
        };
        let provisioning = with(Stage::Provisioning(Some("WaitForDatabase".into())));
        assert!(provisioning.contains("**Preview environment `pr-42`: provisioning**"));
        assert!(provisioning.contains("| State | provisioning (now at `WaitForDatabase`) |"));
        assert!(provisioning.contains(
            "| URL | https://alb-pr-42-1.us-west-2.elb.amazonaws.com (not serving yet) |"
        ));
        assert!(with(Stage::Provisioning(None)).contains("| State | provisioning |"));
        assert!(with(Stage::TearingDown).contains("| State | being torn down |"));

        // Nothing lives: no URL, cost or expiry, no warning.
        for (stage, headline, state) in [
            (Stage::Unknown, "not provisioned yet", "not provisioned yet"),
            (Stage::Removed, "removed", "removed"),
        ] {
            let text = with(stage);
            assert!(text.contains(&format!(": {headline}**")), "{text}");
            assert!(text.contains(&format!("| State | {state} |")), "{text}");
            assert!(text.contains("| URL | - |"), "{text}");
            assert!(
                !text.contains("Cost") && !text.contains("Expires") && !text.contains("extend"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_failure_quotes_its_error_and_cause_on_one_line_of_the_table() {
        let failed = Stage::of(
            true,
            "FAILED",
            None,
            Some("ComponentFailed"),
            Some("cache: group redis-pr-42 | create-failed\nsee the events"),
        );
        let text = comment(&Facts {
            stage: failed,
            ..ready(Some(30))
        });
        assert!(text.contains("**Preview environment `pr-42`: failed**"));
        assert!(text.contains(
            "| State | failed and rolled back: `ComponentFailed`: cache: group redis-pr-42 \\| create-failed see the events |\n"
        ), "{text}");
        assert!(!text.contains("Cost"));

        let teardown = Stage::of(false, "TIMED_OUT", None, None, None);
        assert_eq!(
            teardown,
            Stage::TeardownFailed {
                error: "TIMED_OUT".into(),
                cause: "no cause recorded".into()
            }
        );
        let text = comment(&Facts {
            stage: teardown,
            ..ready(Some(30))
        });
        assert!(text.contains(
            "| State | teardown failed, resources may be left: `TIMED_OUT`: no cause recorded |"
        ));
        assert!(
            text.contains("| Cost | $0.28 per hour idle"),
            "what is left may still cost: {text}"
        );
    }

    #[test]
    fn the_stage_follows_the_latest_executions_workflow_and_status() {
        assert_eq!(
            Stage::of(true, "RUNNING", Some("Provision".into()), None, None),
            Stage::Provisioning(Some("Provision".into()))
        );
        assert_eq!(Stage::of(true, "SUCCEEDED", None, None, None), Stage::Ready);
        assert_eq!(
            Stage::of(false, "RUNNING", None, None, None),
            Stage::TearingDown
        );
        assert_eq!(
            Stage::of(false, "SUCCEEDED", None, None, None),
            Stage::Removed
        );
        assert_eq!(
            Stage::of(true, "ABORTED", None, None, Some("stopped by hand")),
            Stage::Failed {
                error: "ABORTED".into(),
                cause: "stopped by hand".into()
            }
        );
    }

    #[test]
    fn a_long_cause_is_cut_at_300_characters() {
        let long = "x".repeat(400);
        assert_eq!(cell(&long).chars().count(), 301);
        assert!(cell(&long).ends_with('…'));
        assert_eq!(cell("short"), "short");
    }
}
