//! An in-memory ACM, Route 53, ELBv2 and S3 for the handler's unit tests: it keeps what was created,
//! answers the finders from it, and fails a named operation with a given AWS error code when a test
//! asks, the way AWS answers (throttling, `ResourceInUse`, `InvalidChangeBatch` …).

use crate::api::{
    BucketSettings, CallResult, Certificate, CertificateSummary, Cloud, Listener, ListenerAction,
    LoadBalancer, LoadBalancerSettings, Rule, RuleSettings, TargetGroupSettings, ValidationRecord,
};
use env_core::tags::{self, Tag};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

pub const ACCOUNT: &str = "123456789012";

pub use env_core::error::aws_failure;

#[derive(Debug, Clone)]
pub struct FakeCertificate {
    pub summary: CertificateSummary,
    pub status: String,
    pub records: Vec<ValidationRecord>,
    pub imported_pem: Option<String>,
    pub domain: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FakeTargetGroup {
    pub arn: String,
    pub settings: TargetGroupSettings,
    pub delay: Option<i32>,
}

#[derive(Debug, Default)]
pub struct World {
    pub certificates: Vec<FakeCertificate>,
    /// (zone, record name) → value.
    pub records: BTreeMap<(String, String), String>,
    pub load_balancers: Vec<(LoadBalancerSettings, LoadBalancer)>,
    pub attributes: BTreeMap<String, String>,
    pub target_groups: Vec<FakeTargetGroup>,
    pub listeners: Vec<(Listener, ListenerAction)>,
    /// (listener ARN, rule ARN, settings).
    pub rules: Vec<(String, String, RuleSettings)>,
    /// Bucket name → (settings once configured, object count).
    pub buckets: BTreeMap<String, (Option<BucketSettings>, usize)>,
    /// The state a new load balancer starts in (AWS: provisioning).
    pub new_lb_state: String,
    /// The status a requested certificate starts in (AWS: PENDING_VALIDATION).
    pub new_request_status: String,
    /// (operation, code, calls to let through first): then that call fails with that code.
    pub faults: Vec<(&'static str, &'static str, usize)>,
    /// Every call that changed something, by operation name.
    pub changes: Vec<&'static str>,
    next_id: u32,
}

impl World {
    fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }
}

#[derive(Debug)]
pub struct FakeCloud {
    world: Mutex<World>,
}

fn tag(tags: &[Tag], key: &str) -> Option<String> {
    tags.iter()
        .find(|tag| tag.key == key)
        .map(|tag| tag.value.clone())
}

impl FakeCloud {
    pub fn new() -> Self {
        Self {
            world: Mutex::new(World {
                new_lb_state: "active".into(),
                new_request_status: "PENDING_VALIDATION".into(),
                ..World::default()
            }),
        }
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap()
    }

    /// Fails `operation` with `code` after letting `after` calls of it through.
    pub fn fail(&self, operation: &'static str, code: &'static str, after: usize) {
        self.world().faults.push((operation, code, after));
    }

    /// Counts the call; fails it if a fault is due. Changing calls are recorded.
    fn call(&self, operation: &'static str, changes: bool) -> CallResult<MutexGuard<'_, World>> {
        let mut world = self.world();
        for fault in world.faults.iter_mut() {
            if fault.0 == operation {
                if fault.2 == 0 {
                    let code = fault.1;
                    world.faults.retain(|f| f.0 != operation);
                    return Err(aws_failure(operation, code));
                }
                fault.2 -= 1;
            }
        }
        if changes {
            world.changes.push(operation);
        }
        Ok(world)
    }
}

impl Cloud for FakeCloud {
    async fn certificates(&self) -> CallResult<Vec<CertificateSummary>> {
        let world = self.call("ListCertificates", false)?;
        Ok(world
            .certificates
            .iter()
            .map(|c| c.summary.clone())
            .collect())
    }

    async fn certificate(&self, arn: &str) -> CallResult<Option<Certificate>> {
        let world = self.call("DescribeCertificate", false)?;
        Ok(world
            .certificates
            .iter()
            .find(|c| c.summary.arn == arn)
            .map(|c| Certificate {
                arn: arn.to_owned(),
                status: c.status.clone(),
                validation_records: c.records.clone(),
            }))
    }

    async fn import_certificate(
        &self,
        pem: &str,
        _key_pem: &str,
        tags: &[Tag],
    ) -> CallResult<String> {
        let mut world = self.call("ImportCertificate", true)?;
        let arn = format!("arn:aws:acm:us-west-2:{ACCOUNT}:certificate/{}", world.id());
        world.certificates.push(FakeCertificate {
            summary: CertificateSummary {
                arn: arn.clone(),
                name: tag(tags, "Name"),
                environment: tag(tags, tags::ENVIRONMENT),
            },
            status: "ISSUED".into(),
            records: Vec::new(),
            imported_pem: Some(pem.to_owned()),
            domain: None,
        });
        Ok(arn)
    }

    async fn request_certificate(
        &self,
        domain: &str,
        _token: &str,
        tags: &[Tag],
    ) -> CallResult<String> {
        let mut world = self.call("RequestCertificate", true)?;
        let arn = format!("arn:aws:acm:us-west-2:{ACCOUNT}:certificate/{}", world.id());
        let status = world.new_request_status.clone();
        world.certificates.push(FakeCertificate {
            summary: CertificateSummary {
                arn: arn.clone(),
                name: tag(tags, "Name"),
                environment: tag(tags, tags::ENVIRONMENT),
            },
            status,
            records: vec![ValidationRecord {
                name: format!("_x1.{domain}."),
                value: "_y1.acm-validations.aws.".into(),
            }],
            imported_pem: None,
            domain: Some(domain.to_owned()),
        });
        Ok(arn)
    }

