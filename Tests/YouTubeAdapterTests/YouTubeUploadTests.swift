import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing
@testable import YouTubeAdapter

@Suite("YouTube resumable upload over loopback")
struct YouTubeUploadTests {
    static let chunk = Int64(YouTubeHarness.chunkSize)

    @Test("a multi-chunk upload arrives byte-exact, in 512 KiB chunks, with the metadata")
    func multiChunkUpload() async throws {
        try await YouTubeHarness.run { h in
            let receipt = try await h.publisher().publish(h.job(), context: h.context())
            let video = try await h.onlyVideo()
            #expect(receipt.status == .published)
            #expect(receipt.postID == video.id)
            #expect(receipt.url == "https://youtu.be/\(video.id)")
            #expect(video.sha256 == h.sha256)
            #expect(video.size == h.file.size)
            #expect(video.title == "Sunrise")
            #expect(video.description == "Sunrise over the bay\nshot at dawn")
            #expect(video.categoryID == "22")
            #expect(video.privacyStatus == "public")
            #expect(video.madeForKids == false)
            #expect(video.contentType == "video/mp4")
            let session = try #require(await h.fake.sessions().first)
            #expect(session.chunkStarts == [0, Self.chunk, 2 * Self.chunk, 3 * Self.chunk])
            #expect(session.statusQueries == 0)
            let stats = await h.fake.stats()
            #expect(stats.bytesReceived == h.file.size)
            #expect(stats.violations.isEmpty)
            #expect(stats.refreshGrants == 1)
            #expect(h.clock.sleeps.isEmpty)
            // The session URI was journalled before the first byte, then the processing state.
            let states = h.journal.all
            #expect(states.count == 2)
            #expect(states.first?.objectValue?["sessionURI"]?.stringValue?.contains("upload_id=") == true)
            #expect(states.last?.objectValue?["stage"]?.stringValue == "processing")
        }
    }

    @Test("a 308 reporting every byte stored: one empty `bytes */N` status query gets the video, nothing resent")
    func allBytesAnswered308() async throws {
        try await YouTubeHarness.run { h in
            await h.fake.inject(.incompleteWhenComplete(chunk: 4))
            let receipt = try await h.publisher().publish(h.job(), context: h.context())
            #expect(receipt.status == .published)
            let video = try await h.onlyVideo()
            #expect(receipt.postID == video.id)
            #expect(video.sha256 == h.sha256)
            let session = try #require(await h.fake.sessions().first)
            #expect(session.chunkStarts == [0, Self.chunk, 2 * Self.chunk, 3 * Self.chunk])
            #expect(session.statusQueries == 1)
            let stats = await h.fake.stats()
            #expect(stats.bytesReceived == h.file.size)
            #expect(stats.violations.isEmpty)
        }
    }

    @Test("a 503 after the server stored the chunk: status query, continue from its offset, no byte sent twice")
    func serverErrorAfterStoring() async throws {
        try await YouTubeHarness.run { h in
            await h.fake.inject(.serverError(chunk: 2, status: 503, afterStoring: true))
            let receipt = try await h.publisher().publish(h.job(), context: h.context())
            #expect(receipt.status == .published)
            let video = try await h.onlyVideo()
            #expect(video.sha256 == h.sha256)
            let session = try #require(await h.fake.sessions().first)
            #expect(session.chunkStarts == [0, Self.chunk, 2 * Self.chunk, 3 * Self.chunk])
            #expect(session.statusQueries == 1)
            let stats = await h.fake.stats()
            #expect(stats.bytesReceived == h.file.size)  // every byte crossed once
            #expect(stats.violations.isEmpty)
            #expect(h.clock.sleeps.count == 1)  // one backoff before the status query
        }
    }

    @Test("a 502 before the server stored anything: the same chunk is sent again from the server's offset")
    func serverErrorWithoutStoring() async throws {
        try await YouTubeHarness.run { h in
            await h.fake.inject(.serverError(chunk: 2, status: 502, afterStoring: false))
            _ = try await h.publisher().publish(h.job(), context: h.context())
            let video = try await h.onlyVideo()
            #expect(video.sha256 == h.sha256)
            let session = try #require(await h.fake.sessions().first)
            #expect(session.chunkStarts == [0, Self.chunk, Self.chunk, 2 * Self.chunk, 3 * Self.chunk])
            #expect(session.statusQueries == 1)
            let stats = await h.fake.stats()
            #expect(stats.bytesReceived == h.file.size + Self.chunk)  // the refused chunk, read and discarded, then resent
            #expect(stats.violations.isEmpty)
        }
    }

    @Test("a connection dropped mid-chunk after 300,000 bytes: resume from the odd offset the server holds")
    func droppedConnection() async throws {
        try await YouTubeHarness.run { h in
            await h.fake.inject(.dropConnection(chunk: 2, afterBytes: 300_000))
            let receipt = try await h.publisher().publish(h.job(), context: h.context())
            #expect(receipt.status == .published)
            let video = try await h.onlyVideo()
            #expect(video.sha256 == h.sha256)
            let session = try #require(await h.fake.sessions().first)
            let resumed = Self.chunk + 300_000
            #expect(session.chunkStarts == [0, Self.chunk, resumed, resumed + Self.chunk])
            #expect(session.statusQueries == 1)
            let stats = await h.fake.stats()
            #expect(stats.bytesReceived == h.file.size)  // no byte sent twice
            #expect(stats.violations.isEmpty)
        }
    }

