#!/usr/bin/env bash
# Benchmark (not a test): upload one generated file (default 1 GiB) to a local S3 server (moto) with
# atom's stager and with the AWS CLI (`aws s3 cp`) in the same run, and print each one's throughput,
# client CPU seconds per GiB, peak RSS, and the ratios atom/awscli.
#
#   scripts/bench-s3.sh [SIZE_MIB]
#
# atom is driven through `.build/release/atom staging put <file> --ttl 600` (build it first with
# `swift build -c release`). Until that command exists in the binary, the script falls back to the
# in-process measurement test `S3UploadMeasurement` (swift test -c release), which stages the same file
# with S3Stager and reports its own wall time, CPU time (getrusage) and peak RSS (VmHWM of the test
# process, which includes the test runner itself). ATOM_BENCH_CONFIG=debug uses a debug build instead.
# Everything runs on 127.0.0.1; the bucket, file and server are removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

size_mib=${1:-1024}
config=${ATOM_BENCH_CONFIG:-release}
for tool in moto_server aws /usr/bin/time python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench-s3: $tool is required" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/atom-bench-s3.XXXXXX")
moto_pid=""
cleanup() {
  [ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

file="$work/bench.mp4"
echo "bench-s3: generating a ${size_mib} MiB file" >&2
head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$file"
bytes=$(stat -c %s "$file")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
moto_server -H 127.0.0.1 -p "$port" > "$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 1 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null && break
  sleep 0.2
done
endpoint="http://127.0.0.1:$port"
bucket="atom-bench"
export AWS_ACCESS_KEY_ID=BENCHACCESSKEYEXAMPLE AWS_SECRET_ACCESS_KEY=bench-secret-access-key AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
aws --endpoint-url "$endpoint" s3 mb "s3://$bucket" >/dev/null

# measure NAME COMMAND… : runs the command under /usr/bin/time; prints "wall user sys maxrss_kib".
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err" || {
    echo "bench-s3: $name failed:" >&2; cat "$work/$name.err" >&2; return 1; }
  cat "$work/$name.time" | tail -1
}

# --- atom ---------------------------------------------------------------------------------------
atom_line=""
if [ -x ".build/$config/atom" ] && ".build/$config/atom" staging put --help 2>&1 | grep -q -- "--ttl"; then
  echo "bench-s3: atom staging put (.build/$config/atom)" >&2
  atom_line=$(ATOM_S3_BUCKET=$bucket AWS_ENDPOINT_URL_S3=$endpoint ATOM_STATE_DIR="$work/state" \
    measure atom ".build/$config/atom" staging put "$file" --ttl 600 --env-file /dev/null)
else
  echo "bench-s3: .build/$config/atom has no \`staging put\` yet: measuring S3Stager in-process (swift test -c $config --filter S3UploadMeasurement)" >&2
  testing=()
  [ "$config" = release ] && testing=(-Xswiftc -enable-testing)  # the test target uses @testable imports
  swift build -c "$config" --build-tests "${testing[@]}" > "$work/build.out" 2>&1 || { tail -30 "$work/build.out" >&2; exit 1; }
  ATOM_TEST_S3_ENDPOINT=$endpoint ATOM_S3_BENCH_FILE=$file ATOM_S3_BENCH_BUCKET=$bucket \
    swift test -c "$config" --skip-build --filter S3UploadMeasurement > "$work/atom-test.out" 2>&1 || { cat "$work/atom-test.out" >&2; exit 1; }
  # The test prints: ATOM-BENCH wall=S cpu_user=S cpu_sys=S peak_rss_kib=K
  atom_line=$(sed -n 's/.*ATOM-BENCH wall=\([0-9.]*\) cpu_user=\([0-9.]*\) cpu_sys=\([0-9.]*\) peak_rss_kib=\([0-9]*\).*/\1 \2 \3 \4/p' "$work/atom-test.out" | tail -1)
  [ -n "$atom_line" ] || { echo "bench-s3: the measurement test printed no figures:" >&2; cat "$work/atom-test.out" >&2; exit 1; }
fi

# --- awscli -------------------------------------------------------------------------------------
echo "bench-s3: aws s3 cp ($(aws --version 2>&1 | cut -d' ' -f1))" >&2
aws_line=$(measure awscli aws --endpoint-url "$endpoint" s3 cp "$file" "s3://$bucket/awscli.bin" --only-show-errors)

python3 - "$bytes" "$atom_line" "$aws_line" <<'PY'
import sys
size = int(sys.argv[1]); gib = size / 2**30
def parse(line):
    wall, user, system, rss = line.split()
    wall, cpu = float(wall), float(user) + float(system)
    return {"MiB/s": size / 2**20 / wall, "CPU s/GiB": cpu / gib, "peak RSS MiB": int(rss) / 1024, "wall s": wall}
atom, aws = parse(sys.argv[2]), parse(sys.argv[3])
print(f"upload of {size / 2**20:.0f} MiB to moto on 127.0.0.1")
print(f"{'':14}{'atom':>12}{'awscli':>12}{'atom/awscli':>14}")
for key in ["wall s", "MiB/s", "CPU s/GiB", "peak RSS MiB"]:
    print(f"{key:14}{atom[key]:12.2f}{aws[key]:12.2f}{atom[key] / aws[key]:14.2f}")
print("targets: CPU s/GiB ratio <= 0.5, atom peak RSS < 64 MiB, throughput ratio >= 1")
PY
