//! The self-signed certificate of a throwaway environment, generated here and imported into ACM.

use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, PKCS_ECDSA_P256_SHA256};
use std::time::SystemTime;
use time::{Duration, OffsetDateTime};

/// A year: longer than any PR environment lives (`ttlHours` is at most 720).
pub const VALIDITY_DAYS: i64 = 365;

/// A certificate for `dns_name` and its private key, both PEM. ECDSA P-256, one of the two key
/// types ACM.2 accepts (RSA 2048 being the other) and the cheaper one to generate. Valid from a day
/// before `now`, so a client whose clock is a little behind still accepts it.
pub fn self_signed(
    common_name: &str,
    dns_name: &str,
    now: SystemTime,
) -> Result<(String, String), rcgen::Error> {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    let mut params = CertificateParams::new(vec![dns_name.to_owned()])?;
    let mut subject = DistinguishedName::new();
    subject.push(DnType::CommonName, common_name);
    params.distinguished_name = subject;
    let now = OffsetDateTime::from(now);
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(VALIDITY_DAYS);
    let certificate = params.self_signed(&key)?;
    Ok((certificate.pem(), key.serialize_pem()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_certificate_is_pem_with_a_p256_key() {
        let (pem, key) = self_signed(
            "cert-pr-1",
            "alb-pr-1-1.us-west-2.elb.amazonaws.com",
            SystemTime::now(),
        )
        .unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
        assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"), "{key}");
    }

    #[test]
    fn an_invalid_dns_name_is_refused() {
        let error = self_signed("cert-pr-1", "bücher.example", SystemTime::now()).unwrap_err();
        assert!(!error.to_string().is_empty());
    }
}
