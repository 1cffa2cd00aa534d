//! [`ElbCalls`] in memory, for the unit tests of every caller: it keeps what was created, answers
//! the finders from it, and fails a named operation with a given AWS error code when a test asks,
//! the way AWS answers (throttling, `ResourceInUse` …). Every call lands in the function's shared
//! [`SharedRecorder`], where a test injects its faults and reads the calls. A test that only reads
//! a load balancer puts one into the world directly (see [`ElbWorld::add_load_balancer`]).

use crate::{
    CallResult, ElbCalls, Listener, ListenerAction, LoadBalancer, LoadBalancerSettings, Rule,
    RuleSettings, TargetGroupSettings,
};
use env_core::recorder::{RecordedWorld, SharedRecorder};
use env_core::tags::Tag;
use std::collections::BTreeMap;

/// The account the fake's ARNs are in.
pub const ACCOUNT: &str = "123456789012";

#[derive(Debug, Clone, PartialEq)]
pub struct FakeTargetGroup {
    pub arn: String,
    pub settings: TargetGroupSettings,
    pub delay: Option<i32>,
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
        Ok(world
            .rules
            .iter()
            .filter(|(listener, _, _)| listener == listener_arn)
            .map(|(_, arn, settings)| Rule {
                arn: arn.clone(),
                priority: settings.priority,
            })
            .collect())
    }

    async fn create_rule(
        &self,
        listener_arn: &str,
        settings: &RuleSettings,
        _tags: &[Tag],
    ) -> CallResult<String> {
        let mut world = self.write("CreateRule")?;
        let arn = format!("{listener_arn}/rule/{}", settings.priority);
        world
            .rules
            .push((listener_arn.to_owned(), arn.clone(), settings.clone()));
        Ok(arn)
    }

    async fn delete_rule(&self, arn: &str) -> CallResult<()> {
        let mut world = self.write("DeleteRule")?;
        world.rules.retain(|(_, rule, _)| rule != arn);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
