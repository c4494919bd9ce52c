import AtomTestSupport
import Foundation
import GraphAPISupport
import HTTPTypes
@testable import InstagramAdapter
import MediaInspection
import OpenAPIRuntime
import PublishingCore
import Testing

/// A transport answering from recorded documents in `Fixtures/instagram/`, by operation id.
struct RecordedTransport: HTTPTransport {
    struct Answer: Sendable {
        var status: Int
        var fixture: String
        var headers: [(String, String)] = []
    }
    let answers: [String: Answer]
    let seen = LockedBox<[(operationID: String, request: HTTPRequest, base: URL)]>([])

    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (
        HTTPResponse, HTTPBody?
    ) {
        seen.withLock { $0.append((operationID, request, baseURL)) }
        guard let answer = answers[operationID] else {
            Issue.record("unexpected request \(operationID)")
            throw TransportError(message: "no recorded answer for \(operationID)", operationID: operationID)
        }
        var fields = HTTPFields()
        for (name, value) in answer.headers { if let name = HTTPField.Name(name) { fields[name] = value } }
        let bytes = try MappingFixtures.bytes(answer.fixture)
        return (HTTPResponse(status: .init(code: answer.status), headerFields: fields), HTTPBody(bytes))
    }
}

enum MappingFixtures {
    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("instagram/\(name)"))))
    }

    static func publisher(_ transport: any HTTPTransport, _ values: [String: String] = [:]) throws -> InstagramPublisher
    {
        var settings = [
            "INSTAGRAM_ACCESS_TOKEN": "sandbox-instagram-access-token", "INSTAGRAM_USER_ID": "17841400000000001",
            "INSTAGRAM_LOGIN": "instagram",
            "INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT": "2099-01-01T00:00:00Z",
        ]
        settings.merge(values) { $1 }
        return InstagramPublisher(
            configuration: try InstagramConfiguration(store: MemoryCredentialStore(settings)),
            environment: PublisherEnvironment(credentials: MemoryCredentialStore(), transport: transport))
    }

    static func context() -> PublishContext {
        PublishContext(
            clock: ImmediateClock(), jitter: FixedJitter(1), now: { Date(timeIntervalSince1970: 1_790_000_000) })
    }
}

