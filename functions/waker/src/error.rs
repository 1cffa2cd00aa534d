//! How an invocation of the waker fails: only its own settings. AWS failures are not invocation
//! errors: the visitor gets a page naming them ([`crate::page`]), since the load balancer would
//! turn a failed invocation into a bare 502 (Elastic Load Balancing user guide, "Lambda functions
//! as targets").

use env_core::error::{ErrorName, NamedError};
use env_core::settings::Misconfigured;

#[derive(Debug, thiserror::Error)]
pub enum WakerError {
    #[error(transparent)]
    Misconfigured(#[from] Misconfigured),
}

impl NamedError for WakerError {
    fn error_name(&self) -> ErrorName {
        match self {
            WakerError::Misconfigured(error) => error.error_name(),
        }
    }
}
