//! Who is told when something goes wrong, and at which thresholds the alarms fire.

use super::field::{bounded_integer, SpecField};
use serde::{Deserialize, Serialize};

bounded_integer!(
    /// An alarm threshold in percent of a capacity (CPU, connections, ACUs, memory). Below 10 the
    /// alarm fires on an idle environment; at 100 a "greater than" alarm can never fire.
    AlarmPercent: u8, 10, 99, "a whole percentage from 10 to 99"
);

bounded_integer!(
    /// The p99 response time, in milliseconds, above which the latency alarms fire. Up to 60 s, the
    /// load balancer's default idle timeout: a request slower than that has already failed.
    LatencyAlarmMs: u32, 10, 60_000, "a whole number of milliseconds from 10 to 60000"
);

/// The address the alarm topic mails (an SNS email subscription, confirmed by its owner).
///
/// Checked for plausibility only: one `@`, a local part of 1–64 characters and a dotted domain
/// (RFC 5321's limits: 64 for the local part, 254 for the whole path), no spaces or control
/// characters. Whether it receives mail is for the confirmation message to find out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AlarmEmail(String);

impl AlarmEmail {
    const MAX_LEN: usize = 254;
    const MAX_LOCAL_LEN: usize = 64;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AlarmEmail {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let printable = value.chars().all(|c| c.is_ascii_graphic());
        let plausible = match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && local.len() <= Self::MAX_LOCAL_LEN
                    && !domain.contains('@')
                    && domain.split('.').count() >= 2
                    && domain.split('.').all(|label| !label.is_empty())
            }
            None => false,
        };
        if printable && plausible && value.len() <= Self::MAX_LEN {
            Ok(Self(value))
        } else {
            Err(Self::ALLOWED.to_owned())
        }
    }
}

impl From<AlarmEmail> for String {
    fn from(value: AlarmEmail) -> Self {
        value.0
    }
}

impl SpecField for AlarmEmail {
    const ALLOWED: &'static str =
        "an email address such as oncall@example.com (at most 254 characters)";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_addresses_are_accepted() {
        for address in ["oncall@example.com", "a.b+alarms@mail.example.co.uk"] {
            assert_eq!(
                AlarmEmail::try_from(address.to_owned()).unwrap().as_str(),
                address
            );
        }
    }

    #[test]
    fn implausible_addresses_are_rejected() {
        let too_long = format!("{}@example.com", "a".repeat(250));
        let long_local = format!("{}@example.com", "a".repeat(65));
        for address in [
            "oncall",
            "@example.com",
            "oncall@",
            "oncall@localhost",
            "oncall@example..com",
            "on call@example.com",
            "a@b@example.com",
            too_long.as_str(),
            long_local.as_str(),
        ] {
            assert_eq!(
                AlarmEmail::try_from(address.to_owned()).unwrap_err(),
                AlarmEmail::ALLOWED,
                "{address}"
            );
        }
    }
}
