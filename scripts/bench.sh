#!/usr/bin/env bash
# Benchmark (not a test): one table of atom beside `aws s3 cp` and `curl` (each where installed), every
# figure the median of 3 runs (at least 9 for the pushes) after one warm-up (the rows of one comparison taking turns), measured with
# /usr/bin/time (wall, user+sys CPU, peak RSS) of the client process alone. Release build, loopback only (moto and `atom sandbox` run in their own
# processes on 127.0.0.1). Only ratios within one run mean much on a shared machine.
#
#   scripts/bench.sh [SIZE_MIB]          (default 1024; ATOM_BENCH_RUNS=N changes the 3)
#   ATOM_BENCH_SWEEP=1 scripts/bench.sh  the staging rows only, for parts in flight 4/8/10 × part size 16/32/64 MiB
#                                        (ATOM_S3_CONCURRENCY, ATOM_S3_PART_SIZE), to choose the defaults
#
# Rows:
#   start-up   `atom --help`, and `atom validate` of a 4 GiB sparse video (box headers only)
#   sha-256    atom's streamed digest of the file vs `openssl dgst -sha256`
#   staging    `atom staging put` vs `aws s3 cp` (16 MiB parts, 10 in flight) vs one `curl -T` PUT, into
#              moto and into atom's own signature-checking S3 fake; atom once with the hash cached (what a
#              re-post pays) and once from an empty state folder (hash included); into the fake once more with
#              both clients asking for SSE-KMS (ETags that are not MD5s, as in S3: the fake hashes no byte for them)
#   push       `atom post --to youtube|tiktok|facebook --force` (hash cached) vs `curl -T` into the same server; YouTube
#              once more as a first post (empty state folder: the upload runs while the file is hashed), and
#              google-api-python-client's resumable upload into the same fake (where ATOM_BENCH_PYTHON, default
#              python3, can import it: `pip install google-api-python-client`)
#   all four   `atom post` to TikTok, Instagram (via S3), YouTube and Facebook at once, beside each alone, with a
#              file every platform takes (at most 256 MiB: Instagram's limit is 300 MB)
set -euo pipefail
cd "$(dirname "$0")/.."

