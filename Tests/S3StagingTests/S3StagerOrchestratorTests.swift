import AtomSandbox
import AtomTestSupport
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PlatformKit
import PublishingCore
@testable import S3Staging
import PublishingEngine
import Testing

/// A platform that pulls the video from the staged URL (as Instagram does), hashing what it downloads.
private struct PullingPublisher: Publisher {
    let platform = PlatformID("pull-test")
    let capabilities = PublisherCapabilities(displayName: "Pull test", mediaLimits: MediaLimits(), ingestion: .publicURL)
    let transport: any HTTPTransport
    let fetched: LockedBox<[String]>
    let urls = LockedBox<[URL]>([])

    func plan(_ draft: PostDraft, media: MediaInfo) -> PostPlan { PostPlan(texts: [:]) }

    func publish(_ job: PublishJob, context: PublishContext) async throws -> PublishReceipt {
        let url = try await context.stagedURL()
        urls.withLock { $0.append(url) }
        let result = try await S3Test.fetch(url, transport: transport)
        fetched.withLock { $0.append(result.status == 200 ? result.sha256 : "HTTP \(result.status)") }
        await context.releaseStaging()
        return PublishReceipt(status: .published, postID: "1", url: nil)
    }
}

@Suite("S3 stager under the orchestrator")
struct S3StagerOrchestratorTests {
    @Test("the URL handed to the platform lives ATOM_S3_URL_TTL seconds: X-Amz-Expires is the configured value")
    func urlLivesTheConfiguredTTL() async throws {
        try await TemporaryDirectory.with { dir in
            let fake = try FakeS3(directory: dir + "/s3")
            try await FakeServer.run(services: [fake]) { server in
                try await TestTransport.with { transport in
                    var environment = fake.sandboxEnvironment(server: server)
                    environment["ATOM_S3_URL_TTL"] = "5400"
                    let stager = try #require(
                        try S3Stager.fromCredentials(
                            MemoryCredentialStore(environment), transport: transport, environment: [:]))
                    #expect(stager.configuration.urlTTL == .seconds(5400))
                    let publisher = PullingPublisher(transport: transport, fetched: LockedBox([]))
                    let orchestrator = Orchestrator(
                        stager: stager, records: RecordStore(directory: dir + "/state"), clock: ImmediateClock(),
                        jitter: FixedJitter(1))
                    let report = try await orchestrator.post(
                        PostRequest(
                            videoPath: Fixtures.path("vertical.mp4"),
                            targets: [PostTarget(publisher: publisher, draft: PostDraft())]))
                    #expect(report.results.map(\.status) == [.published])
                    let url = try #require(publisher.urls.value.first)
                    let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
                    #expect(query.first { $0.name == "X-Amz-Expires" }?.value == "5400")
                }
            }
        }
    }

    @Test("atom post stages once, the platform fetches the presigned URL byte-exact, and the staged copy is deleted")
    func postThroughStaging() async throws {
        try await TemporaryDirectory.with { dir in
            let fake = try FakeS3(directory: dir + "/s3")
            try await FakeServer.run(services: [fake]) { server in
                try await TestTransport.with { transport in
                    let environment = fake.sandboxEnvironment(server: server)
                    let stager = try #require(try S3Stager.fromCredentials(MemoryCredentialStore(environment), transport: transport, environment: [:]))
                    let fetched = LockedBox<[String]>([])
                    let orchestrator = Orchestrator(stager: stager, records: RecordStore(directory: dir + "/state"), clock: ImmediateClock(),
                                                    jitter: FixedJitter(1))
                    let video = Fixtures.path("vertical.mp4")
                    let report = try await orchestrator.post(PostRequest(
                        videoPath: video, targets: [PostTarget(publisher: PullingPublisher(transport: transport, fetched: fetched), draft: PostDraft())]))
                    #expect(report.results.map(\.status) == [.published])
                    #expect(fetched.value == [report.sha256])
                    #expect(await fake.objects().isEmpty)  // released
                    let operations = await fake.requests().map(\.operation)
                    #expect(operations.contains("PutObject"))
                    #expect(operations.last == "DeleteObject")
                    let staged = try RecordStore(directory: dir + "/state").read().staging
                    #expect(staged.count == 1)
                    #expect(staged.first?.released == true)
                    #expect(staged.first?.key?.hasPrefix("atom-staging/\(report.sha256)/") == true)
                }
            }
        }
    }
}
