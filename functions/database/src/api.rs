//! The AWS calls the database function makes, as one small trait over plain types.
//!
//! The handler holds the logic (what exists, what to create or delete next) and talks only to
//! [`Cloud`]; [`crate::aws::AwsCloud`] implements it with the SDK clients, and the unit tests
//! implement it with an in-memory fake. The cluster, the rotation function, the log groups, the
//! rotation role and the secrets are the shared capabilities [`RdsCalls`], [`LambdaCalls`],
//! [`LogGroupCalls`], [`RoleCalls`] and [`SecretCalls`], which `Cloud` hands out.

use iam_roles::RoleCalls;
use log_groups::LogGroupCalls;

/// The RDS and Lambda types the handler works with, from the shared capabilities.
pub use lambda::{Function, FunctionSettings, LambdaCalls};
pub use rds::{
    CallResult, Cluster, ClusterSettings, EngineVersion, Instance, InstanceSettings, RdsCalls,
    Scaling, State,
};

pub use secrets::{
    NewSecret, PasswordRules, Rotation, RotationRequest, Secret, SecretCalls, SecretValue,
};

pub use env_core::error::found;

/// A create that met its resource (created by a concurrent or earlier call) is no failure: the
/// handler reads the resource again.
pub fn created(result: CallResult<()>, exists_code: &str) -> CallResult<()> {
    match result {
        Err(error) if !error.is_code(exists_code) => Err(error),
        _ => Ok(()),
    }
}

/// Everything the database function asks of RDS, Secrets Manager, Lambda, CloudWatch Logs and IAM.
// The lint warns that callers cannot require `Send` futures from a public async trait; only this
// binary implements and calls it, and the functions' entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait Cloud {
    type Rds: RdsCalls;
    type Lambda: LambdaCalls;
    type Logs: LogGroupCalls;
    type Roles: RoleCalls;
    type Secrets: SecretCalls;
    /// RDS, for the cluster, its instances and its subnet and parameter groups.
    fn rds(&self) -> &Self::Rds;
    /// Lambda, for the rotation function.
    fn lambda(&self) -> &Self::Lambda;
    /// CloudWatch Logs, for the groups of the cluster's log export and of the rotation function.
    fn logs(&self) -> &Self::Logs;
    /// IAM, for the rotation function's role.
    fn roles(&self) -> &Self::Roles;
    /// Secrets Manager, for the application's and the API keys' secrets and the schedule of the
    /// master secret RDS manages.
    fn secrets(&self) -> &Self::Secrets;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::aws_failure;

    #[test]
    fn rds_states_map_to_what_the_handler_decides_on() {
        assert_eq!(State::from_aws("available"), State::Available);
        assert_eq!(State::from_aws("deleting"), State::Deleting);
        for failed in [
            "failed",
            "inaccessible-encryption-credentials",
            "incompatible-network",
            "incompatible-parameters",
            "incompatible-restore",
            "storage-full",
        ] {
            assert_eq!(State::from_aws(failed), State::Failed, "{failed}");
        }
        assert_eq!(State::from_aws("creating"), State::Busy);
        assert_eq!(State::from_aws("backing-up"), State::Busy);
    }

    #[test]
    fn only_the_already_exists_code_counts_as_created() {
        assert!(created(Ok(()), "DBClusterAlreadyExistsFault").is_ok());
        let met = created(
            Err(aws_failure(
                "CreateDBCluster",
                "DBClusterAlreadyExistsFault",
            )),
            "DBClusterAlreadyExistsFault",
        );
        assert!(met.is_ok());
        let error = created(
            Err(aws_failure("CreateDBCluster", "Throttling")),
            "DBClusterAlreadyExistsFault",
        )
        .unwrap_err();
        assert!(error.is_code("Throttling"));
    }
}