size_mib=${1:-1024}
runs=${ATOM_BENCH_RUNS:-3}
gpy=${ATOM_BENCH_PYTHON:-python3}
bin=${ATOM_BENCH_BIN:-.build/release/atom}
[ -x "$bin" ] || swift build -c release --product atom >/dev/null
for tool in /usr/bin/time python3; do command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }; done
have() { command -v "$1" >/dev/null 2>&1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/atom-bench.XXXXXX")
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
samples="$tmp/samples"   # lines: row<TAB>tool<TAB>wall<TAB>cpu<TAB>rss_kib<TAB>bytes<TAB>server_cpu
: > "$samples"
# The server process of the rows being measured (moto or the sandbox), whose CPU during each run is read from /proc
# (Linux): on a machine with few cores the server's work competes with the client's for them.
server_pid=""
server_ticks() { [ -n "$server_pid" ] && [ -r "/proc/$server_pid/stat" ] && awk '{print $14 + $15}' "/proc/$server_pid/stat" || echo ""; }

# once ROW TOOL BYTES CMD… : one measured run; appends a sample line (fails loudly with the command's stderr).
once() {
  local row=$1 tool=$2 bytes=$3 before after server=""; shift 3
  before=$(server_ticks)
  if ! /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$@" > "$tmp/out" 2> "$tmp/err"; then
    echo "bench: $row / $tool failed:" >&2; tail -5 "$tmp/err" >&2; return 1
  fi
  after=$(server_ticks)
  [ -n "$before" ] && [ -n "$after" ] && server=$(python3 -c "import os; print(($after - $before) / os.sysconf('SC_CLK_TCK'))")
  read -r wall user sys rss < <(tail -n 1 "$tmp/time")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$tool" "$wall" "$(python3 -c "print($user + $sys)")" "$rss" "$bytes" "$server" >> "$samples"
}
# bench ROW TOOL BYTES CMD… : a warm-up run (not kept), then $runs measured runs.
bench() {
  local row=$1 tool=$2 bytes=$3; shift 3
  echo "bench: $row — $tool" >&2
  "$@" > /dev/null 2>&1 || true
  for _ in $(seq 1 "$runs"); do once "$row" "$tool" "$bytes" "$@" || return 0; done
}
# Interleaved rows: queue commands with `queue ROW TOOL BYTES CMD…`, then `run_queued` warms each up once and runs
# the queue round-robin $runs times, so that a slow minute on a shared machine (or a server's disk write-back)
# falls on every tool of a comparison alike rather than on whichever ran then.
# `after_each CMD…` (optional) runs, untimed, after every run of the queue: the staging rows empty the bucket with it, so
# that the S3 server's disk (or moto's memory) holds one upload at a time, and no run pays for the write-back of the
# gigabytes before it.
q_row=(); q_tool=(); q_bytes=(); q_cmd=(); q_after=""
queue() { q_row+=("$1"); q_tool+=("$2"); q_bytes+=("$3"); shift 3; q_cmd+=("$(printf '%q ' "$@")"); }
after_each() { q_after="$(printf '%q ' "$@")"; }
run_queued() {
  local i count=${1:-$runs}
  for i in "${!q_row[@]}"; do
    echo "bench: ${q_row[$i]} — ${q_tool[$i]}" >&2
    eval "${q_cmd[$i]}" > /dev/null 2>&1 || true
    [ -z "$q_after" ] || eval "$q_after" > /dev/null 2>&1 || true
  done
  for _ in $(seq 1 "$count"); do
    for i in "${!q_row[@]}"; do
      eval "once \"\${q_row[$i]}\" \"\${q_tool[$i]}\" \"\${q_bytes[$i]}\" ${q_cmd[$i]}" || true
      [ -z "$q_after" ] || eval "$q_after" > /dev/null 2>&1 || true
    done
  done
  q_row=(); q_tool=(); q_bytes=(); q_cmd=(); q_after=""
}
# with_env DOTENV CMD… : CMD with DOTENV's variables exported (exec: the measured process is CMD's).
with_env='set -a; . "$0"; set +a; exec "$@"'
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

file="$tmp/bench.mp4"
echo "bench: making a ${size_mib} MiB video and a 4 GiB sparse one" >&2
# A valid box structure around random bytes (random: nothing on the way can compress it).
python3 scripts/make-sparse-video.py Fixtures/vertical.mp4 "$file" $((size_mib << 20)) --fill-random
python3 scripts/make-sparse-video.py Fixtures/vertical.mp4 "$tmp/big.mp4" $((4 << 30))
bytes=$(stat -c %s "$file")
cat "$file" > /dev/null   # in the page cache for everyone
export ATOM_STATE_DIR="$tmp/state"

# --- start-up and hashing -------------------------------------------------------------------------
bench "atom --help" atom 0 "$bin" --help
# YouTube and Facebook take a 4 GiB file; the probe reads only box headers.
bench "validate 4 GiB" atom 0 "$bin" validate "$tmp/big.mp4" --to youtube,facebook --caption bench --env-file /dev/null
bench "sha-256" atom "$bytes" "$bin" digest "$file"
have openssl && bench "sha-256" openssl "$bytes" openssl dgst -sha256 "$file"

# --- the sandbox (atom's fakes, one process) ------------------------------------------------------
"$bin" sandbox --port 0 > "$tmp/sandbox.env" 2>/dev/null &
pids+=($!)
sandbox_pid=$!
for _ in $(seq 1 100); do grep -q "^# ready" "$tmp/sandbox.env" 2>/dev/null && break; sleep 0.1; done
grep -v '^#' "$tmp/sandbox.env" > "$tmp/sandbox.dotenv"
sandbox_s3=$(sed -n 's/^AWS_ENDPOINT_URL_S3=//p' "$tmp/sandbox.dotenv")
sandbox_origin=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(f"{p.scheme}://{p.netloc}")' "$sandbox_s3")

# --- staging --------------------------------------------------------------------------------------
export AWS_CONFIG_FILE="$tmp/aws-config"
printf '[default]\ns3 =\n  multipart_chunksize = 16MB\n  multipart_threshold = 16MB\n  max_concurrent_requests = 10\n' > "$AWS_CONFIG_FILE"
# A fresh prefix per run (so the HEAD check never skips the upload); `exec` keeps the measured process atom's.
put='ATOM_S3_PREFIX="bench-$RANDOM$RANDOM/" exec "$0" staging put "$1" --env-file "$2" --quiet'
put_cold='rm -rf "$ATOM_STATE_DIR"; '"$put"

# stage_into NAME DOTENV ENDPOINT BUCKET CURL_URL [AWS_FLAG…] : the staging rows for one S3 server (CURL_URL "-":
# atom and aws only, each aws command with the flags given).
stage_into() {
  local name=$1 dotenv=$2 endpoint=$3 bucket=$4 curl_url=$5; shift 5
  if [ -n "${ATOM_BENCH_SWEEP:-}" ]; then
    for inflight in 4 8 10; do for part in 16 32 64; do
      ATOM_S3_CONCURRENCY=$inflight ATOM_S3_PART_SIZE=${part}MiB \
        bench "staging → $name" "atom ×$inflight, $part MiB" "$bytes" bash -c "$put" "$bin" "$file" "$dotenv"
    done; done
    return 0
  fi
  queue "staging → $name" "atom" "$bytes" bash -c "$put" "$bin" "$file" "$dotenv"
  [ "$curl_url" = - ] || queue "staging → $name" "atom, hash included" "$bytes" bash -c "$put_cold" "$bin" "$file" "$dotenv"
  have aws && queue "staging → $name" "aws s3 cp" "$bytes" \
    bash -c "$with_env" "$dotenv" aws --endpoint-url "$endpoint" s3 cp "$@" "$file" "s3://$bucket/aws.bin" --only-show-errors
  # One stream of the same bytes into the same server, unsigned.
  [ "$curl_url" = - ] || ! have curl || queue "staging → $name" "curl -T" "$bytes" curl -sS -o /dev/null -T "$file" "$curl_url"
  ! have aws || after_each bash -c "$with_env" "$dotenv" aws --endpoint-url "$endpoint" s3 rm "s3://$bucket" --recursive --only-show-errors
  run_queued
}

# moto (where installed): an S3 server that checks signatures, in Python.
if have moto_server && have aws; then
  port=$(free_port)
  moto_server -H 127.0.0.1 -p "$port" > "$tmp/moto.log" 2>&1 &
  pids+=($!)
  server_pid=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/moto-api/" 2>/dev/null && break; sleep 0.2; done
  printf 'AWS_ACCESS_KEY_ID=BENCHKEYID\nAWS_SECRET_ACCESS_KEY=bench-secret\nAWS_REGION=us-east-1\nATOM_S3_BUCKET=atom-bench\nAWS_ENDPOINT_URL_S3=http://127.0.0.1:%s\n' "$port" > "$tmp/moto.dotenv"
  (set -a; . "$tmp/moto.dotenv"; set +a; aws --endpoint-url "http://127.0.0.1:$port" s3 mb s3://atom-bench > /dev/null)
  stage_into moto "$tmp/moto.dotenv" "http://127.0.0.1:$port" atom-bench "http://127.0.0.1:$port/atom-bench/curl.bin"
fi
server_pid=$sandbox_pid
# atom's fake checks every signature; a path no fake serves drains the body, then answers 404.
sandbox_bucket=$(sed -n 's/^ATOM_S3_BUCKET=//p' "$tmp/sandbox.dotenv")
stage_into "atom's S3 fake" "$tmp/sandbox.dotenv" "$sandbox_s3" "$sandbox_bucket" "$sandbox_origin/bench-sink"
# The same fake with both clients asking for SSE-KMS: as in S3, its ETags are then not MD5s, so the fake hashes no byte
# for them. On a 2-core machine the fake's MD5 of every byte (the row above) competes with the client for the cores;
# S3 pays for its MD5 on its own machines. This row shows the clients without it (the signatures are still checked).
if [ -z "${ATOM_BENCH_SWEEP:-}" ]; then
  { cat "$tmp/sandbox.dotenv"; echo "ATOM_S3_SSE=aws:kms"; } > "$tmp/sandbox-kms.dotenv"
  stage_into "atom's S3 fake, SSE-KMS" "$tmp/sandbox-kms.dotenv" "$sandbox_s3" "$sandbox_bucket" - --sse aws:kms
fi

# --- pushes to the platforms' fakes (hash cached after the warm-up: upload CPU alone) ---------------
if [ -z "${ATOM_BENCH_SWEEP:-}" ]; then
  rm -rf "$ATOM_STATE_DIR"
  for platform in youtube tiktok facebook; do
    queue "push → $platform" atom "$bytes" "$bin" post "$file" --env-file "$tmp/sandbox.dotenv" --to "$platform" --caption bench --quiet --force
  done
  # A first post (empty state folder): YouTube uploads while the file is hashed, so this is near the row above, not
  # that row plus the sha-256 row.
  first='rm -rf "$ATOM_STATE_DIR"; exec "$0" post "$1" --env-file "$2" --to youtube --caption bench --quiet --force'
  queue "push → youtube" "atom, hash included" "$bytes" bash -c "$first" "$bin" "$file" "$tmp/sandbox.dotenv"
  have curl && queue "push → one server" "curl -T" "$bytes" curl -sS -o /dev/null -T "$file" "$sandbox_origin/bench-sink"
  # Google's own Python client, 8 MiB resumable chunks, into the same YouTube fake (ATOM_BENCH_PYTHON: a python with
  # google-api-python-client installed).
  if "$gpy" -c 'import googleapiclient.discovery, google.oauth2.credentials' 2>/dev/null; then
    queue "push → youtube" "google-api-python-client" "$bytes" "$gpy" scripts/bench-google-upload.py "$file" "$tmp/sandbox.dotenv"
  fi
  # At least 9 turns: the pushes are compared with curl's CPU, which alone varied from 0.49 to 0.76 s per GiB between
  # runs of 5 on the 2-core VM this was written on.
  run_queued $((runs > 9 ? runs : 9))
  # Instagram takes at most 300 MB (286 MiB): the four-at-once row uses a file every platform takes, and beside it
  # each platform alone with that same file, so "about as long as the slowest one alone" can be read off.
  four="$file"; four_bytes=$bytes
  if [ "$size_mib" -gt 256 ]; then
    four="$tmp/four.mp4"
    python3 scripts/make-sparse-video.py Fixtures/vertical.mp4 "$four" $((256 << 20)) --fill-random
    four_bytes=$(stat -c %s "$four")
  fi
  four_mib=$((four_bytes >> 20))
  for platform in tiktok instagram youtube facebook; do
    queue "alone, $four_mib MiB" "atom → $platform" "$four_bytes" "$bin" post "$four" --env-file "$tmp/sandbox.dotenv" \
      --to "$platform" --caption bench --quiet --force
  done
  queue "all four at once, $four_mib MiB" atom "$four_bytes" "$bin" post "$four" --env-file "$tmp/sandbox.dotenv" \
    --to tiktok,instagram,youtube,facebook --caption bench --quiet --force
  run_queued
fi

python3 - "$samples" "$runs" "$size_mib" <<'PY'
import os, statistics, sys
rows, order = {}, []
for line in open(sys.argv[1]):
    row, tool, wall, cpu, rss, size, server = line.rstrip("\n").split("\t")
    key = (row, tool)
    if key not in rows: rows[key] = []; order.append(key)
    rows[key].append((float(wall), float(cpu), int(rss) / 1024, int(size), float(server) if server else None))
cores = os.cpu_count()
print(f"atom benchmark: {sys.argv[3]} MiB file, median of the runs after a warm-up; CPU and RSS of the client process;")
print(f"server CPU: the S3 server's or sandbox's during the run; {cores} cores")
print(f"| {'what':<34} | {'tool':<24} | {'runs':>4} | {'wall s':>7} | {'MiB/s':>7} | {'CPU s':>6} | {'peak RSS MiB':>12} | {'server CPU s':>12} |")
print(f"|{'-' * 36}|{'-' * 26}|{'-' * 5}:|{'-' * 8}:|{'-' * 8}:|{'-' * 7}:|{'-' * 13}:|{'-' * 13}:|")
medians = {}
for row, tool in order:
    samples = rows[(row, tool)]
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    rss = statistics.median(s[2] for s in samples)
    servers = [s[4] for s in samples if s[4] is not None]
    server = statistics.median(servers) if servers else None
    medians[(row, tool)] = (wall, cpu, server)
    size = samples[0][3]
    rate = f"{size / 2**20 / wall:7.0f}" if size and wall > 0 else f"{'':>7}"
    shown = f"{server:12.2f}" if server is not None else f"{'':>12}"
    print(f"| {row:<34} | {tool:<24} | {len(samples):4d} | {wall:7.3f} | {rate} | {cpu:6.2f} | {rss:12.0f} | {shown} |")
# Four at once can finish no sooner than its slowest platform alone, nor than all the CPU it takes (atom's and the
# sandbox's) spread over every core: the larger of the two is this machine's floor for that row.
four = [(key, value) for key, value in medians.items() if key[0].startswith("all four at once")]
alone = [value for key, value in medians.items() if key[0].startswith("alone, ")]
if four and alone:
    (_, (wall, cpu, server)) = four[0]
    slowest = max(value[0] for value in alone)
    floor = max(slowest, (cpu + (server or 0)) / cores)
    print(f"\nall four at once: {wall:.2f} s; slowest alone {slowest:.2f} s; CPU floor on {cores} cores "
          f"(atom {cpu:.2f} s + sandbox {server or 0:.2f} s) / {cores} = {(cpu + (server or 0)) / cores:.2f} s; "
          f"{wall / floor:.2f}× the larger")
PY
