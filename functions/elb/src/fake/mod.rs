//! [`ElbCalls`] in memory, for the unit tests of every caller: it keeps what was created, answers
//! the finders from it, and fails a named operation with a given AWS error code when a test asks,
//! the way AWS answers (throttling, `ResourceInUse` …). Every call lands in the function's shared
//! [`SharedRecorder`], where a test injects its faults and reads the calls. A test that only reads
//! a load balancer puts one into the world directly (see [`ElbWorld::add_load_balancer`]).

use crate::{
    CallResult, ElbCalls, Listener, ListenerAction, LoadBalancer, LoadBalancerSettings, Rule,
    RuleCondition, RuleSettings, Target, TargetGroupSettings,
};
use env_core::error::aws_failure;
use env_core::recorder::{RecordedWorld, SharedRecorder};
use env_core::tags::Tag;
use std::collections::BTreeMap;

/// The account the fake's ARNs are in.
pub const ACCOUNT: &str = "123456789012";

#[derive(Debug, Clone, PartialEq)]
pub struct FakeTargetGroup {
    pub arn: String,
    /// A `lambda` group's settings carry only its name.
    pub settings: TargetGroupSettings,
    pub delay: Option<i32>,
    pub lambda: bool,
    pub targets: Vec<Target>,
}

/// A rule sending every path to one target group (CreateRule through `create_forward_rule`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardRule {
    pub listener: String,
    pub arn: String,
    pub priority: i32,
    pub target_group: String,
}

/// What the fake Elastic Load Balancing holds.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ElbWorld {
    pub load_balancers: Vec<(LoadBalancerSettings, LoadBalancer)>,
    /// The attributes set, whichever load balancer they were set on.
    pub attributes: BTreeMap<String, String>,
    pub target_groups: Vec<FakeTargetGroup>,
    pub listeners: Vec<(Listener, ListenerAction)>,
    /// (listener ARN, rule ARN, settings).
    pub rules: Vec<(String, String, RuleSettings)>,
    pub forward_rules: Vec<ForwardRule>,
    /// The state a new load balancer starts in (AWS: provisioning; the fake: active).
    pub new_lb_state: String,
    next_id: u32,
}

impl ElbWorld {
    fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// A load balancer named `name` in `state`, made as CreateLoadBalancer would make it, for a
    /// test to find; no call is recorded.
    pub fn add_load_balancer(&mut self, name: &str, state: &str) -> LoadBalancer {
        let settings = LoadBalancerSettings {
            name: name.to_owned(),
            subnets: Vec::new(),
            security_group: String::new(),
        };
        self.made(settings, state)
    }

    fn made(&mut self, settings: LoadBalancerSettings, state: &str) -> LoadBalancer {
        let id = self.id();
        let name = &settings.name;
        let lb = LoadBalancer {
            arn: format!(
                "arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:loadbalancer/app/{name}/{id}"
            ),
            dns_name: format!("{name}-{id}.us-west-2.elb.amazonaws.com"),
            state: Some(state.to_owned()),
        };
        self.load_balancers.push((settings, lb.clone()));
        lb
    }

    /// Puts a target in `state` into the group named `group`, as ECS registering a task would;
    /// no call is recorded.
    pub fn add_target(&mut self, group: &str, id: &str, state: &str) {
        for found in self.target_groups.iter_mut() {
            if found.settings.name == group {
                found.targets.push(Target {
                    id: id.to_owned(),
                    state: state.to_owned(),
                });
            }
        }
    }

    /// Every rule on `listener`, whichever call made it, as DescribeRules answers it.
    fn rules_on(&self, listener: &str) -> Vec<Rule> {
        let weighted =
            self.rules
                .iter()
                .filter(|(on, _, _)| on == listener)
                .map(|(_, arn, settings)| Rule {
                    arn: arn.clone(),
                    priority: settings.priority,
                    condition: Some(settings.condition.clone()),
                    target_groups: vec![
                        settings.blue_target_group.clone(),
                        settings.green_target_group.clone(),
                    ],
                });
        let forward = self
            .forward_rules
            .iter()
            .filter(|rule| rule.listener == listener)
            .map(|rule| Rule {
                arn: rule.arn.clone(),
                priority: rule.priority,
                condition: Some(RuleCondition::AnyPath),
                target_groups: vec![rule.target_group.clone()],
            });
        weighted.chain(forward).collect()
    }

    /// Whether a rule on `listener` has `priority` already (ELB answers `PriorityInUse`).
    fn taken(&self, listener: &str, priority: i32) -> bool {
        self.rules_on(listener)
            .iter()
            .any(|rule| rule.priority == priority)
    }

    /// The listener of the rule `arn`.
    fn listener_of(&self, arn: &str) -> Option<String> {
        let weighted = self.rules.iter().find(|(_, rule, _)| rule == arn);
        let forward = self.forward_rules.iter().find(|rule| rule.arn == arn);
        weighted
            .map(|(listener, _, _)| listener.clone())
            .or(forward.map(|rule| rule.listener.clone()))
    }
}

