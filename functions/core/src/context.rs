//! What every step of a component's convergence works from: the cloud it calls, the spec, the
//! names and tags derived from it once per request, and whatever the earlier components handed on.

use crate::contract::Request;
use crate::naming::Names;
use crate::spec::{EnvironmentSpec, SpecFields};
use crate::tags::{environment_tags, Tag};

#[derive(Debug)]
pub struct Context<'a, C, I = ()> {
    pub cloud: &'a C,
    pub spec: &'a EnvironmentSpec,
    pub names: Names<'a>,
    /// The environment's tags, their expiry counted from the request's start.
    pub tags: Vec<Tag>,
    /// What the earlier components handed on, read before any call.
    pub inputs: I,
}

impl<'a, C> Context<'a, C> {
    pub fn new(cloud: &'a C, request: &'a Request) -> Self {
        Self {
            cloud,
            spec: &request.spec,
            names: Names::new(request.spec.suffix()),
            tags: environment_tags(&request.spec, request.started_at),
            inputs: (),
        }
    }

    /// This context with `inputs`.
    pub fn with<I>(self, inputs: I) -> Context<'a, C, I> {
        Context {
            cloud: self.cloud,
            spec: self.spec,
            names: self.names,
            tags: self.tags,
            inputs,
        }
    }
}

impl<'a, C, I> Context<'a, C, I> {
    pub fn fields(&self) -> &'a SpecFields {
        self.spec.fields()
    }

    /// The environment tag's value, the spec's suffix.
    pub fn environment(&self) -> &'a str {
        self.spec.suffix().as_str()
    }

    /// The environment's tags and a `Name`.
    pub fn tags_named(&self, name: String) -> Vec<Tag> {
        let mut tags = self.tags.clone();
        tags.push(Tag {
            key: "Name",
            value: name,
        });
        tags
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::Event;
    use crate::naming::NameKind;
    use serde_json::json;

    #[test]
    fn names_tags_and_inputs_come_from_the_one_request() {
        let request = Request::from_event(json!({
            "action": "create",
            "spec": {
                "environmentSuffix": "pr-9",
                "containerImage": "nginx:1",
                "selfSignedCertificate": true,
                "ttlHours": 2
            },
            "startedAt": "2026-12-05T10:00:00Z"
        }))
        .unwrap();
        let cloud = "a cloud";
        let cx = Context::new(&cloud, &request).with(42);
        assert_eq!(cx.inputs, 42);
        assert_eq!(*cx.cloud, "a cloud");
        assert_eq!(cx.environment(), "pr-9");
        assert_eq!(
            cx.names.of(NameKind::Vpc),
            Names::new(request.spec.suffix()).of(NameKind::Vpc)
        );
        assert_eq!(cx.fields().container_image.as_str(), "nginx:1");
        let named = cx.tags_named("vpc-pr-9".into());
        assert_eq!(named.len(), cx.tags.len() + 1);
        assert_eq!(
            named.last().map(|tag| (tag.key, tag.value.as_str())),
            Some(("Name", "vpc-pr-9"))
        );
        let expiry = cx
            .tags
            .iter()
            .find(|tag| tag.key == crate::tags::EXPIRES_AT);
        assert_eq!(
            expiry.map(|tag| tag.value.as_str()),
            Some("2026-12-05T12:00:00Z")
        );
    }
}
