#!/usr/bin/env bash
# A CI/CD gate (docs/ci-cd.md): register a checkpoint, quantize it with evaluation and benchmark
# follow-ups, wait for the evidence, print the policy verdict, and fail the build when it fails.
#
# usage: QREG_URL=http://qreg:8080 QREG_TOKEN=... QREG_LICENSE=Apache-2.0 scripts/qreg-ci.sh \
#          --evaluation EVAL_DATASET@VERSION [--calibration CALIBRATION_DATASET@VERSION] [--target HARDWARE_TARGET] \
#          MODEL CHECKPOINT_VERSION MODEL.onnx RECIPE[@VERSION]
# The older form, MODEL CHECKPOINT_VERSION MODEL.onnx RECIPE[@VERSION] EVAL_DATASET@VERSION [HARDWARE_TARGET],
# still works.
#
# Every argument and every reference (token, model, recipe, datasets, hardware target, policy, the
# checkpoint version) is checked before anything is registered: a run refused with exit 2 leaves the
# registry as it found it. (Only the fit of a NEW checkpoint's inputs to the datasets waits for the
# registry to read its ONNX graph, at job submission; a re-run then reuses that checkpoint.)
#
# Exit codes: 0 the variant passed its policy, 1 it failed its policy (or a job failed),
#             2 bad usage or the registry refused a request. Needs bash, curl, jq, sha256sum, awk.
# On a terminal the progress is a redrawn bar; otherwise (a CI log) plain lines, one per change.
set -euo pipefail

USAGE="usage: $0 --evaluation NAME@VERSION [--calibration NAME@VERSION] [--target HARDWARE_TARGET]
                 MODEL CHECKPOINT_VERSION MODEL.onnx RECIPE[@VERSION]
  --evaluation   the evaluation dataset the variant is compared with its checkpoint on (purpose 'evaluation')
  --calibration  the calibration dataset, for recipes that need one (int8-static; gptq, awq; targetBitsPerWeight)
  --target       the hardware target to quantize for and benchmark on (default: any)
  RECIPE         a recipe name, optionally @VERSION (default: version 1)
environment: QREG_URL, QREG_TOKEN (an ENGINEER's), QREG_LICENSE (SPDX id), QREG_REDISTRIBUTION (allowed |
  internal-only, default allowed), QREG_POLL_SECONDS (default 2), QREG_TIMEOUT_SECONDS (default 1800)"

die() { echo "qreg-ci: $*" >&2; exit 2; }

# ---------------------------------------------------------------- 0. arguments, checked locally

evaluation="" calibration="" target="" positionals=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) echo "$USAGE"; exit 0;;
    --evaluation=*|--calibration=*|--target=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue;;
    --evaluation|--calibration|--target)
      [ $# -ge 2 ] && [ -n "$2" ] && [[ "$2" != --* ]] || die "$1 needs a value"$'\n'"$USAGE"
      case "$1" in
        --evaluation) [ -z "$evaluation" ] || die "--evaluation given twice"; evaluation="$2";;
        --calibration) [ -z "$calibration" ] || die "--calibration given twice"; calibration="$2";;
        --target) [ -z "$target" ] || die "--target given twice"; target="$2";;
      esac
      shift 2;;
    --) shift; positionals+=("$@"); break;;
    -*) die "unknown option $1"$'\n'"$USAGE";;
    *) positionals+=("$1"); shift;;
  esac
done
case "${#positionals[@]}" in
  4) ;;
  5|6) [ -z "$evaluation" ] || die "the evaluation dataset is given twice (--evaluation and a 5th argument)"
       evaluation="${positionals[4]}"
       if [ "${#positionals[@]}" -eq 6 ]; then
         [ -z "$target" ] || die "the hardware target is given twice (--target and a 6th argument)"
         target="${positionals[5]}"
       fi;;
  *) die "expected MODEL CHECKPOINT_VERSION MODEL.onnx RECIPE[@VERSION], got ${#positionals[@]} argument(s)"$'\n'"$USAGE";;
