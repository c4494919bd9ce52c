import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing
@testable import TikTokAdapter

/// Shrunken chunk rules, used only with a fake enforcing the same bounds (so tests move ~1 MB, not 64 MB).
enum SmallChunks {
    static let adapter = TikTokChunkRules(
        minChunkSize: 100_000, maxChunkSize: 640_000, maxFinalChunkSize: 1_280_000, maxChunkCount: 1000,
        preferredChunkSize: 200_000)
    static let fake = TikTokFake.ChunkRules(
        minChunkSize: 100_000, maxChunkSize: 640_000, maxFinalChunkSize: 1_280_000, maxChunkCount: 1000,
        multiChunkRefusedUpTo: 640_000)
}

/// Everything a loopback test needs: the fake, the server, a publisher built from the fake's sandbox settings.
struct TikTokRig: Sendable {
    let fake: TikTokFake
    let server: FakeServer
    let publisher: TikTokPublisher
    let store: any CredentialStore

    /// Starts a fake (plus `services`) and builds a publisher over the real AsyncHTTPClient transport.
    static func run<T: Sendable>(
        fake configuration: TikTokFake.Configuration = TikTokFake.Configuration(chunkRules: SmallChunks.fake),
        services: [any FakeService] = [],
        settings: @escaping @Sendable (FakeServer) -> [String: String] = { _ in [:] },
        configure: @escaping @Sendable (inout TikTokPublisher.Configuration) -> Void = { _ in },
        store makeStore: @escaping @Sendable ([String: String]) throws -> any CredentialStore = {
            MemoryCredentialStore($0)
        },
        _ body: @escaping @Sendable (TikTokRig) async throws -> T
    ) async throws -> T {
        let fake = TikTokFake(configuration)
        return try await FakeServer.run(services: [fake] + services) { server in
            try await TestTransport.with { transport in
                let values = fake.sandboxEnvironment(server: server).merging(settings(server)) { $1 }
                let store = try makeStore(values)
                var publisherConfiguration = try TikTokPublisher.Configuration(store: store)
                publisherConfiguration.chunkRules = SmallChunks.adapter
                configure(&publisherConfiguration)
                let publisher = TikTokPublisher(
                    configuration: publisherConfiguration,
                    environment: PublisherEnvironment(credentials: store, transport: transport)
                )
                return try await body(TikTokRig(fake: fake, server: server, publisher: publisher, store: store))
            }
        }
    }
}

/// Records what a publisher does with its context: journaled checkpoints, staging releases, progress.
final class ContextRecorder: Sendable {
    let clock = ImmediateClock()
    private let saved = LockedBox<[JSONValue]>([])
    private let releaseCount = LockedBox(0)
    let continuation: AsyncStream<PublishEvent>.Continuation
    let events: AsyncStream<PublishEvent>

    init() {
        (events, continuation) = AsyncStream.makeStream(
            of: PublishEvent.self, bufferingPolicy: .bufferingNewest(10_000))
    }

    var checkpoints: [JSONValue] { saved.value }
    var lastCheckpoint: JSONValue? { saved.value.last }
    var releases: Int { releaseCount.value }

    /// A context over this recorder's clock and journal.
    func context(
        waitLimit: Duration = .seconds(600), now: @escaping @Sendable () -> Date = { Date() },
        stagedURL: @escaping @Sendable () async throws -> URL = {
            throw PublishError(.configuration, message: "no staging in this test")
        },
        onRelease: @escaping @Sendable () -> Void = {}
    ) -> PublishContext {
        PublishContext(
            progress: ProgressReporter(platform: .tiktok, continuation: continuation),
            journal: Journal { [saved] state in saved.withLock { $0.append(state) } },
            stagedURL: stagedURL,
            releaseStaging: { [releaseCount] in
                onRelease()
                releaseCount.withLock { $0 += 1 }
            },
            clock: clock, jitter: FixedJitter(0.5), now: now, waitLimit: waitLimit
        )
    }

    /// The progress events so far.
    func drainEvents() async -> [PublishEvent] {
        continuation.finish()
        var result: [PublishEvent] = []
        for await event in events { result.append(event) }
        return result
    }
}

enum TestMedia {
    /// A vertical H.264 video's probe of `size` bytes.
    static func info(size: Int64, duration: Double = 4) -> MediaInfo {
        MediaInfo(
            container: "mp4", brand: "isom", sizeBytes: size, duration: duration, width: 1080, height: 1920,
            rotation: 0, frameRate: 30,
            videoCodec: "h264", audioCodec: "aac", audioSampleRate: 48_000, moovAtStart: true, hasEditList: false)
    }

    /// A job for `file` with `draft`.
    static func job(
        _ file: MediaFileHandle?, size: Int64? = nil, draft: PostDraft, checkpoint: JSONValue? = nil,
        duration: Double = 4
    ) -> PublishJob {
        PublishJob(
            recordID: "rec-tiktok-1", draft: draft, media: info(size: size ?? file?.size ?? 0, duration: duration),
            file: file,
            sha256: "", checkpoint: checkpoint)
    }

    /// A public post with a caption.
    static let publicDraft = PostDraft(caption: "Sunrise over the bay #sunrise", privacy: .public)

    /// Writes a random file of `size` bytes in `directory` and opens it with its SHA-256.
    static func randomFile(in directory: String, size: Int, seed: UInt64 = 7) async throws -> (MediaFileHandle, String)
    {
        let path = directory + "/clip-\(size).mp4"
        try TemporaryDirectory.writeRandomFile(at: path, size: size, seed: seed)
        let file = try MediaFileHandle(path: path)
        return (file, try await FileDigest.sha256(of: file))
    }
}

/// Serves files over loopback as a stand-in for a staged (presigned or CDN) URL, counting complete downloads.
struct StagedFileServer: FakeService {
    let mountPath = "/files"
    let path: String
    let name: String
    let served = LockedBox(0)
    var missing = false

    func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        guard request.method == "GET", request.path == "/" + name, !missing else { return .text(404, "no such object") }
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        served.withLock { $0 += 1 }
        return FakeResponse(
            status: 200, headers: [("Content-Type", "video/mp4")], body: .file(path: path, range: 0..<size))
    }
}

/// Expects `body` to throw a ``PublishError`` that satisfies `check`.
func expectPublishError<R>(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> R, where check: (PublishError) -> Bool
) async {
    let error = await #expect(throws: PublishError.self, sourceLocation: sourceLocation) { _ = try await body() }
    if let error { #expect(check(error), "\(error)", sourceLocation: sourceLocation) }
}

/// Expects `body` to throw a ``PublishError`` that satisfies `check`.
func expectPublishErrorSync<R>(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> R, where check: (PublishError) -> Bool
) {
    let error = #expect(throws: PublishError.self, sourceLocation: sourceLocation) { _ = try body() }
    if let error { #expect(check(error), "\(error)", sourceLocation: sourceLocation) }
}
