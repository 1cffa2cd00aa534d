//! S3: the access-log bucket, its protection, encryption, policy and expiry, and its emptying
//! before deletion.

use super::BUILT;
use crate::api::{BucketSettings, CallResult};
use aws_sdk_s3::types as s3;
use aws_sdk_s3::Client;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;

pub(super) async fn bucket_names(client: &Client) -> CallResult<Vec<String>> {
    let listed = client
        .list_buckets()
        .send()
        .await
        .map_err(aws_error("ListBuckets"))?;
    listed
        .buckets()
        .iter()
        .map(|bucket| bucket.name().required("Bucket.Name").map(str::to_owned))
        .collect()
}

pub(super) async fn create_bucket(client: &Client, name: &str, tags: &[Tag]) -> CallResult<()> {
    let location = s3::CreateBucketConfiguration::builder()
        .location_constraint(s3::BucketLocationConstraint::UsWest2)
        .build();
    client
        .create_bucket()
        .bucket(name)
        .create_bucket_configuration(location)
        .send()
        .await
        .map_err(aws_error("CreateBucket"))?;
    let tag_set = tags
        .iter()
        .map(|tag| {
            s3::Tag::builder()
                .key(tag.key)
                .value(&tag.value)
                .build()
                .expect(BUILT)
        })
        .collect();
    client
        .put_bucket_tagging()
        .bucket(name)
        .tagging(
            s3::Tagging::builder()
                .set_tag_set(Some(tag_set))
                .build()
                .expect(BUILT),
        )
        .send()
        .await
        .map_err(aws_error("PutBucketTagging"))?;
    Ok(())
}

pub(super) async fn configure_bucket(client: &Client, settings: &BucketSettings) -> CallResult<()> {
    let name = settings.name.as_str();
    let block = s3::PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .ignore_public_acls(true)
        .block_public_policy(true)
        .restrict_public_buckets(true)
        .build();
    client
        .put_public_access_block()
        .bucket(name)
        .public_access_block_configuration(block)
        .send()
        .await
        .map_err(aws_error("PutPublicAccessBlock"))?;
    // ALB access logs support only SSE-S3 (ELB user guide, "Access log files": "the only
    // server-side encryption option that's supported is Amazon S3-managed keys (SSE-S3)").
    let sse = s3::ServerSideEncryptionByDefault::builder()
        .sse_algorithm(s3::ServerSideEncryption::Aes256)
        .build()
        .expect(BUILT);
    let encryption = s3::ServerSideEncryptionConfiguration::builder()
        .rules(
            s3::ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(sse)
                .build(),
        )
        .build()
        .expect(BUILT);
    client
        .put_bucket_encryption()
        .bucket(name)
        .server_side_encryption_configuration(encryption)
        .send()
        .await
        .map_err(aws_error("PutBucketEncryption"))?;
    client
        .put_bucket_policy()
        .bucket(name)
        .policy(&settings.policy)
        .send()
        .await
        .map_err(aws_error("PutBucketPolicy"))?;
    let rule = s3::LifecycleRule::builder()
        .id("expire-access-logs")
        .status(s3::ExpirationStatus::Enabled)
        .filter(s3::LifecycleRuleFilter::builder().prefix("").build())
        .expiration(
            s3::LifecycleExpiration::builder()
                .days(settings.expiry_days)
                .build(),
        )
        .build()
        .expect(BUILT);
    let lifecycle = s3::BucketLifecycleConfiguration::builder()
        .rules(rule)
        .build()
        .expect(BUILT);
    client
        .put_bucket_lifecycle_configuration()
        .bucket(name)
        .lifecycle_configuration(lifecycle)
        .send()
        .await
        .map_err(aws_error("PutBucketLifecycleConfiguration"))?;
    Ok(())
}

pub(super) async fn empty_bucket(client: &Client, name: &str) -> CallResult<()> {
    // Each round deletes up to a page (1000 objects, the DeleteObjects limit too) and lists again.
    loop {
        let listed = client
            .list_objects_v2()
            .bucket(name)
            .send()
            .await
            .map_err(aws_error("ListObjectsV2"))?;
        let objects = listed
            .contents()
            .iter()
            .map(|object| {
                let key = object.key().required("Object.Key")?;
                Ok(s3::ObjectIdentifier::builder()
                    .key(key)
                    .build()
                    .expect(BUILT))
            })
            .collect::<CallResult<Vec<_>>>()?;
        if objects.is_empty() {
            return Ok(());
        }
        let delete = s3::Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .expect(BUILT);
        client
            .delete_objects()
            .bucket(name)
            .delete(delete)
            .send()
            .await
            .map_err(aws_error("DeleteObjects"))?;
    }
}

pub(super) async fn delete_bucket(client: &Client, name: &str) -> CallResult<()> {
    client
        .delete_bucket()
        .bucket(name)
        .send()
        .await
        .map_err(aws_error("DeleteBucket"))?;
    Ok(())
}
