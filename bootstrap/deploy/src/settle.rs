//! What AWS does not finish at once during a deploy, waited out with a bound:
//!
//! - a role just created or changed is not yet usable by the service it is given to. IAM is
//!   eventually consistent (IAM user guide, "Troubleshoot IAM": "Changes that I make are not
//!   always immediately visible"), and Lambda answers `InvalidParameterValueException: The role
//!   defined for the function cannot be assumed by Lambda`, Step Functions `AccessDeniedException:
//!   … is not authorized to assume the provided role`, EventBridge Scheduler a `ValidationException`
//!   that its execution role cannot be assumed (public reports: apex/up#189, aws-sdk-js#3498,
//!   hashicorp/waypoint#1292, which all retry);
//! - a function whose code was just updated cannot be changed again until its `LastUpdateStatus`
//!   leaves `InProgress` (Lambda API reference, `UpdateFunctionConfiguration`: "During this time,
//!   you can't modify the function"; Lambda developer guide, "Lambda function states"); AWS
//!   answers `ResourceConflictException` meanwhile.

use env_core::AwsCallError;
use std::future::Future;
use std::time::Duration;

/// How long to keep trying: `attempts` calls, `pause` apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patience {
    pub attempts: u32,
    pub pause: Duration,
}

/// Up to a minute for a new role: propagation takes seconds (IAM user guide, above).
pub const ROLE_PROPAGATION: Patience = Patience {
    attempts: 20,
    pause: Duration::from_secs(3),
};

/// Up to two minutes for a function update; a function outside a VPC, as the backend's are,
/// takes seconds.
pub const FUNCTION_UPDATE: Patience = Patience {
    attempts: 120,
    pause: Duration::from_secs(1),
};

/// Whether AWS refused the call only because a role it was given is not yet usable by the
/// service (see the module's sources for each message).
pub fn is_role_not_yet_usable(error: &AwsCallError) -> bool {
    let message = error.to_string();
    match error.code() {
        Some("InvalidParameterValueException") => message.contains("cannot be assumed"),
        Some("AccessDeniedException") => message.contains("authorized to assume"),
        Some("ValidationException") => message.contains("assume"),
        _ => false,
    }
}

