//! What runs behind the load balancer: the image, its port, its health check.

use super::field::{bounded_integer, SpecField};
use crate::arn::ArnScope;
use serde::{Deserialize, Serialize};

bounded_integer!(
    /// The port the container listens on. At least 1024 because the container runs as a non-root
    /// user (control ECS.20), which cannot bind a privileged port.
    ContainerPort: u16, 1024, 65535, "a port number from 1024 to 65535 (the container runs as non-root)"
);

bounded_integer!(
    /// Seconds a draining target keeps its connections (ELB allows 0–3600; the ELB default of 300
    /// makes every PR teardown wait five minutes, so PR environments default to 30).
    DeregistrationDelaySeconds: u16, 0, 3600, "a whole number of seconds from 0 to 3600"
);

/// A container image reference (`repository[:tag][@digest]`), at most 255 characters as ECS allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContainerImage(String);

impl ContainerImage {
    const MAX_LEN: usize = 255;

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The private ECR repository the image is pulled from, if it is in one.
    pub fn ecr_repository(&self) -> Option<EcrRepository> {
        EcrRepository::of_image(&self.0)
    }
}

/// A private ECR repository, named by an image `<account>.dkr.ecr.<region>.amazonaws.com/<name>`
/// followed by `:tag` and/or `@digest` (ECR user guide, "Pushing a Docker image").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrRepository {
    pub account: String,
    pub region: String,
    pub name: String,
}

impl EcrRepository {
    /// `None` for any other registry (Docker Hub, ECR Public, a private registry elsewhere).
    pub fn of_image(image: &str) -> Option<Self> {
        let (host, rest) = image.split_once('/')?;
        let parts: Vec<&str> = host.split('.').collect();
        let [account, "dkr", "ecr", region, "amazonaws", "com"] = parts.as_slice() else {
            return None;
        };
        let name = rest.split(['@', ':']).next().unwrap_or_default();
        Some(Self {
            account: (*account).to_owned(),
            region: (*region).to_owned(),
            name: name.to_owned(),
        })
    }

    pub fn arn(&self) -> String {
        ArnScope::new(&self.region, &self.account)
            .regional("ecr", &format!("repository/{}", self.name))
    }
}

impl TryFrom<String> for ContainerImage {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let allowed_char = |c: char| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.' | '/' | '#' | '@')
        };
        if value.is_empty() || value.len() > Self::MAX_LEN || !value.chars().all(allowed_char) {
            return Err(Self::ALLOWED.to_owned());
        }
        if value.ends_with(':') || value.ends_with('/') || value.starts_with('/') {
            return Err("is not a complete image reference (repository[:tag][@digest])".to_owned());
        }
        Ok(Self(value))
    }
}

impl From<ContainerImage> for String {
    fn from(value: ContainerImage) -> Self {
        value.0
    }
}

impl SpecField for ContainerImage {
    const ALLOWED: &'static str = "an image reference of 1 to 255 letters, digits and - _ : . / # @, such as public.ecr.aws/acme/catalog-api:1.4.2";
}

/// The HTTP path the load balancer probes: starts with `/`, at most 1024 characters (ELB's limit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HealthCheckPath(String);

impl HealthCheckPath {
    const MAX_LEN: usize = 1024;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for HealthCheckPath {
    fn default() -> Self {
        Self("/health".to_owned())
    }
}

impl TryFrom<String> for HealthCheckPath {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let printable = value.chars().all(|c| c.is_ascii_graphic());
        if value.starts_with('/') && value.len() <= Self::MAX_LEN && printable {
            Ok(Self(value))
        } else {
            Err(Self::ALLOWED.to_owned())
        }
    }
}

impl From<HealthCheckPath> for String {
    fn from(value: HealthCheckPath) -> Self {
        value.0
    }
}

impl SpecField for HealthCheckPath {
    const ALLOWED: &'static str =
        "a path starting with / of at most 1024 printable characters without spaces, such as /health";
}

