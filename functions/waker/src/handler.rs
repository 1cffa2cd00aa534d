//! One request: which environment, what its workflows say (from memory when decided lately), the
//! wake started when it sleeps, and the page.

use crate::decide::decide;
use crate::error::WakerError;
use crate::event::Request;
use crate::memo::{Memo, Outcome};
use crate::page::{respond, Response, Shape, Subject};
use crate::settings::Settings;
use env_core::error::NamedError;
use env_core::settings::Misconfigured;
use env_core::spec::EnvironmentSuffix;
use serde_json::Value;
use sfn::SfnCalls;
use std::time::Instant;

#[derive(Debug)]
pub struct Waker<C> {
    cloud: C,
    /// Read once at cold start; a wrong one fails every invocation before any AWS call.
    settings: Result<Settings, Misconfigured>,
    memo: Memo,
}

impl<C: SfnCalls> Waker<C> {
    pub fn new(cloud: C, settings: Result<Settings, Misconfigured>) -> Self {
        Self {
            cloud,
            settings,
            memo: Memo::default(),
        }
    }

    pub async fn handle(&self, event: Value, now: Instant) -> Result<Response, WakerError> {
        let settings = self.settings.as_ref().map_err(Clone::clone)?;
        let request = Request::read(&event);
        let shape = Shape {
            head: request.is_head(),
            multi_value: request.multi_value,
        };
        let suffix = match &request.target {
            Ok(suffix) => suffix,
            Err(why) => {
                tracing::warn!(why = %why, "a request for no environment");
                return Ok(respond(Subject::Unrouted(why), shape));
            }
        };
        let outcome = match self.memo.recall(suffix.as_str(), now) {
            Some(outcome) => outcome,
            None => {
                let outcome = self.decide(settings, suffix).await;
                self.memo.remember(suffix.as_str(), now, outcome.clone());
                outcome
            }
        };
        let subject = match &outcome {
            Ok(state) => Subject::State(suffix.as_str(), state),
            Err(name) => Subject::Failed(suffix.as_str(), name),
        };
        Ok(respond(subject, shape))
    }

    /// Decides anew, and logs what was decided (a started wake, or the AWS failure in full; the
    /// page shows only its name).
    async fn decide(&self, settings: &Settings, suffix: &EnvironmentSuffix) -> Outcome {
        match decide(&self.cloud, settings, suffix).await {
            Ok(state) => {
                // `Waking { started: true }` is the wake this request started.
                tracing::info!(environment = %suffix, ?state, "decided");
                Ok(state)
            }
            Err(error) => {
                tracing::error!(environment = %suffix, %error, "the wake could not be decided or started");
                Err(format!(
                    "{} ({})",
                    error.error_name().as_str(),
                    error.operation()
                ))
            }
        }
    }
}

#[cfg(test)]
#[path = "handler_tests.rs"]
mod tests;
