//! The environment's KMS key, its IAM roles with every policy document, log groups and alarms.

use crate::command::Reach;
use crate::facts::{Alarm, Environment, Key, LogGroup, Role};
use anyhow::Context;
use aws_config::SdkConfig;
use env_core::error::{aws_error, found, Required};
use env_core::naming::{AwsLogGroup, NameKind, Names};
use serde_json::Value;

pub async fn read(reach: Reach<'_>, names: Names<'_>, env: &mut Environment) -> anyhow::Result<()> {
    let config = reach.config;
    env.key = key(config, names).await?;
    env.roles = roles(config, names).await?;
    env.log_groups = log_groups(config, names).await?;
    env.alarms = alarms(reach.cloudwatch, names).await?;
    Ok(())
}

async fn key(config: &SdkConfig, names: Names<'_>) -> anyhow::Result<Option<Key>> {
    let kms = aws_sdk_kms::Client::new(config);
    let described = kms
        .describe_key()
        .key_id(names.of(NameKind::KmsAlias))
        .send()
        .await;
    let described = described.map_err(aws_error("DescribeKey"));
    let Some(described) = found(described, &["NotFoundException"])? else {
        return Ok(None);
    };
    let metadata = described
        .key_metadata()
        .required("DescribeKeyResponse.KeyMetadata")?;
    let arn = metadata.arn().required("KeyMetadata.Arn")?.to_owned();
    let rotation = kms
        .get_key_rotation_status()
        .key_id(&arn)
        .send()
        .await
        .map_err(aws_error("GetKeyRotationStatus"))?;
    let policy = kms
        .get_key_policy()
        .key_id(&arn)
        .policy_name("default")
        .send()
        .await
        .map_err(aws_error("GetKeyPolicy"))?;
    Ok(Some(Key {
        arn,
        rotation_enabled: rotation.key_rotation_enabled(),
        policy: parse_document(policy.policy().unwrap_or("{}"))?,
    }))
}

/// A policy document as IAM (or KMS) answers it: URL-encoded, or plain
/// ([`iam_roles::decoded_document`]).
pub fn parse_document(text: &str) -> anyhow::Result<Value> {
    iam_roles::decoded_document(text).context("a policy document that is not JSON")
}

/// The roles the components create for an environment.
const ROLES: [NameKind; 5] = [
    NameKind::FlowLogRole,
    NameKind::ExecutionRole,
    NameKind::TaskRole,
    NameKind::RotationRole,
    NameKind::EcsInfrastructureRole,
];

async fn roles(config: &SdkConfig, names: Names<'_>) -> anyhow::Result<Vec<Role>> {
    let iam = aws_sdk_iam::Client::new(config);
    let mut roles = Vec::new();
    for kind in ROLES {
        let name = names.of(kind);
        let listed = iam.list_role_policies().role_name(&name).send().await;
        let listed = listed.map_err(aws_error("ListRolePolicies"));
        let Some(inline) = found(listed, &["NoSuchEntity"])? else {
            continue;
        };
        let mut documents = Vec::new();
        for policy in inline.policy_names() {
            let got = iam
                .get_role_policy()
                .role_name(&name)
                .policy_name(policy)
                .send()
                .await
                .map_err(aws_error("GetRolePolicy"))?;
            documents.push(parse_document(got.policy_document())?);
        }
        let attached = iam
            .list_attached_role_policies()
            .role_name(&name)
            .send()
            .await
            .map_err(aws_error("ListAttachedRolePolicies"))?;
        // AWS managed policies (arn:aws:iam::aws:policy/…) are AWS's to keep; only ours are judged.
        for policy_arn in attached
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_arn())
            .filter(|arn| !arn.starts_with("arn:aws:iam::aws:"))
        {
            let policy = iam
                .get_policy()
                .policy_arn(policy_arn)
                .send()
                .await
                .map_err(aws_error("GetPolicy"))?;
            let version = policy
                .policy()
                .and_then(|p| p.default_version_id())
                .unwrap_or("v1");
            let got = iam
                .get_policy_version()
                .policy_arn(policy_arn)
                .version_id(version)
                .send()
                .await
                .map_err(aws_error("GetPolicyVersion"))?;
            let text = got
                .policy_version()
                .and_then(|v| v.document())
                .unwrap_or("{}");
            documents.push(parse_document(text)?);
        }
        roles.push(Role { name, documents });
    }
    Ok(roles)
}

async fn log_groups(config: &SdkConfig, names: Names<'_>) -> anyhow::Result<Vec<LogGroup>> {
    let logs = aws_sdk_cloudwatchlogs::Client::new(config);
    let mut groups = Vec::new();
    let ours = [
        NameKind::FlowLogGroup,
        NameKind::ServiceLogGroup,
        NameKind::CacheSlowLogGroup,
    ]
    .map(|kind| names.of(kind));
    // And those named for the cluster, the ECS cluster and the rotation function, which AWS
    // would create with no retention and no key if the environment had not made them first.
    let made_first = AwsLogGroup::ALL.map(|group| names.aws_log_group(group));
    for name in ours.into_iter().chain(made_first) {
        let found = logs
            .describe_log_groups()
            .log_group_name_prefix(&name)
            .send()
            .await
            .map_err(aws_error("DescribeLogGroups"))?;
        groups.extend(
            found
                .log_groups()
                .iter()
                .filter(|g| g.log_group_name() == Some(name.as_str()))
                .map(|g| LogGroup {
                    name: name.clone(),
                    retention_days: g.retention_in_days(),
                    kms_key_id: g.kms_key_id().map(str::to_owned),
                }),
        );
    }
    Ok(groups)
}

async fn alarms(
    cloudwatch: &aws_sdk_cloudwatch::Client,
    names: Names<'_>,
) -> anyhow::Result<Vec<Alarm>> {
    let mut alarms = Vec::new();
    let mut pages = cloudwatch
        .describe_alarms()
        .alarm_name_prefix("alarm-")
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(aws_error("DescribeAlarms"))?;
        alarms.extend(page.metric_alarms().iter().filter_map(|a| {
            let name = a.alarm_name().filter(|n| names.owns_alarm(n))?;
            Some(Alarm {
                name: name.to_owned(),
                actions_enabled: a.actions_enabled().unwrap_or(false),
                alarm_actions: a.alarm_actions().len(),
            })
        }));
    }
    Ok(alarms)
}
