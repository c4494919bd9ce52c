import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing
@testable import TikTokAdapter

@Suite("TikTok status, drafts and creator checks over loopback")
struct StatusTests {
    @Test(
        "at the wait limit the post is `processing`; `atom status` finishes it from the checkpoint without uploading again"
    )
    func processingThenStatus() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, sha) = try await TestMedia.randomFile(in: dir, size: 1_000_123)
            try await TikTokRig.run { rig in
                await rig.fake.state.inject(.slowProcessing(polls: 12))
                let first = ContextRecorder()
                let job = TestMedia.job(file, draft: TestMedia.publicDraft)
                let receipt = try await rig.publisher.publish(job, context: first.context(waitLimit: .seconds(20)))
                #expect(receipt.status == .processing)
                let publishID = try #require(await rig.fake.state.publishIDs.first)
                #expect(receipt.postID == publishID)
                let checkpoint = try #require(receipt.checkpoint)
                #expect(TikTokCheckpoint.decode(checkpoint)?.stage == .processing)
                #expect(first.clock.sleeps.reduce(.zero, +) == .seconds(20))  // waited exactly the limit
                #expect(await rig.fake.state.received(publishID)?.sha256 == sha)
                let uploadsBefore = await rig.fake.state.requests(to: .upload).count

                // `atom status <id>`: a fresh publisher, no file, the saved checkpoint.
                let later = TikTokPublisher(
                    configuration: rig.publisher.configuration,
                    environment: PublisherEnvironment(
                        credentials: rig.store, transport: rig.publisher.client.transport))
                let statusJob = TestMedia.job(
                    nil, size: file.size, draft: TestMedia.publicDraft, checkpoint: checkpoint)
                let second = ContextRecorder()
                try await later.preflight(statusJob, context: second.context())
                let final = try await later.status(statusJob, context: second.context())
                #expect(final.status == .published)
                #expect(final.url == "https://www.tiktok.com/@sandbox.creator/video/7345678901234567001")
                #expect(await rig.fake.state.requests(to: .upload).count == uploadsBefore)
                #expect(await rig.fake.state.requests(to: .directInit).count == 1)
                #expect(await rig.fake.state.requests(to: .creatorInfo).count == 1)
            }
        }
    }

    @Test("polls back off: 3 s, then half again each time, capped at 30 s")
    func backoff() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, _) = try await TestMedia.randomFile(in: dir, size: 300_000)
            try await TikTokRig.run { rig in
                await rig.fake.state.inject(.slowProcessing(polls: 8))
                let recorder = ContextRecorder()
                _ = try await rig.publisher.publish(
                    TestMedia.job(file, draft: TestMedia.publicDraft), context: recorder.context())
                let expected: [Duration] = [
                    .seconds(3), .seconds(4.5), .seconds(6.75), .seconds(10.125), .seconds(15.1875), .seconds(22.78125),
                    .seconds(30), .seconds(30), .seconds(30),
                ]
                #expect(recorder.clock.sleeps == expected)
            }
        }
    }

    @Test("a draft goes through the inbox endpoint without post_info and ends at SEND_TO_USER_INBOX")
    func draftToInbox() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, sha) = try await TestMedia.randomFile(in: dir, size: 300_000)
            try await TikTokRig.run { rig in
                let job = TestMedia.job(file, draft: PostDraft(caption: "for later", options: ["draft": .bool(true)]))
                let context = ContextRecorder().context()
                try await rig.publisher.preflight(job, context: context)
                let receipt = try await rig.publisher.publish(job, context: context)
                #expect(receipt.status == .published)
                #expect(receipt.note?.contains("inbox") == true)
                #expect(await rig.fake.state.requests(to: .creatorInfo).isEmpty)
                #expect(await rig.fake.state.requests(to: .directInit).isEmpty)
                let publishID = try #require(await rig.fake.state.publishIDs.first)
                let post = try #require(await rig.fake.state.publish(publishID))
                #expect(post.inbox)
                #expect(post.postInfo.isEmpty)
                #expect(post.status == "SEND_TO_USER_INBOX")
                #expect(await rig.fake.state.received(publishID)?.sha256 == sha)
            }
        }
    }

    @Test("a privacy level the creator lacks is refused in preflight, before any upload")
    func privacyMismatchBeforeUpload() async throws {
        let privateAccount = TikTokFake.Creator(privacyLevelOptions: [
            "FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY",
        ])
        try await TikTokRig.run(fake: TikTokFake.Configuration(creator: privateAccount, chunkRules: SmallChunks.fake)) {
            rig in
            let job = TestMedia.job(nil, size: 300_000, draft: TestMedia.publicDraft)
            await expectPublishError {
                try await rig.publisher.preflight(job, context: ContextRecorder().context())
            } where: { error in
                return error.code == .invalidInput
                    && error.message.contains("PUBLIC_TO_EVERYONE is not among this creator's options")
                    && error.message.contains("SELF_ONLY")
            }
            #expect(await rig.fake.state.requests.map(\.endpoint) == [.creatorInfo])
        }
    }

    @Test("the creator's longest video and interaction switches are enforced before upload")
    func creatorLimits() async throws {
        let creator = TikTokFake.Creator(commentDisabled: true, maxVideoPostDurationSec: 60)
        try await TikTokRig.run(fake: TikTokFake.Configuration(creator: creator, chunkRules: SmallChunks.fake)) { rig in
            let long = TestMedia.job(
                nil, size: 300_000, draft: PostDraft(caption: "x", privacy: .private), duration: 61)
            await expectPublishError {
                try await rig.publisher.preflight(long, context: ContextRecorder().context())
            } where: { error in
                error.code == .invalidInput && error.message.contains("at most 60 s")
            }
            var comments = TestMedia.job(
                nil, size: 300_000,
                draft: PostDraft(caption: "x", privacy: .private, options: ["disable_comment": .bool(false)]))
            comments.recordID = "rec-tiktok-2"
            await expectPublishError {
                try await rig.publisher.preflight(comments, context: ContextRecorder().context())
            } where: { error in
                error.code == .invalidInput && error.message.contains("comments are turned off")
            }
            #expect(await rig.fake.state.requests(to: .directInit).isEmpty)
        }
    }

    @Test("a caption of exactly 2200 UTF-16 units reaches TikTok intact")
    func captionLimitOnTheWire() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, _) = try await TestMedia.randomFile(in: dir, size: 300_000)
            try await TikTokRig.run { rig in
                let caption = String(repeating: "😀", count: 1100)
                _ = try await rig.publisher.publish(
                    TestMedia.job(file, draft: PostDraft(caption: caption, privacy: .private)),
                    context: ContextRecorder().context())
                let publishID = try #require(await rig.fake.state.publishIDs.first)
                #expect(await rig.fake.state.publish(publishID)?.title == caption)
            }
        }
    }
}
