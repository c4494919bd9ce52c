import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing
@testable import YouTubeAdapter

@Suite("YouTube processing")
struct YouTubeProcessingTests {
    @Test("polls videos.list until processed")
    func pollsUntilProcessed() async throws {
        try await YouTubeHarness.run { h in
            await h.fake.setProcessing(polls: 3)
            let receipt = try await h.publisher().publish(h.job(), context: h.context())
            #expect(receipt.status == .published)
            #expect(receipt.note == nil)
            let video = try await h.onlyVideo()
            #expect(video.polls == 4)
            #expect(h.clock.sleeps == Array(repeating: .seconds(10), count: 3))
        }
    }

    @Test("the wait runs out: a processing receipt, then status() continues without uploading again")
    func processingThenStatus() async throws {
        try await YouTubeHarness.run { h in
            await h.fake.setProcessing(polls: 5)
            let receipt = try await h.publisher().publish(h.job(), context: h.context(waitLimit: .seconds(20)))
            #expect(receipt.status == .processing)
            let video = try await h.onlyVideo()
            #expect(receipt.postID == video.id)
            #expect(receipt.url == "https://youtu.be/\(video.id)")
            let checkpoint = try #require(receipt.checkpoint)
            #expect(checkpoint.objectValue?["stage"]?.stringValue == "processing")
            #expect(checkpoint.objectValue?["sessionURI"] == nil)
            let before = await h.fake.stats()

            // `atom status`: the file may be gone; only polling happens.
            let done = try await h.publisher().status(
                h.job(checkpoint: checkpoint, withFile: false), context: h.context())
            #expect(done.status == .published)
            #expect(done.postID == video.id)
            let after = await h.fake.stats()
            #expect(after.chunkRequests == before.chunkRequests)
            #expect(after.sessionsStarted == 1)
            #expect(after.bytesReceived == h.file.size)
            #expect(try await h.onlyVideo().polls == 6)
        }
    }

    @Test("a transient videos.list failure is retried")
    func listRetried() async throws {
        try await YouTubeHarness.run { h in
            await h.fake.inject(.videosListError(.backendError))
            let receipt = try await h.publisher().publish(h.job(), context: h.context())
            #expect(receipt.status == .published)
            #expect(h.clock.sleeps.count == 1)
        }
    }

    @Test("failed processing surfaces failureReason")
    func processingFailed() async throws {
        try await YouTubeHarness.run { h in
            await h.fake.setProcessing(polls: 1, outcome: .failed("codec"))
            let error = try await #require(throws: PublishError.self) {
                try await h.publisher().publish(h.job(), context: h.context())
            }
            #expect(error.code == .processingFailed)
            #expect(error.platformCode == "codec")
            #expect(error.message.contains("codec"))
            #expect(error.remediation?.contains("H.264") == true)
        }
    }

    @Test("a rejected video surfaces rejectionReason")
    func rejected() async throws {
        try await YouTubeHarness.run { h in
            await h.fake.setProcessing(polls: 0, outcome: .rejected("duplicate"))
            let error = try await #require(throws: PublishError.self) {
                try await h.publisher().publish(h.job(), context: h.context())
            }
            #expect(error.code == .rejected)
            #expect(error.platformCode == "duplicate")
        }
    }

    @Test("an upload locked private explains the unverified-Google-project trap")
    func lockedPrivate() async throws {
        try await YouTubeHarness.run { h in
            await h.fake.lockUploadsPrivate()
            let receipt = try await h.publisher().publish(
                h.job(PostDraft(title: "t", privacy: .public)), context: h.context())
            #expect(receipt.status == .published)
            let note = try #require(receipt.note)
            #expect(note.contains("audit"))
            #expect(note.contains("private"))
            #expect(try await h.onlyVideo().requestedPrivacy == "public")
        }
    }

    @Test("a video asked private gets no locked-private note")
    func privateAsked() async throws {
        try await YouTubeHarness.run { h in
            await h.fake.lockUploadsPrivate()
            let receipt = try await h.publisher().publish(
                h.job(PostDraft(title: "t", privacy: .private)), context: h.context())
            #expect(receipt.note == nil)
        }
    }

    @Test("a scheduled video is sent private with publishAt and reported as scheduled")
    func scheduled() async throws {
        try await YouTubeHarness.run { h in
            let at = YouTubeHarness.now.addingTimeInterval(86_400)
            let draft = PostDraft(
                title: "Later", scheduledAt: at,
                options: ["made_for_kids": .bool(true), "synthetic_media": .bool(true)])
            let receipt = try await h.publisher().publish(h.job(draft), context: h.context())
            #expect(receipt.status == .published)
            #expect(receipt.note?.contains("scheduled") == true)
            let video = try await h.onlyVideo()
            #expect(video.privacyStatus == "private")
            #expect(video.publishAt == at.formatted(.iso8601))
            #expect(video.madeForKids == true)
            #expect(video.containsSyntheticMedia == true)
        }
    }
}
