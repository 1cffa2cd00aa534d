//! Where an environment stands, from its latest execution: provision, teardown, or the teardown a
//! failed provision started as its rollback (`rollback-<provision's name>`, provision.asl.json's
//! `Rollback` state), which is told as that provision's failure rather than as a teardown.

use super::api::Execution;

/// The state of the provision workflow that runs the rollback (provision.asl.json).
const ROLLBACK_STATE: &str = "Rollback";
/// Its first state, which only checks the spec: a failure there made nothing.
const VALIDATE_STATE: &str = "Validate";
/// The states before it changes anything: the refusal while a teardown runs (`TeardownRunning`)
/// and the reading of whether the environment exists.
const BEFORE_CHANGING_STATES: [&str; 2] = ["Admit", "Survey"];
/// The state it fails in when the environment existed before and is kept, not rolled back.
const KEPT_STATE: &str = "ReprovisionFailed";
/// The error a provision fails with when its rollback failed too (provision.asl.json).
const ROLLBACK_FAILED: &str = "RollbackFailed";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// No execution of either workflow names it.
    Unknown,
    /// A provision is running, in the state named (when known).
    Provisioning(Option<String>),
    Ready,
    /// Its latest provision succeeded with `asleep` (`env sleep`): no task, NAT gateway or cache
    /// until `env wake`.
    Asleep,
    /// A provision failed and its rollback is removing what it made.
    RollingBack,
    /// A provision did not succeed: its error and cause, and what became of what it made.
    Failed {
        error: String,
        cause: String,
        aftermath: Aftermath,
    },
    TearingDown,
    Removed,
    /// The teardown did not succeed: something may be left.
    TeardownFailed {
        error: String,
        cause: String,
    },
}

/// What is left after a provision that did not succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aftermath {
    /// Nothing was made (it failed validating the spec) or its rollback removed everything.
    NothingLeft,
    /// Its rollback did not finish: resources may be left.
    RollbackFailed,
    /// It failed before changing anything (refused while a teardown of the environment ran, or
    /// could not read whether the environment exists): the environment, if any, is as it was.
    NothingChanged,
    /// It changed an environment that existed before (an update, a sleep, a wake) and failed: by
    /// design nothing was rolled back, and the environment stands as the failure left it, for the
    /// next provision to converge or a teardown to remove.
    Kept,
    /// No rollback ran: it was stopped (StopExecution ends an execution where it stands), ran past
    /// its time limit, or failed with an error no Catch takes (`States.ALL` does not catch
    /// `States.Runtime` or `States.DataLimitExceeded`: Step Functions developer guide, "Handling
    /// errors in Step Functions workflows"). Resources may be left.
    NotRolledBack,
}

/// One execution's closing: status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED,
/// PENDING_REDRIVE: Step Functions API reference, DescribeExecution), error and cause.
fn failure(execution: &Execution) -> (String, String) {
    (
        execution
            .error
            .clone()
            .unwrap_or_else(|| execution.status.clone()),
        execution
            .cause
            .clone()
            .unwrap_or_else(|| "no cause recorded".to_owned()),
    )
}

/// RUNNING, or PENDING_REDRIVE: a redriven execution about to run again.
fn running(status: &str) -> bool {
    matches!(status, "RUNNING" | "PENDING_REDRIVE")
}

impl Stage {
    /// From the environment's latest provision and the state it entered last. A closed provision
    /// that is the latest execution started no rollback (the rollback, a teardown, would be
    /// newer): what it made is left, unless it failed validating the spec.
    pub fn of_provision(provision: &Execution, state: Option<String>) -> Self {
        let status = provision.status.as_str();
        if running(status) {
            return match state.as_deref() {
                Some(ROLLBACK_STATE) => Stage::RollingBack,
                _ => Stage::Provisioning(state),
            };
        }
        if status == "SUCCEEDED" {
            // Every workflow takes the spec as its input (`{"spec": …}`).
            return match provision.input["spec"]["asleep"].as_bool() {
                Some(true) => Stage::Asleep,
                _ => Stage::Ready,
            };
        }
        let aftermath = match (status, state.as_deref()) {
            ("FAILED", Some(VALIDATE_STATE)) => Aftermath::NothingLeft,
            ("FAILED", Some(state)) if BEFORE_CHANGING_STATES.contains(&state) => {
                Aftermath::NothingChanged
            }
            ("FAILED", Some(KEPT_STATE)) => Aftermath::Kept,
            _ if provision.error.as_deref() == Some(ROLLBACK_FAILED) => Aftermath::RollbackFailed,
            _ => Aftermath::NotRolledBack,
        };
        Stage::failed(provision, aftermath)
    }

