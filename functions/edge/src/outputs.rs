//! The edge's outputs, built in one place so that `status` answers exactly the keys and values
//! `create` answers for the same resources.

use crate::api::LoadBalancer;
use crate::load_balancer::arn_suffix;
use env_core::contract::Outputs;
use env_core::spec::{CertificateMode, EnvironmentSpec};
use serde_json::json;

/// What the outputs are made of: whatever was made or found, `None` for what is not there (yet).
#[derive(Debug)]
pub struct Parts<'a> {
    pub load_balancer: Option<&'a LoadBalancer>,
    pub https_listener: Option<&'a str>,
    /// The production and test rules.
    pub rules: Option<(&'a str, &'a str)>,
    /// Blue and green, both or none: the outputs name them together.
    pub target_groups: Option<&'a [String]>,
    pub certificate_arn: Option<&'a str>,
    pub bucket: Option<&'a str>,
}

pub fn outputs(spec: &EnvironmentSpec, parts: &Parts<'_>) -> Outputs {
    let mut out = Outputs::new();
    if let Some(lb) = parts.load_balancer {
        let host = match spec.certificate() {
            CertificateMode::DnsValidated { domain_name, .. } => domain_name.as_str(),
            _ => lb.dns_name.as_str(),
        };
        out.insert("loadBalancerArn".into(), json!(lb.arn));
        out.insert("loadBalancerArnSuffix".into(), json!(arn_suffix(&lb.arn)));
        out.insert("loadBalancerDnsName".into(), json!(lb.dns_name));
        out.insert("httpsUrl".into(), json!(format!("https://{host}")));
    }
    if let Some(https) = parts.https_listener {
        out.insert("httpsListenerArn".into(), json!(https));
    }
    if let Some((production, test)) = parts.rules {
        out.insert(
            "listenerRuleArns".into(),
            json!({"production": production, "test": test}),
        );
    }
    if let Some(groups) = parts.target_groups {
        out.insert(
            "targetGroupArns".into(),
            json!({"blue": groups[0], "green": groups[1]}),
        );
        let suffixes: Vec<&str> = groups.iter().map(|arn| arn_suffix(arn)).collect();
        out.insert("targetGroupArnSuffixes".into(), json!(suffixes));
    }
    if let Some(arn) = parts.certificate_arn {
        out.insert("certificateArn".into(), json!(arn));
    }
    if let Some(bucket) = parts.bucket {
        out.insert("accessLogBucket".into(), json!(bucket));
    }
    out
}
