//! The event the workflows send the guard:
//! `{"action": "admit" | "stopProvisions", "environment": "<suffix>", "execution": "<name>"}`,
//! `execution` being the calling execution's own name (`$$.Execution.Name`). Every field is
//! checked before any AWS call; a wrong one is `InvalidEvent` naming the field, its value and what
//! is allowed.

use env_core::contract::{Event, EventRejected};
use env_core::spec::field::SpecField;
use env_core::spec::EnvironmentSuffix;
use serde_json::{Map, Value};

/// The longest execution name (API reference, StartExecution `name`: 1–80 characters).
const MAX_EXECUTION_NAME: usize = 80;

/// The fields the event has; any other is a mistake in the workflow that sends it.
const FIELDS: [&str; 3] = ["action", "environment", "execution"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A provision or claim asks to go on: refused while a teardown of the environment runs.
    Admit,
    /// A teardown stops the environment's running provisions and claims.
    StopProvisions,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Admit => "admit",
            Action::StopProvisions => "stopProvisions",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardEvent {
    pub action: Action,
    pub environment: EnvironmentSuffix,
    /// The name of the execution that calls: the provision or claim asking to be admitted, or the
    /// teardown stopping the others.
    pub execution: String,
}

impl Event for GuardEvent {
    fn from_event(value: Value) -> Result<Self, EventRejected> {
        let Value::Object(fields) = value else {
            return Err(invalid(&format!(
                "the event is {value}: it must be an object with the fields {}",
                FIELDS.join(", ")
            )));
        };
        if let Some(unknown) = fields.keys().find(|key| !FIELDS.contains(&key.as_str())) {
            return Err(invalid(&format!(
                "the field {unknown:?} is not one of the event's: it has only {}",
                FIELDS.join(", ")
            )));
        }
        Ok(Self {
            action: action(&fields)?,
            environment: environment(&fields)?,
            execution: execution(&fields)?,
        })
    }
}

fn action(fields: &Map<String, Value>) -> Result<Action, EventRejected> {
    let allowed = [Action::Admit, Action::StopProvisions];
    let text = fields.get("action").and_then(Value::as_str);
    allowed
        .into_iter()
        .find(|action| Some(action.as_str()) == text)
        .ok_or_else(|| wrong(fields, "action", "\"admit\" or \"stopProvisions\""))
}

fn environment(fields: &Map<String, Value>) -> Result<EnvironmentSuffix, EventRejected> {
    let text = fields.get("environment").and_then(Value::as_str);
    match text.map(EnvironmentSuffix::parse) {
        Some(Ok(suffix)) => Ok(suffix),
        Some(Err(why)) => Err(wrong(
            fields,
            "environment",
            &format!(
                "an environment suffix, {} ({why})",
                EnvironmentSuffix::ALLOWED
            ),
        )),
        None => Err(wrong(
            fields,
            "environment",
            &format!("an environment suffix, {}", EnvironmentSuffix::ALLOWED),
        )),
    }
}

fn execution(fields: &Map<String, Value>) -> Result<String, EventRejected> {
    let text = fields.get("execution").and_then(Value::as_str);
    match text {
        Some(name) if (1..=MAX_EXECUTION_NAME).contains(&name.chars().count()) => {
            Ok(name.to_owned())
        }
        _ => Err(wrong(
            fields,
            "execution",
            "the name of the calling execution ($$.Execution.Name), 1 to 80 characters",
        )),
    }
}

/// `<field> is <value>: it must be <allowed>`, `(missing)` for a field the event lacks.
fn wrong(fields: &Map<String, Value>, field: &str, allowed: &str) -> EventRejected {
    let value = fields
        .get(field)
        .map_or("(missing)".to_owned(), Value::to_string);
    invalid(&format!("{field} is {value}: it must be {allowed}"))
}

fn invalid(why: &str) -> EventRejected {
    EventRejected::InvalidEvent(why.to_owned())
}

#[cfg(test)]
#[path = "event_tests.rs"]
mod tests;
