import AtomSandbox
import AtomTestSupport
import Foundation
import MediaInspection
import OpenAPIRuntime
import PlatformKit
import PublishingCore
import YouTubeAdapter

/// A running ``FakeYouTube`` on loopback, a real AsyncHTTPClient transport, a test file and helpers to build
/// the publisher, jobs and contexts the way the orchestrator does.
struct YouTubeHarness: Sendable {
    /// 6 × 256 KiB + 1,000 bytes: with 512 KiB chunks, four chunk requests (the last 1,000 bytes).
    static let defaultFileSize = 6 * 256 * 1024 + 1000
    static let chunkSize = 512 * 1024
    /// A fixed wall clock shared by the adapter and the fake.
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    let fake: FakeYouTube
    let server: FakeServer
    let transport: any HTTPTransport
    let file: MediaFileHandle
    let media: MediaInfo
    let sha256: String
    let directory: String
    let clock = ImmediateClock()
    let journal = JournalBox()

    /// Runs `body` with a fake server, a transport and a random file of `fileSize` bytes (landscape, 30 s).
    static func run(
        fileSize: Int = defaultFileSize, media: MediaInfo? = nil, fixture: String? = nil,
        _ body: @Sendable (YouTubeHarness) async throws -> Void
    ) async throws {
        try await TemporaryDirectory.with { directory in
            let path: String
            if let fixture {
                path = Fixtures.path(fixture)
            } else {
                path = directory + "/clip.mp4"
                try TemporaryDirectory.writeRandomFile(at: path, size: fileSize, seed: 7)
            }
            let file = try MediaFileHandle(path: path)
            let info: MediaInfo
            if let media {
                info = media
            } else if fixture != nil {
                info = try await MediaProbe.probe(file)
            } else {
                info = landscape(size: file.size)
            }
            let sha = try await FileDigest.sha256(of: file)
            let fake = FakeYouTube(now: { now })
            try await FakeServer.run(services: fake.services) { server in
                try await TestTransport.with { transport in
                    let harness = YouTubeHarness(
                        fake: fake, server: server, transport: transport, file: file, media: info, sha256: sha,
                        directory: directory)
                    try await body(harness)
                }
            }
        }
    }

    static func landscape(size: Int64, duration: Double = 30) -> MediaInfo {
        MediaInfo(
            container: "mp4", brand: "isom", sizeBytes: size, duration: duration, width: 1920, height: 1080,
            rotation: 0,
            frameRate: 30, videoCodec: "h264", audioCodec: "aac", audioSampleRate: 48000, moovAtStart: true,
            hasEditList: false)
    }

    /// The `.env` values pointing atom at the fake.
    var sandboxEnvironment: [String: String] {
        var values: [String: String] = [:]
        for service in fake.services { values.merge(service.sandboxEnvironment(server: server)) { $1 } }
        values["ATOM_YOUTUBE_CHUNK_SIZE"] = String(Self.chunkSize)
        return values
    }

    /// A publisher built through the factory, from `store` (default: the sandbox environment in memory).
    func publisher(store: (any CredentialStore)? = nil, overrides: [String: String] = [:]) throws -> any Publisher {
        let credentials = store ?? MemoryCredentialStore(sandboxEnvironment.merging(overrides) { $1 })
        return try PublisherFactory.youtube().makePublisher(
            PublisherEnvironment(credentials: credentials, transport: transport, now: { Self.now })
        )
    }

    func job(
        _ draft: PostDraft = PostDraft(caption: "Sunrise over the bay\nshot at dawn", title: "Sunrise"),
        checkpoint: JSONValue? = nil, withFile: Bool = true
    ) -> PublishJob {
        PublishJob(
            recordID: "rec1", draft: draft, media: media, file: withFile ? file : nil, sha256: sha256,
            checkpoint: checkpoint)
    }

    func context(waitLimit: Duration = .seconds(600), progress: AsyncStream<PublishEvent>.Continuation? = nil)
        -> PublishContext
    {
        PublishContext(
            progress: ProgressReporter(platform: .youtube, continuation: progress), journal: journal.journal,
            clock: clock, jitter: FixedJitter(0.5), now: { Self.now }, waitLimit: waitLimit
        )
    }

    /// The single video the fake holds.
    func onlyVideo() async throws -> FakeYouTubeVideo {
        let videos = await fake.videos()
        guard videos.count == 1, let video = videos.first else {
            throw HarnessError("expected one video, found \(videos.count)")
        }
        return video
    }
}

/// Captures the checkpoints a publisher journals.
final class JournalBox: Sendable {
    private let states = LockedBox<[JSONValue]>([])
    var journal: Journal { Journal { [states] state in states.withLock { $0.append(state) } } }
    var last: JSONValue? { states.value.last }
    var all: [JSONValue] { states.value }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