@Suite("Instagram: recorded answers and error mapping")
struct InstagramMappingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var fixture: String
        var status: Int
        var headers: [(String, String)] = []
        var code: PublishError.Code
        var platformCode: String
        var retryable: Bool
        var retryAfter: Duration? = nil
        var remediationContains: String? = nil
        var testDescription: String { fixture }
    }

    static let cases: [Case] = [
        Case(
            fixture: "error-190-expired.json", status: 400, code: .authentication, platformCode: "190/463",
            retryable: false,
            remediationContains: "run `atom auth instagram`"),
        Case(
            fixture: "error-80002-rate-limit.json", status: 400,
            headers: [
                (
                    "X-Business-Use-Case-Usage",
                    #"{"17841400000000001":[{"type":"instagram","call_count":100,"total_cputime":9,"total_time":9,"estimated_time_to_regain_access":2}]}"#
                )
            ],
            code: .rateLimited, platformCode: "80002", retryable: true, retryAfter: .seconds(120)),
        Case(
            fixture: "error-9-2207042-quota.json", status: 400, code: .quotaExceeded, platformCode: "9/2207042",
            retryable: false),
        Case(
            fixture: "error-9007-2207027-not-ready.json", status: 400, code: .conflict, platformCode: "9007/2207027",
            retryable: true),
        Case(
            fixture: "error-352-2207026-format.json", status: 400, code: .unsupportedMedia, platformCode: "352/2207026",
            retryable: false),
        Case(fixture: "error-2-transient.json", status: 500, code: .server, platformCode: "2", retryable: true),
    ]

    @Test("Graph error documents map to PublishError", arguments: cases)
    func graphErrors(_ item: Case) throws {
        let publisher = try MappingFixtures.publisher(RecordedTransport(answers: [:]))
        var fields = HTTPFields()
        for (name, value) in item.headers { fields[HTTPField.Name(name)!] = value }
        let bytes = try MappingFixtures.bytes(item.fixture)
        let error = try #require(throws: PublishError.self) {
            let _: IDResponse = try publisher.graph.decode(
                HTTPResponse(status: .init(code: item.status), headerFields: fields), bytes: bytes,
                operationID: "instagram.test")
        }
        #expect(error.code == item.code)
        #expect(error.platform == .instagram)
        #expect(error.platformCode == item.platformCode)
        #expect(error.isRetryable == item.retryable)
        #expect(error.diagnosticID?.hasPrefix("AsbxRecorded") == true)
        #expect(error.httpStatus == item.status)
        if let retryAfter = item.retryAfter { #expect(error.retryAfter == retryAfter) }
        if let text = item.remediationContains { #expect(error.remediation?.contains(text) == true) }
        let document = try JSONDecoder().decode([String: [String: JSONValue]].self, from: Data(bytes))
        let expected = document["error"]?["error_user_msg"]?.stringValue ?? document["error"]?["message"]?.stringValue
        #expect(error.message == expected)
    }

    @Test("a Graph error inside a 200 answer is still an error")
    func errorInsideOK() throws {
        let publisher = try MappingFixtures.publisher(RecordedTransport(answers: [:]))
        let error = try #require(throws: PublishError.self) {
            let _: IDResponse = try publisher.graph.decode(
                HTTPResponse(status: .ok), bytes: try MappingFixtures.bytes("error-190-expired.json"),
                operationID: "instagram.test")
        }
        #expect(error.code == .authentication)
    }

    @Test("rupload debug_info errors: retriable → server (retried); NotAuthorized → re-auth")
    func ruploadErrors() throws {
        let publisher = try MappingFixtures.publisher(RecordedTransport(answers: [:]))
        let busy = publisher.ruploadError(
            HTTPResponse(status: .serviceUnavailable), bytes: try MappingFixtures.bytes("rupload-error-retriable.json"),
            operationID: "instagram.rupload")
        #expect(busy.code == .server)
        #expect(busy.isRetryable)
        #expect(busy.platformCode == "ProcessingFailedError")
        let auth = publisher.ruploadError(
            HTTPResponse(status: .badRequest), bytes: try MappingFixtures.bytes("rupload-error-auth.json"),
            operationID: "instagram.rupload")
        #expect(auth.code == .authentication)
        #expect(!auth.isRetryable)
        #expect(auth.remediation?.contains("atom auth instagram") == true)
        #expect(
            RuploadDocument.parse(Array(try MappingFixtures.bytes("rupload-success.json")))?.success == true)
    }

    @Test(
        "recorded quota answer: 2 of 50 passes preflight; the request carries a Bearer header and no token in the URL")
    func recordedQuota() async throws {
        let transport = RecordedTransport(answers: [
            "instagram.quota": .init(status: 200, fixture: "content-publishing-limit.json")
        ])
        let publisher = try MappingFixtures.publisher(transport)
        let job = PublishJob(
            recordID: "r", draft: PostDraft(), media: try await MediaProbe.probe(path: Fixtures.path("vertical.mp4")),
            file: nil, sha256: "")
        try await publisher.preflight(job, context: MappingFixtures.context())
        let request = try #require(transport.seen.value.first)
        #expect(request.request.path == "/v24.0/17841400000000001/content_publishing_limit?fields=config%2Cquota_usage")
        #expect(request.request.headerFields[.authorization] == "Bearer sandbox-instagram-access-token")
        #expect(request.base.absoluteString == "https://graph.instagram.com")
    }

    @Test("recorded container ERROR surfaces Meta's status text")
    func recordedContainerError() async throws {
        let transport = RecordedTransport(answers: [
            "instagram.container.status": .init(status: 200, fixture: "container-status-error.json")
        ])
        let publisher = try MappingFixtures.publisher(transport)
        let checkpoint = InstagramCheckpoint(
            containerID: "17900000000000001", mode: "url", uploaded: true, createdAt: Date())
        let job = PublishJob(
            recordID: "r", draft: PostDraft(), media: try await MediaProbe.probe(path: Fixtures.path("vertical.mp4")),
            file: nil, sha256: "", checkpoint: try JSONValue.encoding(checkpoint))
        let error = try await #require(throws: PublishError.self) {
            try await publisher.status(job, context: MappingFixtures.context())
        }
        #expect(error.code == .processingFailed)
        #expect(error.message.contains("The media URI doesn't meet our requirements. (2207052)"))
    }

    @Test("recorded refresh answer: the new token and its 60-day expiry are written to the store")
    func recordedRefresh() async throws {
        let transport = RecordedTransport(answers: [
            "instagram.token.refresh": .init(status: 200, fixture: "refresh-access-token.json"),
            "instagram.quota": .init(status: 200, fixture: "content-publishing-limit.json"),
        ])
        let store = MemoryCredentialStore([
            "INSTAGRAM_ACCESS_TOKEN": "sandbox-instagram-access-token", "INSTAGRAM_USER_ID": "17841400000000001",
            "INSTAGRAM_LOGIN": "instagram",
            "INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT": "2026-09-25T00:00:00Z",
        ])
        let now = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21
        let publisher = InstagramPublisher(
            configuration: try InstagramConfiguration(store: store),
            environment: PublisherEnvironment(credentials: store, transport: transport, now: { now }))
        let job = PublishJob(
            recordID: "r", draft: PostDraft(), media: try await MediaProbe.probe(path: Fixtures.path("vertical.mp4")),
            file: nil, sha256: "")
        try await publisher.preflight(job, context: MappingFixtures.context())
        #expect(store.all["INSTAGRAM_ACCESS_TOKEN"] == "sandbox-instagram-access-token-recorded")
        #expect(
            store.all["INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT"] == ExpiryTime.format(now.addingTimeInterval(5_184_000)))
        let refresh = try #require(transport.seen.value.first)
        #expect(refresh.base.absoluteString == "https://graph.instagram.com")
        #expect(
            refresh.request.path?.hasPrefix("/refresh_access_token?grant_type=ig_refresh_token&access_token=") == true)
        #expect(
            transport.seen.value.last?.request.headerFields[.authorization]
                == "Bearer sandbox-instagram-access-token-recorded")
    }
}
