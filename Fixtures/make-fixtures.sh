#!/usr/bin/env bash
# Makes the small video fixtures the tests use. The outputs are committed, so tests never need ffmpeg;
# run this again only to change them (needs ffmpeg with libx264, libx265 and aac).
set -euo pipefail
cd "$(dirname "$0")"
common=(-hide_banner -loglevel error -y)
src_v() { echo "testsrc2=size=$1:rate=$2:duration=$3"; }
src_a() { echo "sine=frequency=440:sample_rate=48000:duration=$1"; }

# Vertical 1080x1920 H.264/AAC, 4 s, 30 fps, moov at the start (a Reel/Short/TikTok).
ffmpeg "${common[@]}" -f lavfi -i "$(src_v 1080x1920 30 4)" -f lavfi -i "$(src_a 4)" \
  -c:v libx264 -preset veryfast -b:v 150k -pix_fmt yuv420p -g 60 -c:a aac -b:a 64k -ac 2 -movflags +faststart vertical.mp4
# Landscape 1920x1080 H.264/AAC, 5 s, 25 fps.
ffmpeg "${common[@]}" -f lavfi -i "$(src_v 1920x1080 25 5)" -f lavfi -i "$(src_a 5)" \
  -c:v libx264 -preset veryfast -b:v 150k -pix_fmt yuv420p -c:a aac -b:a 64k -movflags +faststart landscape.mp4
# HEVC vertical 720x1280, 3 s, tagged hvc1.
ffmpeg "${common[@]}" -f lavfi -i "$(src_v 720x1280 30 3)" -f lavfi -i "$(src_a 3)" \
  -c:v libx265 -preset ultrafast -x265-params log-level=error -b:v 100k -tag:v hvc1 -pix_fmt yuv420p -c:a aac -b:a 64k -movflags +faststart hevc.mp4
# moov at the end (no faststart), vertical 540x960, 3 s.
ffmpeg "${common[@]}" -f lavfi -i "$(src_v 540x960 24 3)" -f lavfi -i "$(src_a 3)" \
  -c:v libx264 -preset veryfast -b:v 100k -pix_fmt yuv420p -c:a aac -b:a 64k moov-at-end.mp4
# Landscape stored frames with a 90° display matrix: displays as 720x1280.
ffmpeg "${common[@]}" -f lavfi -i "$(src_v 1280x720 30 3)" -f lavfi -i "$(src_a 3)" \
  -c:v libx264 -preset veryfast -b:v 100k -pix_fmt yuv420p -c:a aac -b:a 64k -movflags +faststart rotated-src.mp4
ffmpeg "${common[@]}" -i rotated-src.mp4 -c copy -metadata:s:v:0 rotate=90 -movflags +faststart rotated.mp4 && rm rotated-src.mp4
# QuickTime container, silent, 2 s.
ffmpeg "${common[@]}" -f lavfi -i "$(src_v 1080x1920 30 2)" -c:v libx264 -preset veryfast -b:v 100k -pix_fmt yuv420p -f mov silent.mov
# Truncated: the moov-at-end file cut in the middle of its media data (moov lost).
head -c "$(( $(stat -c %s moov-at-end.mp4) / 2 ))" moov-at-end.mp4 > truncated.mp4
# Not a video.
printf 'This is a text file named like a video.\n' > not-a-video.mp4
ls -l
