//! The master user's secret, which RDS creates and manages with the cluster: only its rotation
//! schedule is ours, 30 days.

use crate::api::{Cloud, Cluster, RotationRequest, SecretCalls, State};
use crate::handler::{DatabaseError, ROTATION_DAYS};
use crate::secrets;

/// Sets the master secret's rotation schedule once the cluster is available; whether it is set.
pub async fn schedule<C: Cloud>(
    cloud: &C,
    cluster_state: State,
    cluster: &Cluster,
) -> Result<bool, DatabaseError> {
    // RDS creates the managed secret with the cluster; its schedule is Secrets Manager's (RDS user
    // guide, "Password management with Amazon RDS and AWS Secrets Manager": the default is 7 days).
    let (State::Available, Some(secret)) = (cluster_state, &cluster.master_secret_arn) else {
        return Ok(false);
    };
    let rotation = secrets::master_rotation(cloud, secret)
        .await?
        .ok_or_else(|| DatabaseError::MasterSecretGone(secret.clone()))?;
    if !(rotation.enabled && rotation.days == Some(ROTATION_DAYS)) {
        // RDS's managed rotation: no function of ours. Only the schedule changes now; the
        // first rotation comes after `ROTATION_DAYS` (and the emulator cannot run a rotation,
        // tools/emulator/README.md).
        let schedule = RotationRequest {
            lambda_arn: None,
            days: ROTATION_DAYS,
            immediately: false,
        };
        cloud.secrets().rotate(secret, &schedule).await?;
    }
    Ok(true)
}
