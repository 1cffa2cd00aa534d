//! Route 53 in the emulator, as the tests need it.

/// A hosted zone named `name` whose id is AWS-shaped (`Z…`), as the spec requires: moto draws the
/// first character at random, so zones are drawn until one starts with Z and the others dropped.
pub async fn aws_shaped_zone(config: &aws_config::SdkConfig, name: &str) -> String {
    let route53 = aws_sdk_route53::Client::new(config);
    for attempt in 0..500 {
        let zone = route53
            .create_hosted_zone()
            .name(name)
            .caller_reference(format!("{name}-{attempt}"))
            .send()
            .await
            .expect("the emulator makes the zone");
        let id = zone
            .hosted_zone()
            .expect("a zone")
            .id()
            .trim_start_matches("/hostedzone/")
            .to_owned();
        if id.starts_with('Z') {
            return id;
        }
        route53
            .delete_hosted_zone()
            .id(&id)
            .send()
            .await
            .expect("the emulator deletes the zone");
    }
    panic!("moto gave no Z… zone id for {name}");
}
