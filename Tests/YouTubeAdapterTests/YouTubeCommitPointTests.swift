import AtomTestSupport
import Foundation
import PublishingCore
import Testing
@testable import YouTubeAdapter

/// Where a first post may stop: YouTube makes the video when the session's last byte arrives, so the adapter waits at
/// its commit point right before the last chunk, and nothing before it exists on YouTube.
@Suite("YouTube commit point")
struct YouTubeCommitPointTests {
    static let chunk = Int64(YouTubeHarness.chunkSize)

    @Test("the commit point comes once, after every chunk but the last has been stored")
    func beforeLastChunk() async throws {
        try await YouTubeHarness.run { h in
            let fake = h.fake
            let seen = LockedBox<[Int64]>([])
            var context = h.context()
            context.commitPoint = {
                // What YouTube holds when atom is asked whether to go on.
                let stored = await fake.sessions().first?.stored ?? -1
                seen.withLock { $0.append(stored) }
                #expect(await fake.videos().isEmpty)
            }
            let receipt = try await h.publisher().publish(h.job(), context: context)
            #expect(receipt.status == .published)
            #expect(try h.publisher().capabilities.uploadsWhileHashing)
            #expect(seen.value == [3 * Self.chunk])
            let session = try #require(await h.fake.sessions().first)
            #expect(session.chunkStarts == [0, Self.chunk, 2 * Self.chunk, 3 * Self.chunk])
        }
    }

    @Test("a commit point that says no stops the upload before the last chunk: no video on YouTube, nothing retried")
    func abandoned() async throws {
        try await YouTubeHarness.run { h in
            var context = h.context()
            context.commitPoint = { throw CancellationError() }
            await #expect(throws: CancellationError.self) { try await h.publisher().publish(h.job(), context: context) }
            #expect(await h.fake.videos().isEmpty)
            let session = try #require(await h.fake.sessions().first)
            #expect(session.chunkStarts == [0, Self.chunk, 2 * Self.chunk])
            #expect(session.stored == 3 * Self.chunk)
            #expect(session.statusQueries == 0)
        }
    }

    @Test("a file of one chunk waits right after the session starts, before any byte is sent")
    func oneChunk() async throws {
        try await YouTubeHarness.run(fileSize: 100_000) { h in
            let fake = h.fake
            let stored = LockedBox<Int64?>(nil)
            var context = h.context()
            context.commitPoint = {
                let held = await fake.sessions().first?.stored
                stored.withLock { $0 = held }
            }
            _ = try await h.publisher().publish(h.job(), context: context)
            #expect(stored.value == 0)
            #expect(try await h.onlyVideo().size == 100_000)
        }
    }
}
