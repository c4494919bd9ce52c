"""The benchmark's google-api-python-client row: one resumable upload (8 MiB chunks, the client's usual size) of a
video to the YouTube API that `atom sandbox` serves, authorised by a refresh grant at the sandbox's token endpoint.

    python3 scripts/bench-google-upload.py VIDEO SANDBOX_DOTENV

Needs `pip install google-api-python-client` (google-auth comes with it). Prints the new video's id.
"""
import sys
from urllib.parse import urlsplit

from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.http import MediaFileUpload

video, dotenv = sys.argv[1], sys.argv[2]
env = dict(line.rstrip("\n").split("=", 1) for line in open(dotenv) if "=" in line and not line.startswith("#"))
base = env["ATOM_YOUTUBE_API_BASE"].rstrip("/") + "/"
credentials = Credentials(None, refresh_token=env["YOUTUBE_REFRESH_TOKEN"], token_uri=env["ATOM_GOOGLE_TOKEN_URL"],
                          client_id=env["YOUTUBE_CLIENT_ID"], client_secret=env["YOUTUBE_CLIENT_SECRET"])
youtube = build("youtube", "v3", credentials=credentials, static_discovery=True, client_options={"api_endpoint": base})
media = MediaFileUpload(video, mimetype="video/mp4", chunksize=8 << 20, resumable=True)
request = youtube.videos().insert(part="snippet,status", media_body=media,
                                  body={"snippet": {"title": "bench", "categoryId": "22"}, "status": {"privacyStatus": "private"}})
# The media upload URL comes from the discovery document's rootUrl, which api_endpoint does not replace.
root = "{0.scheme}://{0.netloc}/".format(urlsplit(request.uri))
request.uri = request.uri.replace(root, base, 1)
response = None
while response is None:
    _, response = request.next_chunk()
print(response["id"])
