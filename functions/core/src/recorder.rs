//! What an in-memory fake of an AWS service was asked, and the failures a test makes it answer:
//! one helper for every fake of the workspace, so that each test injects faults and reads the calls
//! made the same way whichever service it stands in for.

use crate::error::{aws_failure_with_message, AwsCallError};
use std::sync::{Arc, Mutex, MutexGuard};

/// AWS's message on a failure a test injects without one.
const STAND_IN_MESSAGE: &str = "answered by a stand-in for the service";

#[derive(Debug, Clone, PartialEq, Eq)]
struct Fault {
    operation: &'static str,
    code: &'static str,
    message: &'static str,
    /// Calls of the operation that succeed before this one fails.
    after: usize,
}

/// The calls made, in order, and the faults still to answer.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recorder {
    faults: Vec<Fault>,
    /// Every call, reads included, by operation name.
    pub calls: Vec<&'static str>,
    /// Every call that changed something (one that failed changed nothing), by operation name.
    pub changes: Vec<&'static str>,
}

impl Recorder {
    /// The next call of `operation` fails with `code`, once.
    pub fn fail(&mut self, operation: &'static str, code: &'static str) {
        self.fail_after(operation, code, 0);
    }

    /// `after` calls of `operation` succeed, then one fails with `code`.
    pub fn fail_after(&mut self, operation: &'static str, code: &'static str, after: usize) {
        self.faults.push(Fault {
            operation,
            code,
            message: STAND_IN_MESSAGE,
            after,
        });
    }

    /// The next call of `operation` fails with `code` and AWS's `message`, for code that tells
    /// failures of one code apart by their message.
    pub fn fail_with(
        &mut self,
        operation: &'static str,
        code: &'static str,
        message: &'static str,
    ) {
        self.faults.push(Fault {
            operation,
            code,
            message,
            after: 0,
        });
    }

    /// A call that reads: recorded, then failed if a fault for it is due.
    pub fn call(&mut self, operation: &'static str) -> Result<(), AwsCallError> {
        self.calls.push(operation);
        let Some(index) = self.faults.iter().position(|f| f.operation == operation) else {
            return Ok(());
        };
        if self.faults[index].after > 0 {
            self.faults[index].after -= 1;
            return Ok(());
        }
        let fault = self.faults.remove(index);
        Err(aws_failure_with_message(
            operation,
            fault.code,
            fault.message,
        ))
    }

    /// A call that changes something: recorded as a call and as a change.
    pub fn change(&mut self, operation: &'static str) -> Result<(), AwsCallError> {
        self.call(operation)?;
        self.changes.push(operation);
        Ok(())
    }

    /// How many calls of `operation` changed something.
    pub fn count(&self, operation: &str) -> usize {
        self.changes.iter().filter(|op| **op == operation).count()
    }

    /// Whether every fault injected has been answered.
    pub fn faults_answered(&self) -> bool {
        self.faults.is_empty()
    }
}

/// One recorder shared by the fakes that stand in for one function's AWS, so that the calls of
/// all of them land in one order and a fault reaches whichever makes the call.
#[derive(Debug, Default, Clone)]
pub struct SharedRecorder(Arc<Mutex<Recorder>>);

impl SharedRecorder {
    pub fn lock(&self) -> MutexGuard<'_, Recorder> {
        self.0
            .lock()
            .expect("no test panics while holding the recorder")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_answers_the_call_it_names_once_after_the_calls_it_lets_through() {
        let mut recorder = Recorder::default();
        recorder.fail_after("CreateVpc", "Throttling", 1);
        recorder.fail("DescribeVpcs", "RequestLimitExceeded");
        assert!(recorder.call("DescribeSubnets").is_ok());
        let error = recorder.call("DescribeVpcs").unwrap_err();
        assert!(error.is_code("RequestLimitExceeded"));
        assert!(recorder.call("DescribeVpcs").is_ok());
        assert!(recorder.change("CreateVpc").is_ok());
        assert!(!recorder.faults_answered());
        assert!(recorder
            .change("CreateVpc")
            .unwrap_err()
            .is_code("Throttling"));
        assert!(recorder.change("CreateVpc").is_ok());
        assert!(recorder.faults_answered());
        assert_eq!(
            recorder.calls,
            [
                "DescribeSubnets",
                "DescribeVpcs",
                "DescribeVpcs",
                "CreateVpc",
                "CreateVpc",
                "CreateVpc"
            ]
        );
        assert_eq!(recorder.count("CreateVpc"), 2);
        assert_eq!(recorder.count("DescribeVpcs"), 0);
    }

    #[test]
    fn a_fault_can_carry_awss_message_and_a_shared_recorder_is_one_log() {
        let shared = SharedRecorder::default();
        let other = shared.clone();
        shared.lock().fail_with(
            "ModifyDBCluster",
            "InvalidParameterCombination",
            "not for this version",
        );
        let error = other.lock().change("ModifyDBCluster").unwrap_err();
        assert!(
            error.to_string().contains("not for this version"),
            "{error}"
        );
        assert_eq!(shared.lock().calls, ["ModifyDBCluster"]);
        assert!(shared.lock().changes.is_empty());
    }
}
