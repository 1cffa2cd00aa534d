//! The AWS calls the cache function makes, as one small trait over plain types.
//!
//! The handler holds the logic (what exists, what to create or delete next) and talks only to
//! [`Cloud`]; [`crate::aws::AwsCloud`] implements it with the SDK clients, and the unit tests
//! implement it with an in-memory fake. The replication group's calls, the rotation function's
//! read, the slow-log group's calls and the AUTH token secret's are the shared
//! [`ElastiCacheCalls`], [`LambdaCalls`], [`LogGroupCalls`] and [`SecretCalls`] capabilities, which
//! [`Cloud`] hands out instead of declaring them again.

use log_groups::LogGroupCalls;
use secrets::SecretCalls;

/// The ElastiCache types the handler works with, and the Lambda read, from the shared capabilities.
pub use elasticache::{
    CallResult, ElastiCacheCalls, GroupPlan, GroupState, ReplicationGroup, Sensitive,
    ServerlessCache, ServerlessCalls, ServerlessPlan, Shard, UsageLimits, UserPlan,
};
pub use lambda::LambdaCalls;

/// Everything the cache function asks of ElastiCache, CloudWatch Logs, Secrets Manager and Lambda.
// The lint warns that callers cannot require `Send` futures from a public async trait; only this
// binary implements and calls it, and the functions' entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait Cloud {
    type ElastiCache: ElastiCacheCalls + ServerlessCalls;
    type Lambda: LambdaCalls;
    type Logs: LogGroupCalls;
    type Secrets: SecretCalls;

    /// ElastiCache, for the replication group and its subnet group, or the serverless cache with
    /// its user and user group.
    fn elasticache(&self) -> &Self::ElastiCache;
    /// Lambda, to read the environment's rotation function (the database function makes it).
    fn lambda(&self) -> &Self::Lambda;

    /// CloudWatch Logs, for the engine's slow-log group.
    fn logs(&self) -> &Self::Logs;
    /// Secrets Manager, for the secret that holds the AUTH token and the connection details.
    fn secrets(&self) -> &Self::Secrets;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_states_follow_elasticache_names_and_unknown_ones_are_not_ready() {
        assert_eq!(GroupState::from_aws("creating"), GroupState::Creating);
        assert_eq!(GroupState::from_aws("available"), GroupState::Available);
        assert_eq!(GroupState::from_aws("modifying"), GroupState::Modifying);
        assert_eq!(GroupState::from_aws("snapshotting"), GroupState::Modifying);
        assert_eq!(GroupState::from_aws("deleting"), GroupState::Deleting);
        assert_eq!(
            GroupState::from_aws("create-failed"),
            GroupState::CreateFailed
        );
        assert_eq!(GroupState::from_aws("new-state"), GroupState::Other);
    }

    #[test]
    fn a_sensitive_value_never_shows_in_debug_output() {
        let token = Sensitive::new("hunter2-hunter2-hunter2");
        assert_eq!(format!("{token:?}"), "Secret(<redacted>)");
        assert!(!format!("{:?}", Some(token)).contains("hunter2"));
    }
}