#[derive(Debug)]
pub struct FakeElb {
    /// What was made, and the function's recorder its calls land in.
    recorded: RecordedWorld<ElbWorld>,
}

impl FakeElb {
    /// Nothing made yet, new load balancers active at once; the calls land in `recorder`.
    pub fn new(recorder: SharedRecorder) -> Self {
        let mut recorded = RecordedWorld::new(ElbWorld {
            new_lb_state: "active".into(),
            ..ElbWorld::default()
        });
        recorded.recorder = recorder;
        Self { recorded }
    }
}

env_core::recorded_world!(FakeElb, ElbWorld, recorded);

impl ElbCalls for FakeElb {
    async fn load_balancer(&self, name: &str) -> CallResult<Option<LoadBalancer>> {
        let world = self.read("DescribeLoadBalancers")?;
        Ok(world
            .load_balancers
            .iter()
            .find(|(settings, _)| settings.name == name)
            .map(|(_, lb)| lb.clone()))
    }

    async fn create_load_balancer(
        &self,
        settings: &LoadBalancerSettings,
        _tags: &[Tag],
    ) -> CallResult<LoadBalancer> {
        let mut world = self.write("CreateLoadBalancer")?;
        let state = world.new_lb_state.clone();
        Ok(world.made(settings.clone(), &state))
    }

