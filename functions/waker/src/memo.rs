//! What the waker decided for each environment lately, per warm container: a page is answered from
//! it for [`REMEMBER`], so a flood of requests to a sleeping environment (a browser's reloads, a
//! crawler, a health checker) makes a few Step Functions calls, not a few per request. Step
//! Functions throttles its API per account and Region with a token bucket shared by every caller,
//! envctl and the workflows included (Step Functions developer guide, "Service quotas", quotas
//! related to API action throttling). A wake's name is deterministic, so two containers deciding
//! at once still start one execution.
//!
//! A Lambda container runs one invocation at a time, so the lock is never contended; it is there
//! because the handler is shared by reference.

use crate::decide::State;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a decision is answered from memory.
pub const REMEMBER: Duration = Duration::from_secs(20);

/// A decision, or the name of the AWS failure that prevented one (remembered too: a throttled
/// Step Functions is not helped by every request asking again).
pub type Outcome = Result<State, String>;

#[derive(Debug, Default)]
pub struct Memo {
    entries: Mutex<HashMap<String, (Instant, Outcome)>>,
}

impl Memo {
    /// The outcome remembered for `suffix` when it is younger than [`REMEMBER`] at `now`.
    pub fn recall(&self, suffix: &str, now: Instant) -> Option<Outcome> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let (at, outcome) = entries.get(suffix)?;
        fresh(*at, now).then(|| outcome.clone())
    }

    /// Remembers `outcome` for `suffix` from `now`, forgetting what has expired so the memory
    /// stays as small as the number of environments recently asked for.
    pub fn remember(&self, suffix: &str, now: Instant, outcome: Outcome) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|_, (at, _)| fresh(*at, now));
        entries.insert(suffix.to_owned(), (now, outcome));
    }

    #[cfg(test)]
    pub fn remembered(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

fn fresh(at: Instant, now: Instant) -> bool {
    now.saturating_duration_since(at) < REMEMBER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outcome_is_recalled_for_twenty_seconds_then_forgotten() {
        let memo = Memo::default();
        let start = Instant::now();
        assert_eq!(memo.recall("pr-1", start), None);
        memo.remember("pr-1", start, Ok(State::NotFound));
        memo.remember("pr-2", start, Err("Retryable".to_owned()));
        let later = start + Duration::from_secs(19);
        assert_eq!(memo.recall("pr-1", later), Some(Ok(State::NotFound)));
        assert_eq!(
            memo.recall("pr-2", later),
            Some(Err("Retryable".to_owned()))
        );
        let expired = start + REMEMBER;
        assert_eq!(memo.recall("pr-1", expired), None);
        memo.remember("pr-3", expired, Ok(State::NotFound));
        assert_eq!(memo.remembered(), 1, "the expired entries are dropped");
    }
}
