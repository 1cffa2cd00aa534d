//! [`Cloud`] over the AWS SDK: the shared EC2, log-group and role capabilities, and the KMS calls,
//! one SDK call per method, translated to and from the plain types of [`crate::api`]. No decisions
//! are taken here; they are the handler's, where the unit tests reach them.

use crate::api::{found, CallResult, Cloud, Key};
use aws_config::SdkConfig;
use ec2::Ec2;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;
use iam_roles::Roles;
use log_groups::LogGroups;

#[derive(Debug, Clone)]
pub struct AwsCloud {
    ec2: Ec2,
    /// The SDK client itself, for the claim's VPC tags (crate::claim), which the shared EC2
    /// capability does not offer.
    ec2_client: aws_sdk_ec2::Client,
    kms: aws_sdk_kms::Client,
    log_groups: LogGroups,
    roles: Roles,
}

impl AwsCloud {
    /// `role_boundary`: the permissions boundary of the roles this function creates
    /// (`ROLE_PERMISSIONS_BOUNDARY`, read once at start).
    pub fn new(config: &SdkConfig, role_boundary: Option<String>) -> Self {
        Self {
            ec2: Ec2::new(config),
            ec2_client: aws_sdk_ec2::Client::new(config),
            kms: aws_sdk_kms::Client::new(config),
            log_groups: LogGroups::new(config),
            roles: Roles::bounded(config, role_boundary),
        }
    }
}

fn key(metadata: &aws_sdk_kms::types::KeyMetadata) -> CallResult<Key> {
    Ok(Key {
        id: metadata.key_id().to_owned(),
        arn: metadata.arn().required("KeyMetadata.Arn")?.to_owned(),
        pending_deletion: metadata.key_state()
            == Some(&aws_sdk_kms::types::KeyState::PendingDeletion),
    })
}

impl Cloud for AwsCloud {
    env_core::capabilities! {
        Ec2 = Ec2 => ec2(ec2),
        Logs = LogGroups => logs(log_groups),
        Roles = Roles => roles(roles),
    }

    async fn key_by_alias(&self, alias: &str) -> CallResult<Option<Key>> {
        let output = self
            .kms
            .describe_key()
            .key_id(alias)
            .send()
            .await
            .map_err(aws_error("DescribeKey"));
        found(output, &["NotFoundException"])?
            .map(|output| key(output.key_metadata().required("DescribeKey.KeyMetadata")?))
            .transpose()
    }

    async fn create_key(&self, policy: &str, tags: &[Tag]) -> CallResult<Key> {
        let output = self
            .kms
            .create_key()
            .description("Encrypts one catalog environment's logs, secrets and data")
            .policy(policy)
            .set_tags(Some(
                tags.iter()
                    // build() fails only without a key or a value, and every tag has both.
                    .filter_map(|tag| {
                        aws_sdk_kms::types::Tag::builder()
                            .tag_key(tag.key)
                            .tag_value(&tag.value)
                            .build()
                            .ok()
                    })
                    .collect(),
            ))
            .send()
            .await
            .map_err(aws_error("CreateKey"))?;
        key(output.key_metadata().required("CreateKey.KeyMetadata")?)
    }

    async fn enable_key_rotation(&self, key_arn: &str) -> CallResult<()> {
        self.kms
            .enable_key_rotation()
            .key_id(key_arn)
            .send()
            .await
            .map_err(aws_error("EnableKeyRotation"))?;
        Ok(())
    }

    async fn create_alias(&self, alias: &str, key_arn: &str) -> CallResult<()> {
        self.kms
            .create_alias()
            .alias_name(alias)
            .target_key_id(key_arn)
            .send()
            .await
            .map_err(aws_error("CreateAlias"))?;
        Ok(())
    }

    async fn schedule_key_deletion(&self, key_id: &str, days: i32) -> CallResult<()> {
        // The key id, not its ARN: AWS takes either, moto only the id.
        self.kms
            .schedule_key_deletion()
            .key_id(key_id)
            .pending_window_in_days(days)
            .send()
            .await
            .map_err(aws_error("ScheduleKeyDeletion"))?;
        Ok(())
    }

    async fn delete_alias(&self, alias: &str) -> CallResult<()> {
        self.kms
            .delete_alias()
            .alias_name(alias)
            .send()
            .await
            .map_err(aws_error("DeleteAlias"))?;
        Ok(())
    }

    async fn account(&self) -> CallResult<String> {
        self.roles.account()
    }

    async fn vpc_tags(&self, vpc_id: &str) -> CallResult<Vec<(String, String)>> {
        let described = self
            .ec2_client
            .describe_vpcs()
            .vpc_ids(vpc_id)
            .send()
            .await
            .map_err(aws_error("DescribeVpcs"))?;
        Ok(described
            .vpcs()
            .iter()
            .flat_map(aws_sdk_ec2::types::Vpc::tags)
            .filter_map(|tag| Some((tag.key()?.to_owned(), tag.value()?.to_owned())))
            .collect())
    }

    async fn tag_vpc(&self, vpc_id: &str, tags: &[Tag]) -> CallResult<()> {
        self.ec2_client
            .create_tags()
            .resources(vpc_id)
            .set_tags(Some(
                tags.iter()
                    .map(|tag| {
                        aws_sdk_ec2::types::Tag::builder()
                            .key(tag.key)
                            .value(&tag.value)
                            .build()
                    })
                    .collect(),
            ))
            .send()
            .await
            .map_err(aws_error("CreateTags"))?;
        Ok(())
    }
}
