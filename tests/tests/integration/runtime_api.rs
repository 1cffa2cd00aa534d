//! With no arguments a function binary runs under the Lambda Runtime API, as it does in AWS.

use integration_tests::functions::run;
use integration_tests::runtime_api::{FakeRuntimeApi, Reported};
use serde_json::json;

#[test]
fn the_binary_answers_lambda_invocations_with_our_error_names() {
    let api = FakeRuntimeApi::serve(vec![
        json!({"environmentSuffix": "pr-7", "containerImage": "nginx", "selfSignedCertificate": true}),
        json!({"environmentSuffix": "pr-7"}),
        json!([1]),
    ]);
    let env = [
        ("AWS_LAMBDA_RUNTIME_API", api.address.clone()),
        ("AWS_LAMBDA_FUNCTION_NAME", "validate".to_owned()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".to_owned()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
    ];
    let output = run("validate", &[], "", &env);
    let reported = api.reported();
    assert_eq!(reported.len(), 3);
    let Reported::Response(spec) = &reported[0] else {
        panic!("{reported:?}")
    };
    assert_eq!(spec["maxTasks"], 10);
    let Reported::Error(missing_image) = &reported[1] else {
        panic!("{reported:?}")
    };
    assert_eq!(missing_image["errorType"], "InvalidSpec");
    assert!(missing_image["errorMessage"]
        .as_str()
        .unwrap()
        .contains("containerImage = (missing)"));
    let Reported::Error(not_an_object) = &reported[2] else {
        panic!("{reported:?}")
    };
    assert_eq!(not_an_object["errorType"], "InvalidSpec");
    // The fake API stops listening after the last report; the runtime loop ends and says so.
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("the Lambda runtime loop ended"));
}
