//! The private ECR repository the spec's image comes from, when it comes from one: its scan, tag and
//! lifecycle settings (ECR.1/2/3). The repository may live in another account or Region than the
//! environment; it is asked for by registry (account) and in its own Region.

use crate::facts::Repository;
use aws_config::{Region, SdkConfig};
use aws_sdk_ecr::types::ImageTagMutability;
use env_core::error::{aws_error, found};
use env_core::spec::service::EcrRepository;

/// `None` when the repository does not exist (or this account cannot see it).
pub async fn read(
    config: &SdkConfig,
    repository: &EcrRepository,
) -> anyhow::Result<Option<Repository>> {
    let ecr = aws_sdk_ecr::Client::from_conf(
        aws_sdk_ecr::config::Builder::from(config)
            .region(Region::new(repository.region.clone()))
            .build(),
    );
    let described = ecr
        .describe_repositories()
        .registry_id(&repository.account)
        .repository_names(&repository.name)
        .send()
        .await;
    let described = described.map_err(aws_error("DescribeRepositories"));
    let settings = found(described, &["RepositoryNotFoundException"])?
        .and_then(|out| out.repositories().first().cloned());
    let Some(settings) = settings else {
        return Ok(None);
    };
    let policy = ecr
        .get_lifecycle_policy()
        .registry_id(&repository.account)
        .repository_name(&repository.name)
        .send()
        .await;
    let policy = policy.map_err(aws_error("GetLifecyclePolicy"));
    let policy = found(policy, &["LifecyclePolicyNotFoundException"])?;
    Ok(Some(Repository {
        scan_on_push: settings
            .image_scanning_configuration()
            .is_some_and(|s| s.scan_on_push()),
        immutable_tags: matches!(
            settings.image_tag_mutability(),
            Some(ImageTagMutability::Immutable | ImageTagMutability::ImmutableWithExclusion)
        ),
        lifecycle_policy: policy.is_some_and(|p| p.lifecycle_policy_text().is_some()),
    }))
}
