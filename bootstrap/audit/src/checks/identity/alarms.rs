//! The environment's alarms: each notifies someone (CloudWatch.15/17).

use crate::checks::missing;
use crate::facts::Environment;
use crate::outcome::{Finding, Outcome};

pub(super) fn alarm_actions(env: &Environment) -> Outcome {
    if env.alarms.is_empty() {
        return missing("alarms", "run the monitoring component's create again");
    }
    Outcome::from_findings(
        env.alarms
            .iter()
            .filter(|a| !a.actions_enabled || a.alarm_actions == 0)
            .map(|a| {
                Finding::new(
                    format!("alarm {}", a.name),
                    "no enabled alarm action",
                    "notify the environment's alarm topic, actions enabled",
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use crate::checks::sample::{compliant, fired};
    use crate::facts::Alarm;

    #[test]
    fn alarms_need_an_enabled_action() {
        let mut env = compliant();
        env.alarms.push(Alarm {
            name: "alarm-x".into(),
            actions_enabled: false,
            alarm_actions: 1,
        });
        assert_eq!(
            fired(&env, "CloudWatch.15/17"),
            ["alarm alarm-x: no enabled alarm action"]
        );
    }
}
