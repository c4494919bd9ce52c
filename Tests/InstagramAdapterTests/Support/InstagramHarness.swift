import AtomSandbox
import AtomTestSupport
import Foundation
import InstagramAdapter
import MediaInspection
import OpenAPIRuntime
import PlatformKit
import PublishingCore
import Testing

/// Serves fixture files over loopback (`/files/<name>`), and answers 404 for `/files/missing/…`.
struct FileServer: FakeService {
    let mountPath = "/files"
    func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        guard request.method == "GET" || request.method == "HEAD" else { return .text(405, "GET only") }
        let name = String(request.path.dropFirst())
        guard !name.hasPrefix("missing/"), !name.contains(".."),
            FileManager.default.fileExists(atPath: Fixtures.path(name))
        else {
            return .text(404, "NoSuchKey: The specified key does not exist.")
        }
        let size =
            (try FileManager.default.attributesOfItem(atPath: Fixtures.path(name))[.size] as? NSNumber)?.int64Value ?? 0
        return FakeResponse(
            status: 200, headers: [("Content-Type", name.hasSuffix(".jpg") ? "image/jpeg" : "video/mp4")],
            body: .file(path: Fixtures.path(name), range: 0..<size))
    }
}

/// What a test's publish context recorded.
final class ContextLog: Sendable {
    let checkpoints = LockedBox<[JSONValue]>([])
    let releases = LockedBox(0)
    let stagedRequests = LockedBox(0)
    let events = LockedBox<[PublishEvent]>([])

    var lastCheckpoint: JSONValue? { checkpoints.value.last }
}

/// Builds publishers, jobs and contexts against a running ``InstagramFake``.
struct InstagramHarness {
    let fake: InstagramFake
    let server: FakeServer
    let transport: any HTTPTransport
    let clock = ImmediateClock()
    let log = ContextLog()
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    /// The sandbox settings plus `overrides` (a `nil` value removes a key).
    func settings(_ overrides: [String: String?] = [:]) -> [String: String] {
        var values = fake.sandboxEnvironment(server: server)
        values["INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT"] = InstagramHarness.now.addingTimeInterval(50 * 86_400).formatted(
            .iso8601)
        for (key, value) in overrides { values[key] = value }
        return values
    }

    func publisher(_ overrides: [String: String?] = [:], store: (any CredentialStore)? = nil) throws
        -> InstagramPublisher
    {
        let credentials = store ?? MemoryCredentialStore(settings(overrides))
        let environment = PublisherEnvironment(
            credentials: credentials, transport: transport, now: { InstagramHarness.now })
        let made = try PublisherFactory.instagram().makePublisher(environment)
        return try #require(made as? InstagramPublisher)
    }

    /// A job for a fixture.
    static func job(
        _ fixture: String = "vertical.mp4", draft: PostDraft = PostDraft(caption: "Sunrise over the bay #sunrise"),
        checkpoint: JSONValue? = nil
    ) async throws -> PublishJob {
        let file = try MediaFileHandle(path: Fixtures.path(fixture))
        let media = try await MediaProbe.probe(file)
        let sha = try await FileDigest.sha256(of: file)
        return PublishJob(
            recordID: "rec-1", draft: draft, media: media, file: file, sha256: sha, checkpoint: checkpoint)
    }

    /// A context whose staged URL is `stagedURL`, journaling into ``log``.
    func context(stagedURL: URL? = nil, waitLimit: Duration = .seconds(600)) -> PublishContext {
        let log = self.log
        return PublishContext(
            progress: ProgressReporter(platform: .instagram, continuation: nil),
            journal: Journal { state in log.checkpoints.withLock { $0.append(state) } },
            stagedURL: {
                log.stagedRequests.withLock { $0 += 1 }
                guard let stagedURL else { throw PublishError(.configuration, message: "no staged URL in this test") }
                return stagedURL
            },
            releaseStaging: { log.releases.withLock { $0 += 1 } },
            clock: clock, jitter: FixedJitter(1), now: { InstagramHarness.now }, waitLimit: waitLimit
        )
    }

    /// The URL of a fixture on the loopback file server.
    func fileURL(_ name: String) -> URL { server.baseURL(for: "/files").appending(path: name) }

    /// Runs `body` with a fake (and the file server) on a loopback server and a real AsyncHTTPClient transport.
    static func run<T: Sendable>(
        _ fake: InstagramFake = InstagramFake(), extra: [any FakeService] = [],
        _ body: @Sendable (InstagramHarness) async throws -> T
    ) async throws -> T {
        try await FakeServer.run(services: fake.services + [FileServer()] + extra) { server in
            try await TestTransport.with { transport in
                try await body(InstagramHarness(fake: fake, server: server, transport: transport))
            }
        }
    }
}

extension PublishError {
    /// Whether this is the error `code` about Instagram.
    func isInstagram(_ code: PublishError.Code) -> Bool { self.code == code && platform == .instagram }
}
