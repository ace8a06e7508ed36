#!/usr/bin/env bash
# The GitHub Action's main step (see action.yml): run one appbuilder command on every app under a path.
#
# Environment: APPBUILDER_PATH (an app directory, or a directory of app directories), APPBUILDER_COMMAND
# (validate, test, build, diff, docs, plan, install), APPBUILDER_FORMAT (optional), APPBUILDER_BASE (git ref for
# diff and validate --base), APPBUILDER_ARGS (extra arguments), APPBUILDER_OUTPUT_DIR (reports; default
# $RUNNER_TEMP/appbuilder). Writes one report per app to the output directory, Markdown reports to the job
# summary, and the outputs report-dir, changed and exit-code to $GITHUB_OUTPUT.
# Exit 0 on success (for diff: also when the apps differ), 1 when a command failed or the inputs are wrong.
set -uo pipefail

path="${APPBUILDER_PATH:-app_definitions}"
command="${APPBUILDER_COMMAND:-validate}"
format="${APPBUILDER_FORMAT:-}"
base="${APPBUILDER_BASE:-}"
out_dir="${APPBUILDER_OUTPUT_DIR:-${RUNNER_TEMP:-/tmp}/appbuilder}"
read -r -a extra <<<"${APPBUILDER_ARGS:-}"

apps=()
if [ -f "$path/app.yaml" ]; then
  apps=("$path")
else
  for manifest in "$path"/*/app.yaml; do
    [ -f "$manifest" ] && apps+=("$(dirname "$manifest")")
  done
fi
if [ "${#apps[@]}" -eq 0 ]; then
  echo "::error::no app.yaml in $path or in its subdirectories"
  exit 1
fi

case "$command" in
  validate) format="${format:-github}" ;;
  test) format="${format:-text}" ;;
  diff)
    format="${format:-markdown}"
    if [ -z "$base" ]; then echo "::error::command diff needs the base input (a git ref such as origin/main)"; exit 1; fi ;;
  build|docs|plan|install) ;;
  *) echo "::error::unknown command '$command' (validate, test, build, diff, docs, plan, install)"; exit 1 ;;
esac
case "$format" in
  sarif) ext=sarif ;; json) ext=json ;; junit) ext=xml ;; markdown) ext=md ;; *) ext=txt ;;
esac

mkdir -p "$out_dir"
status=0
changed=false
for app in "${apps[@]}"; do
  name="$(basename "$app")"
  report="$out_dir/$name.$ext"
  case "$command" in
    validate) args=(validate "$app" --format "$format"); [ -n "$base" ] && args+=(--base "$base") ;;
    test) args=(test "$app" --format "$format") ;;
    diff) args=(diff --base "$base" "$app" --format "$format") ;;
    build) args=(build "$app" -o "$out_dir/dist/$name") ;;
    docs) args=(docs "$app") ;;
    plan|install) args=("$command" "$app"); [ -n "$format" ] && args+=(--format "$format") ;;
  esac
  appbuilder "${args[@]}" "${extra[@]}" >"$report"
  rc=$?
  if [ "$ext" != sarif ]; then cat "$report"; fi
  if [ "$ext" = md ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    { cat "$report"; echo; } >>"$GITHUB_STEP_SUMMARY"
  fi
  if [ "$command" = diff ] && [ "$rc" -eq 2 ]; then
    changed=true
  elif [ "$rc" -ne 0 ]; then
    echo "::error::appbuilder $command $app exited $rc"
    status=1
  fi
done

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  { echo "report-dir=$out_dir"; echo "changed=$changed"; echo "exit-code=$status"; } >>"$GITHUB_OUTPUT"
fi
exit "$status"
