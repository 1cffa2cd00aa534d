//! An in-memory ACM, Route 53, ELBv2 and S3 for the handler's unit tests: it keeps what was created,
//! answers the finders from it, and records every call in one `SharedRecorder`, through which a test
//! fails a named operation with a given AWS error code, the way AWS answers (throttling,
//! `ResourceInUse`, `InvalidChangeBatch` …). ELBv2 is the shared fake of its capability; ACM,
//! Route 53 and S3 are this fake's own.

use crate::api::{
    BucketSettings, CallResult, Certificate, CertificateSummary, Cloud, ValidationRecord,
};
use elb::fake::FakeElb;
use env_core::recorder::RecordedWorld;
use env_core::tags::{self, Tag};
use std::collections::BTreeMap;

/// The account of every ARN the fakes make, the load balancer's included.
pub use elb::fake::ACCOUNT;

pub use env_core::error::aws_failure;

#[derive(Debug, Clone)]
pub struct FakeCertificate {
    pub summary: CertificateSummary,
    pub status: String,
    pub records: Vec<ValidationRecord>,
    pub imported_pem: Option<String>,
    pub domain: Option<String>,
}

/// What the fake ACM, Route 53 and S3 hold.
#[derive(Debug, Default)]
pub struct World {
    pub certificates: Vec<FakeCertificate>,
    /// (zone, record name) → value.
    pub records: BTreeMap<(String, String), String>,
    /// Bucket name → (settings once configured, object count).
    pub buckets: BTreeMap<String, (Option<BucketSettings>, usize)>,
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
    /// What was made, and every call made (its ELB's too), the changes among them, and the faults
    /// a test injects.
    recorded: RecordedWorld<World>,
    pub elb: FakeElb,
}

fn tag(tags: &[Tag], key: &str) -> Option<String> {
    tags.iter()
        .find(|tag| tag.key == key)
        .map(|tag| tag.value.clone())
}

impl FakeCloud {
    /// Nothing made yet, and one recorder for the fake and its ELB.
    pub fn new() -> Self {
        let recorded = RecordedWorld::new(World {
            new_request_status: "PENDING_VALIDATION".into(),
            ..World::default()
        });
        Self {
            elb: FakeElb::new(recorded.recorder.clone()),
            recorded,
        }
    }
}

env_core::recorded_world!(FakeCloud, World, recorded);

impl Cloud for FakeCloud {
    env_core::capabilities! {
        Elb = FakeElb => elb(elb),
    }

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
