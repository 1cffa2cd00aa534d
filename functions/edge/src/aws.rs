//! [`Cloud`] over the AWS SDK: one SDK call (or one page loop) per method, translated to and from
//! the plain types of [`crate::api`]. No decisions are taken here; they are the handler's, where the
//! unit tests reach them. The integration tests drive every method against moto.
//!
//! The `expect`s are on builders whose required fields are all set on the line above; they cannot
//! fail at run time.

use crate::api::{
    found, BucketSettings, CallResult, Certificate, CertificateSummary, Cloud, Listener,
    ListenerAction, LoadBalancer, LoadBalancerSettings, Rule, RuleCondition, RuleSettings,
    TargetGroupSettings, ValidationRecord,
};
use aws_config::SdkConfig;
use aws_sdk_acm::primitives::Blob;
use aws_sdk_acm::types as acm;
use aws_sdk_elasticloadbalancingv2::types as elb;
use aws_sdk_route53::types as r53;
use aws_sdk_s3::types as s3;
use env_core::error::{aws_error, Required};
use env_core::tags::{self, Tag};

const BUILT: &str = "every required field is set";
/// How long resolvers may cache the validation record; ACM's own examples use 300 s.
const RECORD_TTL_SECONDS: i64 = 300;

#[derive(Debug, Clone)]
pub struct AwsCloud {
    acm: aws_sdk_acm::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    route53: aws_sdk_route53::Client,
    s3: aws_sdk_s3::Client,
}

impl AwsCloud {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            acm: aws_sdk_acm::Client::new(config),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(config),
            route53: aws_sdk_route53::Client::new(config),
            // Path-style addressing only against an endpoint override (the local emulator serves
            // every bucket on one host); AWS itself gets the virtual-hosted style it prefers.
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(config)
                    .force_path_style(config.endpoint_url().is_some())
                    .build(),
            ),
        }
    }
}

fn acm_tags(tags: &[Tag]) -> Vec<acm::Tag> {
    tags.iter()
        .map(|tag| {
            acm::Tag::builder()
                .key(tag.key)
                .value(&tag.value)
                .build()
                .expect(BUILT)
        })
        .collect()
}

fn elb_tags(tags: &[Tag]) -> Vec<elb::Tag> {
    tags.iter()
        .map(|tag| elb::Tag::builder().key(tag.key).value(&tag.value).build())
        .collect()
}

fn load_balancer(lb: &elb::LoadBalancer) -> CallResult<LoadBalancer> {
    Ok(LoadBalancer {
        arn: lb
            .load_balancer_arn()
            .required("LoadBalancer.LoadBalancerArn")?
            .to_owned(),
        dns_name: lb.dns_name().required("LoadBalancer.DNSName")?.to_owned(),
        state: lb
            .state()
            .and_then(elb::LoadBalancerState::code)
            .map(|code| code.as_str().to_owned()),
    })
}

fn certificate(arn: &str, detail: &acm::CertificateDetail) -> CallResult<Certificate> {
    Ok(Certificate {
        arn: arn.to_owned(),
        status: detail
            .status()
            .required("CertificateDetail.Status")?
            .as_str()
            .to_owned(),
        // A domain's record is there only once ACM has published it, moments after the request
        // (ACM API reference, `DomainValidation`: `ResourceRecord` optional, unlike `DomainName`).
        validation_records: detail
            .domain_validation_options()
            .iter()
            .filter_map(acm::DomainValidation::resource_record)
            .map(|record| ValidationRecord {
                name: record.name().to_owned(),
                value: record.value().to_owned(),
            })
            .collect(),
    })
}

