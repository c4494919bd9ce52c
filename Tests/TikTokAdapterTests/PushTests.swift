import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing
@testable import TikTokAdapter

@Suite("TikTok push (FILE_UPLOAD) over loopback")
struct PushTests {
    @Test("a 1,000,123-byte file goes in five chunks, byte-exact, and the public post gets its URL")
    func multiChunkByteExact() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, sha) = try await TestMedia.randomFile(in: dir, size: 1_000_123)
            try await TikTokRig.run { rig in
                let recorder = ContextRecorder()
                let context = recorder.context()
                let job = TestMedia.job(file, draft: TestMedia.publicDraft)
                try await rig.publisher.preflight(job, context: context)
                let receipt = try await rig.publisher.publish(job, context: context)

                let publishID = try #require(await rig.fake.state.publishIDs.first)
                let received = try #require(await rig.fake.state.received(publishID))
                #expect(received.sha256 == sha)
                #expect(received.bytes == 1_000_123)
                #expect(received.chunks == 5)
                let uploads = await rig.fake.state.requests(to: .upload)
                #expect(uploads.map(\.status) == [206, 206, 206, 206, 201])
                #expect(
                    uploads.map(\.contentRange) == [
                        "bytes 0-199999/1000123", "bytes 200000-399999/1000123", "bytes 400000-599999/1000123",
                        "bytes 600000-799999/1000123", "bytes 800000-1000122/1000123",
                    ])
                #expect(receipt.status == .published)
                #expect(receipt.postID == "7345678901234567001")  // 19 digits, exact (not through a Double)
                #expect(receipt.url == "https://www.tiktok.com/@sandbox.creator/video/7345678901234567001")

                let post = try #require(await rig.fake.state.publish(publishID))
                #expect(post.privacyLevel == "PUBLIC_TO_EVERYONE")
                #expect(post.title == "Sunrise over the bay #sunrise")
                #expect(post.postInfo["disable_comment"] == .bool(true))  // TikTok: no interaction on by default
                #expect(post.postInfo["brand_content_toggle"] == .bool(false))

                let events = await recorder.drainEvents()
                let sent = events.filter { $0.phase == .uploading }.compactMap(\.bytesSent)
                #expect(sent.last == 1_000_123)
                #expect(sent == sent.sorted())  // monotonic
            }
        }
    }

    @Test("the committed fixture goes as one chunk under the documented rules")
    func fixtureSingleChunk() async throws {
        let file = try MediaFileHandle(path: Fixtures.path("vertical.mp4"))
        let sha = try await FileDigest.sha256(of: file)
        try await TikTokRig.run(fake: TikTokFake.Configuration(), configure: { $0.chunkRules = .documented }) { rig in
            let context = ContextRecorder().context()
            let job = TestMedia.job(file, draft: PostDraft(caption: "fixture", privacy: .private))
            let receipt = try await rig.publisher.publish(job, context: context)
            let publishID = try #require(await rig.fake.state.publishIDs.first)
            #expect(await rig.fake.state.received(publishID)?.sha256 == sha)
            #expect(
                await rig.fake.state.requests(to: .upload).map(\.contentRange) == [
                    "bytes 0-\(file.size - 1)/\(file.size)"
                ])
            #expect(receipt.status == .published)
            #expect(receipt.postID == publishID)  // SELF_ONLY: no public id
            #expect(receipt.url == nil)
        }
    }

    @Test("a chunk answered 503 is sent again from its own offset; the bytes end exact")
    func chunkRetriedAfter5xx() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, sha) = try await TestMedia.randomFile(in: dir, size: 1_000_123)
            try await TikTokRig.run { rig in
                await rig.fake.state.inject(.chunkFailure(chunk: 2, httpStatus: 503))
                let recorder = ContextRecorder()
                _ = try await rig.publisher.publish(
                    TestMedia.job(file, draft: TestMedia.publicDraft), context: recorder.context())
                let publishID = try #require(await rig.fake.state.publishIDs.first)
                #expect(await rig.fake.state.received(publishID)?.sha256 == sha)
                let uploads = await rig.fake.state.requests(to: .upload)
                #expect(uploads.map(\.status) == [206, 206, 503, 206, 206, 201])
                #expect(uploads[2].contentRange == uploads[3].contentRange)
                #expect(recorder.clock.sleeps.contains { $0 > .zero })
            }
        }
    }

    @Test("a connection dropped mid-chunk: the partial chunk is discarded and resent from its offset")
    func chunkRetriedAfterDrop() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, sha) = try await TestMedia.randomFile(in: dir, size: 1_000_123)
            try await TikTokRig.run { rig in
                await rig.fake.state.inject(.dropConnection(chunk: 1, afterBytes: 50_000))
                _ = try await rig.publisher.publish(
                    TestMedia.job(file, draft: TestMedia.publicDraft), context: ContextRecorder().context())
                let publishID = try #require(await rig.fake.state.publishIDs.first)
                let received = try #require(await rig.fake.state.received(publishID))
                #expect(received.sha256 == sha)
                #expect(received.chunks == 5)
                let uploads = await rig.fake.state.requests(to: .upload)
                #expect(uploads.map(\.status) == [206, 0, 206, 206, 206, 201])
                #expect(uploads[1].contentRange == "bytes 200000-399999/1000123")
                #expect(uploads[2].contentRange == "bytes 200000-399999/1000123")
            }
        }
    }

    @Test("an interrupted upload continues from its checkpoint with the same upload_url, without a new init")
    func resumeFromCheckpoint() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, sha) = try await TestMedia.randomFile(in: dir, size: 1_000_123)
            try await TikTokRig.run(configure: {
                $0.retryPolicy = RetryPolicy(maxAttempts: 2, baseDelay: .seconds(1), maxDelay: .seconds(2))
            }) { rig in
                await rig.fake.state.inject(.chunkFailure(chunk: 3))
                await rig.fake.state.inject(.chunkFailure(chunk: 3))
                let first = ContextRecorder()
                let job = TestMedia.job(file, draft: TestMedia.publicDraft)
                await expectPublishError {
                    try await rig.publisher.publish(job, context: first.context())
                } where: { error in
                    error.code == .server && error.isRetryable
                }
                let saved = try #require(first.lastCheckpoint)
                #expect(TikTokCheckpoint.decode(saved)?.nextChunk == 3)

                var resumed = job
                resumed.checkpoint = saved
                let receipt = try await rig.publisher.publish(resumed, context: ContextRecorder().context())
                #expect(receipt.status == .published)
                #expect(await rig.fake.state.requests(to: .directInit).count == 1)
                let publishID = try #require(await rig.fake.state.publishIDs.first)
                #expect(await rig.fake.state.received(publishID)?.sha256 == sha)
            }
        }
    }

    @Test("a checkpoint behind TikTok's offset is re-synced from the 416's Content-Range")
    func resyncFromServerOffset() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, sha) = try await TestMedia.randomFile(in: dir, size: 1_000_123)
            try await TikTokRig.run(configure: {
                $0.retryPolicy = RetryPolicy(maxAttempts: 1, baseDelay: .zero, maxDelay: .zero)
            }) { rig in
                await rig.fake.state.inject(.chunkFailure(chunk: 3))
                let first = ContextRecorder()
                let job = TestMedia.job(file, draft: TestMedia.publicDraft)
                await #expect(throws: PublishError.self) {
                    try await rig.publisher.publish(job, context: first.context())
                }
                // Pretend the journal write after chunks 2 and 3 was lost.
                var stale = try #require(TikTokCheckpoint.decode(first.lastCheckpoint))
                stale.nextChunk = 1
                var resumed = job
                resumed.checkpoint = try JSONValue.encoding(stale)
                _ = try await rig.publisher.publish(resumed, context: ContextRecorder().context())
                let publishID = try #require(await rig.fake.state.publishIDs.first)
                #expect(await rig.fake.state.received(publishID)?.sha256 == sha)
                let uploads = await rig.fake.state.requests(to: .upload)
                #expect(uploads.map(\.status) == [206, 206, 206, 503, 416, 206, 201])
            }
        }
    }

    @Test("an expired upload_url on resume starts a new upload; the new post's bytes are exact")
    func expiredUploadURLStartsOver() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, sha) = try await TestMedia.randomFile(in: dir, size: 1_000_123)
            try await TikTokRig.run(configure: {
                $0.retryPolicy = RetryPolicy(maxAttempts: 1, baseDelay: .zero, maxDelay: .zero)
            }) { rig in
                await rig.fake.state.inject(.chunkFailure(chunk: 1))
                let first = ContextRecorder()
                let job = TestMedia.job(file, draft: TestMedia.publicDraft)
                await #expect(throws: PublishError.self) {
                    try await rig.publisher.publish(job, context: first.context())
                }
                await rig.fake.state.inject(.expireUploadURL)
                var resumed = job
                resumed.checkpoint = first.lastCheckpoint
                let receipt = try await rig.publisher.publish(resumed, context: ContextRecorder().context())
                #expect(receipt.status == .published)
                let ids = await rig.fake.state.publishIDs
                #expect(ids.count == 2)
                #expect(await rig.fake.state.received(ids[1])?.sha256 == sha)
                #expect(await rig.fake.state.requests(to: .upload).filter { $0.status == 403 }.count == 1)
            }
        }
    }

    @Test("an upload_url older than its hour is not tried at all")
    func staleUploadURLSkipped() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, _) = try await TestMedia.randomFile(in: dir, size: 1_000_123)
            try await TikTokRig.run(configure: {
                $0.retryPolicy = RetryPolicy(maxAttempts: 1, baseDelay: .zero, maxDelay: .zero)
            }) { rig in
                await rig.fake.state.inject(.chunkFailure(chunk: 1))
                let first = ContextRecorder()
                let job = TestMedia.job(file, draft: TestMedia.publicDraft)
                await #expect(throws: PublishError.self) {
                    try await rig.publisher.publish(job, context: first.context())
                }
                var resumed = job
                resumed.checkpoint = first.lastCheckpoint
                let later = Date().addingTimeInterval(2 * 3600)
                _ = try await rig.publisher.publish(resumed, context: ContextRecorder().context(now: { later }))
                let uploads = await rig.fake.state.requests(to: .upload)
                #expect(uploads.filter { $0.status == 403 }.isEmpty)
                #expect(await rig.fake.state.publishIDs.count == 2)
            }
        }
    }
}
