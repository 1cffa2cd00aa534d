//! `envctl env audit`: an environment's live resources against docs/compliance.md, the loss of each
//! AZ in turn, and what it costs, in one report. Exits non-zero on any finding or any AZ it cannot
//! survive.

mod checks;
pub mod command;
mod facts;
mod outcome;
mod read;
mod zones;

use checks::Check;
use env_core::spec::EnvironmentSpec;
use envctl_cost::{self as cost, PriceTable};
use facts::Environment;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::io::Write;
use zones::ZoneLoss;

/// Everything the audit found about one environment.
#[derive(Debug)]
pub(crate) struct Report {
    pub environment: String,
    pub checks: Vec<Check>,
    pub zones: Vec<ZoneLoss>,
    pub cost: Vec<cost::Item>,
    pub prices: PriceTable,
}

impl Report {
    pub fn new(environment: &Environment, spec: &EnvironmentSpec) -> anyhow::Result<Self> {
        let prices = PriceTable::bundled()?;
        Ok(Self {
            environment: environment.suffix.clone(),
            checks: checks::run(environment),
            zones: zones::analyse(environment),
            cost: cost::estimate(spec, &prices)?,
            prices,
        })
    }

    fn count(&self, label: &str) -> usize {
        self.checks
            .iter()
            .filter(|c| c.outcome.label() == label)
            .count()
    }

    /// Clean when no control has a finding and the environment survives the loss of every AZ.
    pub fn clean(&self) -> bool {
        self.count("finding") == 0 && self.zones.iter().all(ZoneLoss::survives)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "environment": self.environment,
            "clean": self.clean(),
            "compliance": {
                "pass": self.count("pass"),
                "findings": self.count("finding"),
                "waived": self.count("waived"),
                "checks": self.checks.iter().map(|c| {
                    let mut check = c.outcome.to_json();
                    check["id"] = json!(c.id);
                    check["name"] = json!(c.name);
                    check
                }).collect::<Vec<_>>(),
            },
            "zones": self.zones.iter().map(ZoneLoss::to_json).collect::<Vec<_>>(),
            "cost": cost::to_json(&self.cost, &self.prices),
        })
    }

    pub fn to_text(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(
            text,
            "compliance of {}: {} checks, {} pass, {} finding(s), {} waived",
            self.environment,
            self.checks.len(),
            self.count("pass"),
            self.count("finding"),
            self.count("waived")
        );
        for check in &self.checks {
            let _ = writeln!(text, "  {:<8} {}", check.outcome.label(), check.name);
            match &check.outcome {
                outcome::Outcome::Pass => {}
                outcome::Outcome::Findings(findings) => {
                    for f in findings {
                        let _ = writeln!(
                            text,
                            "           {}: {} (fix: {})",
                            f.resource, f.problem, f.fix
                        );
                    }
                }
                outcome::Outcome::Waived { setting, reason } => {
                    let _ = writeln!(text, "           waived by {setting}: {reason}");
                }
            }
        }
        let _ = writeln!(text, "single-AZ failure:");
        for loss in &self.zones {
            if loss.survives() {
                let _ = writeln!(text, "  {:<12} survives", loss.zone);
            } else {
                let _ = writeln!(
                    text,
                    "  {:<12} does not survive: {}",
                    loss.zone,
                    loss.reasons.join("; ")
                );
            }
        }
        text.push_str(&cost::to_text(&self.cost, &self.prices));
        text
    }

    pub fn write(&self, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
        if json {
            writeln!(out, "{}", self.to_json())?;
        } else {
            out.write_all(self.to_text().as_bytes())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use checks::sample::compliant;

    fn spec() -> EnvironmentSpec {
        EnvironmentSpec::from_value(&json!({"environmentSuffix": "pr-42", "containerImage": "x", "selfSignedCertificate": true})).unwrap()
    }

    #[test]
    fn a_compliant_environment_reports_clean_with_its_waivers() {
        let report = Report::new(&compliant(), &spec()).unwrap();
        assert!(report.clean());
        let body = report.to_json();
        assert_eq!(body["clean"], true);
        assert_eq!(body["compliance"]["findings"], 0);
        // ELB.18 (the redirecting port-80 listener) and ECR.1/2/3 (the image is not in private ECR).
        assert_eq!(body["compliance"]["waived"], 2);
        assert_eq!(
            body["compliance"]["checks"][0]["name"],
            "fsbp-ec2-2-default-sg-closed"
        );
        assert_eq!(body["zones"].as_array().unwrap().len(), 3);
        assert_eq!(body["cost"]["priceTable"]["collected"], "2026-11");
        let text = report.to_text();
        assert!(
            text.starts_with("compliance of pr-42: 58 checks, 56 pass, 0 finding(s), 2 waived\n"),
            "{text}"
        );
        assert!(text.contains("  waived   fsbp-elb-18-https-listeners\n           waived by the port-80 listener: it only redirects"), "{text}");
        assert!(text.contains("  us-west-2a   survives\n"), "{text}");
        assert!(text.contains("collected 2026-11"), "{text}");
    }

    #[test]
    fn findings_and_lost_zones_make_it_unclean() {
        let mut env = compliant();
        env.network.default_group_rules = 1;
        let report = Report::new(&env, &spec()).unwrap();
        assert!(!report.clean());
        assert!(report.to_text().contains("  finding  fsbp-ec2-2-default-sg-closed\n           default security group of vpc-1: 1 rule(s) left (fix: revoke"));

        let mut env = compliant();
        env.database.as_mut().unwrap().instances.truncate(1);
        let report = Report::new(&env, &spec()).unwrap();
        assert!(!report.clean());
        assert!(report.to_text().contains("us-west-2a   does not survive: database: no Aurora instance outside us-west-2a to fail over to"));
        let mut json_out = Vec::new();
        report.write(true, &mut json_out).unwrap();
        let parsed: Value = serde_json::from_slice(&json_out).unwrap();
        assert_eq!(parsed["zones"][0]["survives"], false);
        let mut text_out = Vec::new();
        report.write(false, &mut text_out).unwrap();
        assert_eq!(String::from_utf8(text_out).unwrap(), report.to_text());
    }
}
