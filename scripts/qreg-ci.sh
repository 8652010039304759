#!/usr/bin/env bash
# A CI/CD gate (docs/ci-cd.md): register a checkpoint, quantize it with evaluation and benchmark
# follow-ups, wait for the evidence, print the policy verdict, and fail the build when it fails.
#
# usage: QREG_URL=http://qreg:8080 QREG_TOKEN=... QREG_LICENSE=Apache-2.0 scripts/qreg-ci.sh \
#          MODEL CHECKPOINT_VERSION MODEL.onnx RECIPE[@VERSION] EVAL_DATASET@VERSION [HARDWARE_TARGET]
#
# Exit codes: 0 the variant passed its policy, 1 it failed its policy (or a job failed),
#             2 bad usage or the registry refused a request. Needs bash, curl, jq, sha256sum.
# The model must exist (POST /api/v1/models); a checkpoint version already registered with the
# same bytes is reused, so a re-run of the same build does not fail on its upload.
set -euo pipefail

die() { echo "qreg-ci: $*" >&2; exit 2; }
[ $# -ge 5 ] || die "usage: $0 MODEL CHECKPOINT_VERSION MODEL.onnx RECIPE[@VERSION] EVAL_DATASET@VERSION [HARDWARE_TARGET]"
: "${QREG_URL:?set QREG_URL, e.g. http://localhost:8080}"
: "${QREG_TOKEN:?set QREG_TOKEN to an ENGINEER token}"
: "${QREG_LICENSE:?set QREG_LICENSE to the licence of the checkpoint, an SPDX id such as Apache-2.0}"
REDISTRIBUTION="${QREG_REDISTRIBUTION:-allowed}"   # or internal-only: edge tiers then refuse it
for tool in curl jq sha256sum awk; do command -v "$tool" >/dev/null || die "$tool is required"; done

model="$1" version="$2" onnx="$3" recipe="$4" dataset="$5" target="${6:-any}"
recipe_name="${recipe%@*}"; recipe_version="1"; [[ "$recipe" == *@* ]] && recipe_version="${recipe#*@}"
dataset_name="${dataset%@*}"; dataset_version="${dataset#*@}"
[[ "$dataset" == *@* ]] || die "EVAL_DATASET needs a version: name@version"
[ -f "$onnx" ] || die "no such file: $onnx"
POLL_SECONDS="${QREG_POLL_SECONDS:-2}"
TIMEOUT_SECONDS="${QREG_TIMEOUT_SECONDS:-1800}"

# One API call: prints the body; on a 4xx/5xx prints the problem's detail and exits 2.
api() {
  local method="$1" path="$2"; shift 2
  local out status
  out="$(mktemp)"
  status="$(curl -sS -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $QREG_TOKEN" "$@" \
    "$QREG_URL$path")" || { rm -f "$out"; die "cannot reach $QREG_URL"; }
  if [ "$status" -ge 400 ]; then
    echo "qreg-ci: $method $path -> $status: $(jq -r '.detail // .title // .' <"$out" 2>/dev/null || cat "$out")" >&2
    rm -f "$out"
    return 2
  fi
  cat "$out"; rm -f "$out"
}

# 1. The checkpoint: upload it with its digest, or reuse the version when the same bytes are there.
sha="$(sha256sum "$onnx" | cut -d' ' -f1)"
existing="$(api GET "/api/v1/models/$model/checkpoints?size=200" | jq -r --arg v "$version" \
  '.items[]? | select(.version == $v) | "\(.id) \(.sha256)"')" || exit 2
if [ -n "$existing" ]; then
  checkpoint="${existing% *}"
  [ "${existing#* }" = "$sha" ] || die "checkpoint $model@$version exists with other bytes (${existing#* })"
  echo "checkpoint $model@$version already registered: $checkpoint"
