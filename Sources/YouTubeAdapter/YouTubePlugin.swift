import PlatformKit
import PublishingCore

extension PlatformPlugin {
    /// YouTube: Data API v3 resumable uploads, Google OAuth, a loopback fake.
    public static let youtube = PlatformPlugin(
        publisher: .youtube(), account: .youtube(), login: .youtube(),
        privacyHelp: "public, unlisted, private; no friends/followers; default public",
        environmentPrefixes: ["YOUTUBE_"],
        sandbox: SandboxFake { _ in
            let fake = FakeYouTube()
            return SandboxFake.Part(services: fake.services, inspectable: [fake])
        }
    )
}
