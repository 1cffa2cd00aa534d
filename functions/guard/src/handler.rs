//! One invocation: the settings checked, then the action the event asks for.

use crate::admit::{admit, Admitted};
use crate::error::GuardError;
use crate::event::{Action, GuardEvent};
use crate::settings::Settings;
use crate::stop::{stop_provisions, Stopped};
use env_core::settings::Misconfigured;
use sfn::SfnCalls;

/// What an invocation answers, as the action it did answers it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Answer {
    Admitted(Admitted),
    Stopped(Stopped),
}

#[derive(Debug)]
pub struct Guard<C> {
    calls: C,
    /// Read once at cold start; a wrong one fails every invocation before any AWS call.
    settings: Result<Settings, Misconfigured>,
}

impl<C: SfnCalls> Guard<C> {
    pub fn new(calls: C, settings: Result<Settings, Misconfigured>) -> Self {
        Self { calls, settings }
    }

    pub async fn handle(&self, event: GuardEvent) -> Result<Answer, GuardError> {
        let settings = self.settings.as_ref().map_err(Clone::clone)?;
        match event.action {
            Action::Admit => Ok(Answer::Admitted(
                admit(&self.calls, settings, &event).await?,
            )),
            Action::StopProvisions => Ok(Answer::Stopped(
                stop_provisions(&self.calls, settings, &event).await?,
            )),
        }
    }
}

#[cfg(test)]
#[path = "handler_tests.rs"]
mod tests;
