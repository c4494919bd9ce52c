import PlatformKit
import PublishingCore

extension PlatformPlugin {
    /// YouTube: Data API v3 resumable uploads, Google OAuth, a loopback fake.
    public static let youtube = PlatformPlugin(
        publisher: .youtube(), account: .youtube(), login: .youtube(),
        privacyHelp: "public, unlisted, private; no friends/followers; default public",
        environmentPrefixes: ["YOUTUBE_"],
        keyHelp: [
            "YOUTUBE_CLIENT_ID": "The Google OAuth client id (a desktop app).",
            "YOUTUBE_CLIENT_SECRET": "The Google OAuth client secret.",
            "YOUTUBE_REFRESH_TOKEN": "The refresh token `atom auth youtube` writes.",
        ],
        sandbox: SandboxFake { _ in
            let fake = FakeYouTube()
            return SandboxFake.Part(services: fake.services, inspectable: [fake])
        }
    )
}
