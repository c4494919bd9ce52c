import AtomSandbox
import AtomTestSupport
import Foundation
import InstagramAdapter
import PlatformKit
import PublishingCore
import Testing

@Suite("Instagram: container → poll → publish over loopback")
struct InstagramPublishTests {
    @Test("URL mode: the fake downloads the staged file byte-exact, atom polls, publishes once and reads the permalink")
    func urlModePublishes() async throws {
        try await InstagramHarness.run { h in
            let publisher = try h.publisher()
            let job = try await InstagramHarness.job()
            let context = h.context(stagedURL: h.fileURL("vertical.mp4"))
            try await publisher.preflight(job, context: context)
            let receipt = try await publisher.publish(job, context: context)

            #expect(receipt.status == .published)
            let mediaID = try #require(receipt.postID)
            #expect(receipt.url == (await h.fake.permalink(of: mediaID)))
            let container = try #require(await h.fake.allContainers.first)
            #expect(container.sha256 == job.sha256)
            #expect(container.byteCount == job.media.sizeBytes)
            #expect(container.fields["media_type"] == "REELS")
            #expect(container.fields["caption"] == "Sunrise over the bay #sunrise")
            #expect(container.fields["share_to_feed"] == "true")
            #expect(container.fields["video_url"] == h.fileURL("vertical.mp4").absoluteString)
            #expect(container.login == "instagram")
            #expect(container.mediaID == mediaID)
            #expect(await h.fake.publishCount == 1)
            #expect(await h.fake.duplicatePublishCount == 0)
            #expect(await h.fake.quotaUsed == 1)
            // The token travels in a Bearer header on every Graph call, never in the URL.
            let requests = await h.fake.requests
            #expect(!requests.isEmpty)
            #expect(requests.allSatisfy { $0.mount == "/instagram" && $0.authScheme == "Bearer" && !$0.tokenInURL })
            #expect(requests.map(\.path).contains("/v24.0/\(h.fake.userID)/content_publishing_limit"))
            #expect(h.log.releases.value >= 1)
            #expect(h.log.stagedRequests.value == 1)
            let checkpoint = try #require(h.log.lastCheckpoint?.objectValue)
            #expect(checkpoint["mediaID"]?.stringValue == mediaID)
        }
    }

    @Test(
        "URL mode through local S3 (moto): the fake downloads a presigned URL byte-exact",
        .enabled(if: LocalS3.endpoint != nil, "no local S3: run scripts/test.sh (moto) or set ATOM_TEST_S3_ENDPOINT"))
    func urlModeFromLocalS3() async throws {
        let endpoint = try #require(LocalS3.endpoint)
        try await InstagramHarness.run { h in
            let s3 = LocalS3Bucket(endpoint: endpoint, bucket: "atom-ig-\(UUID().uuidString.prefix(8).lowercased())")
            try await s3.create(using: h.transport)
            let key = "staging/\(UUID().uuidString)/vertical.mp4"
            try await s3.put(Fixtures.path("vertical.mp4"), key: key, using: h.transport)
            let url = s3.presignedGET(key: key, expires: 3600, now: Date())
            #expect(url.query?.contains("X-Amz-Signature=") == true)

            let publisher = try h.publisher()
            let job = try await InstagramHarness.job()
            let receipt = try await publisher.publish(job, context: h.context(stagedURL: url))
            #expect(receipt.status == .published)
            let container = try #require(await h.fake.allContainers.first)
            #expect(container.sha256 == job.sha256)
            #expect(container.byteCount == job.media.sizeBytes)
            #expect(container.statusCode == "PUBLISHED")
        }
    }

    @Test("Facebook Login goes to the shared Graph host with the same flow")
    func facebookLoginUsesGraphHost() async throws {
        try await InstagramHarness.run { h in
            let publisher = try h.publisher(["INSTAGRAM_LOGIN": "facebook"])
            #expect(publisher.capabilities.ingestion == .publicURL)
            let job = try await InstagramHarness.job()
            let receipt = try await publisher.publish(job, context: h.context(stagedURL: h.fileURL("vertical.mp4")))
            #expect(receipt.status == .published)
            let requests = await h.fake.requests
            #expect(requests.allSatisfy { $0.mount == "/graph" && $0.authScheme == "Bearer" })
            #expect(await h.fake.allContainers.first?.login == "facebook")
        }
    }

    @Test("the Graph version comes from ATOM_GRAPH_API_VERSION")
    func versionOverride() async throws {
        try await InstagramHarness.run(InstagramFake(apiVersion: "v26.0")) { h in
            let receipt = try await h.publisher(["ATOM_GRAPH_API_VERSION": "v26.0"]).publish(
                try await InstagramHarness.job(), context: h.context(stagedURL: h.fileURL("vertical.mp4")))
            #expect(receipt.status == .published)
            #expect(await h.fake.requests.allSatisfy { $0.path.hasPrefix("/v26.0/") })
        }
    }

