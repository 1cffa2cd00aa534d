//! Security groups: the VPC's default one stripped of every rule (control EC2.2), and one per
//! tier with exactly the rules `rules.rs` plans.

use crate::api::{CallResult, Cloud, Ec2Calls, Rule, SecurityGroup, Vpc};
use crate::rules::{desired_rules, group_description, plan};
use crate::waiting::Waiting;
use env_core::context::Context;
use env_core::naming::{NameKind, Names, Tier};
use env_core::spec::CacheMode;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The default group stripped of every rule (EC2.2), then the five tiers' groups with exactly their
/// rules. Returns the group ids by tier name, as the outputs give them.
pub async fn ensure<C: Cloud>(
    cx: &Context<'_, C>,
    vpc: &Vpc,
) -> CallResult<serde_json::Map<String, Value>> {
    let (cloud, names) = (cx.cloud, cx.names);
    let mut groups = cloud.ec2().security_groups(&vpc.labels.id).await?;
    let mut created = false;
    for tier in Tier::ALL {
        let name = names.of(NameKind::SecurityGroup(tier));
        if !groups.iter().any(|group| group.group_name == name) {
            let tags = cx.tags_named(name.clone());
            let description = group_description(tier);
            cloud
                .ec2()
                .create_security_group(&vpc.labels.id, &name, description, &tags)
                .await?;
            created = true;
        }
    }
    if created {
        // Read again: AWS gives each new group an allow-all egress rule that has to go.
        groups = cloud.ec2().security_groups(&vpc.labels.id).await?;
    }
    let port = i32::from(cx.fields().container_port.get());
    let (ids, changes) = review(&groups, names, port, cx.fields().cache_mode);
    for change in changes {
        if !change.revoke.is_empty() {
            cloud
                .ec2()
                .revoke(&change.group.labels.id, &change.revoke)
                .await?;
        }
        if !change.authorize.is_empty() {
            cloud
                .ec2()
                .authorize(&change.group.labels.id, &change.authorize)
                .await?;
        }
    }
    Ok(ids)
}

/// One group's rules to take away and to add.
pub struct RuleChanges<'a> {
    pub group: &'a SecurityGroup,
    pub revoke: Vec<Rule>,
    pub authorize: Vec<Rule>,
}

impl RuleChanges<'_> {
    /// The group has exactly its rules.
    pub fn is_empty(&self) -> bool {
        self.revoke.is_empty() && self.authorize.is_empty()
    }
}

/// The tiers' groups, then the default one, against the rules each must have (which the
/// container's port and the cache's mode decide); and the tiers' group ids by tier name, as the
/// outputs give them (empty for a group that does not exist).
pub fn review<'a>(
    groups: &'a [SecurityGroup],
    names: Names<'_>,
    container_port: i32,
    cache_mode: CacheMode,
) -> (serde_json::Map<String, Value>, Vec<RuleChanges<'a>>) {
    let by_name: HashMap<&str, &SecurityGroup> = groups
        .iter()
        .map(|group| (group.group_name.as_str(), group))
        .collect();
    let id = |tier: Tier| -> String {
        let name = names.of(NameKind::SecurityGroup(tier));
        by_name
            .get(name.as_str())
            .map(|group| group.labels.id.clone())
            .unwrap_or_default()
    };
    let mut plans: Vec<(&SecurityGroup, Vec<Rule>)> = Tier::ALL
        .into_iter()
        .filter_map(|tier| {
            let name = names.of(NameKind::SecurityGroup(tier));
            let group = by_name.get(name.as_str())?;
            Some((*group, desired_rules(tier, id, container_port, cache_mode)))
        })
        .collect();
    if let Some(default) = by_name.get("default") {
        plans.push((*default, Vec::new()));
    }
    let changes = plans
        .into_iter()
        .map(|(group, desired)| {
            let (revoke, authorize) = plan(&group.rules, &desired);
            RuleChanges {
                group,
                revoke,
                authorize,
            }
        })
        .collect();
    let ids = Tier::ALL
        .into_iter()
        .map(|tier| (tier.as_str().to_owned(), json!(id(tier))))
        .collect();
    (ids, changes)
}

/// Revokes every rule of the VPC's groups, since groups referencing each other block each other's
/// deletion; the groups, for [`delete`] once no network interface uses them.
pub async fn revoke_all<C: Cloud>(
    cloud: &C,
    vpc: &str,
    waiting: &mut Waiting,
) -> CallResult<Vec<SecurityGroup>> {
    let groups = cloud.ec2().security_groups(vpc).await?;
    for group in &groups {
        if !group.rules.is_empty() {
            let result = cloud.ec2().revoke(&group.labels.id, &group.rules).await;
            waiting.settle(result, &group.labels.id, &[])?;
        }
    }
    Ok(groups)
}

/// The groups but the default one, which goes with the VPC.
pub async fn delete<C: Cloud>(
    cloud: &C,
    groups: &[SecurityGroup],
    waiting: &mut Waiting,
) -> CallResult<()> {
    for group in groups.iter().filter(|group| group.group_name != "default") {
        let result = cloud.ec2().delete_security_group(&group.labels.id).await;
        waiting.settle(result, &group.labels.id, &[])?;
    }
    Ok(())
}