    async fn delete_certificate(&self, arn: &str) -> CallResult<()> {
        let mut world = self.call("DeleteCertificate", true)?;
        world.certificates.retain(|c| c.summary.arn != arn);
        Ok(())
    }

    async fn change_record(
        &self,
        zone: &str,
        record: &ValidationRecord,
        upsert: bool,
    ) -> CallResult<()> {
        let mut world = self.call("ChangeResourceRecordSets", true)?;
        let key = (zone.to_owned(), record.name.clone());
        if upsert {
            world.records.insert(key, record.value.clone());
        } else if world.records.remove(&key).is_none() {
            return Err(aws_failure(
                "ChangeResourceRecordSets",
                "InvalidChangeBatch",
            ));
        }
        Ok(())
    }

    async fn load_balancer(&self, name: &str) -> CallResult<Option<LoadBalancer>> {
        let world = self.call("DescribeLoadBalancers", false)?;
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
        let mut world = self.call("CreateLoadBalancer", true)?;
        let id = world.id();
        let lb = LoadBalancer {
            arn: format!(
                "arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:loadbalancer/app/{}/{id}",
                settings.name
            ),
            dns_name: format!("{}-{id}.us-west-2.elb.amazonaws.com", settings.name),
            state: Some(world.new_lb_state.clone()),
        };
        world.load_balancers.push((settings.clone(), lb.clone()));
        Ok(lb)
    }

    async fn load_balancer_attributes(&self, _arn: &str) -> CallResult<Vec<(String, String)>> {
        let world = self.call("DescribeLoadBalancerAttributes", false)?;
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
        let mut world = self.call("ModifyLoadBalancerAttributes", true)?;
        for (key, value) in attributes {
            world.attributes.insert((*key).to_owned(), value.clone());
        }
        Ok(())
    }

    async fn delete_load_balancer(&self, arn: &str) -> CallResult<()> {
        let mut world = self.call("DeleteLoadBalancer", true)?;
        world.load_balancers.retain(|(_, lb)| lb.arn != arn);
        Ok(())
    }

    async fn target_group(&self, name: &str) -> CallResult<Option<String>> {
        let world = self.call("DescribeTargetGroups", false)?;
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
        let mut world = self.call("CreateTargetGroup", true)?;
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
        let mut world = self.call("ModifyTargetGroup", true)?;
        for group in world.target_groups.iter_mut().filter(|g| g.arn == arn) {
            group.settings = settings.clone();
        }
        Ok(())
    }

    async fn set_deregistration_delay(&self, arn: &str, seconds: i32) -> CallResult<()> {
        let mut world = self.call("ModifyTargetGroupAttributes", true)?;
        for group in world.target_groups.iter_mut().filter(|g| g.arn == arn) {
            group.delay = Some(seconds);
        }
        Ok(())
    }

    async fn delete_target_group(&self, arn: &str) -> CallResult<()> {
        let mut world = self.call("DeleteTargetGroup", true)?;
        world.target_groups.retain(|group| group.arn != arn);
        Ok(())
    }

    async fn listeners(&self, load_balancer_arn: &str) -> CallResult<Vec<Listener>> {
        let world = self.call("DescribeListeners", false)?;
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
        let mut world = self.call("CreateListener", true)?;
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
        let mut world = self.call("ModifyListener", true)?;
        for (listener, existing) in world.listeners.iter_mut() {
            if listener.arn == arn {
                *existing = action.clone();
            }
        }
        Ok(())
    }

    async fn delete_listener(&self, arn: &str) -> CallResult<()> {
        let mut world = self.call("DeleteListener", true)?;
        world.listeners.retain(|(listener, _)| listener.arn != arn);
        Ok(())
    }

    async fn rules(&self, listener_arn: &str) -> CallResult<Vec<Rule>> {
        let world = self.call("DescribeRules", false)?;
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
        let mut world = self.call("CreateRule", true)?;
        let arn = format!("{listener_arn}/rule/{}", settings.priority);
        world
            .rules
            .push((listener_arn.to_owned(), arn.clone(), settings.clone()));
        Ok(arn)
    }

    async fn delete_rule(&self, arn: &str) -> CallResult<()> {
        let mut world = self.call("DeleteRule", true)?;
        world.rules.retain(|(_, rule, _)| rule != arn);
        Ok(())
    }

    async fn bucket_names(&self) -> CallResult<Vec<String>> {
        let world = self.call("ListBuckets", false)?;
        Ok(world.buckets.keys().cloned().collect())
    }

    async fn create_bucket(&self, name: &str, _tags: &[Tag]) -> CallResult<()> {
        let mut world = self.call("CreateBucket", true)?;
        world.buckets.insert(name.to_owned(), (None, 0));
        Ok(())
    }

    async fn configure_bucket(&self, settings: &BucketSettings) -> CallResult<()> {
        let mut world = self.call("ConfigureBucket", true)?;
        if let Some(bucket) = world.buckets.get_mut(&settings.name) {
            bucket.0 = Some(settings.clone());
        }
        Ok(())
    }

    async fn empty_bucket(&self, name: &str) -> CallResult<()> {
        let mut world = self.call("EmptyBucket", true)?;
        if let Some(bucket) = world.buckets.get_mut(name) {
            bucket.1 = 0;
        }
        Ok(())
    }

    async fn delete_bucket(&self, name: &str) -> CallResult<()> {
        let mut world = self.call("DeleteBucket", true)?;
        world.buckets.remove(name);
        Ok(())
    }
}
