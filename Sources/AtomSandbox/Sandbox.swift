import Foundation
import PlatformKit
import PublishingCore

/// atom's built-in sandbox: the plug-ins' loopback fakes and an S3 fake on one port, with default (fault-free)
/// behaviour. The fakes are the same ones the test suites use.
public struct Sandbox: Sendable {
    /// The S3 fake the staging bucket lives in.
    public let s3: FakeS3
    /// The staging bucket's public access block, policy status and lifecycle (hardened, as atom recommends).
    public let s3Settings: FakeS3BucketSettings
    /// Everything to mount on one ``FakeServer``, including `GET /_sandbox/state`.
    public let services: [any FakeService]
    /// The fakes `GET /_sandbox/state` reports on (one per platform, and S3).
    public let fakes: [any SandboxInspectable]

    /// Fresh fakes for `plugins` (those without a fake are left out).
    /// - Parameter storage: A folder for the S3 fake's objects (the caller removes it). It is made (or narrowed to)
    ///   mode 0700: uploaded videos are the owner's, not every local user's.
    public init(plugins: [PlatformPlugin], storage: String) throws {
        try FileManager.default.createDirectory(
            atPath: storage, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: storage)
        let world = SandboxWorld(storage: storage)
        let parts = try plugins.compactMap { try $0.sandbox?.makePart(in: world) }
        s3 = try FakeS3(directory: storage + "/s3")
        s3Settings = FakeS3BucketSettings(s3: s3, defaults: .hardened(prefix: "atom-staging/"))
        let fakes = parts.flatMap(\.inspectable) + [s3]
        self.fakes = fakes
        // Services on the same mount are asked in this order: each platform's own, then the shared ones.
        services = parts.flatMap(\.services) + world.sharedServices()
            + [s3Settings, s3, SandboxInspectionService(fakes: fakes)]
    }

    /// The platform fake of this type (e.g. to inspect what it received), if a plug-in mounted one.
    public func fake<Fake>(_ type: Fake.Type) -> Fake? {
        fakes.lazy.compactMap { $0 as? Fake }.first
    }

    /// The mounted service of this type (e.g. a login fake a plug-in shares), if any.
    public func service<Service>(_ type: Service.Type) -> Service? {
        services.lazy.compactMap { $0 as? Service }.first
    }

    /// The `.env` lines that point atom at these fakes on `server`.
    public func environment(server: FakeServer) -> [String: String] {
        var environment: [String: String] = [:]
        for service in services { environment.merge(service.sandboxEnvironment(server: server)) { first, _ in first } }
        return environment
    }
}
