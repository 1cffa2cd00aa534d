//! An in-memory ACM, Route 53, ELBv2 and S3 for the handler's unit tests: it keeps what was created,
//! answers the finders from it, and records every call in one `SharedRecorder`, through which a test
//! fails a named operation with a given AWS error code, the way AWS answers (throttling,
//! `ResourceInUse`, `InvalidChangeBatch` …).

use crate::api::{
    BucketSettings, CallResult, Certificate, CertificateSummary, Cloud, Listener, ListenerAction,
    LoadBalancer, LoadBalancerSettings, Rule, RuleSettings, TargetGroupSettings, ValidationRecord,
};
use env_core::recorder::RecordedWorld;
use env_core::tags::{self, Tag};
use std::collections::BTreeMap;

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
    /// What was made, and every call made, the changes among them, and the faults a test injects.
    recorded: RecordedWorld<World>,
}

fn tag(tags: &[Tag], key: &str) -> Option<String> {
    tags.iter()
        .find(|tag| tag.key == key)
        .map(|tag| tag.value.clone())
}

impl FakeCloud {
    pub fn new() -> Self {
        Self {
            recorded: RecordedWorld::new(World {
                new_lb_state: "active".into(),
                new_request_status: "PENDING_VALIDATION".into(),
                ..World::default()
            }),
        }
    }
}

env_core::recorded_world!(FakeCloud, World, recorded);

impl Cloud for FakeCloud {
    async fn certificates(&self) -> CallResult<Vec<CertificateSummary>> {
        let world = self.read("ListCertificates")?;
        Ok(world
            .certificates
            .iter()
            .map(|c| c.summary.clone())
            .collect())
    }

    async fn certificate(&self, arn: &str) -> CallResult<Option<Certificate>> {
        let world = self.read("DescribeCertificate")?;
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
        let mut world = self.write("ImportCertificate")?;
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
        let mut world = self.write("RequestCertificate")?;
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
        let mut world = self.write("DeleteCertificate")?;
        world.certificates.retain(|c| c.summary.arn != arn);
        Ok(())
    }

    async fn change_record(
        &self,
        zone: &str,
        record: &ValidationRecord,
        upsert: bool,
    ) -> CallResult<()> {
        let mut world = self.world();
        let key = (zone.to_owned(), record.name.clone());
        if !upsert && !world.records.contains_key(&key) {
            // Route 53 refuses to delete a record that is not there, and that changes nothing.
            self.recorder.lock().call("ChangeResourceRecordSets")?;
            return Err(aws_failure(
                "ChangeResourceRecordSets",
                "InvalidChangeBatch",
            ));
        }
        self.recorder.lock().change("ChangeResourceRecordSets")?;
        if upsert {
            world.records.insert(key, record.value.clone());
        } else {
            world.records.remove(&key);
        }
        Ok(())
    }

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

    async fn bucket_names(&self) -> CallResult<Vec<String>> {
        let world = self.read("ListBuckets")?;
        Ok(world.buckets.keys().cloned().collect())
    }

    async fn create_bucket(&self, name: &str, _tags: &[Tag]) -> CallResult<()> {
        let mut world = self.write("CreateBucket")?;
        world.buckets.insert(name.to_owned(), (None, 0));
        Ok(())
    }

    async fn configure_bucket(&self, settings: &BucketSettings) -> CallResult<()> {
        let mut world = self.write("ConfigureBucket")?;
        if let Some(bucket) = world.buckets.get_mut(&settings.name) {
            bucket.0 = Some(settings.clone());
        }
        Ok(())
    }

    async fn empty_bucket(&self, name: &str) -> CallResult<()> {
        let mut world = self.write("EmptyBucket")?;
        if let Some(bucket) = world.buckets.get_mut(name) {
            bucket.1 = 0;
        }
        Ok(())
    }

    async fn delete_bucket(&self, name: &str) -> CallResult<()> {
        let mut world = self.write("DeleteBucket")?;
        world.buckets.remove(name);
        Ok(())
    }
}
