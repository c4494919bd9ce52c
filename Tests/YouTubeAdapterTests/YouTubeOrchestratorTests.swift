import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import PublishingEngine
import Testing
@testable import YouTubeAdapter

@Suite("YouTube through the orchestrator and the record")
struct YouTubeOrchestratorTests {
    /// `vertical.mp4` followed by a `free` box of `padding` random bytes: a valid ISO BMFF file big enough for several chunks.
    static func paddedVideo(at path: String, padding: Int) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("vertical.mp4")))
        let boxSize = UInt32(padding + 8)
        data.append(contentsOf: [
            UInt8(boxSize >> 24), UInt8((boxSize >> 16) & 0xff), UInt8((boxSize >> 8) & 0xff), UInt8(boxSize & 0xff),
        ])
        data.append(contentsOf: Array("free".utf8))
        var state: UInt64 = 99
        data.append(
            contentsOf: (0..<padding).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: state >> 33)
            })
        try data.write(to: URL(fileURLWithPath: path))
    }

    @Test(
        "`atom post` interrupted mid-upload, then `atom post` again: the journalled session continues from its offset")
    func interruptedPostResumes() async throws {
        try await YouTubeHarness.run { h in
            let path = h.directory + "/big.mp4"
            try Self.paddedVideo(at: path, padding: 1_200_000)
            let size = Int64(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0)
            let chunk = Int64(YouTubeHarness.chunkSize)
            await h.fake.inject(.stall(chunk: 2))
            let records = RecordStore(directory: h.directory + "/state")
            let orchestrator = Orchestrator(
                stager: nil, records: records, clock: h.clock, jitter: FixedJitter(0.5), now: { YouTubeHarness.now })
            let request = PostRequest(
                videoPath: path,
                targets: [PostTarget(publisher: try h.publisher(), draft: PostDraft(caption: "Big one"))])

            let first = Task { try await orchestrator.post(request) }
            await h.fake.waitUntilStalled()
            first.cancel()
            let interrupted = try await first.value
            #expect(interrupted.results.first?.status == .interrupted)
            await h.fake.releaseStall()
            let entry = try #require(try records.read().entries.first)
            // The core's final record write runs in the cancelled task and may not land (reported to the core's owner):
            // the entry then still says `uploading`, owned by this process. Either way the journalled checkpoint is there.
            #expect([RecordStatus.interrupted, .uploading].contains(entry.status))
            #expect(entry.checkpoint?.objectValue?["sessionURI"] != nil)
            // The interrupted process is gone: a new `atom post` runs as another process.
            try records.update { file in file.entries[0].owner?.pid = Int32.max }

            let second = try await orchestrator.post(request)
            let result = try #require(second.results.first)
            #expect(result.status == .published)
            let video = try await h.onlyVideo()
            #expect(result.url == "https://www.youtube.com/shorts/\(video.id)")
            #expect(video.size == size)
            #expect(video.sha256 == second.sha256)
            let sessions = await h.fake.sessions()
            #expect(sessions.count == 1)
            #expect(sessions[0].chunkStarts == [0, chunk, chunk, 2 * chunk])
            #expect(sessions[0].statusQueries == 1)
            #expect(await h.fake.stats().bytesReceived == size)
            #expect(try records.read().entries.first?.status == .published)
        }
    }

    @Test("the core refuses an explicit over-limit title before any upload; a derived one is shortened")
    func coreChecksLimits() async throws {
        try await YouTubeHarness.run { h in
            let orchestrator = Orchestrator(stager: nil, records: RecordStore(directory: h.directory + "/state"))
            let publisher = try h.publisher()
            let explicit = orchestrator.inspect(
                media: h.media,
                targets: [PostTarget(publisher: publisher, draft: PostDraft(title: String(repeating: "x", count: 101)))]
            )
            #expect(explicit.issues.contains { $0.field == "title" })
            let derived = orchestrator.inspect(
                media: h.media,
                targets: [
                    PostTarget(publisher: publisher, draft: PostDraft(caption: String(repeating: "word ", count: 40)))
                ])
            #expect(derived.issues.isEmpty)
            #expect(await h.fake.stats().sessionsStarted == 0)
        }
    }
}
