//! The plain types the Elastic Load Balancing v2 calls answer and take: the load balancer, what
//! creates it and its target groups, the listeners with what they do, and the listener rules.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadBalancer {
    pub arn: String,
    pub dns_name: String,
    /// `provisioning`, `active`, `active_impaired` or `failed`; `None` when the answer has no
    /// state (ELB API reference, `LoadBalancer.State` and `LoadBalancerState.Code` are optional), a
    /// load balancer then waited on as one not yet active.
    pub state: Option<String>,
}

/// What CreateLoadBalancer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadBalancerSettings {
    pub name: String,
    pub subnets: Vec<String>,
    pub security_group: String,
}

/// A target group's settings, the same on create and on every later update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetGroupSettings {
    pub name: String,
    pub vpc_id: String,
    pub port: i32,
    pub health_check_path: String,
    pub healthy_threshold: i32,
    pub unhealthy_threshold: i32,
    pub interval_seconds: i32,
    pub timeout_seconds: i32,
    pub matcher: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub arn: String,
    pub port: i32,
}

/// What a listener does with every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenerAction {
    /// HTTPS with the certificate and TLS policy, forwarding to the target group.
    Forward {
        certificate_arn: String,
        ssl_policy: String,
        target_group_arn: String,
    },
    /// Plain HTTP that only redirects to HTTPS on 443 with a 301.
    RedirectToHttps,
}

/// A listener rule other than the listener's default one, with what it is: its callers find their
/// rules by condition and target groups, not by priority alone, since priorities move (a sleeping
/// environment's wake rule goes first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub arn: String,
    pub priority: i32,
    /// The rule's one condition when it is one of [`RuleCondition`]'s; `None` for anything else
    /// (several conditions, another field).
    pub condition: Option<RuleCondition>,
    /// The target groups its forward actions name, in order, whatever their weights.
    pub target_groups: Vec<String>,
}

/// A target of a target group as DescribeTargetHealth reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The instance id, IP address or Lambda function ARN.
    pub id: String,
    /// `initial`, `healthy`, `unhealthy`, `unused`, `draining` or `unavailable` (ELB API
    /// reference, `TargetHealth.State`; `unavailable` with health checks off, as on a Lambda
    /// target group).
    pub state: String,
}

/// Which requests a listener rule takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleCondition {
    /// Every request (path pattern `/*`).
    AnyPath,
    /// Requests carrying this header with this value.
    Header { name: String, value: String },
}

/// A rule forwarding to both target groups, all the weight on blue: ECS blue/green moves the
/// weights to green and back (ECS developer guide, "Application Load Balancer resources for
/// blue/green deployments").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSettings {
    pub priority: i32,
    pub condition: RuleCondition,
    pub blue_target_group: String,
    pub green_target_group: String,
}
