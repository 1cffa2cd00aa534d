//! The load balancer's certificates: keys strong enough (ACM.2).

use crate::checks::missing;
use crate::facts::Environment;
use crate::outcome::{Finding, Outcome};

/// RSA of at least 2048 bits or an elliptic curve of at least 256 (ACM API reference, `KeyAlgorithm`).
fn strong_key(algorithm: &str) -> bool {
    matches!(
        algorithm,
        "RSA_2048" | "RSA_3072" | "RSA_4096" | "EC_prime256v1" | "EC_secp384r1" | "EC_secp521r1"
    )
}

pub(super) fn key_algorithm(env: &Environment) -> Outcome {
    if env.certificates.is_empty() {
        return missing("certificate", "run the edge component's create again");
    }
    Outcome::from_findings(
        env.certificates
            .iter()
            .filter(|c| !strong_key(&c.key_algorithm))
            .map(|c| {
                Finding::new(
                    c.arn.as_str(),
                    format!("key algorithm {}", c.key_algorithm),
                    "use RSA 2048 or ECDSA P-256 or stronger",
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::sample::{compliant, fired};

    #[test]
    fn certificates_need_a_strong_key() {
        let mut env = compliant();
        env.certificates[0].key_algorithm = "RSA_1024".into();
        assert_eq!(
            fired(&env, "ACM.2"),
            ["arn:aws:acm:us-west-2:123456789012:certificate/c-1: key algorithm RSA_1024"]
        );
        for algorithm in [
            "RSA_2048",
            "RSA_3072",
            "RSA_4096",
            "EC_prime256v1",
            "EC_secp384r1",
            "EC_secp521r1",
        ] {
            assert!(strong_key(algorithm), "{algorithm}");
        }
    }
}
