//! The backend's artifacts bucket in S3: made private, written, emptied and deleted.

use crate::api::Result;
use env_core::error::{aws_error, found, Required};

#[derive(Debug, Clone)]
pub(super) struct Buckets {
    s3: aws_sdk_s3::Client,
    region: String,
}

impl Buckets {
    pub(super) fn new(config: &aws_config::SdkConfig, region: &str) -> Self {
        // S3 on an emulator's single endpoint needs path-style addressing; AWS accepts it too.
        let s3 = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build();
        Self {
            s3: aws_sdk_s3::Client::from_conf(s3),
            region: region.to_owned(),
        }
    }

    pub(super) async fn exists(&self, bucket: &str) -> Result<bool> {
        let head = self.s3.head_bucket().bucket(bucket).send().await;
        let head = head.map_err(aws_error("HeadBucket"));
        let head = found(head, &["NotFound", "NoSuchBucket"])?;
        Ok(head.is_some())
    }

    pub(super) async fn create(&self, bucket: &str) -> Result<()> {
        let location = aws_sdk_s3::types::BucketLocationConstraint::from(self.region.as_str());
        self.s3
            .create_bucket()
            .bucket(bucket)
            .create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(location)
                    .build(),
            )
            .send()
            .await
            .map_err(aws_error("CreateBucket"))?;
        // Nothing in it is public, ever (S3 user guide, "Blocking public access to your Amazon S3 storage").
        self.s3
            .put_public_access_block()
            .bucket(bucket)
            .public_access_block_configuration(
                aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .map_err(aws_error("PutPublicAccessBlock"))?;
        Ok(())
    }

    pub(super) async fn object_exists(&self, bucket: &str, key: &str) -> Result<bool> {
        let head = self.s3.head_object().bucket(bucket).key(key).send().await;
        let head = head.map_err(aws_error("HeadObject"));
        let head = found(head, &["NotFound", "NoSuchKey"])?;
        Ok(head.is_some())
    }

    pub(super) async fn put_object(&self, bucket: &str, key: &str, body: Vec<u8>) -> Result<()> {
        self.s3
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(body.into())
            .send()
            .await
            .map_err(aws_error("PutObject"))?;
        Ok(())
    }

    /// Deletes every object, then the bucket; false when there was no bucket.
    pub(super) async fn delete(&self, bucket: &str) -> Result<bool> {
        if !self.exists(bucket).await? {
            return Ok(false);
        }
        let listed = self
            .s3
            .list_objects_v2()
            .bucket(bucket)
            .send()
            .await
            .map_err(aws_error("ListObjectsV2"))?;
        // The bucket holds one object per rotation package deployed: far below a page of 1,000.
        for object in listed.contents() {
            self.s3
                .delete_object()
                .bucket(bucket)
                .key(object.key().required("Object.Key")?)
                .send()
                .await
                .map_err(aws_error("DeleteObject"))?;
        }
        self.s3
            .delete_bucket()
            .bucket(bucket)
            .send()
            .await
            .map_err(aws_error("DeleteBucket"))?;
        Ok(true)
    }
}
