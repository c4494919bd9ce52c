import Foundation
import PublishingCore

/// atom's built-in sandbox: loopback fakes of every platform and of S3 on one port, with default
/// (fault-free) behaviour. The fakes are the same ones the test suites use.
public struct Sandbox: Sendable {
    public let tiktok: TikTokFake
    public let instagram: InstagramFake
    public let youtube: FakeYouTube
    public let facebook: FakeFacebook
    public let s3: FakeS3
    /// The staging bucket's public access block, policy status and lifecycle (hardened, as atom recommends).
    public let s3Settings: FakeS3BucketSettings
    /// Facebook Login (`atom auth facebook`, `atom auth instagram --facebook-login`): grants the Facebook fake's Page.
    public let facebookLogin: FakeFacebookLogin
    /// Business Login for Instagram (`atom auth instagram`): issues the Instagram fake's token.
    public let instagramLogin: FakeInstagramLogin

    /// Fresh fakes.
    /// - Parameter storage: A folder for the S3 fake's objects (the caller removes it). It is made (or narrowed to)
    ///   mode 0700: uploaded videos are the owner's, not every local user's.
    public init(storage: String) throws {
        try FileManager.default.createDirectory(
            atPath: storage, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: storage)
        // Processing finishes at the first status poll, so a demo run takes seconds, not minutes.
        tiktok = TikTokFake(TikTokFake.Configuration(processingPolls: 0))
        instagram = InstagramFake()
        youtube = FakeYouTube()
        facebook = FakeFacebook(configuration: FakeFacebook.Configuration(processingPolls: 0))
        s3 = try FakeS3(directory: storage + "/s3")
        s3Settings = FakeS3BucketSettings(s3: s3, defaults: .hardened(prefix: "atom-staging/"))
        let page = facebook.configuration
        let granted = FakeFacebookLogin.Page(
            id: page.pageID, name: page.pageName, accessToken: page.accessToken, instagramAccountID: instagram.userID)
        facebookLogin = FakeFacebookLogin(
            configuration: FakeFacebookLogin.Configuration(
                appSecret: page.appSecret ?? "sandbox-facebook-app-secret", pages: [granted]))
        instagramLogin = FakeInstagramLogin(
            configuration: FakeInstagramLogin.Configuration(
                userID: instagram.userID, longLivedToken: instagram.initialToken))
    }

    private var inspectable: [any SandboxInspectable] { [tiktok, instagram, youtube, facebook, s3] }

    /// Everything to mount on one ``FakeServer``, including `GET /_sandbox/state`.
    public var services: [any FakeService] {
        // The account services go before the fakes that answer every other path under the same mount.
        [tiktok.accountService, tiktok, instagram.accountService] + instagram.services + youtube.services
            + facebook.services + [facebook.accountService] + facebookLogin.services + instagramLogin.services
            + [GraphUnknownObjectService(), s3Settings, s3, SandboxInspectionService(fakes: inspectable)]
    }

    /// The `.env` lines that point atom at these fakes on `server`.
    public func environment(server: FakeServer) -> [String: String] {
        var environment: [String: String] = [:]
        for service in services { environment.merge(service.sandboxEnvironment(server: server)) { first, _ in first } }
        return environment
    }
}
