import AtomTestSupport
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore
import Testing

@Suite("Adapter kit: snake_case JSON, the JSON endpoint client, the processing poller")
struct AdapterKitTests {
    struct Sample: Codable, Equatable {
        var publishID: String
        var permalinkURL: String?
        var videoCoverTimestampMs: Int?
        var extra: [String: Int]?
    }

    @Test("snake_case keys map to Swift names with ID and URL in capitals; dictionary keys stay as sent")
    func snakeCase() throws {
        #expect(SnakeCaseJSON.swiftName("fbtrace_id") == "fbtraceID")
        #expect(SnakeCaseJSON.swiftName("video_cover_timestamp_ms") == "videoCoverTimestampMs")
        #expect(SnakeCaseJSON.swiftName("id") == "id")
        let bytes = Array(#"{"publish_id":"p","permalink_url":"u","extra":{"a_b":1}}"#.utf8)
        let sample = try SnakeCaseJSON.decode(Sample.self, from: bytes)
        #expect(sample == Sample(publishID: "p", permalinkURL: "u", extra: ["a_b": 1]))
        let encoded = String(decoding: try SnakeCaseJSON.encoder.encode(Sample(publishID: "p", videoCoverTimestampMs: 5)), as: UTF8.self)
        #expect(encoded == #"{"publish_id":"p","video_cover_timestamp_ms":5}"#)
    }

    /// Answers every request with one status and body, remembering the requests.
    struct Canned: HTTPTransport {
        let status: Int
        let body: String
        let seen = LockedBox<[HTTPRequest]>([])
        func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (
            HTTPResponse, HTTPBody?
        ) {
            seen.withLock { $0.append(request) }
            return (HTTPResponse(status: .init(code: status)), HTTPBody(self.body))
        }
    }

    static func endpoint(_ transport: Canned) -> JSONEndpoint {
        JSONEndpoint(
            baseURL: URL(string: "https://api.example.test")!, transport: transport,
            check: { answer, operationID in
                answer.isSuccess ? nil : PublishError(.server, operationID: operationID, httpStatus: answer.status, message: "refused")
            },
            undecodable: { _, operationID in PublishError(.protocolViolation, operationID: operationID, message: "unreadable") })
    }

    @Test("the endpoint sends the body's content type and the bearer token, and decodes snake_case")
    func endpointDecodes() async throws {
        let transport = Canned(status: 200, body: #"{"publish_id":"v1"}"#)
        let sample = try await Self.endpoint(transport).call(
            .post, path: "/v2/x", headers: .bearer("t0k"), body: .json(["a": 1]), as: Sample.self, operationID: "x.post")
        #expect(sample.publishID == "v1")
        let request = try #require(transport.seen.value.first)
        #expect(request.headerFields[.authorization] == "Bearer t0k")
        #expect(request.headerFields[.contentType] == "application/json; charset=UTF-8")
    }

    @Test("a failed answer goes through the platform's check; an unreadable success through its own mapping")
    func endpointFailures() async throws {
        await #expect(throws: PublishError.self) {
            let _: Sample = try await Self.endpoint(Canned(status: 503, body: "{}")).call(.get, path: "/", operationID: "x")
        }
        do {
            let _: Sample = try await Self.endpoint(Canned(status: 200, body: "not json")).call(.get, path: "/", operationID: "x")
            Issue.record("decoded garbage")
        } catch let error as PublishError {
            #expect(error.message == "unreadable")
        }
    }

    @Test("the poller backs off to its cap, honours Retry-After and shortens the last pause to the budget")
    func pollerBacksOff() async throws {
        let clock = ImmediateClock()
        let poller = ProcessingPoller(interval: .seconds(3), maxInterval: .seconds(5), growth: 1.5, clock: clock)
        var checks = 0
        let (outcome, waited) = try await poller.poll(budget: .seconds(20)) { _ -> ProcessingPoller.Verdict<Int> in
            checks += 1
            return checks == 2 ? .pending(retryAfter: .seconds(1)) : .pending()
        }
        guard case .timedOut = outcome else { Issue.record("finished"); return }
        #expect(clock.sleeps == [.seconds(3), .seconds(1), .seconds(5), .seconds(5), .seconds(5), .seconds(1)])
        #expect(waited == .seconds(20))
    }

    @Test("with skipped last pauses the poll ends instead of passing the budget; a done check ends it at once")
    func pollerSkipsAndFinishes() async throws {
        let clock = ImmediateClock()
        let poller = ProcessingPoller(interval: .seconds(5), maxInterval: .seconds(60), growth: 2, lastPause: .skipped, clock: clock)
        let (outcome, _) = try await poller.poll(budget: .seconds(30)) { _ -> ProcessingPoller.Verdict<Int> in .pending() }
        guard case .timedOut = outcome else { Issue.record("finished"); return }
        #expect(clock.sleeps == [.seconds(5), .seconds(10)])
        let (done, waited) = try await poller.poll(budget: .seconds(30)) { _ in ProcessingPoller.Verdict.done(7) }
        guard case .done(7) = done else { Issue.record("not done"); return }
        #expect(waited == .zero)
    }
}
