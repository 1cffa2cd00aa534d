//! `env comment`: what a pull request's comment says about its environment, as Markdown. The
//! pull-request workflow posts it once and edits it in place on every run (it finds its comment by
//! the marker on the first line), so reviewers always read the current URL, state, cost and expiry,
//! and are warned before the scheduled cleanup removes the environment.

use super::facts::{Expiry, Facts};
use super::stage::{Aftermath, Stage};
use std::time::{Duration, SystemTime};

/// The first line of every comment: the workflow edits the comment that starts with it.
pub fn marker(suffix: &str) -> String {
    format!("<!-- catalog-environments:{suffix} -->")
}

/// The State row: where the environment stands, with the error and cause of a failure.
fn describe(stage: &Stage) -> String {
    let failure = |error: &str, cause: &str| format!("`{}`: {}", cell(error), cell(cause));
    let remove = "remove them with `envctl env down`";
    match stage {
        Stage::Provisioning(Some(state)) => format!("provisioning (now at `{}`)", cell(state)),
        Stage::RollingBack => {
            "the provision failed and its rollback is removing what it made".into()
        }
        Stage::Failed {
            error,
            cause,
            aftermath,
        } => match aftermath {
            Aftermath::NothingLeft => {
                format!(
                    "failed and rolled back, nothing is left: {}",
                    failure(error, cause)
                )
            }
            Aftermath::RollbackFailed => format!(
                "failed, and its rollback did not finish: resources may be left ({remove}): {}",
                failure(error, cause)
            ),
            Aftermath::NothingChanged => format!(
                "failed before changing anything: {}",
                failure(error, cause)
            ),
            Aftermath::Kept => format!(
                "failed and kept as the failure left it, not rolled back (provision it again to converge it, or remove it with `envctl env down`): {}",
                failure(error, cause)
            ),
            Aftermath::NotRolledBack => format!(
                "failed without a rollback: resources may be left ({remove}): {}",
                failure(error, cause)
            ),
        },
        Stage::TeardownFailed { error, cause } => format!(
            "teardown failed: resources may be left (run `envctl env down` again): {}",
            failure(error, cause)
        ),
        other => other.headline().into(),
    }
}