/// `call`, again after `patience.pause` while it fails with [`is_role_not_yet_usable`], at most
/// `patience.attempts` times; any other failure, or the last one, is returned as it is.
pub async fn while_role_propagates<T, F, Fut>(
    patience: Patience,
    mut call: F,
) -> Result<T, AwsCallError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsCallError>>,
{
    let mut attempt = 1;
    loop {
        match call().await {
            Err(error) if attempt < patience.attempts && is_role_not_yet_usable(&error) => {
                tokio::time::sleep(patience.pause).await;
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

/// A function's `LastUpdateStatus`, as far as a deploy cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateStatus {
    /// `Successful`, or no update ever made.
    Done,
    InProgress,
    /// `Failed`, with Lambda's `LastUpdateStatusReason`.
    Failed(String),
}

impl UpdateStatus {
    /// From `GetFunctionConfiguration`'s `LastUpdateStatus` and `LastUpdateStatusReason`.
    pub fn from_lambda(status: Option<&str>, reason: Option<&str>) -> Self {
        match status {
            Some("InProgress") => Self::InProgress,
            Some("Failed") => Self::Failed(reason.unwrap_or("no reason given").to_owned()),
            _ => Self::Done,
        }
    }
}

/// Polls `status` until the function's last update is done; fails naming the function when
/// Lambda reports the update failed or it is still in progress after `patience`.
pub async fn until_updated<F, Fut>(
    name: &str,
    patience: Patience,
    mut status: F,
) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<UpdateStatus, AwsCallError>>,
{
    for attempt in 1..=patience.attempts {
        match status().await? {
            UpdateStatus::Done => return Ok(()),
            UpdateStatus::Failed(reason) => {
                anyhow::bail!("function {name}: Lambda could not apply the update: {reason}")
            }
            UpdateStatus::InProgress if attempt < patience.attempts => {
                tokio::time::sleep(patience.pause).await;
            }
            UpdateStatus::InProgress => {}
        }
    }
    anyhow::bail!(
        "function {name}: its update is still in progress after {} attempts {:?} apart; run deploy again once it is done",
        patience.attempts,
        patience.pause
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::error::aws_failure_with_message;
    use std::cell::RefCell;

    const QUICK: Patience = Patience {
        attempts: 3,
        pause: Duration::from_millis(1),
    };

    fn block_on<T>(future: impl Future<Output = T>) -> T {
        envctl_common::sdk::runtime().unwrap().block_on(future)
    }

    #[test]
    fn each_services_role_propagation_message_is_recognised_and_nothing_else() {
        let lambda = aws_failure_with_message(
            "CreateFunction",
            "InvalidParameterValueException",
            "The role defined for the function cannot be assumed by Lambda.",
        );
        let states = aws_failure_with_message(
            "CreateStateMachine",
            "AccessDeniedException",
            "Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.",
        );
        let scheduler = aws_failure_with_message(
            "CreateSchedule",
            "ValidationException",
            "The execution role you provide must allow AWS EventBridge Scheduler to assume the role.",
        );
        for error in [&lambda, &states, &scheduler] {
            assert!(is_role_not_yet_usable(error), "{error}");
        }
        let denied = aws_failure_with_message(
            "CreateStateMachine",
            "AccessDeniedException",
            "User is not authorized to perform: states:CreateStateMachine",
        );
        let invalid = aws_failure_with_message(
            "CreateFunction",
            "InvalidParameterValueException",
            "Unzipped size must be smaller than 262144000 bytes",
        );
        let other = aws_failure_with_message("CreateSchedule", "ConflictException", "assume");
        for error in [&denied, &invalid, &other] {
            assert!(!is_role_not_yet_usable(error), "{error}");
        }
    }

    #[test]
    fn a_call_is_repeated_while_its_role_propagates_then_succeeds() {
        let calls = RefCell::new(0);
        let outcome = block_on(while_role_propagates(QUICK, || async {
            *calls.borrow_mut() += 1;
            if *calls.borrow() < 3 {
                Err(aws_failure_with_message(
                    "CreateFunction",
                    "InvalidParameterValueException",
                    "The role defined for the function cannot be assumed by Lambda.",
                ))
            } else {
                Ok("created")
            }
        }));
        assert_eq!(outcome.unwrap(), "created");
        assert_eq!(*calls.borrow(), 3);
    }

    #[test]
    fn the_last_propagation_failure_or_any_other_is_returned_as_it_is() {
        let calls = RefCell::new(0);
        let error = block_on(while_role_propagates(QUICK, || async {
            *calls.borrow_mut() += 1;
            Err::<(), _>(aws_failure_with_message(
                "CreateFunction",
                "InvalidParameterValueException",
                "The role defined for the function cannot be assumed by Lambda.",
            ))
        }))
        .unwrap_err();
        assert_eq!(*calls.borrow(), 3);
        assert!(error
            .to_string()
            .starts_with("CreateFunction failed: InvalidParameterValueException"));

        let calls = RefCell::new(0);
        let error = block_on(while_role_propagates(QUICK, || async {
            *calls.borrow_mut() += 1;
            Err::<(), _>(aws_failure_with_message(
                "CreateFunction",
                "AccessDeniedException",
                "no",
            ))
        }))
        .unwrap_err();
        assert_eq!(*calls.borrow(), 1);
        assert!(error.is_code("AccessDeniedException"));
    }

    #[test]
    fn lambdas_update_statuses_map_to_done_in_progress_or_failed() {
        assert_eq!(UpdateStatus::from_lambda(None, None), UpdateStatus::Done);
        assert_eq!(
            UpdateStatus::from_lambda(Some("Successful"), None),
            UpdateStatus::Done
        );
        assert_eq!(
            UpdateStatus::from_lambda(Some("InProgress"), None),
            UpdateStatus::InProgress
        );
        assert_eq!(
            UpdateStatus::from_lambda(Some("Failed"), Some("EniLimitExceeded")),
            UpdateStatus::Failed("EniLimitExceeded".into())
        );
        assert_eq!(
            UpdateStatus::from_lambda(Some("Failed"), None),
            UpdateStatus::Failed("no reason given".into())
        );
    }

    fn statuses(sequence: Vec<UpdateStatus>) -> (anyhow::Result<()>, usize) {
        let remaining = RefCell::new(sequence.into_iter());
        let polls = RefCell::new(0);
        let outcome = block_on(until_updated("database", QUICK, || async {
            *polls.borrow_mut() += 1;
            Ok(remaining
                .borrow_mut()
                .next()
                .unwrap_or(UpdateStatus::InProgress))
        }));
        let polls = *polls.borrow();
        (outcome, polls)
    }

    #[test]
    fn an_update_is_waited_for_until_done_failed_or_out_of_patience() {
        let (outcome, polls) = statuses(vec![UpdateStatus::InProgress, UpdateStatus::Done]);
        assert!(outcome.is_ok());
        assert_eq!(polls, 2);

        let (outcome, _) = statuses(vec![
            UpdateStatus::InProgress,
            UpdateStatus::Failed("InvalidImage".into()),
        ]);
        assert_eq!(
            outcome.unwrap_err().to_string(),
            "function database: Lambda could not apply the update: InvalidImage"
        );

        let (outcome, polls) = statuses(vec![]);
        assert_eq!(polls, 3);
        assert_eq!(
            outcome.unwrap_err().to_string(),
            "function database: its update is still in progress after 3 attempts 1ms apart; run deploy again once it is done"
        );
    }

    #[test]
    fn a_failed_status_call_is_returned() {
        let error = block_on(until_updated("database", QUICK, || async {
            Err(aws_failure_with_message(
                "GetFunctionConfiguration",
                "TooManyRequestsException",
                "Rate exceeded",
            ))
        }))
        .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("GetFunctionConfiguration failed"),
            "{error}"
        );
    }
}
