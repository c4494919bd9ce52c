import AtomSandbox
import AtomTestSupport
import Foundation
import HTTPTypes
import InstagramAdapter
import OpenAPIRuntime
import PlatformKit
import PublishingCore
import PublishingEngine
import Testing

/// A stager whose "bucket" is the loopback file server: the staged URL is the fixture's URL there.
struct LoopbackStager: MediaStager {
    let base: URL
    let name: String
    let released = LockedBox(0)
    func stage(_ file: MediaFileHandle, sha256: String, contentType: String, context: StagingContext) async throws
        -> StagedObject
    {
        StagedObject(location: "loopback", key: name, size: file.size)
    }
    func url(for object: StagedObject, validFor duration: Duration) async throws -> URL {
        base.appending(path: object.key)
    }
    func release(_ object: StagedObject) async throws { released.withLock { $0 += 1 } }
}

/// A stand-in for the Facebook fake on the shared mounts: answers its Page id and `/video-upload/…` only.
struct StubFacebookGraph: FakeService {
    let mountPath: String
    func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        let isPage = request.path.hasSuffix("/1000000000000042") || request.path.hasPrefix("/video-upload/")
        guard isPage else { return nil }
        let bytes = try await request.body.collect(upTo: 1 << 20)
        return .json(200, .object(["owner": .string("facebook"), "bodyBytes": .number(Double(bytes.count))]))
    }
}

@Suite("Instagram: through the orchestrator and on shared mounts")
struct InstagramOrchestratorTests {
    @Test("atom post → processing (record keeps the container) → atom status → published once, staged copy released")
    func postThenStatus() async throws {
        let fake = InstagramFake()
        await fake.inject(.slowProcessing(polls: 6))
        try await InstagramHarness.run(fake) { h in
            try await TemporaryDirectory.with { dir in
                let stager = LoopbackStager(base: h.server.baseURL(for: "/files"), name: "vertical.mp4")
                let orchestrator = Orchestrator(
                    stager: stager, records: RecordStore(directory: dir), clock: h.clock, jitter: FixedJitter(1))
                let publisher = try h.publisher()
                let request = PostRequest(
                    videoPath: Fixtures.path("vertical.mp4"),
                    targets: [PostTarget(publisher: publisher, draft: PostDraft(caption: "Sunrise #sunrise"))],
                    waitLimit: .seconds(20))
                let first = try await orchestrator.post(request)
                let entry = try #require(first.results.first)
                #expect(entry.status == .processing)
                // Meta may still fetch the video while the container processes: the staged copy is kept…
                #expect(stager.released.value == 0)
                let recordID = try #require(entry.id)
                let stored = try #require(try RecordStore(directory: dir).read().entries.first { $0.id == recordID })
                #expect(
                    stored.checkpoint?.objectValue?["containerID"]?.stringValue == (await fake.allContainers.first?.id))

                let second = try await orchestrator.resume([(stored, publisher)], file: nil, waitLimit: .seconds(600))
                let done = try #require(second.results.first)
                #expect(done.status == .published)
                let mediaID = try #require(done.postId)
                #expect(done.url == (await fake.permalink(of: mediaID)))
                #expect(await fake.publishCount == 1)
                #expect(await fake.allContainers.count == 1)
                // …and deleted once the platform has finished with it.
                #expect(stager.released.value == 1)
                #expect(
                    await fake.allContainers.first?.sha256
                        == (try await FileDigest.sha256(of: MediaFileHandle(path: Fixtures.path("vertical.mp4")))))
            }
        }
    }

    @Test("atom post with the quota spent: Instagram fails in preflight with nothing staged or created")
    func quotaSpentThroughOrchestrator() async throws {
        try await InstagramHarness.run(InstagramFake(quotaTotal: 25, quotaUsage: 25)) { h in
            try await TemporaryDirectory.with { dir in
                let stager = LoopbackStager(base: h.server.baseURL(for: "/files"), name: "vertical.mp4")
                let orchestrator = Orchestrator(
                    stager: stager, records: RecordStore(directory: dir), clock: h.clock, jitter: FixedJitter(1))
                let report = try await orchestrator.post(
                    PostRequest(
                        videoPath: Fixtures.path("vertical.mp4"),
                        targets: [PostTarget(publisher: try h.publisher(), draft: PostDraft(caption: "x"))]))
                let result = try #require(report.results.first)
                #expect(result.status == .failed)
                #expect(result.error?.code == "quotaExceeded")
                #expect(result.error?.message.contains("25 of 25") == true)
                #expect(await h.fake.allContainers.isEmpty)
            }
        }
    }

    @Test(
        "on the shared /graph and /rupload mounts the fake answers only its own ids; the rest reach the other service")
    func sharedMounts() async throws {
        let extra: [any FakeService] = [
            StubFacebookGraph(mountPath: "/graph"), StubFacebookGraph(mountPath: "/rupload"),
        ]
        try await InstagramHarness.run(InstagramFake(), extra: extra) { h in
            func send(_ method: HTTPRequest.Method, _ mount: String, _ path: String, body: String? = nil) async throws
                -> (Int, String)
            {
                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(h.fake.initialToken)"
                let (response, responseBody) = try await h.transport.send(
                    HTTPRequest(method: method, path: path, headerFields: headers), body: body.map { HTTPBody($0) },
                    baseURL: h.server.baseURL(for: mount), operationID: "test.shared")
                return (response.status.code, try await HTTPBodies.text(responseBody))
            }
            let page = try await send(.post, "/graph", "/v24.0/1000000000000042", body: "message=hello")
            #expect(page.0 == 200 && page.1.contains("\"bodyBytes\":13") && page.1.contains("facebook"))
            let upload = try await send(.post, "/rupload", "/video-upload/v24.0/1000000000000042", body: "bytes")
            #expect(upload.0 == 200 && upload.1.contains("facebook"))
            let unknown = try await send(.get, "/graph", "/v24.0/31337")
            #expect(unknown.0 == 404)
            let mine = try await send(.get, "/graph", "/v24.0/\(h.fake.userID)/content_publishing_limit")
            #expect(mine.0 == 200 && mine.1.contains("quota_total"))
            let strict = try await send(.get, "/instagram", "/v24.0/31337")
            #expect(strict.0 == 400 && strict.1.contains("does not exist"))
            #expect(await h.fake.requests.map(\.path) == ["/v24.0/\(h.fake.userID)/content_publishing_limit"])
        }
    }
}