    @Test("a publish killed mid-upload resumes the journalled session from the server's offset (atom post / atom status)",
          arguments: [false, true])
    func resumeAfterKill(viaStatus: Bool) async throws {
        try await YouTubeHarness.run { h in
            await h.fake.inject(.stall(chunk: 3))
            let publisher = try h.publisher()
            let job = h.job()
            let context = h.context()
            let first = Task { try await publisher.publish(job, context: context) }
            await h.fake.waitUntilStalled()
            first.cancel()
            let outcome = await first.result
            #expect(throws: (any Error).self) { try outcome.get() }
            await h.fake.releaseStall()
            #expect(await h.fake.videos().isEmpty)

            // "atom post" again: a new process, the checkpoint from the record.
            let checkpoint = try #require(h.journal.last)
            #expect(checkpoint.objectValue?["stage"]?.stringValue == "uploading")
            let again = try h.publisher()
            let resumed = h.job(checkpoint: checkpoint)
            let receipt =
                viaStatus
                ? try await again.status(resumed, context: h.context()) : try await again.publish(resumed, context: h.context())
            #expect(receipt.status == .published)
            let video = try await h.onlyVideo()
            #expect(video.sha256 == h.sha256)
            let sessions = await h.fake.sessions()
            #expect(sessions.count == 1)  // the same session, not a new upload
            #expect(sessions[0].chunkStarts == [0, Self.chunk, 2 * Self.chunk, 2 * Self.chunk, 3 * Self.chunk])
            #expect(sessions[0].statusQueries == 1)
            let stats = await h.fake.stats()
            #expect(stats.bytesReceived == h.file.size)  // the stalled chunk was never read: nothing sent twice
            #expect(stats.violations.isEmpty)
        }
    }

    @Test("an expired session (404) restarts the upload with a new session")
    func sessionExpiryRestarts() async throws {
        try await YouTubeHarness.run { h in
            await h.fake.inject(.expireSession(chunk: 3))
            let receipt = try await h.publisher().publish(h.job(), context: h.context())
            #expect(receipt.status == .published)
            let video = try await h.onlyVideo()
            #expect(video.sha256 == h.sha256)
            let sessions = await h.fake.sessions()
            #expect(sessions.count == 2)
            #expect(sessions[0].expired)
            #expect(sessions[0].videoID == nil)
            #expect(sessions[1].chunkStarts == [0, Self.chunk, 2 * Self.chunk, 3 * Self.chunk])
            #expect(video.bytesReceived == h.file.size)
            #expect(await h.fake.stats().violations.isEmpty)
            // The new session replaced the old one in the journal.
            let uris = h.journal.all.compactMap { $0.objectValue?["sessionURI"]?.stringValue }
            #expect(uris.count == 2 && uris[0] != uris[1])
        }
    }

    @Test("a journalled session that expired while atom was down is replaced by a new one")
    func resumeExpiredSession() async throws {
        try await YouTubeHarness.run { h in
            await h.fake.inject(.stall(chunk: 2))
            let publisher = try h.publisher()
            let job = h.job()
            let context = h.context()
            let first = Task { try await publisher.publish(job, context: context) }
            await h.fake.waitUntilStalled()
            first.cancel()
            _ = await first.result
            await h.fake.releaseStall()
            await h.fake.expireSessions()
            let receipt = try await h.publisher().publish(h.job(checkpoint: h.journal.last), context: h.context())
            #expect(receipt.status == .published)
            #expect(try await h.onlyVideo().sha256 == h.sha256)
            let sessions = await h.fake.sessions()
            #expect(sessions.count == 2)
            #expect(sessions[0].statusQueries == 0)  // the status query hit an expired session: 404, not counted
        }
    }

    @Test("a checkpoint for another file is ignored: a new session starts")
    func checkpointForOtherFile() async throws {
        try await YouTubeHarness.run { h in
            let stale: JSONValue = .object([
                "stage": .string("uploading"),
                "sessionURI": .string(
                    h.server.baseURL(for: "/youtube").absoluteString
                        + "/upload/youtube/v3/videos?uploadType=resumable&upload_id=gone"),
                "fileSize": .number(123), "sha256": .string("00"), "intendedPrivacy": .string("public"),
                "isShort": .bool(false),
            ])
            _ = try await h.publisher().publish(h.job(checkpoint: stale), context: h.context())
            let stats = await h.fake.stats()
            #expect(stats.sessionsStarted == 1)
            #expect(stats.statusQueries == 0)
            #expect(try await h.onlyVideo().sha256 == h.sha256)
        }
    }

    @Test("progress is monotonic within each attempt and ends at the file size")
    func progressEvents() async throws {
        try await YouTubeHarness.run { h in
            let (stream, continuation) = AsyncStream.makeStream(
                of: PublishEvent.self, bufferingPolicy: .bufferingNewest(10_000))
            _ = try await h.publisher().publish(h.job(), context: h.context(progress: continuation))
            continuation.finish()
            var sent: [Int64] = []
            for await event in stream where event.phase == .uploading {
                if let bytes = event.bytesSent { sent.append(bytes) }
            }
            #expect(sent.last == h.file.size)
            #expect(sent == sent.sorted())
        }
    }

    @Test("a vertical video of at most 3 minutes gets the Shorts URL")
    func shortsURL() async throws {
        try await YouTubeHarness.run(fixture: "vertical.mp4") { h in
            #expect(h.media.height > h.media.width)
            let receipt = try await h.publisher().publish(h.job(), context: h.context())
            let video = try await h.onlyVideo()
            #expect(receipt.url == "https://www.youtube.com/shorts/\(video.id)")
            #expect(video.sha256 == h.sha256)
            #expect(await h.fake.sessions().first?.chunkStarts == [0])  // 122 KB: one final chunk
        }
    }
}
