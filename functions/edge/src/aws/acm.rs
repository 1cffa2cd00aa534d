//! ACM: the certificates the edge finds by their tags, imports (self-signed), requests (DNS
//! validation) and deletes.

use super::BUILT;
use crate::api::{found, CallResult, Certificate, CertificateSummary, ValidationRecord};
use aws_sdk_acm::primitives::Blob;
use aws_sdk_acm::types as acm;
use aws_sdk_acm::Client;
use env_core::error::{aws_error, Required};
use env_core::tags::{self, Tag};

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

fn certificate_of(arn: &str, detail: &acm::CertificateDetail) -> CallResult<Certificate> {
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

pub(super) async fn certificates(client: &Client) -> CallResult<Vec<CertificateSummary>> {
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
    let summaries = client
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
        let listed = client
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

pub(super) async fn certificate(client: &Client, arn: &str) -> CallResult<Option<Certificate>> {
    let described = client
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
            certificate_of(arn, detail)
        })
        .transpose()
}

pub(super) async fn import_certificate(
    client: &Client,
    pem: &str,
    key_pem: &str,
    tags: &[Tag],
) -> CallResult<String> {
    let imported = client
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

pub(super) async fn request_certificate(
    client: &Client,
    domain: &str,
    token: &str,
    tags: &[Tag],
) -> CallResult<String> {
    let requested = client
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

pub(super) async fn delete_certificate(client: &Client, arn: &str) -> CallResult<()> {
    client
        .delete_certificate()
        .certificate_arn(arn)
        .send()
        .await
        .map_err(aws_error("DeleteCertificate"))?;
    Ok(())
}
