//! Deletions that may meet something already gone or still held.

use crate::api::CallResult;

/// Success, or an error whose code says the thing is already gone or still held (retried later).
pub fn tolerate(result: CallResult<()>, codes: &[&str]) -> CallResult<()> {
    match result {
        Err(error) if !codes.iter().any(|code| error.is_code(code)) => Err(error),
        _ => Ok(()),
    }
}
