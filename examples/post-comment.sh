#!/usr/bin/env bash
# Posts a pull request's environment comment, or edits the one posted before: the comment of
# $COMMENTER (github-actions[bot] unless set) whose body starts with the file's first line, the
# marker `envctl env comment` writes. Used by pull-request-workflow.yml, with gh and jq.
#   post-comment.sh <pull request number> <file> [--edit-only]
# --edit-only: when no such comment exists, post none (the hourly refresh edits, never adds).
set -euo pipefail
number=$1 file=$2 mode=${3:-}
repository=${GITHUB_REPOSITORY:?owner/repository of the pull request}
commenter=${COMMENTER:-github-actions[bot]}
marker=$(head -n 1 "$file")
# --paginate prints one JSON array per page; sed reads them all (head would cut the pipe short).
id=$(gh api "repos/$repository/issues/$number/comments" --paginate |
  jq -r --arg marker "$marker" --arg commenter "$commenter" \
    '.[] | select(.user.login == $commenter and (.body | startswith($marker))) | .id' |
  sed -n 1p)
if [ -n "$id" ]; then
  gh api -X PATCH "repos/$repository/issues/comments/$id" -F body=@"$file" > /dev/null
elif [ "$mode" != "--edit-only" ]; then
  gh api "repos/$repository/issues/$number/comments" -F body=@"$file" > /dev/null
fi