esac
model="${positionals[0]}" version="${positionals[1]}" onnx="${positionals[2]}" recipe="${positionals[3]}"
target="${target:-any}"
[ -n "$evaluation" ] || die "--evaluation NAME@VERSION is required: the policy verdict needs the evaluation"

: "${QREG_URL:?set QREG_URL, e.g. http://localhost:8080}"
: "${QREG_TOKEN:?set QREG_TOKEN to an ENGINEER token}"
: "${QREG_LICENSE:?set QREG_LICENSE to the licence of the checkpoint, an SPDX id such as Apache-2.0}"
REDISTRIBUTION="${QREG_REDISTRIBUTION:-allowed}"   # or internal-only: edge tiers then refuse it
POLL_SECONDS="${QREG_POLL_SECONDS:-2}"
TIMEOUT_SECONDS="${QREG_TIMEOUT_SECONDS:-1800}"
for tool in curl jq sha256sum awk; do command -v "$tool" >/dev/null || die "$tool is required"; done

[[ "$QREG_URL" =~ ^https?://[^[:space:]]+$ ]] || die "QREG_URL must be an http:// or https:// address, got '$QREG_URL'"
QREG_URL="${QREG_URL%/}"
[[ "$REDISTRIBUTION" == allowed || "$REDISTRIBUTION" == internal-only ]] \
  || die "QREG_REDISTRIBUTION must be 'allowed' or 'internal-only', got '$REDISTRIBUTION'"
[[ "$POLL_SECONDS" =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v s="$POLL_SECONDS" 'BEGIN { exit !(s > 0) }' \
  || die "QREG_POLL_SECONDS must be a number of seconds above 0, got '$POLL_SECONDS'"
[[ "$TIMEOUT_SECONDS" =~ ^[1-9][0-9]*$ ]] || die "QREG_TIMEOUT_SECONDS must be a whole number of seconds, got '$TIMEOUT_SECONDS'"

# The registry's own name rules (ModelService.NAME, CheckpointService.VERSION), so a typo stops here.
[[ "$model" =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]] \
  || die "MODEL '$model' is not a model name (lower-case letters, digits and '-')"
[[ "$version" =~ ^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$ ]] \
  || die "CHECKPOINT_VERSION '$version' is not a version (letters, digits, '.', '+', '_', '-'; up to 64)"
[ -f "$onnx" ] && [ -r "$onnx" ] || die "MODEL.onnx: no such readable file: $onnx"
[ -s "$onnx" ] || die "MODEL.onnx: $onnx is empty"

# NAME@VERSION (VERSION a whole number from 1) -> "NAME VERSION"; $1 names the argument in errors.
versioned() {
  local what="$1" value="$2" default="${3:-}"
  [[ "$value" == *@* || -z "$default" ]] || value="$value@$default"
  [[ "$value" =~ ^([A-Za-z0-9][A-Za-z0-9._-]*)@([1-9][0-9]*)$ ]] \
    || die "$what '$value' is not NAME@VERSION (VERSION a whole number from 1)"
  echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
}
# (Assigned first: a here-string would hide the exit status of a refused argument.)
parsed="$(versioned RECIPE "$recipe" 1)"; read -r recipe_name recipe_version <<<"$parsed"
parsed="$(versioned --evaluation "$evaluation")"; read -r dataset_name dataset_version <<<"$parsed"
calibration_name="" calibration_version=""
if [ -n "$calibration" ]; then
  parsed="$(versioned --calibration "$calibration")"; read -r calibration_name calibration_version <<<"$parsed"
fi
[[ "$target" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "--target '$target' is not a hardware target name"

# ---------------------------------------------------------------- HTTP

# One API call: sets reply_status and reply_body. Only an unreachable registry ends the script here.
request() {
  local method="$1" path="$2"; shift 2
  local out
  out="$(mktemp)"
  reply_status="$(curl -sS -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $QREG_TOKEN" "$@" \
    "$QREG_URL$path")" || { rm -f "$out"; die "cannot reach $QREG_URL"; }
  reply_body="$(cat "$out")"; rm -f "$out"
}

# The problem's detail of the last reply (or its body).
problem() { jq -r '.detail // .title // .' <<<"$reply_body" 2>/dev/null || echo "$reply_body"; }

# A call that must succeed: prints the body; on a 4xx/5xx says which argument it was about and exits 2.
api() {
  local about="$1" method="$2" path="$3"; shift 3
  request "$method" "$path" "$@"
  if [ "$reply_status" -ge 400 ]; then
    die "$about: $(problem) ($method $path -> $reply_status)"
  fi
  printf '%s' "$reply_body"
}

# ---------------------------------------------------------------- 1. references, checked before anything is registered

me="$(api QREG_TOKEN GET /api/v1/me)"
jq -e '.roles | index("ENGINEER") or index("ADMIN")' <<<"$me" >/dev/null \
  || die "QREG_TOKEN: $(jq -r .username <<<"$me") has roles $(jq -c .roles <<<"$me"); registering needs ENGINEER"

task="$(api "MODEL $model" GET "/api/v1/models/$model" | jq -r .task)"

recipe_json="$(api "RECIPE $recipe_name@$recipe_version" GET "/api/v1/recipes/$recipe_name/versions/$recipe_version")"
# Why the recipe needs calibration data: the registry's rule (JobSubmission, CalibrationNeed), asked up front.
calibration_need="$(jq -r '
  if .method == "int8-static" then "is int8-static, which computes activation ranges on calibration data"
  elif (.algorithm // "" | ascii_downcase) as $a | ["gptq", "awq"] | index($a)
    then "uses algorithm \(.algorithm), fitted to calibration activations"
  elif .targetBitsPerWeight != null then "sets targetBitsPerWeight, planned from sensitivities on calibration data"
  else "" end' <<<"$recipe_json")"
if [ -n "$calibration_need" ] && [ -z "$calibration" ]; then
  die "RECIPE $recipe_name@$recipe_version $calibration_need: pass --calibration NAME@VERSION (a dataset with purpose 'calibration')"
fi

# A dataset by name and version, of the purpose the argument needs.
dataset() {
  local option="$1" name="$2" version="$3" purpose="$4" body
  body="$(api "$option $name@$version" GET "/api/v1/datasets/$name/versions/$version")"
  [ "$(jq -r .purpose <<<"$body")" = "$purpose" ] \
    || die "$option $name@$version: the dataset has purpose '$(jq -r .purpose <<<"$body")'; $option needs purpose '$purpose'"
  printf '%s' "$body"
}
evaluation_json="$(dataset --evaluation "$dataset_name" "$dataset_version" evaluation)"
if [[ "$task" == classification || "$task" == language-model ]] && [ "$(jq -r .hasLabels <<<"$evaluation_json")" != true ]; then
  die "--evaluation $dataset_name@$dataset_version has no labels.npy, which the metrics of a $task model need"
fi
calibration_json=""
if [ -n "$calibration" ]; then
  calibration_json="$(dataset --calibration "$calibration_name" "$calibration_version" calibration)"
fi

targets="$(api "--target $target" GET "/api/v1/hardware-targets?size=200")"
jq -e --arg t "$target" 'any(.items[]; .name == $t)' <<<"$targets" >/dev/null \
  || die "--target $target: no such hardware target; known: $(jq -r '[.items[].name] | join(", ")' <<<"$targets")"

# A policy that checks benchmarks on named targets only counts a benchmark on one of them.
policy="$(api "MODEL $model (its policy)" GET "/api/v1/models/$model/policy")"
if jq -e --arg t "$target" '.hardwareTargets != null and (.hardwareTargets | index($t) | not)
    and (.minSpeedup != null or .maxP99LatencyMs != null or .maxMemoryMb != null)' <<<"$policy" >/dev/null; then
  die "--target $target: the policy of $model checks benchmarks on $(jq -r '.hardwareTargets | join(", ")' <<<"$policy") only, so this run could never pass; pass --target one of them"
fi

# The checkpoint version: reused when it holds the same bytes, refused when it holds others.
sha="$(sha256sum "$onnx" | cut -d' ' -f1)"
existing="" page=0
while :; do   # page by page: a long-lived model may have more checkpoints than one page holds
  listing="$(api "CHECKPOINT_VERSION $version" GET "/api/v1/models/$model/checkpoints?size=200&page=$page")"
  existing="$(jq -c --arg v "$version" 'first(.items[]? | select(.version == $v)) // empty' <<<"$listing")"
  page=$((page + 1))
  [ -z "$existing" ] && [ "$page" -lt "$(jq -r .totalPages <<<"$listing")" ] || break
done
if [ -n "$existing" ]; then
  [ "$(jq -r .sha256 <<<"$existing")" = "$sha" ] \
    || die "CHECKPOINT_VERSION $model@$version exists with other bytes ($(jq -r .sha256 <<<"$existing")); versions are immutable"
  # Its inputs are known, so the datasets' fit is checked here too.
  for pair in "--evaluation:$evaluation_json" "--calibration:$calibration_json"; do
    [ -n "${pair#*:}" ] || continue
    fit="$(jq -rn --argjson c "$existing" --argjson d "${pair#*:}" \
      '([$c.inputs[].name] | sort) as $m | ([$d.inputs[].name] | sort) as $i
       | if $m == $i then "" else "has inputs \($i) but the checkpoint takes \($m)" end')"
    [ -z "$fit" ] || die "${pair%%:*} $(jq -r '"\(.name)@\(.version)"' <<<"${pair#*:}") $fit"
  done
fi

# ---------------------------------------------------------------- 2. register, quantize

if [ -n "$existing" ]; then
  checkpoint="$(jq -r .id <<<"$existing")"
  echo "checkpoint $model@$version already registered: $checkpoint"
else
  checkpoint="$(api "MODEL.onnx $onnx" POST "/api/v1/models/$model/checkpoints" \
    -F "metadata=$(jq -nc --arg v "$version" --arg s "$sha" --arg l "$QREG_LICENSE" --arg r "$REDISTRIBUTION" \
      '{version: $v, sha256: $s, license: $l, redistribution: $r}');type=application/json" \
    -F "file=@$onnx;type=application/octet-stream" | jq -r .id)"
  echo "checkpoint $model@$version registered: $checkpoint (sha256 $sha)"
fi

request_json="$(jq -n --arg c "$checkpoint" --arg r "$recipe_name" --argjson rv "$recipe_version" \
  --arg d "$dataset_name" --argjson dv "$dataset_version" --arg t "$target" \
  --arg cn "$calibration_name" --arg cv "${calibration_version:-0}" \
  '{type: "QUANTIZE", checkpointId: $c, recipe: {name: $r, version: $rv}, hardwareTarget: $t,
    followUps: [{type: "EVALUATE", dataset: {name: $d, version: $dv}},
                {type: "BENCHMARK", hardwareTarget: $t}]}
   + if $cn == "" then {} else {calibrationDataset: {name: $cn, version: ($cv | tonumber)}} end')"
job="$(api "quantize job" POST /api/v1/jobs -H 'Content-Type: application/json' -d "$request_json" | jq -r .id)"
echo "quantize job $job submitted ($recipe_name@$recipe_version on $target${calibration:+, calibrated on $calibration})"

# ---------------------------------------------------------------- 3. wait

on_terminal=false; [ -t 1 ] && on_terminal=true
now() { echo "${EPOCHREALTIME:-$(date +%s)}"; }

# Waits for a job to end, showing its progress; leaves the final job JSON in job_body.
# On a terminal: one redrawn bar. Otherwise one plain line whenever the status changes or the progress
# passes another tenth (a message such as "evaluating 3/50" changes too often to be the trigger), with the
# percentage whole and the seconds to one decimal.
await() {
  local id="$1" label="$2" started deadline=$((SECONDS + TIMEOUT_SECONDS)) status percent bar elapsed message shown=""
  started="$(now)"
  while :; do
    job_body="$(api "job $id" GET "/api/v1/jobs/$id")"
    status="$(jq -r .status <<<"$job_body")"
    percent="$(jq -r '(.progress // 0) * 100 | floor' <<<"$job_body")"
    message="$(jq -r '.message // ""' <<<"$job_body")"
    elapsed="$(awk -v a="$started" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"
    if $on_terminal; then
      bar="$(printf '%*s' $((percent / 4)) '' | tr ' ' '#')"
      printf '\r  %-9s [%-25s] %3s%% %-9s %6s s   ' "$label" "$bar" "$percent" "$status" "$elapsed"
    elif [ "$status $((percent / 10))" != "$shown" ]; then
      shown="$status $((percent / 10))"
      printf '  %-9s %-9s %3s%%  %6s s%s\n' "$label" "$status" "$percent" "$elapsed" "${message:+  $message}"
    fi
    case "$status" in SUCCEEDED|FAILED|CANCELLED) if $on_terminal; then echo; fi; return 0;; esac
    if [ "$SECONDS" -ge "$deadline" ]; then
      if $on_terminal; then echo; fi
      die "job $id still $status after ${TIMEOUT_SECONDS} s"
    fi
    sleep "$POLL_SECONDS"
  done
}

failed() { # the job in job_body did not succeed: say why and fail the build
  echo "qreg-ci: $(jq -r '.type | ascii_downcase' <<<"$job_body") job $(jq -r .id <<<"$job_body")" \
    "$(jq -r .status <<<"$job_body"): $(jq -r '.error // "no reason given"' <<<"$job_body")" >&2
  exit 1
}

await "$job" quantize
[ "$(jq -r .status <<<"$job_body")" = SUCCEEDED ] || failed
variant="$(jq -r .variantId <<<"$job_body")"
echo "variant $variant"
for follow_up in $(jq -r '.followUpJobIds[]' <<<"$job_body"); do
  await "$follow_up" "$(api "job $follow_up" GET "/api/v1/jobs/$follow_up" | jq -r '.type | ascii_downcase')"
  [ "$(jq -r .status <<<"$job_body")" = SUCCEEDED ] || failed
done

# ---------------------------------------------------------------- 4. the verdict

# Every check with its threshold and measured value, each rounded to what it measures: fractions
# (accuracy drop, agreement, flip rate, KLD) to 4 places, percentages and speed-ups to 2, milliseconds
# to 1, MiB to whole numbers. The build follows the verdict.
verdict="$(api "variant $variant" GET "/api/v1/variants/$variant/verdict")"
jq -r '.checks[] | [(if .passed then "PASS" else "FAIL" end), .name + (if .hardwareTarget then " @" + .hardwareTarget else "" end),
  (if (.name | test("Pct$")) or .name == "minSpeedup" then 2 elif (.name | test("Ms$")) then 1
   elif (.name | test("Mb$")) then 0 else 4 end),
  (.threshold // "" | tostring), (.actual // "" | tostring), .detail] | @tsv' <<<"$verdict" |
  awk -F'\t' 'function fig(x, places) { return x == "" ? "none" : sprintf("%." places "f", x) }
    { printf "  %-4s  %-32s  %-18s  %-24s  %s\n", $1, $2, "threshold " fig($4, $3), "actual " fig($5, $3), $6 }'
echo "evidence digest $(jq -r .evidence.digest <<<"$verdict")"
if [ "$(jq -r .passed <<<"$verdict")" = true ]; then
  echo "policy verdict: PASSED ($QREG_URL/variants/$variant)"
else
  echo "policy verdict: FAILED: $(jq -r '[.checks[] | select(.passed | not) | .name] | join(", ")' <<<"$verdict")" >&2
  exit 1
fi
