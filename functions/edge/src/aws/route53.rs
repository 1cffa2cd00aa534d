//! Route 53: the CNAME records ACM asks for to validate a requested certificate.

use super::BUILT;
use crate::api::{CallResult, ValidationRecord};
use aws_sdk_route53::types as r53;
use aws_sdk_route53::Client;
use env_core::error::aws_error;

/// How long resolvers may cache the validation record; ACM's own examples use 300 s.
const RECORD_TTL_SECONDS: i64 = 300;

pub(super) async fn change_record(
    client: &Client,
    zone: &str,
    record: &ValidationRecord,
    upsert: bool,
) -> CallResult<()> {
    let action = if upsert {
        r53::ChangeAction::Upsert
    } else {
        r53::ChangeAction::Delete
    };
    let set = r53::ResourceRecordSet::builder()
        .name(&record.name)
        .r#type(r53::RrType::Cname)
        .ttl(RECORD_TTL_SECONDS)
        .resource_records(
            r53::ResourceRecord::builder()
                .value(&record.value)
                .build()
                .expect(BUILT),
        )
        .build()
        .expect(BUILT);
    let change = r53::Change::builder()
        .action(action)
        .resource_record_set(set)
        .build()
        .expect(BUILT);
    client
        .change_resource_record_sets()
        .hosted_zone_id(zone)
        .change_batch(
            r53::ChangeBatch::builder()
                .changes(change)
                .build()
                .expect(BUILT),
        )
        .send()
        .await
        .map_err(aws_error("ChangeResourceRecordSets"))?;
    Ok(())
}
