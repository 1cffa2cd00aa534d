//! The environments that exist, found by the tag every resource of one carries: each environment has
//! exactly one VPC (the network function's), so its VPC stands for it.

use anyhow::Context;
use env_core::error::aws_error;
use env_core::tags;
use serde::Serialize;
use std::collections::BTreeMap;

/// One environment as its VPC's tags describe it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaggedEnvironment {
    pub suffix: String,
    pub expires_at: Option<String>,
    pub pull_request: Option<String>,
}

pub async fn environments(ec2: &aws_sdk_ec2::Client) -> anyhow::Result<Vec<TaggedEnvironment>> {
    let filter = aws_sdk_ec2::types::Filter::builder()
        .name("tag-key")
        .values(tags::ENVIRONMENT)
        .build();
    let mut pages = ec2.describe_vpcs().filters(filter).into_paginator().send();
    let mut found = BTreeMap::new();
    while let Some(page) = pages.next().await {
        for vpc in page.map_err(aws_error("DescribeVpcs"))?.vpcs() {
            let tag = |key: &str| {
                vpc.tags()
                    .iter()
                    .find(|tag| tag.key() == Some(key))
                    .and_then(|tag| tag.value())
                    .map(str::to_owned)
            };
            // Listed for its environment tag (the filter), whose value is the suffix.
            let suffix = tag(tags::ENVIRONMENT).context("a VPC's environment tag has no value")?;
            found.insert(
                suffix.clone(),
                TaggedEnvironment {
                    suffix,
                    expires_at: tag(tags::EXPIRES_AT),
                    pull_request: tag(tags::PULL_REQUEST),
                },
            );
        }
    }
    Ok(found.into_values().collect())
}

pub async fn environment_suffixes(ec2: &aws_sdk_ec2::Client) -> anyhow::Result<Vec<String>> {
    let found = environments(ec2).await?;
    Ok(found
        .into_iter()
        .map(|environment| environment.suffix)
        .collect())
}