else
  checkpoint="$(api POST "/api/v1/models/$model/checkpoints" \
    -F "metadata=$(jq -nc --arg v "$version" --arg s "$sha" --arg l "$QREG_LICENSE" --arg r "$REDISTRIBUTION" \
      '{version: $v, sha256: $s, license: $l, redistribution: $r}');type=application/json" \
    -F "file=@$onnx;type=application/octet-stream" | jq -r .id)" || exit 2
  echo "checkpoint $model@$version registered: $checkpoint (sha256 $sha)"
fi

# 2. One QUANTIZE job whose follow-ups evaluate and benchmark the variant.
request="$(jq -n --arg c "$checkpoint" --arg r "$recipe_name" --argjson rv "$recipe_version" \
  --arg d "$dataset_name" --argjson dv "$dataset_version" --arg t "$target" \
  '{type: "QUANTIZE", checkpointId: $c, recipe: {name: $r, version: $rv}, hardwareTarget: $t,
    followUps: [{type: "EVALUATE", dataset: {name: $d, version: $dv}},
                {type: "BENCHMARK", hardwareTarget: $t}]}')"
job="$(api POST /api/v1/jobs -H 'Content-Type: application/json' -d "$request" | jq -r .id)" || exit 2
echo "quantize job $job submitted ($recipe_name@$recipe_version on $target)"

# Waits for a job to end, drawing its progress; prints the final job JSON.
await() {
  local id="$1" label="$2" deadline=$((SECONDS + TIMEOUT_SECONDS)) body status progress bar
  while :; do
    body="$(api GET "/api/v1/jobs/$id")" || exit 2
    status="$(jq -r .status <<<"$body")"
    progress="$(jq -r '(.progress // 0) * 100 | floor' <<<"$body")"
    bar="$(printf '%*s' $((progress / 4)) '' | tr ' ' '#')"
    printf '\r  %-9s [%-25s] %3s%% %s   ' "$label" "$bar" "$progress" "$status" >&2
    case "$status" in SUCCEEDED|FAILED|CANCELLED) echo >&2; echo "$body"; return;; esac
    [ "$SECONDS" -lt "$deadline" ] || { echo >&2; die "job $id still $status after ${TIMEOUT_SECONDS}s"; }
    sleep "$POLL_SECONDS"
  done
}

quantized="$(await "$job" quantize)"
if [ "$(jq -r .status <<<"$quantized")" != SUCCEEDED ]; then
  echo "qreg-ci: quantization $(jq -r .status <<<"$quantized"): $(jq -r '.error // "no reason given"' <<<"$quantized")" >&2
  exit 1
fi
variant="$(jq -r .variantId <<<"$quantized")"
echo "variant $variant"
for follow_up in $(jq -r '.followUpJobIds[]' <<<"$quantized"); do
  done_job="$(await "$follow_up" "$(api GET "/api/v1/jobs/$follow_up" | jq -r '.type | ascii_downcase')")"
  if [ "$(jq -r .status <<<"$done_job")" != SUCCEEDED ]; then
    echo "qreg-ci: $(jq -r .type <<<"$done_job") job $follow_up $(jq -r .status <<<"$done_job"):" \
      "$(jq -r '.error // "no reason given"' <<<"$done_job")" >&2
    exit 1
  fi
done

# 3. The verdict: every check with its threshold and measured value; the build follows it.
verdict="$(api GET "/api/v1/variants/$variant/verdict")" || exit 2
jq -r '.checks[] | [(if .passed then "PASS" else "FAIL" end), .name + (if .hardwareTarget then " @" + .hardwareTarget else "" end),
  "threshold \(.threshold)", "actual \(.actual // "none")", .detail] | @tsv' <<<"$verdict" |
  awk -F'\t' '{printf "  %-4s  %-32s  %-18s  %-24s  %s\n", $1, $2, $3, $4, $5}'
echo "evidence digest $(jq -r .evidence.digest <<<"$verdict")"
if [ "$(jq -r .passed <<<"$verdict")" = true ]; then
  echo "policy verdict: PASSED ($QREG_URL/variants/$variant)"
else
  echo "policy verdict: FAILED: $(jq -r '[.checks[] | select(.passed | not) | .name] | join(", ")' <<<"$verdict")" >&2
  exit 1
fi
