import AtomSandbox
import AtomTestSupport
import Foundation
import MediaInspection
import PlatformKit
import PublishingCore
import Testing

@testable import FacebookAdapter

/// Serves files from `Fixtures/` at `/files/<name>`: the "staged URL" the fake downloads in URL mode.
struct FixtureFileService: FakeService {
    let mountPath = "/files"

    func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        let name = String(request.path.dropFirst())
        guard request.method == "GET", !name.isEmpty, !name.contains("/") else { return nil }
        let path = Fixtures.path(name)
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value else {
            return .text(404, "no such fixture")
        }
        return FakeResponse(status: 200, headers: [("Content-Type", "video/mp4")], body: .file(path: path, range: 0..<size))
    }
}

/// What a test sees of one publish: the context's journal, staging calls and progress.
final class Recorder: Sendable {
    let checkpoints = LockedBox<[JSONValue]>([])
    let stagedURLRequests = LockedBox(0)
    let releases = LockedBox(0)
    let clock = ImmediateClock()
    private let stream: AsyncStream<PublishEvent>
    private let continuation: AsyncStream<PublishEvent>.Continuation

    init() {
        (stream, continuation) = AsyncStream<PublishEvent>.makeStream(bufferingPolicy: .unbounded)
    }

    /// A context whose staged URL is `stagedURL` and whose wait is `waitLimit`.
    func context(stagedURL: URL? = nil, waitLimit: Duration = .seconds(600)) -> PublishContext {
        PublishContext(
            progress: ProgressReporter(platform: .facebook, continuation: continuation),
            journal: Journal { [checkpoints] state in checkpoints.withLock { $0.append(state) } },
            stagedURL: { [stagedURLRequests] in
                stagedURLRequests.withLock { $0 += 1 }
                guard let stagedURL else { throw PublishError(.configuration, message: "no staging in this test") }
                return stagedURL
            },
            releaseStaging: { [releases] in releases.withLock { $0 += 1 } },
            clock: clock, jitter: FixedJitter(0.5), now: { Date() }, waitLimit: waitLimit
        )
    }

    /// The last checkpoint journaled, decoded.
    var lastCheckpoint: FacebookCheckpoint? {
        checkpoints.value.last.flatMap { try? $0.decode(FacebookCheckpoint.self) }
    }

    /// Every progress event so far (ends the stream).
    func events() async -> [PublishEvent] {
        continuation.finish()
        var all: [PublishEvent] = []
        for await event in stream { all.append(event) }
        return all
    }

    /// The byte counts reported while uploading, in order.
    func uploadedByteCounts() async -> [Int64] {
        await events().filter { $0.phase == .uploading }.compactMap(\.bytesSent)
    }
}

/// Runs `body` against a fresh ``FakeFacebook`` on a loopback server, with a publisher configured from the fake's
/// sandbox settings (plus `settings`) over the real AsyncHTTPClient transport.
func withFacebookFake<T: Sendable>(
    _ configuration: FakeFacebook.Configuration = FakeFacebook.Configuration(processingPolls: 1),
    settings: [String: String] = [:],
    adjust: @Sendable (inout FacebookPublisher.Configuration) -> Void = { _ in },
    _ body: @Sendable (FakeFacebook, FakeServer, FacebookPublisher) async throws -> T
) async throws -> T {
    let fake = FakeFacebook(configuration: configuration)
    return try await FakeServer.run(services: fake.services + [FixtureFileService()]) { server in
        try await TestTransport.with { transport in
            let values = fake.sandboxEnvironment(server: server).merging(settings) { $1 }
            var publisherConfiguration = try FacebookPublisher.Configuration.load(from: EnvironmentStore(values))
            adjust(&publisherConfiguration)
            let publisher = FacebookPublisher(configuration: publisherConfiguration, transport: transport)
            return try await body(fake, server, publisher)
        }
    }
}

/// The URL at which ``FixtureFileService`` serves `name`.
func fixtureURL(_ server: FakeServer, _ name: String) -> URL {
    server.baseURL(for: "/files").appendingPathComponent(name)
}

/// A job for a fixture video.
func makeJob(_ fixture: String, draft: PostDraft = PostDraft(caption: "Sunrise over the bay #sunrise"), checkpoint: JSONValue? = nil)
    async throws -> PublishJob
{
    let file = try MediaFileHandle(path: Fixtures.path(fixture))
    let media = try await MediaProbe.probe(file)
    let sha = try await FileDigest.sha256(of: file)
    return PublishJob(recordID: "test-record", draft: draft, media: media, file: file, sha256: sha, checkpoint: checkpoint)
}

/// A `MediaInfo` for offline plan tests.
func media(width: Int, height: Int, duration: Double, fps: Double? = 30, size: Int64 = 10_000_000) -> MediaInfo {
    MediaInfo(container: "mp4", brand: "isom", sizeBytes: size, duration: duration, width: width, height: height, rotation: 0,
              frameRate: fps, videoCodec: "h264", audioCodec: "aac", audioSampleRate: 48_000, moovAtStart: true, hasEditList: false)
}

/// The fake's record of the video a receipt names.
func requireVideo(_ fake: FakeFacebook, _ receipt: PublishReceipt, sourceLocation: SourceLocation = #_sourceLocation) throws
    -> FakeFacebook.VideoSnapshot
{
    let id = try #require(receipt.postID, sourceLocation: sourceLocation)
    return try #require(fake.video(id), sourceLocation: sourceLocation)
}