    async fn load_balancer_attributes(&self, _arn: &str) -> CallResult<Vec<(String, String)>> {
        let world = self.read("DescribeLoadBalancerAttributes")?;
        Ok(world
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    async fn set_load_balancer_attributes(
        &self,
        _arn: &str,
        attributes: &[(&str, String)],
    ) -> CallResult<()> {
        let mut world = self.write("ModifyLoadBalancerAttributes")?;
        for (key, value) in attributes {
            world.attributes.insert((*key).to_owned(), value.clone());
        }
        Ok(())
    }

    async fn delete_load_balancer(&self, arn: &str) -> CallResult<()> {
        let mut world = self.write("DeleteLoadBalancer")?;
        world.load_balancers.retain(|(_, lb)| lb.arn != arn);
        Ok(())
    }

    async fn target_group(&self, name: &str) -> CallResult<Option<String>> {
        let world = self.read("DescribeTargetGroups")?;
        Ok(world
            .target_groups
            .iter()
            .find(|group| group.settings.name == name)
            .map(|group| group.arn.clone()))
    }

    async fn create_target_group(
        &self,
        settings: &TargetGroupSettings,
        _tags: &[Tag],
    ) -> CallResult<String> {
        let mut world = self.write("CreateTargetGroup")?;
        let arn = format!(
            "arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:targetgroup/{}/{}",
            settings.name,
            world.id()
        );
        world.target_groups.push(FakeTargetGroup {
            arn: arn.clone(),
            settings: settings.clone(),
            delay: None,
            lambda: false,
            targets: Vec::new(),
        });
        Ok(arn)
    }

    async fn modify_target_group(
        &self,
        arn: &str,
        settings: &TargetGroupSettings,
    ) -> CallResult<()> {
        let mut world = self.write("ModifyTargetGroup")?;
        for group in world.target_groups.iter_mut().filter(|g| g.arn == arn) {
            group.settings = settings.clone();
        }
        Ok(())
    }

    async fn set_deregistration_delay(&self, arn: &str, seconds: i32) -> CallResult<()> {
        let mut world = self.write("ModifyTargetGroupAttributes")?;
        for group in world.target_groups.iter_mut().filter(|g| g.arn == arn) {
            group.delay = Some(seconds);
        }
        Ok(())
    }

    async fn delete_target_group(&self, arn: &str) -> CallResult<()> {
        let mut world = self.write("DeleteTargetGroup")?;
        world.target_groups.retain(|group| group.arn != arn);
        Ok(())
    }

    async fn create_lambda_target_group(&self, name: &str, _tags: &[Tag]) -> CallResult<String> {
        let mut world = self.write("CreateTargetGroup")?;
        let arn = format!(
            "arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:targetgroup/{name}/{}",
            world.id()
        );
        let settings = TargetGroupSettings {
            name: name.to_owned(),
            vpc_id: String::new(),
            port: 0,
            health_check_path: String::new(),
            healthy_threshold: 0,
            unhealthy_threshold: 0,
            interval_seconds: 0,
            timeout_seconds: 0,
            matcher: String::new(),
        };
        world.target_groups.push(FakeTargetGroup {
            arn: arn.clone(),
            settings,
            delay: None,
            lambda: true,
            targets: Vec::new(),
        });
        Ok(arn)
    }

    async fn register_lambda(&self, target_group_arn: &str, function_arn: &str) -> CallResult<()> {
        let mut world = self.write("RegisterTargets")?;
        for group in world
            .target_groups
            .iter_mut()
            .filter(|group| group.arn == target_group_arn)
        {
            // Health checks are off on a Lambda group: its target is `unavailable`.
            group.targets.retain(|target| target.id != function_arn);
            group.targets.push(Target {
                id: function_arn.to_owned(),
                state: "unavailable".into(),
            });
        }
        Ok(())
    }

    async fn targets(&self, target_group_arn: &str) -> CallResult<Vec<Target>> {
        let world = self.read("DescribeTargetHealth")?;
        Ok(world
            .target_groups
            .iter()
            .filter(|group| group.arn == target_group_arn)
            .flat_map(|group| group.targets.clone())
            .collect())
    }

    async fn listeners(&self, load_balancer_arn: &str) -> CallResult<Vec<Listener>> {
        let world = self.read("DescribeListeners")?;
        Ok(world
            .listeners
            .iter()
            .filter(|(listener, _)| listener.arn.starts_with(load_balancer_arn))
            .map(|(listener, _)| listener.clone())
            .collect())
    }

    async fn create_listener(
        &self,
        load_balancer_arn: &str,
        port: i32,
        action: &ListenerAction,
        _tags: &[Tag],
    ) -> CallResult<String> {
        let mut world = self.write("CreateListener")?;
        let arn = format!("{load_balancer_arn}/listener/{port}");
        world.listeners.push((
            Listener {
                arn: arn.clone(),
                port,
            },
            action.clone(),
        ));
        Ok(arn)
    }

    async fn modify_listener(&self, arn: &str, action: &ListenerAction) -> CallResult<()> {
        let mut world = self.write("ModifyListener")?;
        for (listener, existing) in world.listeners.iter_mut() {
            if listener.arn == arn {
                *existing = action.clone();
            }
        }
        Ok(())
    }

    async fn delete_listener(&self, arn: &str) -> CallResult<()> {
        let mut world = self.write("DeleteListener")?;
        world.listeners.retain(|(listener, _)| listener.arn != arn);
        Ok(())
    }

    async fn rules(&self, listener_arn: &str) -> CallResult<Vec<Rule>> {
        let world = self.read("DescribeRules")?;
        Ok(world.rules_on(listener_arn))
    }

    async fn create_rule(
        &self,
        listener_arn: &str,
        settings: &RuleSettings,
        _tags: &[Tag],
    ) -> CallResult<String> {
        if self.world().taken(listener_arn, settings.priority) {
            self.recorder.lock().call("CreateRule")?;
            return Err(aws_failure("CreateRule", "PriorityInUse"));
        }
        let mut world = self.write("CreateRule")?;
        let arn = format!("{listener_arn}/rule/{}", world.id());
        world
            .rules
            .push((listener_arn.to_owned(), arn.clone(), settings.clone()));
        Ok(arn)
    }

    async fn create_forward_rule(
        &self,
        listener_arn: &str,
        priority: i32,
        target_group_arn: &str,
        _tags: &[Tag],
    ) -> CallResult<String> {
        if self.world().taken(listener_arn, priority) {
            self.recorder.lock().call("CreateRule")?;
            return Err(aws_failure("CreateRule", "PriorityInUse"));
        }
        let mut world = self.write("CreateRule")?;
        let arn = format!("{listener_arn}/rule/{}", world.id());
        world.forward_rules.push(ForwardRule {
            listener: listener_arn.to_owned(),
            arn: arn.clone(),
            priority,
            target_group: target_group_arn.to_owned(),
        });
        Ok(arn)
    }

    async fn set_rule_priorities(&self, priorities: &[(String, i32)]) -> CallResult<()> {
        // As ELB: every rule must exist, and the listener's priorities after the whole move must
        // stay distinct, else nothing moves.
        let mut after = self.world().clone();
        for (arn, priority) in priorities {
            for rule in after.rules.iter_mut().filter(|(_, rule, _)| rule == arn) {
                rule.2.priority = *priority;
            }
            for rule in after
                .forward_rules
                .iter_mut()
                .filter(|rule| &rule.arn == arn)
            {
                rule.priority = *priority;
            }
        }
        let mut problem = None;
        for (arn, _) in priorities {
            let Some(listener) = after.listener_of(arn) else {
                problem = Some("RuleNotFound");
                break;
            };
            let mut seen: Vec<i32> = after
                .rules_on(&listener)
                .iter()
                .map(|r| r.priority)
                .collect();
            let count = seen.len();
            seen.sort_unstable();
            seen.dedup();
            if seen.len() != count {
                problem = Some("PriorityInUse");
            }
        }
        if let Some(code) = problem {
            self.recorder.lock().call("SetRulePriorities")?;
            return Err(aws_failure("SetRulePriorities", code));
        }
        let mut world = self.write("SetRulePriorities")?;
        *world = after;
        Ok(())
    }

    async fn delete_rule(&self, arn: &str) -> CallResult<()> {
        let mut world = self.write("DeleteRule")?;
        world.rules.retain(|(_, rule, _)| rule != arn);
        world.forward_rules.retain(|rule| rule.arn != arn);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
