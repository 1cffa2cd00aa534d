//! Unit tests of the command line side.

use super::*;

fn args(suffix: Option<&str>, pr: Option<u32>) -> LocalArgs {
    LocalArgs {
        suffix: suffix.map(str::to_owned),
        pr,
        no_deploy: false,
        place: Place {
            spec: None,
            functions: None,
            project: None,
            work_dir: None,
            pool_size: None,
            pool_spec: None,
        },
    }
}

#[test]
fn the_environment_is_the_suffix_given_else_the_pull_requests_else_the_demo() {
    assert_eq!(args(Some("mine"), Some(7)).suffix(), "mine");
    assert_eq!(args(None, Some(7)).suffix(), "pr-7");
    assert_eq!(args(None, None).suffix(), "demo");
    let spec = args(None, Some(7)).spec().unwrap();
    assert_eq!(
        (
            spec.suffix().as_str(),
            spec.fields().pull_request.map(|n| n.get())
        ),
        ("pr-7", Some(7))
    );
    assert_eq!(args(None, None).spec().unwrap().fields().pull_request, None);
}
