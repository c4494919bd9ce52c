#!/usr/bin/env bash
# Benchmarks (not tests): figures for the README and closing notes. Release build, loopback only.
#  1. `atom validate` on a 4 GiB file: wall time and peak RSS (the probe reads box headers only).
#  2. SHA-256 of a 1 GiB file: atom's streamed digest against `openssl dgst -sha256`.
#  3. `atom post --sandbox` of a 256 MiB video: each platform alone, then all four at once
#     (wall time and peak RSS) — four at once should take about as long as the slowest alone.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product atom >/dev/null
bin=.build/release/atom
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ATOM_STATE_DIR="$tmp/state"
measure() { /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; return 1; }; read -r secs kib < "$tmp/time"; echo "$secs s, peak RSS $((kib / 1024)) MiB"; }

echo "== validate, 4 GiB file (sparse, valid box structure)"
python3 scripts/make-sparse-video.py Fixtures/vertical.mp4 "$tmp/big.mp4" $((4 << 30))
# TikTok (4 GB) and Instagram (300 MB) refuse a 4 GiB file (exit 65) — that verdict is part of the run.
/usr/bin/time -f "%e %M" -o "$tmp/time" "$bin" validate "$tmp/big.mp4" --to tiktok,instagram,youtube,facebook --caption bench > /dev/null 2>&1 || true
read -r secs kib < <(tail -n 1 "$tmp/time")
echo "atom validate (4 platforms): $secs s, peak RSS $((kib / 1024)) MiB"

echo "== SHA-256, 1 GiB of random bytes"
head -c $((1 << 30)) /dev/urandom > "$tmp/rand.bin"
cat "$tmp/rand.bin" > /dev/null   # warm the page cache for both
echo "openssl dgst: $(measure openssl dgst -sha256 "$tmp/rand.bin")"
echo "atom digest:  $(measure "$bin" digest "$tmp/rand.bin")"

echo "== post to the sandbox (its own process), 256 MiB video: client wall time and peak RSS"
python3 scripts/make-sparse-video.py Fixtures/vertical.mp4 "$tmp/post.mp4" $((256 << 20))
"$bin" sandbox --port 0 > "$tmp/sandbox.env" 2>/dev/null &
sandbox_pid=$!
for _ in $(seq 1 100); do grep -q "^# ready" "$tmp/sandbox.env" 2>/dev/null && break; sleep 0.1; done
grep -v '^#' "$tmp/sandbox.env" > "$tmp/.env"
for platforms in tiktok instagram youtube facebook tiktok,instagram,youtube,facebook; do
  rm -rf "$ATOM_STATE_DIR"
  echo "$platforms: $(measure "$bin" post "$tmp/post.mp4" --env-file "$tmp/.env" --to "$platforms" --caption "bench run" --quiet --force)"
done
kill -INT "$sandbox_pid"; wait "$sandbox_pid" 2>/dev/null || true
