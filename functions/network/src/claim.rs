//! A claimed pool environment's VPC learns its pull request (docs/warm-pool-design.md §3.2).
//!
//! A pool environment is provisioned without a pull request; the claim workflow runs `create` again
//! on it with the pull request's spec. The VPC stands for the environment (`envctl env list`,
//! `extend` and `--pr` read it), so `create` converges two of its tags: `catalog:pull-request` to
//! the spec's number, and `catalog:expires-at` to the request's start plus `ttlHours`, but only
//! ever later: an expiry someone moved later with `envctl env extend` stays. The other resources
//! keep the pool's expiry; the cleanup removes an environment only once every resource has expired,
//! so the latest expiry (the VPC's) is the one that counts.

use crate::api::{CallResult, Cloud};
use env_core::context::Context;
use env_core::pool::is_pool_suffix;
use env_core::tags::{Tag, EXPIRES_AT, PULL_REQUEST};

/// Sets the claim's tags on the pool environment's VPC `vpc_id` where they differ; nothing for an
/// environment that is not a pool one or a spec without a pull request (a pool provision).
pub async fn ensure<C: Cloud>(cx: &Context<'_, C>, vpc_id: &str) -> CallResult<()> {
    if !is_pool_suffix(cx.environment()) || cx.fields().pull_request.is_none() {
        return Ok(());
    }
    let current = cx.cloud.vpc_tags(vpc_id).await?;
    let missing = to_set(&cx.tags, &current);
    if missing.is_empty() {
        return Ok(());
    }
    tracing::info!(vpc = vpc_id, ?missing, "tagging the claimed VPC");
    cx.cloud.tag_vpc(vpc_id, &missing).await
}

