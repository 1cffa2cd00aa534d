//! The event Secrets Manager sends a rotation function: `{"SecretId", "ClientRequestToken", "Step"}`.

use env_core::contract::{from_serde, Event, EventRejected};
use serde::{Deserialize, Serialize};

/// The four steps of a rotation, in the order Secrets Manager calls them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Step {
    #[serde(rename = "createSecret")]
    Create,
    #[serde(rename = "setSecret")]
    Set,
    #[serde(rename = "testSecret")]
    Test,
    #[serde(rename = "finishSecret")]
    Finish,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Create => "createSecret",
            Step::Set => "setSecret",
            Step::Test => "testSecret",
            Step::Finish => "finishSecret",
        }
    }
}

/// Unknown fields are accepted on purpose: Secrets Manager has added fields to this event before
/// (`RotationToken`, for rotation across accounts), and a rotation must not fail because of one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotationEvent {
    pub secret_id: String,
    pub client_request_token: String,
    pub step: Step,
}

impl Event for RotationEvent {
    fn from_event(value: serde_json::Value) -> Result<Self, EventRejected> {
        let event: RotationEvent = from_serde(value)?;
        if event.secret_id.is_empty() || event.client_request_token.is_empty() {
            return Err(EventRejected::InvalidEvent(
                "SecretId and ClientRequestToken must not be empty".to_owned(),
            ));
        }
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::{ErrorName, NamedError};
    use serde_json::json;

    #[test]
    fn the_four_steps_are_read_by_their_secrets_manager_names() {
        for (name, step) in [
            ("createSecret", Step::Create),
            ("setSecret", Step::Set),
            ("testSecret", Step::Test),
            ("finishSecret", Step::Finish),
        ] {
            let event = RotationEvent::from_event(json!({
                "SecretId": "arn:secret", "ClientRequestToken": "t-1", "Step": name,
                "RotationToken": "extra fields are accepted"
            }))
            .unwrap();
            assert_eq!(event.step, step);
            assert_eq!(step.as_str(), name);
            assert_eq!(event.secret_id, "arn:secret");
            assert_eq!(event.client_request_token, "t-1");
        }
    }

    #[test]
    fn an_unknown_step_or_an_empty_token_is_an_invalid_event() {
        let unknown = RotationEvent::from_event(
            json!({"SecretId": "s", "ClientRequestToken": "t", "Step": "rotateSecret"}),
        )
        .unwrap_err();
        assert_eq!(unknown.error_name(), ErrorName::InvalidEvent);
        assert!(unknown
            .to_string()
            .contains("unknown variant `rotateSecret`"));
        let empty = RotationEvent::from_event(
            json!({"SecretId": "s", "ClientRequestToken": "", "Step": "setSecret"}),
        )
        .unwrap_err();
        assert_eq!(empty.error_name(), ErrorName::InvalidEvent);
        assert!(empty.to_string().contains("must not be empty"), "{empty}");
    }
}
