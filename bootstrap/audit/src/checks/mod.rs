//! Every row of docs/compliance.md as a check over the environment's facts, named with its control
//! ID.

mod cache;
mod database;
mod ecs;
mod identity;
mod load_balancer;
mod network;

#[cfg(test)]
pub(crate) mod sample;

use super::facts::Environment;
use super::outcome::Outcome;

/// One control: its ID as docs/compliance.md writes it, the check's name, and what it found.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub id: &'static str,
    pub name: &'static str,
    pub outcome: Outcome,
}

/// A control and the function that judges it.
pub(crate) type Control = (&'static str, &'static str, fn(&Environment) -> Outcome);

/// Runs every control, in the order of docs/compliance.md.
pub fn run(environment: &Environment) -> Vec<Check> {
    [
        network::CONTROLS.as_slice(),
        ecs::CONTROLS.as_slice(),
        load_balancer::CONTROLS.as_slice(),
        database::CONTROLS.as_slice(),
        cache::CONTROLS.as_slice(),
        identity::CONTROLS.as_slice(),
    ]
    .concat()
    .into_iter()
    .map(|(id, name, judge)| Check {
        id,
        name,
        outcome: judge(environment),
    })
    .collect()
}

/// A finding for a resource that should exist and does not.
pub(crate) fn missing(what: &str, fix: &str) -> Outcome {
    Outcome::Findings(vec![super::outcome::Finding::new(what, "not found", fix)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_compliant_environment_passes_every_control() {
        let checks = run(&sample::compliant());
        let failing: Vec<_> = checks
            .iter()
            .filter(|c| c.outcome.label() == "finding")
            .collect();
        assert!(failing.is_empty(), "{failing:#?}");
        // docs/compliance.md has 58 rows.
        assert_eq!(checks.len(), 58);
        let names: HashSet<_> = checks.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), checks.len(), "check names are unique");
    }

    #[test]
    fn an_empty_environment_fails_every_control_that_needs_a_resource() {
        let checks = run(&Environment::default());
        for check in &checks {
            let waivable = ["ECR.1/2/3"].contains(&check.id);
            assert!(waivable || check.outcome.label() == "finding", "{check:?}");
        }
    }
}
