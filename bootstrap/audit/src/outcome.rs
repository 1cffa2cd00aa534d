//! One check's result: pass, findings (what is wrong where, and how to fix it), or a documented waiver.

use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub resource: String,
    pub problem: String,
    pub fix: String,
}

impl Finding {
    pub fn new(resource: impl Into<String>, problem: impl Into<String>, fix: &str) -> Self {
        Self {
            resource: resource.into(),
            problem: problem.into(),
            fix: fix.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Findings(Vec<Finding>),
    /// An exception the environment's own settings call for, with the setting and the reason.
    Waived {
        setting: String,
        reason: String,
    },
}

impl Outcome {
    /// Pass when nothing was found.
    pub fn from_findings(findings: Vec<Finding>) -> Self {
        if findings.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Findings(findings)
        }
    }

    pub fn waived(setting: &str, reason: &str) -> Self {
        Outcome::Waived {
            setting: setting.to_owned(),
            reason: reason.to_owned(),
        }
    }

    /// The tests read findings back; the report writes them through [`Outcome::to_json`].
    #[cfg(test)]
    pub fn findings(&self) -> &[Finding] {
        match self {
            Outcome::Findings(findings) => findings,
            _ => &[],
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Findings(_) => "finding",
            Outcome::Waived { .. } => "waived",
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            Outcome::Pass => json!({"result": "pass"}),
            Outcome::Findings(findings) => json!({
                "result": "finding",
                "findings": findings
                    .iter()
                    .map(|f| json!({"resource": f.resource, "problem": f.problem, "fix": f.fix}))
                    .collect::<Vec<_>>(),
            }),
            Outcome::Waived { setting, reason } => {
                json!({"result": "waived", "setting": setting, "reason": reason})
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_findings_is_a_pass_and_each_outcome_has_its_json_shape() {
        assert_eq!(Outcome::from_findings(vec![]), Outcome::Pass);
        assert_eq!(Outcome::Pass.to_json(), json!({"result": "pass"}));
        assert_eq!(Outcome::Pass.label(), "pass");
        let finding = Outcome::from_findings(vec![Finding::new("sg-1", "open", "close it")]);
        assert_eq!(finding.label(), "finding");
        assert_eq!(finding.findings().len(), 1);
        assert_eq!(
            finding.to_json(),
            json!({"result": "finding", "findings": [{"resource": "sg-1", "problem": "open", "fix": "close it"}]})
        );
        let waived = Outcome::waived("forceDestroy: true", "a throwaway environment");
        assert_eq!(waived.label(), "waived");
        assert!(waived.findings().is_empty());
        assert_eq!(
            waived.to_json(),
            json!({"result": "waived", "setting": "forceDestroy: true", "reason": "a throwaway environment"})
        );
    }
}
