import Foundation
import PublishingCore

/// atom's built-in sandbox: loopback fakes of every platform and of S3 on one port, with default
/// (fault-free) behaviour. The fakes are the same ones the test suites use.
public struct Sandbox: Sendable {
    public let tiktok: TikTokFake
    public let instagram: InstagramFake
    public let youtube: FakeYouTube
    public let facebook: FakeFacebook

    /// Fresh fakes.
    /// - Parameter storage: A folder for the S3 fake's objects (the caller removes it).
    public init(storage: String) {
        // Processing finishes at the first status poll, so a demo run takes seconds, not minutes.
        tiktok = TikTokFake(TikTokFake.Configuration(processingPolls: 0))
        instagram = InstagramFake()
        youtube = FakeYouTube()
        facebook = FakeFacebook(configuration: FakeFacebook.Configuration(processingPolls: 0))
    }

    private var inspectable: [any SandboxInspectable] { [tiktok, instagram, youtube, facebook] }

    /// Everything to mount on one ``FakeServer``, including `GET /_sandbox/state`.
    public var services: [any FakeService] {
        [tiktok] + instagram.services + youtube.services + facebook.services + [SandboxInspectionService(fakes: inspectable)]
    }

    /// The `.env` lines that point atom at these fakes on `server`.
    public func environment(server: FakeServer) -> [String: String] {
        var environment: [String: String] = [:]
        for service in services { environment.merge(service.sandboxEnvironment(server: server)) { first, _ in first } }
        environment.merge(facebook.sandboxEnvironment(server: server)) { first, _ in first }
        return environment
    }
}