/// One of a listener's rules, or `None` for its default rule: the one rule whose priority is
/// `default`, not a number (ELB user guide, "Listener rules": it is evaluated last and its
/// priority cannot be changed; the others have 1 to 50000).
fn listener_rule(rule: &elb::Rule) -> CallResult<Option<Rule>> {
    let arn = rule.rule_arn().required("Rule.RuleArn")?;
    let priority = rule.priority().required("Rule.Priority")?;
    Ok(priority.parse().ok().map(|priority| Rule {
        arn: arn.to_owned(),
        priority,
    }))
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

impl Cloud for AwsCloud {
    async fn certificates(&self) -> CallResult<Vec<CertificateSummary>> {
        // ListCertificates returns only RSA 2048 certificates unless asked for other key types
        // (ACM API reference, ListCertificates `Includes`). The self-signed one is ECDSA P-256, and
        // a certificate reimported by hand under its ARN may have any key: ask for every type, so
        // that the teardown still finds it.
        let every_key_type = acm::KeyAlgorithm::values()
            .iter()
            .map(|value| acm::KeyAlgorithm::from(*value));
        let includes = acm::Filters::builder()
            .set_key_types(Some(every_key_type.collect()))
            .build();
        let summaries = self
            .acm
            .list_certificates()
            .includes(includes)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("ListCertificates"))?;
        let mut certificates = Vec::new();
        for summary in summaries {
            let arn = summary
                .certificate_arn()
                .required("CertificateSummary.CertificateArn")?;
            let listed = self
                .acm
                .list_tags_for_certificate()
                .certificate_arn(arn)
                .send()
                .await
                .map_err(aws_error("ListTagsForCertificate"));
            // Another environment's teardown may delete its certificate between the listing and
            // this read: a certificate that is gone has no tags, so it is not ours.
            let tags = found(listed, &["ResourceNotFoundException"])?;
            let value = |key: &str| {
                tags.iter()
                    .flat_map(|tags| tags.tags())
                    .find(|tag| tag.key() == key)
                    .and_then(acm::Tag::value)
                    .map(str::to_owned)
            };
            certificates.push(CertificateSummary {
                arn: arn.to_owned(),
                name: value("Name"),
                environment: value(tags::ENVIRONMENT),
            });
        }
        Ok(certificates)
    }

    async fn certificate(&self, arn: &str) -> CallResult<Option<Certificate>> {
        let described = self
            .acm
            .describe_certificate()
            .certificate_arn(arn)
            .send()
            .await
            .map_err(aws_error("DescribeCertificate"));
        found(described, &["ResourceNotFoundException"])?
            .map(|output| {
                let detail = output
                    .certificate()
                    .required("DescribeCertificateResponse.Certificate")?;
                certificate(arn, detail)
            })
            .transpose()
    }

    async fn import_certificate(
        &self,
        pem: &str,
        key_pem: &str,
        tags: &[Tag],
    ) -> CallResult<String> {
        let imported = self
            .acm
            .import_certificate()
            .certificate(Blob::new(pem))
            .private_key(Blob::new(key_pem))
            .set_tags(Some(acm_tags(tags)))
            .send()
            .await
            .map_err(aws_error("ImportCertificate"))?;
        Ok(imported
            .certificate_arn()
            .required("ImportCertificateResponse.CertificateArn")?
            .to_owned())
    }

    async fn request_certificate(
        &self,
        domain: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<String> {
        let requested = self
            .acm
            .request_certificate()
            .domain_name(domain)
            .validation_method(acm::ValidationMethod::Dns)
            .key_algorithm(acm::KeyAlgorithm::Rsa2048)
            .idempotency_token(token)
            .set_tags(Some(acm_tags(tags)))
            .send()
            .await
            .map_err(aws_error("RequestCertificate"))?;
        Ok(requested
            .certificate_arn()
            .required("RequestCertificateResponse.CertificateArn")?
            .to_owned())
    }

    async fn delete_certificate(&self, arn: &str) -> CallResult<()> {
        self.acm
            .delete_certificate()
            .certificate_arn(arn)
            .send()
            .await
            .map_err(aws_error("DeleteCertificate"))?;
        Ok(())
    }

    async fn change_record(
        &self,
        zone: &str,
        record: &ValidationRecord,
        upsert: bool,
    ) -> CallResult<()> {
        let action = if upsert {
            r53::ChangeAction::Upsert
        } else {
            r53::ChangeAction::Delete
        };
        let set = r53::ResourceRecordSet::builder()
            .name(&record.name)
            .r#type(r53::RrType::Cname)
            .ttl(RECORD_TTL_SECONDS)
            .resource_records(
                r53::ResourceRecord::builder()
                    .value(&record.value)
                    .build()
                    .expect(BUILT),
            )
            .build()
            .expect(BUILT);
        let change = r53::Change::builder()
            .action(action)
            .resource_record_set(set)
            .build()
            .expect(BUILT);
        self.route53
            .change_resource_record_sets()
            .hosted_zone_id(zone)
            .change_batch(
                r53::ChangeBatch::builder()
                    .changes(change)
                    .build()
                    .expect(BUILT),
            )
            .send()
            .await
            .map_err(aws_error("ChangeResourceRecordSets"))?;
        Ok(())
    }

    async fn load_balancer(&self, name: &str) -> CallResult<Option<LoadBalancer>> {
        let described = self
            .elb
            .describe_load_balancers()
            .names(name)
            .send()
            .await
            .map_err(aws_error("DescribeLoadBalancers"));
        let described = found(described, &["LoadBalancerNotFound"])?;
        described
            .as_ref()
            .and_then(|output| output.load_balancers().first())
            .map(load_balancer)
            .transpose()
    }

    async fn create_load_balancer(
        &self,
        settings: &LoadBalancerSettings,
        tags: &[Tag],
    ) -> CallResult<LoadBalancer> {
        let created = self
            .elb
            .create_load_balancer()
            .name(&settings.name)
            .set_subnets(Some(settings.subnets.clone()))
            .security_groups(&settings.security_group)
            .scheme(elb::LoadBalancerSchemeEnum::InternetFacing)
            .r#type(elb::LoadBalancerTypeEnum::Application)
            .ip_address_type(elb::IpAddressType::Ipv4)
            .set_tags(Some(elb_tags(tags)))
            .send()
            .await
            .map_err(aws_error("CreateLoadBalancer"))?;
        load_balancer(
            created
                .load_balancers()
                .first()
                .required("CreateLoadBalancerOutput.LoadBalancers")?,
        )
    }

    async fn load_balancer_attributes(&self, arn: &str) -> CallResult<Vec<(String, String)>> {
        let described = self
            .elb
            .describe_load_balancer_attributes()
            .load_balancer_arn(arn)
            .send()
            .await
            .map_err(aws_error("DescribeLoadBalancerAttributes"))?;
        // Every attribute comes with its value, "" for one never set (ELB's own example of
        // DescribeLoadBalancerAttributes, `elbv2-describe-load-balancer-attributes-1`).
        described
            .attributes()
            .iter()
            .map(|attribute| {
                let key = attribute.key().required("LoadBalancerAttribute.Key")?;
                let value = attribute.value().required("LoadBalancerAttribute.Value")?;
                Ok((key.to_owned(), value.to_owned()))
            })
            .collect()
    }

    async fn set_load_balancer_attributes(
        &self,
        arn: &str,
        attributes: &[(&str, String)],
    ) -> CallResult<()> {
        let attributes = attributes
            .iter()
            .map(|(key, value)| {
                elb::LoadBalancerAttribute::builder()
                    .key(*key)
                    .value(value)
                    .build()
            })
            .collect();
        self.elb
            .modify_load_balancer_attributes()
            .load_balancer_arn(arn)
            .set_attributes(Some(attributes))
            .send()
            .await
            .map_err(aws_error("ModifyLoadBalancerAttributes"))?;
        Ok(())
    }

    async fn delete_load_balancer(&self, arn: &str) -> CallResult<()> {
        self.elb
            .delete_load_balancer()
            .load_balancer_arn(arn)
            .send()
            .await
            .map_err(aws_error("DeleteLoadBalancer"))?;
        Ok(())
    }

    async fn target_group(&self, name: &str) -> CallResult<Option<String>> {
        let described = self
            .elb
            .describe_target_groups()
            .names(name)
            .send()
            .await
            .map_err(aws_error("DescribeTargetGroups"));
        let described = found(described, &["TargetGroupNotFound"])?;
        described
            .as_ref()
            .and_then(|output| output.target_groups().first())
            .map(|group| {
                group
                    .target_group_arn()
                    .required("TargetGroup.TargetGroupArn")
                    .map(str::to_owned)
            })
            .transpose()
    }

    async fn create_target_group(
        &self,
        settings: &TargetGroupSettings,
        tags: &[Tag],
    ) -> CallResult<String> {
        let created = self
            .elb
            .create_target_group()
            .name(&settings.name)
            .protocol(elb::ProtocolEnum::Http)
            .port(settings.port)
            .vpc_id(&settings.vpc_id)
            // Fargate tasks in awsvpc mode register by IP address.
            .target_type(elb::TargetTypeEnum::Ip)
            .health_check_enabled(true)
            .health_check_protocol(elb::ProtocolEnum::Http)
            .health_check_path(&settings.health_check_path)
            .health_check_interval_seconds(settings.interval_seconds)
            .health_check_timeout_seconds(settings.timeout_seconds)
            .healthy_threshold_count(settings.healthy_threshold)
            .unhealthy_threshold_count(settings.unhealthy_threshold)
            .matcher(elb::Matcher::builder().http_code(&settings.matcher).build())
            .set_tags(Some(elb_tags(tags)))
            .send()
            .await
            .map_err(aws_error("CreateTargetGroup"))?;
        let group = created
            .target_groups()
            .first()
            .required("CreateTargetGroupOutput.TargetGroups")?;
        Ok(group
            .target_group_arn()
            .required("TargetGroup.TargetGroupArn")?
            .to_owned())
    }

    async fn modify_target_group(
        &self,
        arn: &str,
        settings: &TargetGroupSettings,
    ) -> CallResult<()> {
        self.elb
            .modify_target_group()
            .target_group_arn(arn)
            .health_check_enabled(true)
            .health_check_protocol(elb::ProtocolEnum::Http)
            .health_check_path(&settings.health_check_path)
            .health_check_interval_seconds(settings.interval_seconds)
            .health_check_timeout_seconds(settings.timeout_seconds)
            .healthy_threshold_count(settings.healthy_threshold)
            .unhealthy_threshold_count(settings.unhealthy_threshold)
            .matcher(elb::Matcher::builder().http_code(&settings.matcher).build())
            .send()
            .await
            .map_err(aws_error("ModifyTargetGroup"))?;
        Ok(())
    }

    async fn set_deregistration_delay(&self, arn: &str, seconds: i32) -> CallResult<()> {
        self.elb
            .modify_target_group_attributes()
            .target_group_arn(arn)
            .attributes(
                elb::TargetGroupAttribute::builder()
                    .key("deregistration_delay.timeout_seconds")
                    .value(seconds.to_string())
                    .build(),
            )
            .send()
            .await
            .map_err(aws_error("ModifyTargetGroupAttributes"))?;
        Ok(())
    }

    async fn delete_target_group(&self, arn: &str) -> CallResult<()> {
        self.elb
            .delete_target_group()
            .target_group_arn(arn)
            .send()
            .await
            .map_err(aws_error("DeleteTargetGroup"))?;
        Ok(())
    }

    async fn listeners(&self, load_balancer_arn: &str) -> CallResult<Vec<Listener>> {
        let described = self
            .elb
            .describe_listeners()
            .load_balancer_arn(load_balancer_arn)
            .send()
            .await
            .map_err(aws_error("DescribeListeners"))?;
        // Only a Gateway Load Balancer's listeners have no port (ELB API reference, CreateListener
        // `Port`); this one is an Application Load Balancer.
        described
            .listeners()
            .iter()
            .map(|listener| {
                Ok(Listener {
                    arn: listener
                        .listener_arn()
                        .required("Listener.ListenerArn")?
                        .to_owned(),
                    port: *listener.port().as_ref().required("Listener.Port")?,
                })
            })
            .collect()
    }

    async fn create_listener(
        &self,
        load_balancer_arn: &str,
        port: i32,
        action: &ListenerAction,
        tags: &[Tag],
    ) -> CallResult<String> {
        let (protocol, default_actions) = actions(action);
        let (certificates, ssl_policy) = tls(action);
        let created = self
            .elb
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

    async fn modify_listener(&self, arn: &str, action: &ListenerAction) -> CallResult<()> {
        let (protocol, default_actions) = actions(action);
        let (certificates, ssl_policy) = tls(action);
        self.elb
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

    async fn delete_listener(&self, arn: &str) -> CallResult<()> {
        self.elb
            .delete_listener()
            .listener_arn(arn)
            .send()
            .await
            .map_err(aws_error("DeleteListener"))?;
        Ok(())
    }

    async fn rules(&self, listener_arn: &str) -> CallResult<Vec<Rule>> {
        let described = self
            .elb
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

    async fn create_rule(
        &self,
        listener_arn: &str,
        settings: &RuleSettings,
        tags: &[Tag],
    ) -> CallResult<String> {
        let created = self
            .elb
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

    async fn delete_rule(&self, arn: &str) -> CallResult<()> {
        self.elb
            .delete_rule()
            .rule_arn(arn)
            .send()
            .await
            .map_err(aws_error("DeleteRule"))?;
        Ok(())
    }

    async fn bucket_names(&self) -> CallResult<Vec<String>> {
        let listed = self
            .s3
            .list_buckets()
            .send()
            .await
            .map_err(aws_error("ListBuckets"))?;
        listed
            .buckets()
            .iter()
            .map(|bucket| bucket.name().required("Bucket.Name").map(str::to_owned))
            .collect()
    }

    async fn create_bucket(&self, name: &str, tags: &[Tag]) -> CallResult<()> {
        let location = s3::CreateBucketConfiguration::builder()
            .location_constraint(s3::BucketLocationConstraint::UsWest2)
            .build();
        self.s3
            .create_bucket()
            .bucket(name)
            .create_bucket_configuration(location)
            .send()
            .await
            .map_err(aws_error("CreateBucket"))?;
        let tag_set = tags
            .iter()
            .map(|tag| {
                s3::Tag::builder()
                    .key(tag.key)
                    .value(&tag.value)
                    .build()
                    .expect(BUILT)
            })
            .collect();
        self.s3
            .put_bucket_tagging()
            .bucket(name)
            .tagging(
                s3::Tagging::builder()
                    .set_tag_set(Some(tag_set))
                    .build()
                    .expect(BUILT),
            )
            .send()
            .await
            .map_err(aws_error("PutBucketTagging"))?;
        Ok(())
    }

    async fn configure_bucket(&self, settings: &BucketSettings) -> CallResult<()> {
        let name = settings.name.as_str();
        let block = s3::PublicAccessBlockConfiguration::builder()
            .block_public_acls(true)
            .ignore_public_acls(true)
            .block_public_policy(true)
            .restrict_public_buckets(true)
            .build();
        self.s3
            .put_public_access_block()
            .bucket(name)
            .public_access_block_configuration(block)
            .send()
            .await
            .map_err(aws_error("PutPublicAccessBlock"))?;
        // ALB access logs support only SSE-S3 (ELB user guide, "Access log files": "the only
        // server-side encryption option that's supported is Amazon S3-managed keys (SSE-S3)").
        let sse = s3::ServerSideEncryptionByDefault::builder()
            .sse_algorithm(s3::ServerSideEncryption::Aes256)
            .build()
            .expect(BUILT);
        let encryption = s3::ServerSideEncryptionConfiguration::builder()
            .rules(
                s3::ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(sse)
                    .build(),
            )
            .build()
            .expect(BUILT);
        self.s3
            .put_bucket_encryption()
            .bucket(name)
            .server_side_encryption_configuration(encryption)
            .send()
            .await
            .map_err(aws_error("PutBucketEncryption"))?;
        self.s3
            .put_bucket_policy()
            .bucket(name)
            .policy(&settings.policy)
            .send()
            .await
            .map_err(aws_error("PutBucketPolicy"))?;
        let rule = s3::LifecycleRule::builder()
            .id("expire-access-logs")
            .status(s3::ExpirationStatus::Enabled)
            .filter(s3::LifecycleRuleFilter::builder().prefix("").build())
            .expiration(
                s3::LifecycleExpiration::builder()
                    .days(settings.expiry_days)
                    .build(),
            )
            .build()
            .expect(BUILT);
        let lifecycle = s3::BucketLifecycleConfiguration::builder()
            .rules(rule)
            .build()
            .expect(BUILT);
        self.s3
            .put_bucket_lifecycle_configuration()
            .bucket(name)
            .lifecycle_configuration(lifecycle)
            .send()
            .await
            .map_err(aws_error("PutBucketLifecycleConfiguration"))?;
        Ok(())
    }

    async fn empty_bucket(&self, name: &str) -> CallResult<()> {
        // Each round deletes up to a page (1000 objects, the DeleteObjects limit too) and lists again.
        loop {
            let listed = self
                .s3
                .list_objects_v2()
                .bucket(name)
                .send()
                .await
                .map_err(aws_error("ListObjectsV2"))?;
            let objects = listed
                .contents()
                .iter()
                .map(|object| {
                    let key = object.key().required("Object.Key")?;
                    Ok(s3::ObjectIdentifier::builder()
                        .key(key)
                        .build()
                        .expect(BUILT))
                })
                .collect::<CallResult<Vec<_>>>()?;
            if objects.is_empty() {
                return Ok(());
            }
            let delete = s3::Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .expect(BUILT);
            self.s3
                .delete_objects()
                .bucket(name)
                .delete(delete)
                .send()
                .await
                .map_err(aws_error("DeleteObjects"))?;
        }
    }

    async fn delete_bucket(&self, name: &str) -> CallResult<()> {
        self.s3
            .delete_bucket()
            .bucket(name)
            .send()
            .await
            .map_err(aws_error("DeleteBucket"))?;
        Ok(())
    }
}
