//! The plain types the Step Functions calls answer and take.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Which executions a listing returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    All,
    /// Only those RUNNING (ListExecutions `statusFilter`).
    Running,
}

/// One execution as ListExecutions lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionSummary {
    pub name: String,
    pub arn: String,
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`, `PENDING_REDRIVE` (API
    /// reference, ExecutionListItem `status`).
    pub status: String,
    /// When it started, in milliseconds since the epoch: a wake started within a second of the
    /// sleep it undoes still reads as the later one.
    pub started: i64,
    /// When it ended, in milliseconds since the epoch; `None` while it runs.
    pub stopped: Option<i64>,
}

impl ExecutionSummary {
    pub fn is_running(&self) -> bool {
        self.status == crate::RUNNING
    }

    /// [`Self::started`] as a time.
    pub fn started_at(&self) -> SystemTime {
        time_from_millis(self.started)
    }
}

/// One page of ListExecutions, and the token for the next one when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecutionPage {
    pub executions: Vec<ExecutionSummary>,
    pub next: Option<String>,
}

/// One execution as DescribeExecution describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    pub name: String,
    pub arn: String,
    pub status: String,
    /// Its input (JSON text); empty when DescribeExecution leaves it out.
    pub input: String,
    /// When it started, in milliseconds since the epoch.
    pub started: i64,
}

/// What a StartExecution did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// Started now, or already running under that name with that very input, which Step
    /// Functions answers with the running one (API reference, StartExecution, "Executions with
    /// the same name and input are considered idempotent").
    Running { arn: String },
    /// The name is taken by an execution that has ended or has another input (StartExecution,
    /// Errors, ExecutionAlreadyExists): nothing was started.
    NameTaken,
}

/// What a StopExecution did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Step Functions accepted the stop.
    Accepted,
    /// The execution does not exist (StopExecution, Errors, ExecutionDoesNotExist).
    NoSuchExecution,
}

/// `millis` since the epoch as a time; the epoch itself for a time before it, which no execution
/// has.
pub fn time_from_millis(millis: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(millis).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_says_whether_it_runs_and_when_it_started() {
        let mut summary = ExecutionSummary {
            name: "pr-42--a".into(),
            arn: "arn".into(),
            status: "RUNNING".into(),
            started: 1_800_000_000_123,
            stopped: None,
        };
        assert!(summary.is_running());
        assert_eq!(
            summary.started_at(),
            UNIX_EPOCH + Duration::from_millis(1_800_000_000_123)
        );
        summary.status = "ABORTED".into();
        assert!(!summary.is_running());
        assert_eq!(time_from_millis(-5), UNIX_EPOCH);
    }
}
