//! The private ECR repository of the service's image, when it has one (ECR.1/2/3).

use crate::facts::Environment;
use crate::outcome::{Finding, Outcome};

pub(super) fn repositories(env: &Environment) -> Outcome {
    let Some(wanted) = &env.image_repository else {
        return Outcome::waived(
            "containerImage",
            "the image is not in a private ECR repository, the only kind ECR.1/2/3 apply to",
        );
    };
    let (problem, fix) = match &env.repository {
        None => (
            format!(
                "not found in registry {} ({})",
                wanted.account, wanted.region
            ),
            "push the image to that repository, or correct containerImage",
        ),
        Some(r) if r.scan_on_push && r.immutable_tags && r.lifecycle_policy => {
            return Outcome::Pass
        }
        Some(_) => (
            "scan on push, immutable tags or a lifecycle policy is missing".to_owned(),
            "turn on scan on push and tag immutability, and add a lifecycle policy",
        ),
    };
    Outcome::Findings(vec![Finding::new(
        format!("repository {}", wanted.name),
        problem,
        fix,
    )])
}

#[cfg(test)]
mod tests {
    use crate::checks::sample::{compliant, fired};
    use crate::facts::{Environment, Repository};
    use env_core::spec::service::EcrRepository;

    #[test]
    fn a_private_repository_scans_keeps_its_tags_and_expires_images() {
        let mut env = compliant();
        env.repository = Some(Repository {
            scan_on_push: true,
            immutable_tags: false,
            lifecycle_policy: true,
        });
        let ecr = |env: &Environment| {
            let checks = crate::checks::run(env);
            let check = checks.into_iter().find(|c| c.id == "ECR.1/2/3").unwrap();
            check.outcome.label()
        };
        // Waived while the image is not in a private ECR repository, whatever else is there.
        assert_eq!(ecr(&env), "waived");
        env.image_repository = Some(EcrRepository {
            account: "123456789012".into(),
            region: "us-east-1".into(),
            name: "catalog".into(),
        });
        assert_eq!(
            fired(&env, "ECR.1/2/3"),
            ["repository catalog: scan on push, immutable tags or a lifecycle policy is missing"]
        );
        env.repository = Some(Repository {
            scan_on_push: true,
            immutable_tags: true,
            lifecycle_policy: true,
        });
        assert_eq!(ecr(&env), "pass");
        env.repository = None;
        assert_eq!(
            fired(&env, "ECR.1/2/3"),
            ["repository catalog: not found in registry 123456789012 (us-east-1)"]
        );
    }
}
