//! What the pool's tests share: a pool in the fake, recorded as the machines would record it.

use super::{provision_standby, Machines, Start};
use crate::api::Execution;
use crate::fake::FakeWorkflows;
use crate::request::{spec_for, Overrides};
use env_core::arn::ArnScope;
use env_core::spec::{EnvironmentSpec, EnvironmentSuffix};
use serde_json::{json, Value};
use std::future::Future;
use std::time::{Duration, SystemTime};

pub(crate) fn machines() -> Machines {
    Machines::new(&ArnScope::new("us-west-2", "123456789012"))
}

pub(crate) fn block<F: Future>(future: F) -> F::Output {
    envctl_common::sdk::runtime().unwrap().block_on(future)
}

/// examples/pr.json's settings, as `pool fill` defaults them.
pub(crate) fn pool_spec() -> EnvironmentSpec {
    spec_for("pool-spec", None, &Overrides::default()).unwrap()
}

/// A pull request's spec with a time to live of 72 hours (a claim needs one), `extra` on top; a
/// null field in `extra` removes the field.
pub(crate) fn pr_spec(number: u32, extra: Value) -> EnvironmentSpec {
    let mut value =
        serde_json::to_value(spec_for("pr-1", None, &Overrides::default()).unwrap()).unwrap();
    value["environmentSuffix"] = json!(format!("pr-{number}"));
    value["pullRequest"] = json!(number);
    value["ttlHours"] = json!(72);
    let fields = value.as_object_mut().unwrap();
    for (key, field) in extra.as_object().unwrap() {
        if field.is_null() {
            fields.remove(key);
        } else {
            fields.insert(key.clone(), field.clone());
        }
    }
    EnvironmentSpec::from_value(&value).unwrap()
}

pub(crate) fn set_status(cloud: &FakeWorkflows, name: &str, status: &str) {
    let mut executions = cloud.executions.borrow_mut();
    let execution = executions.iter_mut().find(|e| e.name == name).unwrap();
    execution.status = status.into();
}

/// A pool environment whose standby provision ended in `status`.
pub(crate) fn pooled(cloud: &FakeWorkflows, suffix: &str, status: &str) {
    let suffix = EnvironmentSuffix::parse(suffix).unwrap();
    let started = block(provision_standby(cloud, &machines(), &pool_spec(), &suffix)).unwrap();
    assert_eq!(started, Start::Started);
    set_status(cloud, &format!("{suffix}--fill"), status);
}

/// An execution recorded on `machine` (its ARN's machine part), started after all before it.
pub(crate) fn record(cloud: &FakeWorkflows, machine: &str, name: &str, status: &str, input: Value) {
    let mut executions = cloud.executions.borrow_mut();
    let started = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000 + executions.len() as u64);
    executions.push(Execution {
        arn: format!("arn:aws:states:us-west-2:123456789012:execution:{machine}:{name}"),
        name: name.into(),
        status: status.into(),
        started,
        input,
        output: None,
        error: None,
        cause: None,
    });
}

pub(crate) fn names(cloud: &FakeWorkflows, machine: &str) -> Vec<String> {
    let marker = format!(":execution:{machine}:");
    let executions = cloud.executions.borrow();
    let of_machine = executions.iter().filter(|e| e.arn.contains(&marker));
    of_machine.map(|e| e.name.clone()).collect()
}
