//! The log groups AWS would create for the database on its own: Aurora's `postgresql` export and
//! the rotation function's logs. A group a service creates has no retention (logs kept forever)
//! and no key of ours, and outlives the environment; so the function creates each first, with
//! the environment's key and its retention, and deletes it at teardown.

use crate::api::{created, Cloud};
use crate::handler::DatabaseError;
use env_core::naming::{AwsLogGroup, Names};
use env_core::tags::Tag;

/// Whose log groups: the cluster's export and the rotation function's.
pub const GROUPS: [AwsLogGroup; 2] = [AwsLogGroup::AuroraPostgresql, AwsLogGroup::RotationFunction];

/// Creates the group when it is missing (a concurrent call may have made it meanwhile), gives one
/// without the environment's key that key (one AWS made before the environment did, or a key
/// changed by hand), and sets its retention on every call, so a hand-changed retention is put back.
pub async fn ensure<C: Cloud>(
    cloud: &C,
    name: &str,
    key_arn: &str,
    tags: &[Tag],
) -> Result<(), DatabaseError> {
    match cloud.log_group_key(name).await? {
        None => {
            let result = cloud.create_log_group(name, key_arn, tags).await;
            created(result, "ResourceAlreadyExistsException")?;
        }
        Some(key) if key.as_deref() != Some(key_arn) => {
            cloud.associate_log_group_key(name, key_arn).await?;
        }
        Some(_) => {}
    }
    cloud
        .set_retention(name, env_core::LOG_RETENTION_DAYS)
        .await?;
    Ok(())
}

/// Deletes both groups that exist: once the cluster and the function are gone, nothing writes to
/// them any more.
pub async fn delete<C: Cloud>(cloud: &C, names: Names<'_>) -> Result<(), DatabaseError> {
    for name in GROUPS.map(|group| names.aws_log_group(group)) {
        if cloud.log_group_exists(&name).await? {
            let deleted = cloud.delete_log_group(&name).await;
            crate::api::found(deleted, &["ResourceNotFoundException"])?;
        }
    }
    Ok(())
}
