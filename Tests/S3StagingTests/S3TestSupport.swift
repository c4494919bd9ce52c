import AtomSandbox
import AtomTestSupport
import Crypto
import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PlatformKit
import PublishingCore
@testable import S3Staging
import Testing

/// Wraps a transport: records each request's operation and part number, and lets a test fail or
/// interrupt chosen requests before they are sent.
final class ScriptedTransport: HTTPTransport {
    struct Sent: Sendable, Equatable {
        var operationID: String
        var partNumber: Int?
        /// The request's headers, names lowercased.
        var headers: [String: String] = [:]
    }

    let base: any HTTPTransport
    private let log = LockedBox<[Sent]>([])
    private let hook: LockedBox<(@Sendable (Sent) async throws -> Void)?>

    init(_ base: any HTTPTransport, hook: (@Sendable (Sent) async throws -> Void)? = nil) {
        self.base = base
        self.hook = LockedBox(hook)
    }

    /// Replaces the hook.
    func setHook(_ hook: (@Sendable (Sent) async throws -> Void)?) { self.hook.withLock { $0 = hook } }

    /// Everything sent so far (or attempted, when the hook threw).
    var sent: [Sent] { log.value }
    /// Part numbers sent, in order.
    var partsSent: [Int] { log.value.compactMap(\.partNumber) }
    /// Forgets what was sent.
    func reset() { log.withLock { $0 = [] } }

    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        let query = URLComponents(string: "http://x" + (request.path ?? "/"))?.queryItems ?? []
        let part = operationID == "s3.multipart.part" ? query.first { $0.name == "partNumber" }?.value.flatMap(Int.init) : nil
        let headers = Dictionary(request.headerFields.map { ($0.name.canonicalName, $0.value) }, uniquingKeysWith: { first, _ in first })
        let entry = Sent(operationID: operationID, partNumber: part, headers: headers)
        log.withLock { $0.append(entry) }
        if let hook = hook.value { try await hook(entry) }
        return try await base.send(request, body: body, baseURL: baseURL, operationID: operationID)
    }
}

/// Keeps the last checkpoint a stager journalled.
final class JournalBox: Sendable {
    private let state = LockedBox<JSONValue?>(nil)
    var journal: Journal { Journal { [state] value in state.withLock { $0 = value } } }
    var checkpoint: JSONValue? { state.value }
    var decoded: S3StagingCheckpoint? { state.value.flatMap { try? $0.decode(S3StagingCheckpoint.self) } }
}

/// A log handler that keeps every line, to check that nothing secret is logged.
struct CapturingLogHandler: LogHandler {
    let lines: LockedBox<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.withLock { $0.append("\(event.message) \(all)") }
    }
}

enum S3Test {
    static let sandboxCredentials = AWSCredentials(accessKeyID: FakeS3.sandboxAccessKeyID, secretAccessKey: FakeS3.sandboxSecretAccessKey)

    /// A staging context with an immediate clock, full jitter and a journal box.
    static func context(_ journal: JournalBox = JournalBox(), checkpoint: JSONValue? = nil) -> StagingContext {
        StagingContext(progress: ProgressReporter(platform: .staging, continuation: nil), checkpoint: checkpoint, journal: journal.journal,
                       clock: ImmediateClock(), jitter: FixedJitter(1))
    }

    /// SHA-256 of a file, streamed.
    static func sha256(_ path: String) async throws -> String { try await FileDigest.sha256(of: MediaFileHandle(path: path)) }

    /// GETs `url` through `transport` and hashes the streamed response body.
    static func fetch(_ url: URL, transport: any HTTPTransport, headers: HTTPFields = [:]) async throws -> (status: Int, sha256: String, count: Int64, text: String) {
        let (response, body) = try await transport.send(HTTPRequest(method: .get, absoluteURL: url, headerFields: headers), body: nil,
                                                        baseURL: url.origin, operationID: "test.fetch")
        var hasher = SHA256()
        var count: Int64 = 0
        var head: [UInt8] = []
        if let body {
            for try await chunk in body {
                hasher.update(data: chunk)
                count += Int64(chunk.count)
                if head.count < 4096 { head += chunk.prefix(4096 - head.count) }
            }
        }
        return (response.status.code, hasher.finalize().map { String(format: "%02x", $0) }.joined(), count, String(decoding: head, as: UTF8.self))
    }

    /// A fresh random lowercase bucket name.
    static func bucketName() -> String { "atom-test-" + UUID().uuidString.lowercased().prefix(13).replacingOccurrences(of: "-", with: "") }

    /// Creates a bucket with a signed `PUT /bucket` (for moto).
    static func createBucket(_ stager: S3Stager) async throws {
        let (_, body) = try await stager.client.send("test.create-bucket", method: .put, path: stager.client.addressing.bucketRequestPath, accepting: [409])
        await stager.client.drain(body)
    }
}

extension S3Client {
    /// `PUT /key` of a plain body (no checksum), for tests that shape requests by hand.
    @discardableResult
    func putObject(key: String, body: HTTPBody, payloadHash: String, contentType: String) async throws -> String? {
        try await putObject(key: key, payload: S3Payload(body: body, payloadHash: payloadHash), contentType: contentType)
    }

    /// `UploadPart` of a plain body (no checksum); the part's ETag.
    func uploadPart(key: String, uploadID: String, number: Int, body: HTTPBody, payloadHash: String) async throws -> String {
        try await uploadPart(key: key, uploadID: uploadID, number: number, payload: S3Payload(body: body, payloadHash: payloadHash)).eTag
    }
}
