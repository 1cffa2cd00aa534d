//! Where the HTTPS listener's certificate comes from: exactly one of three sources.

use super::field::SpecField;
use serde::{Deserialize, Serialize};

/// The certificate source, resolved from the spec's flat fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateMode {
    /// Request an ACM certificate for the domain and validate it with records in the hosted zone.
    DnsValidated {
        domain_name: DomainName,
        hosted_zone_id: HostedZoneId,
    },
    /// Use an existing ACM certificate as given.
    Existing(CertificateArn),
    /// Generate a self-signed certificate and import it into ACM (throwaway PR environments).
    SelfSigned,
}

impl CertificateMode {
    pub const OPTIONS: &'static str = "exactly one certificate source: domainName with hostedZoneId (ACM, DNS-validated), certificateArn (an existing ACM certificate), or selfSignedCertificate: true";
}

/// A fully qualified domain name for an ACM certificate: at most 253 characters, labels of 1–63
/// letters, digits and hyphens (RFC 1035), a leading `*.` allowed for a wildcard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DomainName(String);

impl DomainName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DomainName {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let host = value.strip_prefix("*.").unwrap_or(&value);
        let labels: Vec<&str> = host.split('.').collect();
        let valid_label = |label: &&str| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if value.len() <= 253 && labels.len() >= 2 && labels.iter().all(valid_label) {
            Ok(Self(value.to_ascii_lowercase()))
        } else {
            Err(Self::ALLOWED.to_owned())
        }
    }
}

impl From<DomainName> for String {
    fn from(value: DomainName) -> Self {
        value.0
    }
}

impl SpecField for DomainName {
    const ALLOWED: &'static str =
        "a fully qualified domain name such as api.pr-42.example.com (at most 253 characters)";
}

/// A Route 53 hosted zone id such as `Z0123456789ABCDEFGHIJ`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HostedZoneId(String);

impl HostedZoneId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for HostedZoneId {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let id = value.strip_prefix("/hostedzone/").unwrap_or(&value);
        if id.starts_with('Z')
            && (2..=32).contains(&id.len())
            && id
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            Ok(Self(id.to_owned()))
        } else {
            Err(Self::ALLOWED.to_owned())
        }
    }
}

impl From<HostedZoneId> for String {
    fn from(value: HostedZoneId) -> Self {
        value.0
    }
}

impl SpecField for HostedZoneId {
    const ALLOWED: &'static str =
        "a Route 53 hosted zone id: Z followed by uppercase letters and digits";
}

/// An ACM certificate ARN in us-west-2, the region of the load balancer that will use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CertificateArn(String);

impl CertificateArn {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CertificateArn {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let rest = value.strip_prefix("arn:aws:acm:us-west-2:");
        let valid = rest
            .and_then(|rest| rest.split_once(":certificate/"))
            .is_some_and(|(account, id)| {
                account.len() == 12
                    && account.chars().all(|c| c.is_ascii_digit())
                    && !id.is_empty()
                    && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
            });
        if valid {
            Ok(Self(value))
        } else {
            Err(Self::ALLOWED.to_owned())
        }
    }
}

impl From<CertificateArn> for String {
    fn from(value: CertificateArn) -> Self {
        value.0
    }
}

impl SpecField for CertificateArn {
    const ALLOWED: &'static str = "an ACM certificate ARN in us-west-2: arn:aws:acm:us-west-2:<12-digit account>:certificate/<id>";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_names_are_lowercased_and_may_be_wildcards() {
        let name = DomainName::try_from("*.PR-42.Example.com".to_owned()).unwrap();
        assert_eq!(name.as_str(), "*.pr-42.example.com");
        for bad in [
            "localhost",
            "-a.example.com",
            "a..example.com",
            "a_b.example.com",
        ] {
            assert!(DomainName::try_from(bad.to_owned()).is_err(), "{bad}");
        }
    }

    #[test]
    fn hosted_zone_ids_may_carry_the_route53_prefix() {
        let id = HostedZoneId::try_from("/hostedzone/Z0123ABC".to_owned()).unwrap();
        assert_eq!(id.as_str(), "Z0123ABC");
        assert!(HostedZoneId::try_from("z0123".to_owned()).is_err());
    }

    #[test]
    fn certificate_arns_must_be_acm_in_us_west_2() {
        let arn =
            "arn:aws:acm:us-west-2:123456789012:certificate/12345678-90ab-cdef-1234-567890abcdef";
        assert_eq!(
            CertificateArn::try_from(arn.to_owned()).unwrap().as_str(),
            arn
        );
        for bad in [
            "arn:aws:acm:us-east-1:123456789012:certificate/1234",
            "arn:aws:acm:us-west-2:1234:certificate/1234",
            "arn:aws:acm:us-west-2:123456789012:certificate/",
            "arn:aws:acm:us-west-2:123456789012:key/1234",
        ] {
            assert!(CertificateArn::try_from(bad.to_owned()).is_err(), "{bad}");
        }
    }
}
