//! The environment's log groups: kept for a while, the application's exactly as long as promised,
//! and encrypted.

use crate::checks::missing;
use crate::facts::Environment;
use crate::outcome::{Finding, Outcome};

pub(super) fn log_groups(env: &Environment) -> Outcome {
    if env.log_groups.is_empty() {
        return missing(
            "log groups",
            "run the network and service components' create again",
        );
    }
    let app = format!("ecs-logs-{}", env.suffix);
    let mut findings = Vec::new();
    for group in &env.log_groups {
        match group.retention_days {
            None => findings.push(Finding::new(
                format!("log group {}", group.name),
                "kept forever",
                "set a retention period",
            )),
            Some(days) if group.name == app && days != env_core::LOG_RETENTION_DAYS => findings
                .push(Finding::new(
                    format!("log group {}", group.name),
                    format!("kept {days} days"),
                    "keep the application's logs exactly 14 days",
                )),
            Some(_) => {}
        }
        if group.kms_key_id.is_none() {
            findings.push(Finding::new(
                format!("log group {}", group.name),
                "not encrypted with a KMS key",
                "associate the environment's key",
            ));
        }
    }
    Outcome::from_findings(findings)
}

#[cfg(test)]
mod tests {
    use crate::checks::sample::{compliant, fired};

    #[test]
    fn log_groups_keep_logs_for_a_while_encrypted() {
        let mut env = compliant();
        env.log_groups[0].retention_days = Some(30);
        env.log_groups[1].retention_days = None;
        env.log_groups[1].kms_key_id = None;
        assert_eq!(
            fired(&env, "LOGS"),
            [
                "log group ecs-logs-pr-42: kept 30 days",
                "log group vpc-flow-logs-pr-42: kept forever",
                "log group vpc-flow-logs-pr-42: not encrypted with a KMS key",
            ]
        );
    }
}
