//! The cluster's two Serverless v2 instances: the writer, then the reader in the next AZ.

use crate::api::{created, Cloud, InstanceSettings, RdsCalls, State};
use crate::handler::{
    DatabaseError, ENGINE, INSTANCE_CLASS, READER_PROMOTION_TIER, WRITER_PROMOTION_TIER,
};
use crate::inputs::Cx;
use env_core::context::Context;
use env_core::naming::NameKind;

/// Creates the instances that are missing; whether both are `available`. A failed instance is an
/// error.
pub async fn ensure<C: Cloud>(cx: &Cx<'_, C>, cluster_id: &str) -> Result<bool, DatabaseError> {
    let instances = [
        (NameKind::AuroraWriter, 0, WRITER_PROMOTION_TIER),
        (NameKind::AuroraReader, 1, READER_PROMOTION_TIER),
    ];
    let mut ready = true;
    for (kind, zone, tier) in instances {
        let id = cx.names.of(kind);
        match cx.cloud.rds().instance(&id).await? {
            Some(instance) => match State::from_aws(&instance.status) {
                State::Available => {}
                State::Failed => return Err(DatabaseError::Failed(instance.id, instance.status)),
                State::Deleting | State::Busy => ready = false,
            },
            None => {
                // The first instance of an Aurora cluster becomes its writer, so the reader is
                // created only after the writer, in the next AZ.
                let network = cx.inputs.network;
                let instance = InstanceSettings {
                    id,
                    cluster_id: cluster_id.to_owned(),
                    engine: ENGINE,
                    class: INSTANCE_CLASS,
                    zone: network.zones[zone].clone(),
                    promotion_tier: tier,
                    kms_key_arn: network.kms_key_arn.clone(),
                    tags: cx.tags.clone(),
                };
                created(
                    cx.cloud.rds().create_instance(&instance).await,
                    "DBInstanceAlreadyExists",
                )?;
                ready = false;
            }
        }
    }
    Ok(ready)
}

/// Deletes the instances not deleting yet; whether any is left to wait for.
pub async fn delete<C: Cloud, I>(cx: &Context<'_, C, I>) -> Result<bool, DatabaseError> {
    let mut remaining = false;
    for kind in [NameKind::AuroraReader, NameKind::AuroraWriter] {
        if let Some(instance) = cx.cloud.rds().instance(&cx.names.of(kind)).await? {
            if State::from_aws(&instance.status) != State::Deleting {
                // Busy (creating, backing-up, modifying: a rollback can come that early), RDS
                // refuses with InvalidDBInstanceState, or InvalidDBClusterStateFault for its
                // cluster's state (RDS API reference, DeleteDBInstance); the next call deletes it.
                match cx.cloud.rds().delete_instance(&instance.id).await {
                    Err(error)
                        if error.is_code("InvalidDBInstanceState")
                            || error.is_code("InvalidDBClusterStateFault") => {}
                    deleted => deleted?,
                }
            }
            remaining = true;
        }
    }
    Ok(remaining)
}
