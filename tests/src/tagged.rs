//! Resources tagged as the functions tag everything an environment owns, made by a test: what the
//! cleanup finds as an environment without a whole environment being provisioned.

use env_core::tags::{ENVIRONMENT, EXPIRES_AT, MANAGED_BY, MANAGER_NAME, PROJECT, PROJECT_NAME};

/// A VPC (`cidr`) of environment `suffix` expiring at `expires_at` (RFC 3339, UTC). Its id.
pub async fn create_vpc(
    ec2: &aws_sdk_ec2::Client,
    suffix: &str,
    expires_at: &str,
    cidr: &str,
) -> String {
    let tags = [
        (ENVIRONMENT, suffix),
        (PROJECT, PROJECT_NAME),
        (MANAGED_BY, MANAGER_NAME),
        (EXPIRES_AT, expires_at),
    ]
    .iter()
    .map(|(key, value)| {
        aws_sdk_ec2::types::Tag::builder()
            .key(*key)
            .value(*value)
            .build()
    })
    .collect();
    let created = ec2
        .create_vpc()
        .cidr_block(cidr)
        .tag_specifications(
            aws_sdk_ec2::types::TagSpecification::builder()
                .resource_type(aws_sdk_ec2::types::ResourceType::Vpc)
                .set_tags(Some(tags))
                .build(),
        )
        .send()
        .await
        .expect("the emulator makes the VPC");
    created
        .vpc()
        .and_then(|vpc| vpc.vpc_id())
        .expect("a VPC id")
        .to_owned()
}
