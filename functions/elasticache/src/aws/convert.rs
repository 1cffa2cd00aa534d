//! The SDK's ElastiCache types to the crate's plain types and back.

use crate::{CallResult, GroupPlan, ReplicationGroup};
use aws_sdk_elasticache::types as ec;
use env_core::error::Required;
use env_core::tags::Tag;

pub(super) fn cache_tags(tags: &[Tag]) -> Vec<ec::Tag> {
    tags.iter()
        .map(|tag| ec::Tag::builder().key(tag.key).value(&tag.value).build())
        .collect()
}

pub(super) fn group_of(group: &ec::ReplicationGroup) -> CallResult<ReplicationGroup> {
    Ok(ReplicationGroup {
        id: group
            .replication_group_id()
            .required("ReplicationGroup.ReplicationGroupId")?
            .to_owned(),
        status: group
            .status()
            .required("ReplicationGroup.Status")?
            .to_owned(),
        // Function paths, not closures: moto never reports a pending token change.
        token_change: group
            .pending_modified_values()
            .and_then(ec::ReplicationGroupPendingModifiedValues::auth_token_status)
            .map(ec::AuthTokenUpdateStatus::as_str)
            .map(str::to_owned),
        // Absent until ElastiCache has assigned it, while the group is being created.
        configuration_endpoint: group
            .configuration_endpoint()
            .and_then(|endpoint| Some((endpoint.address()?.to_owned(), endpoint.port()?))),
        members: group.member_clusters().to_vec(),
        slow_log_group: group
            .log_delivery_configurations()
            .iter()
            .filter(|delivery| delivery.log_type() == Some(&ec::LogType::SlowLog))
            .filter_map(|delivery| delivery.destination_details()?.cloud_watch_logs_details())
            .find_map(|details| details.log_group().map(str::to_owned)),
    })
}

/// The engine's slow log, as JSON, to the plan's log group.
pub(super) fn slow_log_delivery(plan: &GroupPlan) -> ec::LogDeliveryConfigurationRequest {
    let destination = ec::DestinationDetails::builder()
        .cloud_watch_logs_details(
            ec::CloudWatchLogsDestinationDetails::builder()
                .log_group(&plan.slow_log_group)
                .build(),
        )
        .build();
    ec::LogDeliveryConfigurationRequest::builder()
        .log_type(ec::LogType::SlowLog)
        .destination_type(ec::DestinationType::CloudWatchLogs)
        .destination_details(destination)
        .log_format(ec::LogFormat::Json)
        .enabled(true)
        .build()
}

pub(super) fn shard_configuration(plan: &GroupPlan) -> Vec<ec::NodeGroupConfiguration> {
    plan.shards
        .iter()
        .map(|shard| {
            ec::NodeGroupConfiguration::builder()
                .node_group_id(&shard.id)
                .primary_availability_zone(&shard.primary_zone)
                .set_replica_availability_zones(Some(shard.replica_zones.clone()))
                .replica_count(plan.replicas_per_shard)
                .build()
        })
        .collect()
}

#[cfg(test)]
mod tests;
