//! examples/post-comment.sh, the pull-request workflow's comment step, against a stand-in `gh`
//! that answers the pages of comments given and records every call.

use integration_tests::workspace_root;
use std::path::{Path, PathBuf};
use std::process::Command;

const MARKER: &str = "<!-- catalog-environments:pr-42 -->";

/// A scratch directory with the stand-in `gh` and the comment file.
fn scratch(name: &str, pages: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pr-comment-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let gh = dir.join("gh");
    std::fs::write(
        &gh,
        "#!/usr/bin/env bash\n\
         printf '%s\\n' \"$*\" >> \"$GH_LOG\"\n\
         if [ \"${3:-}\" = --paginate ]; then cat \"$GH_PAGES\"; fi\n",
    )
    .expect("the stand-in gh");
    Command::new("chmod")
        .arg("+x")
        .arg(&gh)
        .status()
        .expect("chmod runs");
    std::fs::write(dir.join("pages.json"), pages).expect("the pages file");
    std::fs::write(
        dir.join("comment.md"),
        format!("{MARKER}\n**Preview environment `pr-42`: ready**\n"),
    )
    .expect("the comment file");
    dir
}

/// Runs the script in `dir`; answers its exit code and the calls `gh` received.
fn post(dir: &Path, extra: &[&str]) -> (i32, Vec<String>) {
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").expect("PATH is set")
    );
    let status = Command::new("bash")
        .arg(workspace_root().join("examples/post-comment.sh"))
        .args(["42", "comment.md"])
        .args(extra)
        .current_dir(dir)
        .env("PATH", path)
        .env("GITHUB_REPOSITORY", "acme/catalog-api")
        .env("GH_LOG", dir.join("calls.log"))
        .env("GH_PAGES", dir.join("pages.json"))
        .env_remove("COMMENTER")
        .status()
        .expect("bash runs");
    let calls = std::fs::read_to_string(dir.join("calls.log")).unwrap_or_default();
    let _ = std::fs::remove_dir_all(dir);
    (
        status.code().unwrap_or(-1),
        calls.lines().map(str::to_owned).collect(),
    )
}

fn comment(id: u64, login: &str, body: &str) -> String {
    serde_json::json!({"id": id, "user": {"login": login}, "body": body}).to_string()
}

const LIST: &str = "api repos/acme/catalog-api/issues/42/comments --paginate";

#[test]
fn the_workflows_own_comment_is_edited_even_on_a_later_page_and_a_quote_is_left_alone() {
    let quoted = format!("> {MARKER}\nwhy is it failing?");
    let pages = format!(
        "[{}, {}]\n[{}]\n",
        comment(7, "octocat", &format!("{MARKER}\nlooks like the bot's")),
        comment(8, "octocat", &quoted),
        comment(9, "github-actions[bot]", &format!("{MARKER}\nold state")),
    );
    let (code, calls) = post(&scratch("edit", &pages), &[]);
    assert_eq!(code, 0);
    assert_eq!(
        calls,
        [
            LIST.to_owned(),
            "api -X PATCH repos/acme/catalog-api/issues/comments/9 -F body=@comment.md".to_owned()
        ]
    );
}

#[test]
fn without_its_comment_it_posts_one_unless_told_to_edit_only() {
    let pages = format!("[{}]\n", comment(7, "octocat", "LGTM"));
    let (code, calls) = post(&scratch("post", &pages), &[]);
    assert_eq!(code, 0);
    assert_eq!(
        calls,
        [
            LIST.to_owned(),
            "api repos/acme/catalog-api/issues/42/comments -F body=@comment.md".to_owned()
        ]
    );
    let (code, calls) = post(&scratch("edit-only", &pages), &["--edit-only"]);
    assert_eq!(code, 0);
    assert_eq!(calls, [LIST.to_owned()]);
}

#[test]
fn a_failing_listing_fails_the_step() {
    let (code, calls) = post(&scratch("broken", "not json"), &[]);
    assert_ne!(code, 0);
    assert_eq!(calls, [LIST.to_owned()]);
}