/// The comment, with the expiry warning when the environment expires within `warn_before` of `now`.
pub fn render(facts: &Facts, now: SystemTime, warn_before: Duration) -> String {
    let target = match facts.pull_request {
        Some(number) => format!("--pr {number}"),
        None => format!("--suffix {}", facts.suffix),
    };
    let extend = format!("envctl env extend {target} --ttl 48h");
    let mut text = format!(
        "{}\n**Preview environment `{}`: {}**\n\n| | |\n|---|---|\n",
        marker(&facts.suffix),
        facts.suffix,
        facts.stage.headline()
    );
    // The URL of what stands now: while an update provisions, the previous version serves it.
    let url = match (&facts.url, &facts.stage) {
        (Some(url), Stage::Ready) => url.clone(),
        (Some(url), Stage::Provisioning(_)) => format!("{url} (being updated)"),
        // The load balancer stays while asleep and sends every request to the waker function,
        // whose page says the environment is waking up and starts the wake.
        (Some(url), Stage::Asleep) => format!("{url} (asleep: opening it wakes it)"),
        _ => "-".into(),
    };
    text.push_str(&format!("| URL | {url} |\n"));
    let state = match facts.stage {
        Stage::Asleep => format!(
            "asleep: no task runs, its NAT gateways and cache are removed; opening its URL wakes it, as does `envctl env wake {target}`"
        ),
        ref stage => describe(stage),
    };
    text.push_str(&format!("| State | {state} |\n"));
    if facts.stage.lives() {
        if let (Stage::Asleep, Some((asleep, _))) = (&facts.stage, facts.cost_per_hour) {
            text.push_str(&format!(
                "| Cost | ${asleep:.2} per hour asleep (estimate, `envctl spec cost`) |\n"
            ));
        } else if let Some((idle, peak)) = facts.cost_per_hour {
            text.push_str(&format!(
                "| Cost | ${idle:.2} per hour idle, ${peak:.2} at peak (estimate, `envctl spec cost`) |\n"
            ));
        }
        let expiry = match facts.expires_at {
            Expiry::At(at) if at <= now => format!("{} (expired)", stamp(at)),
            Expiry::At(at) => format!("{} ({})", stamp(at), until(now, at)),
            Expiry::Never => "never: no TTL, remove it with `envctl env down`".into(),
            Expiry::NotKnown => "not known yet: no resource carries its tags yet".into(),
        };
        text.push_str(&format!("| Expires | {expiry} |\n"));
    }
    if let (true, Expiry::At(at)) = (facts.stage.lives(), facts.expires_at) {
        text.push('\n');
        if at <= now {
            text.push_str(&format!(
                "> **Warning:** this environment expired at {}; the hourly cleanup removes it on its next run. To keep it: `{extend}`.\n",
                stamp(at)
            ));
        } else if at <= now + warn_before {
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
    // Called with an `at` after `now`: one before it would read as `in 0s`.
    let left = at.duration_since(now).unwrap_or_default().as_secs() / 60 * 60;
    format!(
        "in {}",
        humantime::format_duration(Duration::from_secs(left))
    )
}

/// A value fit for one Markdown table cell, whatever an AWS error message holds: one line, no
/// column separator (a backslash escaped first, so that `\|` in the text cannot end the cell), no
/// backtick to open a code span that swallows the rest, at most 300 characters.
fn cell(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| match c {
            '`' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect::<String>()
        .replace('\\', "\\\\")
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
            expires_at: expires_in_hours
                .map_or(Expiry::Never, |hours| Expiry::At(at(hours * 3600))),
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
    fn an_asleep_environment_says_so_with_how_to_wake_it_and_its_asleep_cost() {
        let facts = Facts {
            stage: Stage::Asleep,
            cost_per_hour: Some((0.0449, 0.0449)),
            ..ready(Some(71))
        };
        let text = comment(&facts);
        assert!(
            text.contains("**Preview environment `pr-42`: asleep**"),
            "{text}"
        );
        assert!(text.contains(
            "| URL | https://alb-pr-42-1.us-west-2.elb.amazonaws.com (asleep: opening it wakes it) |\n"
        ), "{text}");
        assert!(text.contains(
            "| State | asleep: no task runs, its NAT gateways and cache are removed; opening its URL wakes it, as does `envctl env wake --pr 42` |\n"
        ), "{text}");
        assert!(
            text.contains("| Cost | $0.04 per hour asleep (estimate, `envctl spec cost`) |\n"),
            "{text}"
        );
        assert!(text.contains("| Expires | 2026-05-31T19:26:40Z"), "{text}");
        let unnumbered = comment(&Facts {
            pull_request: None,
            cost_per_hour: None,
            ..facts
        });
        assert!(
            unnumbered.contains("`envctl env wake --suffix pr-42`"),
            "{unnumbered}"
        );
        assert!(!unnumbered.contains("| Cost |"), "{unnumbered}");
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
        let not_yet = comment(&Facts {
            stage: Stage::Provisioning(None),
            expires_at: Expiry::NotKnown,
            ..ready(None)
        });
        assert!(not_yet.contains("| Expires | not known yet: no resource carries its tags yet |\n"));
        assert!(!not_yet.contains("Warning") && !not_yet.contains("To keep it"));
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
        let provisioning = with(Stage::Provisioning(Some("ConvergeDatabase".into())));
        assert!(provisioning.contains("**Preview environment `pr-42`: provisioning**"));
        assert!(provisioning.contains("| State | provisioning (now at `ConvergeDatabase`) |"));
        // An update: the previous provision's version serves the URL meanwhile.
        assert!(provisioning
            .contains("| URL | https://alb-pr-42-1.us-west-2.elb.amazonaws.com (being updated) |"));
        assert!(with(Stage::Provisioning(None)).contains("| State | provisioning |"));
        let rolling_back = with(Stage::RollingBack);
        assert!(rolling_back.contains("**Preview environment `pr-42`: failed, rolling back**"));
        assert!(rolling_back.contains(
            "| State | the provision failed and its rollback is removing what it made |"
        ));
        assert!(rolling_back.contains("| URL | - |"));
        assert!(rolling_back.contains("| Cost | $0.28 per hour idle"));
        let tearing_down = with(Stage::TearingDown);
        assert!(tearing_down.contains("| State | being torn down |"));
        assert!(tearing_down.contains("| URL | - |"));

        // Nothing lives: no URL, cost or expiry, no warning.
        for (stage, headline, state) in [
            (Stage::Unknown, "not provisioned yet", "not provisioned yet"),
            (Stage::Removed, "removed", "removed"),
            (
                Stage::Failed {
                    error: "ComponentFailed".into(),
                    cause: "cache: CREATE_FAILED".into(),
                    aftermath: Aftermath::NothingLeft,
                },
                "failed",
                "failed and rolled back, nothing is left: `ComponentFailed`: cache: CREATE_FAILED",
            ),
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
    fn a_failure_that_may_leave_resources_says_so_and_keeps_its_cost_and_expiry() {
        let with = |stage: Stage| {
            comment(&Facts {
                stage,
                ..ready(Some(30))
            })
        };
        for (aftermath, state) in [
            (
                Aftermath::RollbackFailed,
                "| State | failed, and its rollback did not finish: resources may be left (remove them with `envctl env down`): `RollbackFailed`: the cause |",
            ),
            (
                Aftermath::NotRolledBack,
                "| State | failed without a rollback: resources may be left (remove them with `envctl env down`): `RollbackFailed`: the cause |",
            ),
            (
                Aftermath::NothingChanged,
                "| State | failed before changing anything: `RollbackFailed`: the cause |",
            ),
            (
                Aftermath::Kept,
                "| State | failed and kept as the failure left it, not rolled back (provision it again to converge it, or remove it with `envctl env down`): `RollbackFailed`: the cause |",
            ),
        ] {
            let text = with(Stage::Failed {
                error: "RollbackFailed".into(),
                cause: "the cause".into(),
                aftermath,
            });
            assert!(text.contains("**Preview environment `pr-42`: failed**"), "{text}");
            assert!(text.contains(state), "{text}");
            assert!(text.contains("| Cost | $0.28 per hour idle"), "{text}");
            assert!(text.contains("| Expires | "), "{text}");
        }
        let text = with(Stage::TeardownFailed {
            error: "TIMED_OUT".into(),
            cause: "no cause recorded".into(),
        });
        assert!(text.contains("**Preview environment `pr-42`: teardown failed**"));
        assert!(text.contains(
            "| State | teardown failed: resources may be left (run `envctl env down` again): `TIMED_OUT`: no cause recorded |"
        ), "{text}");
        assert!(
            text.contains("| Cost | $0.28 per hour idle"),
            "what is left may cost: {text}"
        );
    }

    #[test]
    fn an_error_message_stays_in_its_table_cell() {
        let cause = "cache: group redis-pr-42 | create-failed\nsee `events` in C:\\logs\\| here";
        let text = comment(&Facts {
            stage: Stage::Failed {
                error: "Component`Failed".into(),
                cause: cause.into(),
                aftermath: Aftermath::NothingLeft,
            },
            ..ready(Some(30))
        });
        assert!(text.contains(
            "| State | failed and rolled back, nothing is left: `Component'Failed`: cache: group redis-pr-42 \\| create-failed see 'events' in C:\\\\logs\\\\\\| here |\n"
        ), "{text}");
    }

    #[test]
    fn a_long_cause_is_cut_at_300_characters() {
        let long = "x".repeat(400);
        assert_eq!(cell(&long).chars().count(), 301);
        assert!(cell(&long).ends_with('…'));
        assert_eq!(cell("short"), "short");
    }
}
