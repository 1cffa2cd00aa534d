//! The listeners: HTTP redirecting to HTTPS, and, once the certificate is issued, HTTPS forwarding
//! to blue with the production and test rules ECS blue/green deployments shift.

use crate::api::{CallResult, ElbCalls, Listener, ListenerAction, RuleCondition, RuleSettings};
use env_core::tags::Tag;

/// ELB.17: a TLS 1.3 policy (ELB user guide, "Security policies for your Application Load Balancer").
pub const SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";
pub const HTTPS_PORT: i32 = 443;
pub const HTTP_PORT: i32 = 80;
/// The header (and its value) that sends a request to the test listener rule: the green revision
/// during a blue/green deployment, blue otherwise.
pub const TEST_HEADER: &str = "X-Catalog-Deployment";
pub const TEST_HEADER_VALUE: &str = "test";
/// Rules are evaluated from the lowest priority up (ELB user guide, "Listener rules"): the header
/// rule must come before the production rule, which matches every path.
pub const TEST_RULE_PRIORITY: i32 = 1;
pub const PRODUCTION_RULE_PRIORITY: i32 = 2;

/// The listener on `port`, created or brought to `action`.
pub async fn listener<E: ElbCalls>(
    elb: &E,
    lb_arn: &str,
    port: i32,
    action: &ListenerAction,
    tags: &[Tag],
) -> CallResult<String> {
    let existing = elb.listeners(lb_arn).await?;
    match existing.into_iter().find(|listener| listener.port == port) {
        Some(listener) => {
            elb.modify_listener(&listener.arn, action).await?;
            Ok(listener.arn)
        }
        None => elb.create_listener(lb_arn, port, action, tags).await,
    }
}

/// The production and test rules on the HTTPS listener, created when missing; their ARNs. A rule
/// that exists is left as it is: during a blue/green deployment ECS holds its weights.
pub async fn rules<E: ElbCalls>(
    elb: &E,
    https: &str,
    groups: &[String],
    tags: &[Tag],
) -> CallResult<(String, String)> {
    let existing = elb.rules(https).await?;
    let rule = |priority: i32, condition: RuleCondition| {
        let found = existing.iter().find(|rule| rule.priority == priority);
        let settings = RuleSettings {
            priority,
            condition,
            blue_target_group: groups[0].clone(),
            green_target_group: groups[1].clone(),
        };
        async move {
            match found {
                Some(rule) => Ok(rule.arn.clone()),
                None => elb.create_rule(https, &settings, tags).await,
            }
        }
    };
    let production = rule(PRODUCTION_RULE_PRIORITY, RuleCondition::AnyPath).await?;
    let header = RuleCondition::Header {
        name: TEST_HEADER.to_owned(),
        value: TEST_HEADER_VALUE.to_owned(),
    };
    let test = rule(TEST_RULE_PRIORITY, header).await?;
    Ok((production, test))
}

/// The listener on `port` among `listeners`, read only.
pub fn on_port(listeners: &[Listener], port: i32) -> Option<&str> {
    listeners
        .iter()
        .find(|listener| listener.port == port)
        .map(|listener| listener.arn.as_str())
}

/// The production and test rules' ARNs when both exist, read only.
pub async fn find_rules<E: ElbCalls>(elb: &E, https: &str) -> CallResult<Option<(String, String)>> {
    let existing = elb.rules(https).await?;
    let arn = |priority: i32| {
        existing
            .iter()
            .find(|rule| rule.priority == priority)
            .map(|rule| rule.arn.clone())
    };
    Ok(arn(PRODUCTION_RULE_PRIORITY).zip(arn(TEST_RULE_PRIORITY)))
}
