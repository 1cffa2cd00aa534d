//! The load balancer's certificate in ACM: one given by ARN, one generated here and imported
//! (self-signed), or one requested with DNS validation, whose records go into the hosted zone.

use crate::api::{CallResult, Certificate, Cloud, LoadBalancer};
use crate::certificate::self_signed;
use crate::handler::EdgeError;
use crate::tolerate::tolerate;
use env_core::context::Context;
use env_core::naming::{NameKind, Names};
use env_core::spec::{CertificateMode, EnvironmentSpec};
use std::time::SystemTime;

/// The certificate this environment created (self-signed or requested), found by its tags.
async fn own_certificate<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    names: Names<'_>,
) -> CallResult<Option<String>> {
    let name = names.of(NameKind::Certificate);
    let environment = spec.suffix().as_str();
    Ok(cloud
        .certificates()
        .await?
        .into_iter()
        .find(|cert| {
            cert.name.as_deref() == Some(name.as_str())
                && cert.environment.as_deref() == Some(environment)
        })
        .map(|cert| cert.arn))
}

/// The certificate this environment created, found by its tags; never one given by ARN, which
/// belongs to someone else.
pub async fn created<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    names: Names<'_>,
) -> CallResult<Option<String>> {
    if matches!(spec.certificate(), CertificateMode::Existing(_)) {
        return Ok(None);
    }
    own_certificate(cloud, spec, names).await
}

/// The certificate as ACM describes it; one that does not exist cannot serve the listener.
pub async fn describe<C: Cloud>(cloud: &C, arn: String) -> Result<Certificate, EdgeError> {
    match cloud.certificate(&arn).await? {
        Some(cert) => Ok(cert),
        None => Err(EdgeError::CertificateMissing(arn)),
    }
}

/// Whether the certificate can serve HTTPS now; a certificate that never will is an error.
pub fn issued(arn: &str, status: &str) -> Result<bool, EdgeError> {
    match status {
        "ISSUED" => Ok(true),
        "PENDING_VALIDATION" => Ok(false),
        _ => Err(EdgeError::CertificateUnusable {
            arn: arn.to_owned(),
            status: status.to_owned(),
        }),
    }
}

/// The certificate's ARN and whether it is issued.
pub async fn ensure<C: Cloud>(
    cx: &Context<'_, C>,
    lb: &LoadBalancer,
) -> Result<(String, bool), EdgeError> {
    let (cloud, spec, names) = (cx.cloud, cx.spec, cx.names);
    let tags = cx.tags_named(names.of(NameKind::Certificate));
    let arn = match spec.certificate() {
        CertificateMode::Existing(arn) => arn.as_str().to_owned(),
        CertificateMode::SelfSigned => match own_certificate(cloud, spec, names).await? {
            Some(arn) => arn,
            None => {
                // For the load balancer's own DNS name, the only name a throwaway environment
                // is reached by (as the subject alternative name: it is longer than the 64
                // characters X.509 allows a common name, RFC 5280 `ub-common-name`).
                let common_name = names.of(NameKind::Certificate);
                let (pem, key) = self_signed(&common_name, &lb.dns_name, SystemTime::now())?;
                cloud.import_certificate(&pem, &key, &tags).await?
            }
        },
        CertificateMode::DnsValidated { domain_name, .. } => {
            match own_certificate(cloud, spec, names).await? {
                Some(arn) => arn,
                None => {
                    let token = request_token(spec);
                    cloud
                        .request_certificate(domain_name.as_str(), &token, &tags)
                        .await?
                }
            }
        }
    };
    let cert = describe(cloud, arn).await?;
    if let CertificateMode::DnsValidated { hosted_zone_id, .. } = spec.certificate() {
        // ACM may take a moment to publish the records after the request: written on a later call.
        for record in &cert.validation_records {
            cloud
                .change_record(hosted_zone_id.as_str(), record, true)
                .await?;
        }
    }
    Ok((cert.arn.clone(), issued(&cert.arn, &cert.status)?))
}

/// ACM's idempotency token: letters, digits and `_`, at most 32 (ACM API reference,
/// RequestCertificate). A suffix has at most 23 characters and never an `_`, so this is unique.
pub fn request_token(spec: &EnvironmentSpec) -> String {
    spec.suffix().as_str().replace('-', "_")
}

/// Deletes the certificate this environment created (never one given by ARN) with its validation
/// records; whether there was one. One still in use until ACM sees the load balancer gone is
/// deleted by the next call.
pub async fn delete<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    names: Names<'_>,
) -> CallResult<bool> {
    let Some(arn) = created(cloud, spec, names).await? else {
        return Ok(false);
    };
    if let (CertificateMode::DnsValidated { hosted_zone_id, .. }, Some(cert)) =
        (spec.certificate(), cloud.certificate(&arn).await?)
    {
        for record in &cert.validation_records {
            // Already deleted: Route 53 refuses the change with InvalidChangeBatch.
            let deleted = cloud
                .change_record(hosted_zone_id.as_str(), record, false)
                .await;
            tolerate(deleted, &["InvalidChangeBatch"])?;
        }
    }
    tolerate(
        cloud.delete_certificate(&arn).await,
        &["ResourceInUseException"],
    )?;
    Ok(true)
}
