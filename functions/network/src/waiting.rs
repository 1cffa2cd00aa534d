//! What a teardown call waits for: deletions AWS refused for now, to be tried again by the next
//! call.

use crate::api::CallResult;
use env_core::contract::Outputs;
use env_core::{AwsCallError, Response, Status};
use serde_json::json;

#[derive(Debug, Default)]
pub struct Waiting(Vec<String>);

impl Waiting {
    pub fn push(&mut self, what: String) {
        self.0.push(what);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// One delete call's outcome: done (or already gone), or blocked by something AWS has not let
    /// go yet (`DependencyViolation`, or the codes the caller names), remembered to be tried again.
    pub fn settle(
        &mut self,
        result: CallResult<()>,
        what: &str,
        wait_codes: &[&str],
    ) -> CallResult<()> {
        match result {
            Ok(()) => Ok(()),
            Err(error) if is_gone(&error) => Ok(()),
            Err(error)
                if error.is_code("DependencyViolation")
                    || wait_codes.iter().any(|code| error.is_code(code)) =>
            {
                self.0.push(format!("{what} ({error})"));
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    /// IN_PROGRESS, naming what is waited for.
    pub fn into_response(self) -> Response {
        tracing::info!(waiting = ?self.0, "teardown waits");
        let mut outputs = Outputs::new();
        outputs.insert("waitingFor".into(), json!(self.0));
        Response::new(Status::InProgress, outputs)
    }
}

/// The codes that mean "already gone": deleting something that is not there has succeeded.
fn is_gone(error: &AwsCallError) -> bool {
    error.code().is_some_and(|code| {
        code.ends_with("NotFound")
            || matches!(
                code,
                "NoSuchEntity"
                    | "NotFoundException"
                    | "ResourceNotFoundException"
                    | "Gateway.NotAttached"
            )
    })
}
