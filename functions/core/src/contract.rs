//! The function contract: what the state machines send every component function and what it answers.
//!
//! Event: `{ "action": "create" | "status" | "delete", "spec": {...}, "outputs": {...} }`.
//! Response: `{ "status": "READY" | "IN_PROGRESS" | "DELETED", "outputs": {...} }`.
//! A failed resource is not a status but an error named `ComponentFailed`, so the workflows catch it.

use crate::error::{ErrorName, NamedError};
use crate::spec::{EnvironmentSpec, InvalidSpec};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::SystemTime;

/// Identifiers the components hand on to each other (subnet ids, security group ids, endpoints …).
/// Identifiers only, never descriptions: a Step Functions state is limited to 256 KB.
pub type Outputs = serde_json::Map<String, Value>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// Start or continue creating; a create that finds its resources returns them. The provision's
    /// wait loop calls it again until READY: it converges.
    Create,
    /// Read only, never a write: DELETED when nothing of the component exists, READY (with the
    /// outputs `create` answers) when everything is there and usable, IN_PROGRESS otherwise, or fail
    /// with `ComponentFailed` for a resource in a failed state.
    Status,
    /// Start or continue deleting; DELETED once nothing is left.
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Ready,
    InProgress,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub status: Status,
    #[serde(default)]
    pub outputs: Outputs,
}

impl Response {
    pub fn new(status: Status, outputs: Outputs) -> Self {
        Self { status, outputs }
    }
}

/// An event a function could not accept, before any AWS call was made.
#[derive(Debug, thiserror::Error)]
pub enum EventRejected {
    #[error(transparent)]
    InvalidSpec(#[from] InvalidSpec),
    #[error("the event is not valid: {0}")]
    InvalidEvent(String),
}

impl NamedError for EventRejected {
    fn error_name(&self) -> ErrorName {
        match self {
            EventRejected::InvalidSpec(_) => ErrorName::InvalidSpec,
            EventRejected::InvalidEvent(_) => ErrorName::InvalidEvent,
        }
    }
}

/// An event type a function accepts, built from the raw JSON so that a bad spec inside it is reported
/// as `InvalidSpec` with every problem, and anything else malformed as `InvalidEvent`.
pub trait Event: Sized {
    fn from_event(value: Value) -> Result<Self, EventRejected>;
}

impl Event for Value {
    fn from_event(value: Value) -> Result<Self, EventRejected> {
        Ok(value)
    }
}

/// The validate step's event is the spec itself, checked with every problem reported at once.
impl Event for EnvironmentSpec {
    fn from_event(value: Value) -> Result<Self, EventRejected> {
        Ok(EnvironmentSpec::from_value(&value)?)
    }
}

/// For events that are plain serde structs (the rotation function's Secrets Manager event).
pub fn from_serde<T: DeserializeOwned>(value: Value) -> Result<T, EventRejected> {
    serde_json::from_value(value).map_err(|error| EventRejected::InvalidEvent(error.to_string()))
}

/// The event of every component function.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub action: Action,
    pub spec: EnvironmentSpec,
    pub outputs: Outputs,
    /// When the request began: the workflow execution's start (`startedAt`, from
    /// `$$.Execution.StartTime`), else when the event was read. Every component of one execution
    /// computes the same expiry from it, however often it is polled.
    pub started_at: SystemTime,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RequestShape {
    action: Action,
    spec: Value,
    #[serde(default)]
    outputs: Outputs,
    /// RFC 3339, as Step Functions writes `$$.Execution.StartTime`.
    started_at: Option<String>,
}

impl Event for Request {
    fn from_event(value: Value) -> Result<Self, EventRejected> {
        let shape: RequestShape = from_serde(value)?;
        let spec = EnvironmentSpec::from_value(&shape.spec)?;
        let started_at = match shape.started_at.as_deref() {
            None => SystemTime::now(),
            Some(text) => humantime::parse_rfc3339(text).map_err(|error| {
                EventRejected::InvalidEvent(format!(
                    "startedAt {text:?} is not an RFC 3339 time ({error}); the workflows pass $$.Execution.StartTime"
                ))
            })?,
        };
        Ok(Self {
            action: shape.action,
            spec,
            outputs: shape.outputs,
            started_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({"environmentSuffix": "pr-7", "containerImage": "nginx", "selfSignedCertificate": true})
    }

    #[test]
    fn a_request_carries_action_spec_and_outputs() {
        let request = Request::from_event(
            json!({"action": "status", "spec": spec(), "outputs": {"vpcId": "vpc-1"}}),
        )
        .unwrap();
        assert_eq!(request.action, Action::Status);
        assert_eq!(request.spec.suffix().as_str(), "pr-7");
        assert_eq!(request.outputs["vpcId"], "vpc-1");
        let without_outputs =
            Request::from_event(json!({"action": "delete", "spec": spec()})).unwrap();
        assert!(without_outputs.outputs.is_empty());
    }

    #[test]
    fn the_start_is_the_executions_when_given_and_must_be_rfc_3339() {
        let request = Request::from_event(json!({
            "action": "create", "spec": spec(), "startedAt": "2026-12-05T21:43:27.123Z"
        }))
        .unwrap();
        assert_eq!(
            humantime::format_rfc3339_millis(request.started_at).to_string(),
            "2026-12-05T21:43:27.123Z"
        );
        let before = SystemTime::now();
        let unstamped = Request::from_event(json!({"action": "status", "spec": spec()})).unwrap();
        assert!(unstamped.started_at >= before);
        let error = Request::from_event(
            json!({"action": "create", "spec": spec(), "startedAt": "yesterday"}),
        )
        .unwrap_err();
        assert_eq!(error.error_name(), ErrorName::InvalidEvent);
        assert!(
            error
                .to_string()
                .contains("startedAt \"yesterday\" is not an RFC 3339 time"),
            "{error}"
        );
    }

    #[test]
    fn an_unknown_action_is_an_invalid_event() {
        let error = Request::from_event(json!({"action": "destroy", "spec": spec()})).unwrap_err();
        assert_eq!(error.error_name(), ErrorName::InvalidEvent);
        assert!(
            error
                .to_string()
                .starts_with("the event is not valid: unknown variant `destroy`"),
            "{error}"
        );
    }

    #[test]
    fn a_bad_spec_inside_a_request_is_invalid_spec() {
        let error =
            Request::from_event(json!({"action": "create", "spec": {"environmentSuffix": "PR"}}))
                .unwrap_err();
        assert_eq!(error.error_name(), ErrorName::InvalidSpec);
        assert!(
            error.to_string().contains("environmentSuffix = \"PR\""),
            "{error}"
        );
    }

    #[test]
    fn statuses_are_written_in_capitals() {
        let response = Response::new(Status::InProgress, Outputs::new());
        assert_eq!(
            serde_json::to_value(&response).unwrap(),
            json!({"status": "IN_PROGRESS", "outputs": {}})
        );
        assert_eq!(serde_json::to_value(Status::Ready).unwrap(), "READY");
        assert_eq!(serde_json::to_value(Status::Deleted).unwrap(), "DELETED");
        assert_eq!(Value::from_event(json!(1)).unwrap(), json!(1));
    }
}