/// Of the environment's tags, the pull request and the expiry, where the VPC's `current` tags
/// differ: the pull request when it is another, the expiry only when it is later. Expiries are RFC
/// 3339 UTC with seconds (env_core::tags), which compare as text; a value in another shape is
/// left alone, since the cleanup keeps an environment whose expiry it cannot read.
fn to_set(tags: &[Tag], current: &[(String, String)]) -> Vec<Tag> {
    let now = |key: &str| {
        current
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, value)| value.as_str())
    };
    tags.iter()
        .filter(|tag| match (tag.key, now(tag.key)) {
            (PULL_REQUEST, current) => current != Some(tag.value.as_str()),
            (EXPIRES_AT, Some(current)) => tag.value.as_str() > current,
            (EXPIRES_AT, None) => true,
            _ => false,
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::Fake;
    use crate::handler::handle;
    use crate::handler::tests::configured;
    use env_core::contract::{Event, Request};
    use env_core::Status;
    use serde_json::json;
    use std::collections::BTreeMap;

    /// `create` for `suffix` as the claim workflow sends it: started at 2026-12-06T21:00:00Z, with
    /// a 48-hour TTL and pull request 42 unless `spec` says otherwise.
    fn claim(suffix: &str, spec: serde_json::Value) -> Request {
        let mut fields = json!({
            "environmentSuffix": suffix,
            "natGateways": "single",
            "containerImage": "public.ecr.aws/acme/catalog-api:pr-42",
            "selfSignedCertificate": true,
            "ttlHours": 48,
            "pullRequest": 42
        });
        let object = fields.as_object_mut().unwrap();
        for (key, value) in spec.as_object().unwrap() {
            // null: the field left out.
            match value {
                serde_json::Value::Null => object.remove(key),
                value => object.insert(key.clone(), value.clone()),
            };
        }
        Request::from_event(json!({
            "action": "create",
            "spec": fields,
            "startedAt": "2026-12-06T21:00:00Z"
        }))
        .unwrap()
    }

    /// The pool environment `pool-abc` as its provision left it: the network made, the VPC tagged
    /// with the pool's expiry and no pull request.
    async fn pool_environment(fake: &Fake) -> String {
        let provision = claim(
            "pool-abc",
            json!({"pullRequest": null, "standby": true, "ttlHours": 168}),
        );
        let made = handle(fake, &configured(), provision).await.unwrap();
        assert_eq!(made.status, Status::Ready);
        assert_eq!(fake.recorder.lock().count("CreateTags"), 0);
        let vpc = made.outputs["vpcId"].as_str().unwrap().to_owned();
        fake.world().vpc_tags.insert(
            vpc.clone(),
            BTreeMap::from([
                ("catalog:environment".to_owned(), "pool-abc".to_owned()),
                (EXPIRES_AT.to_owned(), "2026-12-10T09:00:00Z".to_owned()),
            ]),
        );
        vpc
    }

    fn tags_of(fake: &Fake, vpc: &str) -> BTreeMap<String, String> {
        fake.world().vpc_tags[vpc].clone()
    }

    #[tokio::test]
    async fn a_claim_tags_the_vpc_with_its_pull_request_and_keeps_the_later_pool_expiry() {
        let fake = Fake::new();
        let vpc = pool_environment(&fake).await;
        let response = handle(&fake, &configured(), claim("pool-abc", json!({})))
            .await
            .unwrap();
        assert_eq!(response.status, Status::Ready);
        assert_eq!(response.outputs["vpcId"], vpc.as_str());
        let tags = tags_of(&fake, &vpc);
        assert_eq!(tags[PULL_REQUEST], "42");
        // 21:00 + 48 h is before the pool's expiry: the later one stays.
        assert_eq!(tags[EXPIRES_AT], "2026-12-10T09:00:00Z");
        assert_eq!(fake.ec2.world().vpcs.len(), 1, "no second VPC");

        // Repeated: nothing differs, so nothing is written.
        handle(&fake, &configured(), claim("pool-abc", json!({})))
            .await
            .unwrap();
        assert_eq!(fake.recorder.lock().count("CreateTags"), 1);
    }

    #[tokio::test]
    async fn a_longer_ttl_moves_the_expiry_later_and_a_shorter_one_never_earlier() {
        let fake = Fake::new();
        let vpc = pool_environment(&fake).await;
        let long = claim("pool-abc", json!({"ttlHours": 720, "pullRequest": 7}));
        handle(&fake, &configured(), long).await.unwrap();
        let tags = tags_of(&fake, &vpc);
        assert_eq!(tags[EXPIRES_AT], "2027-01-05T21:00:00Z");
        assert_eq!(tags[PULL_REQUEST], "7");

        // As after `envctl env extend`, then a redeploy with a short TTL: the expiry stays.
        let short = claim("pool-abc", json!({"ttlHours": 1, "pullRequest": 7}));
        handle(&fake, &configured(), short).await.unwrap();
        assert_eq!(tags_of(&fake, &vpc)[EXPIRES_AT], "2027-01-05T21:00:00Z");
        assert_eq!(fake.recorder.lock().count("CreateTags"), 1);
    }

    #[tokio::test]
    async fn a_vpc_without_expiry_gets_one_and_an_unreadable_expiry_is_left_alone() {
        let fake = Fake::new();
        let vpc = pool_environment(&fake).await;
        fake.world()
            .vpc_tags
            .get_mut(&vpc)
            .unwrap()
            .remove(EXPIRES_AT);
        handle(&fake, &configured(), claim("pool-abc", json!({})))
            .await
            .unwrap();
        assert_eq!(tags_of(&fake, &vpc)[EXPIRES_AT], "2026-12-08T21:00:00Z");

        fake.world()
            .vpc_tags
            .get_mut(&vpc)
            .unwrap()
            .insert(EXPIRES_AT.to_owned(), "never".to_owned());
        handle(
            &fake,
            &configured(),
            claim("pool-abc", json!({"ttlHours": 2})),
        )
        .await
        .unwrap();
        assert_eq!(tags_of(&fake, &vpc)[EXPIRES_AT], "never");
    }

    #[tokio::test]
    async fn only_a_pool_environment_with_a_pull_request_is_tagged_after_creation() {
        let fake = Fake::new();
        handle(&fake, &configured(), claim("pr-42", json!({})))
            .await
            .unwrap();
        handle(&fake, &configured(), claim("pr-42", json!({})))
            .await
            .unwrap();
        pool_environment(&fake).await;
        let calls = fake.recorder.lock().count("CreateTags");
        assert_eq!(calls, 0);
    }

    #[tokio::test]
    async fn a_refused_tagging_fails_create_with_its_code_and_a_retry_finishes() {
        let fake = Fake::new();
        let vpc = pool_environment(&fake).await;
        // The first DescribeVpcs of `create` finds the VPC; the second reads its tags.
        for (operation, code, after) in [
            ("DescribeVpcs", "RequestLimitExceeded", 1),
            ("CreateTags", "UnauthorizedOperation", 0),
        ] {
            fake.recorder.lock().fail_after(operation, code, after);
            let error = handle(&fake, &configured(), claim("pool-abc", json!({})))
                .await
                .unwrap_err();
            assert!(error.to_string().contains(operation), "{error}");
            assert!(error.to_string().contains(code), "{error}");
        }
        handle(&fake, &configured(), claim("pool-abc", json!({})))
            .await
            .unwrap();
        assert_eq!(tags_of(&fake, &vpc)[PULL_REQUEST], "42");
    }
}