    @Test(
        "manifest options reach the container: share_to_feed, thumb_offset, collaborators, location (Facebook Login), tags"
    )
    func optionsReachTheContainer() async throws {
        try await InstagramHarness.run { h in
            let draft = PostDraft(
                caption: "Dawn", tags: ["sunrise", "#bay"],
                options: [
                    "share_to_feed": .bool(false), "thumb_offset_ms": .number(1500),
                    "collaborators": .array([.string("@friend.one"), .string("pal_2")]),
                    "location_id": .string("110843418940484"),
                ])
            let publisher = try h.publisher(["INSTAGRAM_LOGIN": "facebook"])
            let job = try await InstagramHarness.job(draft: draft)
            #expect(publisher.plan(draft, media: job.media).problems.isEmpty)
            _ = try await publisher.publish(job, context: h.context(stagedURL: h.fileURL("vertical.mp4")))
            let fields = try #require(await h.fake.allContainers.first?.fields)
            #expect(fields["caption"] == "Dawn #sunrise #bay")
            #expect(fields["share_to_feed"] == "false")
            #expect(fields["thumb_offset"] == "1500")
            #expect(fields["collaborators"] == #"["friend.one","pal_2"]"#)
            #expect(fields["location_id"] == "110843418940484")
        }
    }

    @Test(
        "slow processing: a processing receipt with the container id, then status() finishes and publishes exactly once"
    )
    func slowProcessingThenStatus() async throws {
        let fake = InstagramFake()
        await fake.inject(.slowProcessing(polls: 8))
        try await InstagramHarness.run(fake) { h in
            let publisher = try h.publisher()
            let job = try await InstagramHarness.job()
            let first = try await publisher.publish(
                job, context: h.context(stagedURL: h.fileURL("vertical.mp4"), waitLimit: .seconds(30)))
            #expect(first.status == .processing)
            let checkpoint = try #require(first.checkpoint)
            let containerID = try #require(checkpoint.objectValue?["containerID"]?.stringValue)
            #expect(await h.fake.allContainers.map(\.id) == [containerID])
            #expect(await h.fake.publishCount == 0)
            // Backoff: 5 s, 10 s, then the next 20 s would pass the 30 s wait.
            #expect(h.clock.sleeps == [.seconds(5), .seconds(10)])

            // `atom status`: no staged file, no file at all; continues polling, publishes once.
            var later = job
            later.checkpoint = checkpoint
            later.file = nil
            let second = try await publisher.status(later, context: h.context(stagedURL: nil))
            #expect(second.status == .published)
            #expect(second.postID != nil)
            #expect(await h.fake.publishCount == 1)
            #expect(await h.fake.allContainers.count == 1)
            let again = try await publisher.status(
                later.with(checkpoint: h.log.lastCheckpoint), context: h.context(stagedURL: nil))
            #expect(again.postID == second.postID)
            #expect(await h.fake.publishCount == 1)
            #expect(await h.fake.duplicatePublishCount == 0)
        }
    }

    @Test("a lost media_publish answer is settled by the container status, never by publishing again")
    func lostPublishAnswer() async throws {
        let fake = InstagramFake()
        await fake.inject(.dropPublishResponse)
        try await InstagramHarness.run(fake) { h in
            let receipt = try await h.publisher().publish(
                try await InstagramHarness.job(), context: h.context(stagedURL: h.fileURL("vertical.mp4")))
            #expect(receipt.status == .published)
            #expect(receipt.note?.contains("answer") == true)
            #expect(await h.fake.publishCount == 1)
            #expect(await h.fake.duplicatePublishCount == 0)
        }
    }

    @Test("a checkpoint from an interrupted run continues the same container")
    func resumesContainerFromCheckpoint() async throws {
        let fake = InstagramFake()
        await fake.inject(.slowProcessing(polls: 100))
        try await InstagramHarness.run(fake) { h in
            let publisher = try h.publisher()
            let job = try await InstagramHarness.job()
            let first = try await publisher.publish(
                job, context: h.context(stagedURL: h.fileURL("vertical.mp4"), waitLimit: .zero))
            #expect(first.status == .processing)
            #expect(h.clock.sleeps.isEmpty)
            await fake.clearFaults()
            let second = try await publisher.publish(
                job.with(checkpoint: first.checkpoint), context: h.context(stagedURL: nil, waitLimit: .zero))
            #expect(second.status == .processing)  // the old container keeps its 99 remaining checks
            #expect(await h.fake.allContainers.count == 1)
            #expect(h.log.stagedRequests.value == 1)
        }
    }
}

extension PublishJob {
    func with(checkpoint: JSONValue?) -> PublishJob {
        var copy = self
        copy.checkpoint = checkpoint
        return copy
    }
}
