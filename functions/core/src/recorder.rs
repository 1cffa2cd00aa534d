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

/// A fake's in-memory world and the recorder its calls land in: a call is recorded (and failed when
/// a fault for it is due) before the fake gets the world to read or change, so a failed call
/// changes nothing.
#[derive(Debug, Default)]
pub struct RecordedWorld<W> {
    world: Mutex<W>,
    /// Every call, to share with the fakes of the capabilities the function also uses.
    pub recorder: SharedRecorder,
}

impl<W> RecordedWorld<W> {
    /// `world`, with a recorder of its own.
    pub fn new(world: W) -> Self {
        Self {
            world: Mutex::new(world),
            recorder: SharedRecorder::default(),
        }
    }

    /// The world, for a test to set up or inspect, unrecorded.
    pub fn world(&self) -> MutexGuard<'_, W> {
        self.world
            .lock()
            .expect("no test panics while holding the world")
    }

    /// A call that reads: recorded, failed if a fault for it is due, else the world to read.
    pub fn read(&self, operation: &'static str) -> Result<MutexGuard<'_, W>, AwsCallError> {
        self.recorder.lock().call(operation)?;
        Ok(self.world())
    }

    /// A call that changes the world: recorded as a change unless a fault answers it, then the
    /// world to change.
    pub fn write(&self, operation: &'static str) -> Result<MutexGuard<'_, W>, AwsCallError> {
        self.recorder.lock().change(operation)?;
        Ok(self.world())
    }
}

/// Lends a fake its [`RecordedWorld`] field, so that the fake answers `world()`, `recorder`,
/// `read(operation)` and `write(operation)`: `recorded_world!(Fake, World, recorded);`.
#[macro_export]
macro_rules! recorded_world {
    ($fake:ty, $world:ty, $field:tt) => {
        impl ::std::ops::Deref for $fake {
            type Target = $crate::recorder::RecordedWorld<$world>;

            fn deref(&self) -> &Self::Target {
                &self.$field
            }
        }
    };
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

    struct Fake(RecordedWorld<Vec<&'static str>>);

    crate::recorded_world!(Fake, Vec<&'static str>, 0);

    #[test]
    fn a_fake_lends_its_recorded_world() {
        let fake = Fake(RecordedWorld::new(vec!["vpc-1"]));
        assert_eq!(*fake.read("DescribeVpcs").unwrap(), ["vpc-1"]);
        assert_eq!(fake.recorder.lock().calls, ["DescribeVpcs"]);
    }

    #[test]
    fn a_recorded_world_hands_over_the_world_once_the_call_is_recorded() {
        let recorded = RecordedWorld::new(vec!["vpc-1"]);
        let world = recorded.read("DescribeVpcs").unwrap();
        assert_eq!(*world, ["vpc-1"]);
        assert_eq!(recorded.recorder.lock().calls, ["DescribeVpcs"]);
        drop(world);
        recorded.write("CreateVpc").unwrap().push("vpc-2");
        assert_eq!(*recorded.world(), ["vpc-1", "vpc-2"]);
        let recorder = recorded.recorder.lock();
        assert_eq!(recorder.calls, ["DescribeVpcs", "CreateVpc"]);
        assert_eq!(recorder.changes, ["CreateVpc"]);
    }

    #[test]
    fn a_recorded_world_answers_a_fault_on_a_read_and_on_a_write_without_a_change() {
        let recorded = RecordedWorld::<Vec<&str>>::default();
        let shared = recorded.recorder.clone();
        shared.lock().fail("DescribeVpcs", "Throttling");
        shared.lock().fail("CreateVpc", "VpcLimitExceeded");
        let error = recorded.read("DescribeVpcs").unwrap_err();
        assert!(error.is_code("Throttling"));
        let error = recorded.write("CreateVpc").unwrap_err();
        assert!(error.is_code("VpcLimitExceeded"));
        assert!(recorded.world().is_empty());
        assert_eq!(shared.lock().calls, ["DescribeVpcs", "CreateVpc"]);
        assert!(shared.lock().changes.is_empty());
        assert!(shared.lock().faults_answered());
    }
}
