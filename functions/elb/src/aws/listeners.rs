//! Elastic Load Balancing v2: the HTTPS and redirecting HTTP listeners and the listener rules
//! ECS blue/green shifts.

use super::elb_tags;
use crate::{CallResult, Listener, ListenerAction, Rule, RuleCondition, RuleSettings};
use aws_sdk_elasticloadbalancingv2::types as elb;
use aws_sdk_elasticloadbalancingv2::Client;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;

/// One of a listener's rules, or `None` for its default rule: the one rule whose priority is
/// `default`, not a number (ELB user guide, "Listener rules": it is evaluated last and its
/// priority cannot be changed; the others have 1 to 50000).
fn listener_rule(rule: &elb::Rule) -> CallResult<Option<Rule>> {
    let arn = rule.rule_arn().required("Rule.RuleArn")?;
    let priority = rule.priority().required("Rule.Priority")?;
    Ok(priority.parse().ok().map(|priority| Rule {
        arn: arn.to_owned(),
        priority,
        condition: condition_of(rule.conditions()),
        target_groups: forwarded_to(rule.actions()),
    }))
}

/// The one condition as a [`RuleCondition`], `None` for anything else. ELB answers the values in
/// the field's own config and, for `path-pattern` and `host-header`, in the legacy `Values` too
/// (ELB API reference, `RuleCondition`): both are read.
fn condition_of(conditions: &[elb::RuleCondition]) -> Option<RuleCondition> {
    let [condition] = conditions else {
        return None;
    };
    match condition.field()? {
        "path-pattern" => {
            let configured = condition.path_pattern_config().map(|c| c.values());
            let values = configured.unwrap_or(condition.values());
            (values == ["/*"]).then_some(RuleCondition::AnyPath)
        }
        "http-header" => {
            let config = condition.http_header_config()?;
            match config.values() {
                [value] => Some(RuleCondition::Header {
                    name: config.http_header_name()?.to_owned(),
                    value: value.clone(),
                }),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The target groups of the forward actions: the single `TargetGroupArn` or every group of the
/// `ForwardConfig` (ELB API reference, `Action`: either names them).
fn forwarded_to(actions: &[elb::Action]) -> Vec<String> {
    let mut groups: Vec<String> = Vec::new();
    for action in actions
        .iter()
        .filter(|action| action.r#type() == Some(&elb::ActionTypeEnum::Forward))
    {
        let single = action.target_group_arn().into_iter();
        let weighted = action
            .forward_config()
            .map(elb::ForwardActionConfig::target_groups)
            .unwrap_or_default()
            .iter()
            .filter_map(elb::TargetGroupTuple::target_group_arn);
        for arn in single.chain(weighted) {
            if !groups.iter().any(|known| known == arn) {
                groups.push(arn.to_owned());
            }
        }
    }
    groups
}

fn actions(action: &ListenerAction) -> (elb::ProtocolEnum, Vec<elb::Action>) {
    match action {
        ListenerAction::Forward {
            target_group_arn, ..
        } => (
            elb::ProtocolEnum::Https,
            vec![elb::Action::builder()
                .r#type(elb::ActionTypeEnum::Forward)
                .target_group_arn(target_group_arn)
                .build()],
        ),
        // ELB.1: keep host, path and query, only the scheme and port change.
        ListenerAction::RedirectToHttps => (
            elb::ProtocolEnum::Http,
            vec![elb::Action::builder()
                .r#type(elb::ActionTypeEnum::Redirect)
                .redirect_config(
                    elb::RedirectActionConfig::builder()
                        .protocol("HTTPS")
                        .port("443")
                        .host("#{host}")
                        .path("/#{path}")
                        .query("#{query}")
                        .status_code(elb::RedirectActionStatusCodeEnum::Http301)
                        .build(),
                )
                .build()],
        ),
    }
}

fn tls(action: &ListenerAction) -> (Option<Vec<elb::Certificate>>, Option<String>) {
    match action {
        ListenerAction::Forward {
            certificate_arn,
            ssl_policy,
            ..
        } => (
            Some(vec![elb::Certificate::builder()
                .certificate_arn(certificate_arn)
                .build()]),
            Some(ssl_policy.clone()),
        ),
        ListenerAction::RedirectToHttps => (None, None),
    }
}

fn rule_condition(condition: &RuleCondition) -> elb::RuleCondition {
    match condition {
        RuleCondition::AnyPath => elb::RuleCondition::builder()
            .field("path-pattern")
            .path_pattern_config(
                elb::PathPatternConditionConfig::builder()
                    .values("/*")
                    .build(),
            )
            .build(),
        RuleCondition::Header { name, value } => elb::RuleCondition::builder()
            .field("http-header")
            .http_header_config(
                elb::HttpHeaderConditionConfig::builder()
                    .http_header_name(name)
                    .values(value)
                    .build(),
            )
            .build(),
    }
}

/// Forward to blue (weight 1) and green (weight 0).
fn weighted_forward(settings: &RuleSettings) -> elb::Action {
    let group = |arn: &str, weight: i32| {
        elb::TargetGroupTuple::builder()
            .target_group_arn(arn)
            .weight(weight)
            .build()
    };
    elb::Action::builder()
        .r#type(elb::ActionTypeEnum::Forward)
        .forward_config(
            elb::ForwardActionConfig::builder()
                .target_groups(group(&settings.blue_target_group, 1))
                .target_groups(group(&settings.green_target_group, 0))
                .build(),
        )
        .build()
}

/// Only a Gateway Load Balancer's listeners have no port (ELB API reference, CreateListener
/// `Port`); this one is an Application Load Balancer.
fn listener_of(listener: &elb::Listener) -> CallResult<Listener> {
    Ok(Listener {
        arn: listener
            .listener_arn()
            .required("Listener.ListenerArn")?
            .to_owned(),
        port: *listener.port().as_ref().required("Listener.Port")?,
    })
}

pub(super) async fn listeners(
    client: &Client,
    load_balancer_arn: &str,
) -> CallResult<Vec<Listener>> {
    let described = client
        .describe_listeners()
        .load_balancer_arn(load_balancer_arn)
        .send()
        .await
        .map_err(aws_error("DescribeListeners"))?;
    described.listeners().iter().map(listener_of).collect()
}

pub(super) async fn create_listener(
    client: &Client,
    load_balancer_arn: &str,
    port: i32,
    action: &ListenerAction,
    tags: &[Tag],
) -> CallResult<String> {
    let (protocol, default_actions) = actions(action);
    let (certificates, ssl_policy) = tls(action);
    let created = client
        .create_listener()
        .load_balancer_arn(load_balancer_arn)
        .port(port)
        .protocol(protocol)
        .set_default_actions(Some(default_actions))
        .set_certificates(certificates)
        .set_ssl_policy(ssl_policy)
        .set_tags(Some(elb_tags(tags)))
        .send()
        .await
        .map_err(aws_error("CreateListener"))?;
    let listener = created
        .listeners()
        .first()
        .required("CreateListenerOutput.Listeners")?;
    Ok(listener
        .listener_arn()
        .required("Listener.ListenerArn")?
        .to_owned())
}

pub(super) async fn modify_listener(
    client: &Client,
    arn: &str,
    action: &ListenerAction,
) -> CallResult<()> {
    let (protocol, default_actions) = actions(action);
    let (certificates, ssl_policy) = tls(action);
    client
        .modify_listener()
        .listener_arn(arn)
        .protocol(protocol)
        .set_default_actions(Some(default_actions))
        .set_certificates(certificates)
        .set_ssl_policy(ssl_policy)
        .send()
        .await
        .map_err(aws_error("ModifyListener"))?;
    Ok(())
}

pub(super) async fn delete_listener(client: &Client, arn: &str) -> CallResult<()> {
    client
        .delete_listener()
        .listener_arn(arn)
        .send()
        .await
        .map_err(aws_error("DeleteListener"))?;
    Ok(())
}

pub(super) async fn rules(client: &Client, listener_arn: &str) -> CallResult<Vec<Rule>> {
    let described = client
        .describe_rules()
        .listener_arn(listener_arn)
        .send()
        .await
        .map_err(aws_error("DescribeRules"))?;
    described
        .rules()
        .iter()
        .map(listener_rule)
        .filter_map(Result::transpose)
        .collect()
}

pub(super) async fn create_rule(
    client: &Client,
    listener_arn: &str,
    settings: &RuleSettings,
    tags: &[Tag],
) -> CallResult<String> {
    let created = client
        .create_rule()
        .listener_arn(listener_arn)
        .priority(settings.priority)
        .conditions(rule_condition(&settings.condition))
        .actions(weighted_forward(settings))
        .set_tags(Some(elb_tags(tags)))
        .send()
        .await
        .map_err(aws_error("CreateRule"))?;
    let rule = created.rules().first().required("CreateRuleOutput.Rules")?;
    Ok(rule.rule_arn().required("Rule.RuleArn")?.to_owned())
}

pub(super) async fn create_forward_rule(
    client: &Client,
    listener_arn: &str,
    priority: i32,
    target_group_arn: &str,
    tags: &[Tag],
) -> CallResult<String> {
    let created = client
        .create_rule()
        .listener_arn(listener_arn)
        .priority(priority)
        .conditions(rule_condition(&RuleCondition::AnyPath))
        .actions(
            elb::Action::builder()
                .r#type(elb::ActionTypeEnum::Forward)
                .target_group_arn(target_group_arn)
                .build(),
        )
        .set_tags(Some(elb_tags(tags)))
        .send()
        .await
        .map_err(aws_error("CreateRule"))?;
    let rule = created.rules().first().required("CreateRuleOutput.Rules")?;
    Ok(rule.rule_arn().required("Rule.RuleArn")?.to_owned())
}

/// SetRulePriorities takes every pair at once: "You can reorder the rules as long as there are
/// no priority conflicts in the new order" (ELB API reference).
pub(super) async fn set_rule_priorities(
    client: &Client,
    priorities: &[(String, i32)],
) -> CallResult<()> {
    let pairs = priorities
        .iter()
        .map(|(arn, priority)| {
            elb::RulePriorityPair::builder()
                .rule_arn(arn)
                .priority(*priority)
                .build()
        })
        .collect();
    client
        .set_rule_priorities()
        .set_rule_priorities(Some(pairs))
        .send()
        .await
        .map_err(aws_error("SetRulePriorities"))?;
    Ok(())
}

pub(super) async fn delete_rule(client: &Client, arn: &str) -> CallResult<()> {
    client
        .delete_rule()
        .rule_arn(arn)
        .send()
        .await
        .map_err(aws_error("DeleteRule"))?;
    Ok(())
}

#[cfg(test)]
#[path = "listeners_tests.rs"]
mod tests;
