#!/usr/bin/env bash
# Validates the Kubernetes recipes (Configs/scale-out/k8s-*.yaml) against the Kubernetes API's JSON
# schema, with kubernetes-validate from PyPI (it ships the schemas of Kubernetes 1.25 ... 1.37; kubeconform
# is on neither PyPI nor Debian). Strict mode: unknown fields are errors, types and required fields are
# checked (the schema has no enums, so e.g. a misspelled restartPolicy value is not caught here; the
# Indexed Job's own conventions are checked by ScaleOutTests). Checked against the oldest and the newest
# version it ships. Negative controls: a manifest with a misspelled field and one with a mistyped value
# must be rejected, so a validator that accepts everything fails this test.
#
#   Tests/ScaleOut/k8s_validate.sh          (PTQ_K8S_VENV: a venv to reuse; default: a temporary one)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
MANIFESTS=("$REPO/Configs/scale-out/k8s-observe-job.yaml" "$REPO/Configs/scale-out/k8s-merge-job.yaml")
VALIDATOR="kubernetes-validate==1.37.0"
VERSIONS=(1.25.0 1.37.0)
PASSED=0

fail() {
    echo "k8s_validate: FAIL: $*" >&2
    exit 1
}
pass() {
    PASSED=$((PASSED + 1))
    echo "k8s_validate: ok $PASSED - $*"
}

SCRATCH=$(mktemp -d /tmp/ptq-k8s.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
VENV=${PTQ_K8S_VENV:-$SCRATCH/venv}
if [ ! -x "$VENV/bin/kubernetes-validate" ]; then
    if ! python3 -m venv "$VENV" 2>/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        /usr/bin/python3 -m venv "$VENV"
    fi
    "$VENV/bin/pip" install -q --disable-pip-version-check "$VALIDATOR" >"$SCRATCH/pip.log" 2>&1 \
        || { cat "$SCRATCH/pip.log" >&2; fail "pip install $VALIDATOR failed"; }
fi
validate() { "$VENV/bin/kubernetes-validate" --strict --no-warn "$@"; }

for version in "${VERSIONS[@]}"; do
    validate --quiet -k "$version" "${MANIFESTS[@]}" || fail "the manifests do not validate against Kubernetes $version"
    pass "$(basename -a "${MANIFESTS[@]}" | tr '\n' ' ')valid (strict) against Kubernetes $version"
done

# Negative controls on the Indexed Job.
sed 's/^\(  *\)parallelism:/\1parallelizm:/' "${MANIFESTS[0]}" >"$SCRATCH/misspelled.yaml"
sed 's/^\(  *\)completions: .*/\1completions: "eight"/' "${MANIFESTS[0]}" >"$SCRATCH/mistyped.yaml"
for bad in misspelled mistyped; do
    cmp -s "$SCRATCH/$bad.yaml" "${MANIFESTS[0]}" && fail "the $bad control is identical to the manifest"
    if validate -k "${VERSIONS[-1]}" "$SCRATCH/$bad.yaml" >"$SCRATCH/$bad.out" 2>&1; then
        fail "the $bad control manifest was accepted"
    fi
    pass "$bad control rejected: $(grep -m1 -o 'spec[^:]*: .*' "$SCRATCH/$bad.out" | cut -c1-100)"
done
echo "k8s: $PASSED passed, 0 failed"
