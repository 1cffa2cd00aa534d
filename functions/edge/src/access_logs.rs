//! The bucket the load balancer's access logs go to: `alb-logs-<suffix>-<account>`.

use crate::api::{BucketSettings, CallResult, Cloud};
use crate::tolerate::tolerate;
use env_core::arn::{unscoped, ArnScope};
use env_core::context::Context;
use env_core::naming::Names;
use env_core::spec::Region;
use serde_json::json;

/// The account of Elastic Load Balancing that writes the access logs in `region` (ELB user guide,
/// "Enable access logs for your Application Load Balancer", regions available before August 2022).
/// A region the spec comes to allow has to be added here: the match has no default.
pub fn log_delivery_account(region: Region) -> &'static str {
    match region {
        Region::UsWest2 => "797873946194",
    }
}
/// Access logs are for investigating recent incidents; a PR environment's logs are not kept longer.
pub const LOG_EXPIRY_DAYS: i32 = 90;

/// The bucket, created when missing and configured on every call; its name.
pub async fn ensure<C: Cloud>(cx: &Context<'_, C>, account: &str) -> CallResult<String> {
    let bucket = cx.names.bucket(account);
    if !cx.cloud.bucket_names().await?.contains(&bucket) {
        cx.cloud.create_bucket(&bucket, &cx.tags).await?;
    }
    let settings = BucketSettings {
        name: bucket.clone(),
        policy: bucket_policy(&bucket, account, cx.fields().region),
        expiry_days: LOG_EXPIRY_DAYS,
    };
    cx.cloud.configure_bucket(&settings).await?;
    Ok(bucket)
}

/// Lets Elastic Load Balancing in `region` write this account's logs, and nothing else.
pub fn bucket_policy(bucket: &str, account: &str, region: Region) -> String {
    let writer = ArnScope::new(region.as_str(), log_delivery_account(region));
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ElbLogDelivery",
                "Effect": "Allow",
                "Principal": {"AWS": writer.account_root()},
                "Action": "s3:PutObject",
                "Resource": unscoped("s3", &format!("{bucket}/AWSLogs/{account}/*"))
            }
        ]
    })
    .to_string()
}

/// Whether `bucket` is this environment's, in whichever account: only
/// `alb-logs-<suffix>-<12-digit account>`. The bucket of a longer suffix that starts with this one
/// (pr-4 and pr-4-2) has another hyphen after the prefix, so never matches.
fn owned(names: Names<'_>, bucket: &str) -> bool {
    let account = bucket.strip_prefix(&names.bucket("")).unwrap_or_default();
    account.len() == 12 && account.chars().all(|c| c.is_ascii_digit())
}

/// The environment's bucket, read only: the one in `account` when the load balancer's ARN tells
/// it, else any this environment left (its load balancer already deleted).
pub async fn find<C: Cloud>(
    cloud: &C,
    names: Names<'_>,
    account: Option<&str>,
) -> CallResult<Option<String>> {
    let expected = account.map(|account| names.bucket(account));
    let buckets = cloud.bucket_names().await?;
    Ok(buckets.into_iter().find(|bucket| match &expected {
        Some(expected) => bucket == expected,
        None => owned(names, bucket),
    }))
}

/// Empties and deletes the environment's bucket; whether there was one.
pub async fn delete<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<bool> {
    let mut found = false;
    for bucket in cloud.bucket_names().await? {
        if owned(names, &bucket) {
            found = true;
            cloud.empty_bucket(&bucket).await?;
            // The load balancer delivers logs for minutes after it is deleted (ELB user guide,
            // "Access logs for your Application Load Balancer": a file every five minutes), so a
            // log can land between the emptying and the delete: the next call empties again.
            tolerate(cloud.delete_bucket(&bucket).await, &["BucketNotEmpty"])?;
        }
    }
    Ok(found)
}
