//! The VPC's flow log: its log group under the environment's key, the role VPC Flow Logs delivers
//! with, and the flow log itself.

use crate::api::{CallResult, Cloud, Ec2Calls};
use crate::waiting::Waiting;
use env_core::arn::ArnScope;
use env_core::context::Context;
use env_core::naming::{NameKind, Names};
use iam_roles::RoleCalls;
use log_groups::LogGroupCalls;
use serde_json::{json, Value};

/// The inline policy of the flow-logs role.
pub const FLOW_LOG_POLICY: &str = "deliver-flow-logs";

/// What the flow-logs role is for, as IAM shows it.
pub const FLOW_LOG_ROLE_DESCRIPTION: &str =
    "Lets VPC flow logs write to the environment's flow-log group";

/// The role's ARN, created when missing. First of all the network's resources: its ARN names the
/// account everything after it needs.
pub async fn role<C: Cloud>(cx: &Context<'_, C>) -> CallResult<String> {
    let cloud = cx.cloud;
    let name = cx.names.of(NameKind::FlowLogRole);
    match cloud.roles().arn(&name).await? {
        Some(arn) => Ok(arn),
        None => {
            let region = cx.fields().region.as_str();
            let trust = flow_log_trust(&cloud.account().await?, region).to_string();
            cloud
                .roles()
                .create(&name, FLOW_LOG_ROLE_DESCRIPTION, &trust, &cx.tags)
                .await
        }
    }
}

/// The log group, created under `key_arn` when missing, its retention set on every call, and the
/// role's permission to write into it; the group's name.
pub async fn ensure_group<C: Cloud>(
    cx: &Context<'_, C>,
    key_arn: &str,
    account: &str,
) -> CallResult<String> {
    let cloud = cx.cloud;
    let log_group = cx.names.of(NameKind::FlowLogGroup);
    if !cloud.logs().exists(&log_group).await? {
        cloud.logs().create(&log_group, key_arn, &cx.tags).await?;
    }
    cloud
        .logs()
        .set_retention(&log_group, env_core::LOG_RETENTION_DAYS)
        .await?;
    let policy = flow_log_policy(account, cx.fields().region.as_str(), &log_group);
    cloud
        .roles()
        .put_policy(
            &cx.names.of(NameKind::FlowLogRole),
            FLOW_LOG_POLICY,
            &policy,
        )
        .await?;
    Ok(log_group)
}

/// The VPC's flow log, created when it has none; the VPCs EC2 refused to create it for.
pub async fn ensure<C: Cloud>(
    cx: &Context<'_, C>,
    vpc_id: &str,
    log_group: &str,
    role_arn: &str,
) -> CallResult<Vec<String>> {
    if !cx.cloud.ec2().flow_logs(vpc_id).await?.is_empty() {
        return Ok(Vec::new());
    }
    let tags = cx.tags_named(cx.names.of(NameKind::FlowLog));
    // Usually a role created moments ago that EC2 cannot assume yet: IAM changes take a while
    // to be visible everywhere (IAM user guide, "Changes that I make are not always
    // immediately visible"). Not ready; the next call creates it.
    cx.cloud
        .ec2()
        .create_flow_log(vpc_id, log_group, role_arn, &tags)
        .await
}

/// Only the VPC flow-logs service may assume the role, and only for this account's flow logs (VPC
/// user guide, "IAM role for publishing flow logs to CloudWatch Logs": "The source account is the
/// owner of the flow log and the source ARN is the flow log ARN").
pub fn flow_log_trust(account: &str, region: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": ArnScope::new(region, account).regional("ec2", "vpc-flow-log/*")}
            }
        }]
    })
}

/// Least privilege: write streams and events into this one log group.
pub fn flow_log_policy(account: &str, region: &str, log_group: &str) -> String {
    let group = ArnScope::new(region, account).regional("logs", &format!("log-group:{log_group}"));
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [group.clone(), format!("{group}:*")]
        }, {
            // The VPC user guide lists it among the role's permissions; it has no resource type.
            "Effect": "Allow",
            "Action": "logs:DescribeLogGroups",
            "Resource": "*"
        }]
    })
    .to_string()
}

/// The VPC's flow logs.
pub async fn delete<C: Cloud>(cloud: &C, vpc: &str, waiting: &mut Waiting) -> CallResult<()> {
    for log in cloud.ec2().flow_logs(vpc).await? {
        waiting.settle(cloud.ec2().delete_flow_log(&log.id).await, &log.id, &[])?;
    }
    Ok(())
}

/// What the flow logs needed, once the VPC is gone: their log group and their role.
pub async fn delete_group_and_role<C: Cloud>(
    cloud: &C,
    names: Names<'_>,
    waiting: &mut Waiting,
) -> CallResult<()> {
    let log_group = names.of(NameKind::FlowLogGroup);
    waiting.settle(cloud.logs().delete(&log_group).await, &log_group, &[])?;
    let role = names.of(NameKind::FlowLogRole);
    let result = cloud.roles().delete_policy(&role, FLOW_LOG_POLICY).await;
    waiting.settle(result, &role, &[])?;
    // DeleteConflict: a policy is still attached (a create running at the same time put it back).
    let result = cloud.roles().delete(&role).await;
    waiting.settle(result, &role, &["DeleteConflict"])
}