    fn failed(provision: &Execution, aftermath: Aftermath) -> Self {
        let (error, cause) = failure(provision);
        Stage::Failed {
            error,
            cause,
            aftermath,
        }
    }

    /// From the environment's latest teardown, one that is no provision's rollback.
    pub fn of_teardown(teardown: &Execution) -> Self {
        match teardown.status.as_str() {
            status if running(status) => Stage::TearingDown,
            "SUCCEEDED" => Stage::Removed,
            _ => {
                let (error, cause) = failure(teardown);
                Stage::TeardownFailed { error, cause }
            }
        }
    }

    /// From a rollback and the provision that started it: rolling back until both have closed,
    /// then the provision's failure, with nothing left only when the rollback succeeded.
    pub fn of_rollback(rollback: &Execution, provision: &Execution) -> Self {
        if running(&rollback.status) || running(&provision.status) {
            return Stage::RollingBack;
        }
        let aftermath = match rollback.status.as_str() {
            "SUCCEEDED" => Aftermath::NothingLeft,
            _ => Aftermath::RollbackFailed,
        };
        Stage::failed(provision, aftermath)
    }

    pub fn headline(&self) -> &'static str {
        match self {
            Stage::Unknown => "not provisioned yet",
            Stage::Provisioning(_) => "provisioning",
            Stage::Ready => "ready",
            Stage::Asleep => "asleep",
            Stage::RollingBack => "failed, rolling back",
            Stage::Failed { .. } => "failed",
            Stage::TearingDown => "being torn down",
            Stage::Removed => "removed",
            Stage::TeardownFailed { .. } => "teardown failed",
        }
    }

    /// Whether the environment (or part of it) may exist, so that its cost and expiry matter.
    pub fn lives(&self) -> bool {
        !matches!(
            self,
            Stage::Unknown
                | Stage::Removed
                | Stage::Failed {
                    aftermath: Aftermath::NothingLeft,
                    ..
                }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::time::SystemTime;

    fn execution(name: &str, status: &str, error: Option<&str>, cause: Option<&str>) -> Execution {
        Execution {
            arn: format!("arn:aws:states:us-west-2:123456789012:execution:m:{name}"),
            name: name.into(),
            status: status.into(),
            started: SystemTime::UNIX_EPOCH,
            input: Value::Null,
            output: None,
            error: error.map(str::to_owned),
            cause: cause.map(str::to_owned),
        }
    }

    fn provision(status: &str, error: Option<&str>) -> Execution {
        execution("pr-42-abc", status, error, Some("the cause"))
    }

    fn failed(error: &str, aftermath: Aftermath) -> Stage {
        Stage::Failed {
            error: error.into(),
            cause: "the cause".into(),
            aftermath,
        }
    }

    #[test]
    fn a_provision_is_provisioning_ready_or_failed_with_what_its_failure_left() {
        let state = || Some("ConvergeDatabase".to_owned());
        assert_eq!(
            Stage::of_provision(&provision("RUNNING", None), state()),
            Stage::Provisioning(state())
        );
        assert_eq!(
            Stage::of_provision(&provision("PENDING_REDRIVE", None), None),
            Stage::Provisioning(None)
        );
        assert_eq!(
            Stage::of_provision(&provision("RUNNING", None), Some("Rollback".into())),
            Stage::RollingBack
        );
        assert_eq!(
            Stage::of_provision(&provision("SUCCEEDED", None), None),
            Stage::Ready
        );
        let mut asleep = provision("SUCCEEDED", None);
        asleep.input = serde_json::json!({"spec": {"asleep": true}});
        assert_eq!(Stage::of_provision(&asleep, None), Stage::Asleep);
        // Asleep only once that provision has succeeded: while it runs, it provisions.
        asleep.status = "RUNNING".into();
        assert_eq!(
            Stage::of_provision(&asleep, None),
            Stage::Provisioning(None)
        );
        // Failed validating the spec (provision.asl.json's first state): nothing was made.
        assert_eq!(
            Stage::of_provision(
                &provision("FAILED", Some("InvalidSpec")),
                Some("Validate".into())
            ),
            failed("InvalidSpec", Aftermath::NothingLeft)
        );
        // Failed later without a rollback to follow (an error no Catch takes): things may be left.
        assert_eq!(
            Stage::of_provision(
                &provision("FAILED", Some("States.Runtime")),
                Some("ConvergeCache".into())
            ),
            failed("States.Runtime", Aftermath::NotRolledBack)
        );
        assert_eq!(
            Stage::of_provision(&provision("FAILED", Some("RollbackFailed")), None),
            failed("RollbackFailed", Aftermath::RollbackFailed)
        );
        // Refused while a teardown runs, or failed reading whether the environment exists:
        // nothing was changed.
        for state in ["Admit", "Survey"] {
            assert_eq!(
                Stage::of_provision(
                    &provision("FAILED", Some("TeardownRunning")),
                    Some(state.into())
                ),
                failed("TeardownRunning", Aftermath::NothingChanged)
            );
        }
        // A failed update, sleep or wake of an environment that existed: kept, not rolled back.
        assert_eq!(
            Stage::of_provision(
                &provision("FAILED", Some("ComponentFailed")),
                Some("ReprovisionFailed".into())
            ),
            failed("ComponentFailed", Aftermath::Kept)
        );
        assert!(failed("ComponentFailed", Aftermath::Kept).lives());
        assert!(failed("TeardownRunning", Aftermath::NothingChanged).lives());
        // Neither a stopped nor a timed-out execution runs its Catch: no rollback ran.
        for status in ["ABORTED", "TIMED_OUT"] {
            assert_eq!(
                Stage::of_provision(&provision(status, None), Some("ConvergeCache".into())),
                failed(status, Aftermath::NotRolledBack)
            );
        }
        assert_eq!(
            Stage::of_provision(&execution("p", "FAILED", None, None), None),
            Stage::Failed {
                error: "FAILED".into(),
                cause: "no cause recorded".into(),
                aftermath: Aftermath::NotRolledBack
            }
        );
    }

    #[test]
    fn a_teardown_is_running_done_or_failed() {
        let teardown = |status: &str| execution("pr-42-closed-1", status, None, None);
        assert_eq!(Stage::of_teardown(&teardown("RUNNING")), Stage::TearingDown);
        assert_eq!(
            Stage::of_teardown(&teardown("PENDING_REDRIVE")),
            Stage::TearingDown
        );
        assert_eq!(Stage::of_teardown(&teardown("SUCCEEDED")), Stage::Removed);
        assert_eq!(
            Stage::of_teardown(&teardown("TIMED_OUT")),
            Stage::TeardownFailed {
                error: "TIMED_OUT".into(),
                cause: "no cause recorded".into()
            }
        );
    }

    #[test]
    fn a_rollback_is_told_as_the_failure_of_its_provision() {
        let rollback = |status: &str| execution("rollback-pr-42-abc", status, None, None);
        assert_eq!(
            Stage::of_rollback(&rollback("RUNNING"), &provision("RUNNING", None)),
            Stage::RollingBack
        );
        // The rollback has ended; the provision has yet to record it.
        assert_eq!(
            Stage::of_rollback(&rollback("SUCCEEDED"), &provision("RUNNING", None)),
            Stage::RollingBack
        );
        assert_eq!(
            Stage::of_rollback(
                &rollback("SUCCEEDED"),
                &provision("FAILED", Some("ComponentFailed"))
            ),
            failed("ComponentFailed", Aftermath::NothingLeft)
        );
        assert_eq!(
            Stage::of_rollback(
                &rollback("FAILED"),
                &provision("FAILED", Some("RollbackFailed"))
            ),
            failed("RollbackFailed", Aftermath::RollbackFailed)
        );
        // Stopped during its rollback: what the rollback had not removed yet may be left.
        assert_eq!(
            Stage::of_rollback(&rollback("ABORTED"), &provision("ABORTED", None)),
            failed("ABORTED", Aftermath::RollbackFailed)
        );
        // Whatever the provision's error says, only a rollback that succeeded left nothing.
        assert_eq!(
            Stage::of_rollback(
                &rollback("TIMED_OUT"),
                &provision("FAILED", Some("ComponentFailed"))
            ),
            failed("ComponentFailed", Aftermath::RollbackFailed)
        );
    }

    #[test]
    fn only_a_stage_that_may_leave_resources_lives() {
        let living = [
            Stage::Provisioning(None),
            Stage::Ready,
            Stage::Asleep,
            Stage::RollingBack,
            failed("RollbackFailed", Aftermath::RollbackFailed),
            failed("ABORTED", Aftermath::NotRolledBack),
            Stage::TearingDown,
            Stage::TeardownFailed {
                error: "e".into(),
                cause: "c".into(),
            },
        ];
        assert!(living.iter().all(Stage::lives));
        let gone = [
            Stage::Unknown,
            Stage::Removed,
            failed("ComponentFailed", Aftermath::NothingLeft),
        ];
        assert!(!gone.iter().any(Stage::lives));
        let headlines: Vec<&str> = living.iter().chain(&gone).map(Stage::headline).collect();
        assert_eq!(
            headlines,
            [
                "provisioning",
                "ready",
                "asleep",
                "failed, rolling back",
                "failed",
                "failed",
                "being torn down",
                "teardown failed",
                "not provisioned yet",
                "removed",
                "failed"
            ]
        );
    }
}