/// How a new task definition reaches traffic (ECS developer guide, "Deploy Amazon ECS services").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeploymentStrategy {
    /// ECS replaces tasks in place behind the blue target group (minimum healthy 100 %, maximum 200 %).
    #[default]
    Rolling,
    /// ECS native blue/green: the new revision starts behind the green target group, takes the test
    /// listener's traffic, then the production listener's, and the old one is kept until it bakes.
    BlueGreen,
}

impl SpecField for DeploymentStrategy {
    const ALLOWED: &'static str = "\"rolling\" (tasks replaced in place) or \"blueGreen\" (ECS blue/green through the green target group)";
}

/// The CPU architecture the tasks run on; the image must be built for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CpuArchitecture {
    #[default]
    #[serde(rename = "x86_64")]
    X86_64,
    /// Graviton: about 20 % cheaper per vCPU-hour on Fargate (docs/pricing.md), for arm64 images.
    #[serde(rename = "arm64")]
    Arm64,
}

impl CpuArchitecture {
    /// The value ECS's `RuntimePlatform.cpuArchitecture` takes.
    pub fn ecs_name(self) -> &'static str {
        match self {
            CpuArchitecture::X86_64 => "X86_64",
            CpuArchitecture::Arm64 => "ARM64",
        }
    }
}

impl SpecField for CpuArchitecture {
    const ALLOWED: &'static str = "\"x86_64\" or \"arm64\" (the image must be built for it)";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ecr_registry_hosts_name_a_repository() {
        assert_eq!(EcrRepository::of_image("nginx"), None);
        assert_eq!(EcrRepository::of_image("docker.io/library/nginx:1"), None);
        assert_eq!(
            EcrRepository::of_image("public.ecr.aws/acme/catalog-api:1"),
            None
        );
        let image = ContainerImage::try_from(
            "1.dkr.ecr.us-east-1.amazonaws.com/team/api:2@sha256:ab".to_owned(),
        )
        .unwrap();
        let repository = image.ecr_repository().unwrap();
        assert_eq!(
            repository,
            EcrRepository {
                account: "1".into(),
                region: "us-east-1".into(),
                name: "team/api".into()
            }
        );
        assert_eq!(
            repository.arn(),
            "arn:aws:ecr:us-east-1:1:repository/team/api"
        );
    }

    #[test]
    fn image_references_with_tag_or_digest_are_accepted() {
        for image in [
            "public.ecr.aws/acme/catalog-api:1.4.2",
            "123456789012.dkr.ecr.us-west-2.amazonaws.com/catalog@sha256:abc123",
            "nginx",
        ] {
            assert_eq!(
                ContainerImage::try_from(image.to_owned()).unwrap().as_str(),
                image
            );
        }
    }

    #[test]
    fn incomplete_image_references_are_rejected() {
        for image in ["acme/api:", "/api", "acme/"] {
            assert_eq!(
                ContainerImage::try_from(image.to_owned()).unwrap_err(),
                "is not a complete image reference (repository[:tag][@digest])"
            );
        }
        assert_eq!(
            ContainerImage::try_from("a".repeat(256)).unwrap_err(),
            ContainerImage::ALLOWED
        );
    }

    #[test]
    fn strategies_and_architectures_read_as_written() {
        let strategy: DeploymentStrategy = serde_json::from_str("\"blueGreen\"").unwrap();
        assert_eq!(strategy, DeploymentStrategy::BlueGreen);
        assert_eq!(DeploymentStrategy::default(), DeploymentStrategy::Rolling);
        let arm: CpuArchitecture = serde_json::from_str("\"arm64\"").unwrap();
        assert_eq!(arm.ecs_name(), "ARM64");
        assert_eq!(CpuArchitecture::default().ecs_name(), "X86_64");
        assert!(serde_json::from_str::<CpuArchitecture>("\"ARM64\"").is_err());
    }

    #[test]
    fn health_check_path_defaults_to_slash_health() {
        assert_eq!(HealthCheckPath::default().as_str(), "/health");
        assert!(HealthCheckPath::try_from("/ready?full=1".to_owned()).is_ok());
        assert!(HealthCheckPath::try_from("health".to_owned()).is_err());
        assert!(HealthCheckPath::try_from("/he alth".to_owned()).is_err());
    }
}
