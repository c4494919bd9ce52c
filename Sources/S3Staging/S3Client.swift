import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore

/// Signs and sends single S3 requests and maps S3's errors; one method per S3 operation
/// (in `S3Client+Operations.swift`). Stateless apart from its collaborators.
struct S3Client: Sendable {
    let configuration: S3Configuration
    let addressing: S3Addressing
    let signer: SigV4Signer
    let transport: any HTTPTransport
    let now: @Sendable () -> Date
    let logger: Logger

    /// The largest error or listing document read into memory.
    static let maxDocumentBytes = 8 << 20

    init(configuration: S3Configuration, credentials: AWSCredentials, transport: any HTTPTransport,
         now: @escaping @Sendable () -> Date, logger: Logger) {
        self.configuration = configuration
        self.addressing = S3Addressing(bucket: configuration.bucket, region: configuration.region, endpoint: configuration.endpoint)
        self.signer = SigV4Signer(credentials: credentials, region: configuration.region, service: "s3")
        self.transport = transport
        self.now = now
        self.logger = logger
    }

    /// Whether bodies go as `UNSIGNED-PAYLOAD` (no second read to hash them): only where the transport
    /// protects the bytes (TLS, or a loopback address that never leaves the machine). Over plain HTTP to
    /// another host the payload hash in the signature is what stops a changed body, so it is always sent.
    /// The AWS SDK for Java draws the same line (AWS4UnsignedPayloadSigner: unsigned over HTTPS, signed over HTTP,
    /// https://docs.aws.amazon.com/AWSJavaSDK/latest/javadoc/com/amazonaws/auth/AWS4UnsignedPayloadSigner.html).
    var sendsUnsignedPayload: Bool {
        configuration.payloadSigning != .signed && addressing.isProtectedTransport
    }

    /// Signs and sends one request; a non-2xx answer (other than `accepting`) becomes a ``PublishError``.
    /// - Parameters:
    ///   - path: The decoded path (from ``S3Addressing``).
    ///   - headers: Extra headers to sign and send (`content-type`, `x-amz-server-side-encryption`, `range`).
    ///   - payloadHash: Hex SHA-256 of `body`, or ``SigV4Signer/unsignedPayload``.
    ///   - accepting: Non-2xx statuses returned to the caller instead of thrown (404 for HEAD).
    /// - Returns: The response head and body (a small body is the caller's to collect).
    func send(
        _ operationID: String, method: HTTPRequest.Method, path: String, query: [(String, String)] = [],
        headers: [(String, String)] = [], body: HTTPBody? = nil, payloadHash: String = SigV4Signer.emptyPayloadHash,
        accepting: Set<Int> = []
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let toSign = SigV4Signer.Request(method: method.rawValue, path: path, query: query, headers: [("host", addressing.host)] + headers)
        let signed = signer.signedHeaders(for: toSign, payloadHash: payloadHash, date: now())
        var fields = HTTPFields()
        for (name, value) in signed {
            guard let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        var target = SigV4Signer.encodePath(path)
        let canonicalQuery = SigV4Signer.canonicalQuery(query)
        if !canonicalQuery.isEmpty { target += "?" + canonicalQuery }
        let request = HTTPRequest(method: method, scheme: nil, authority: nil, path: target, headerFields: fields)
        logger.trace("s3 request", metadata: ["operation": "\(operationID)", "method": "\(method.rawValue)"])
        let (response, responseBody) = try await transport.send(request, body: body, baseURL: addressing.origin, operationID: operationID)
        let status = response.status.code
        logger.trace("s3 response", metadata: ["operation": "\(operationID)", "status": "\(status)"])
        if (200..<300).contains(status) || accepting.contains(status) { return (response, responseBody) }
        let bytes = (try? await HTTPBodies.collect(responseBody, upTo: Self.maxDocumentBytes)) ?? []
        throw S3ErrorMapping.error(status: status, body: bytes, headers: response.headerFields, operationID: operationID,
                                   bucket: configuration.bucket)
    }

    /// Collects a small response body, then checks it for an `<Error>` document (S3 can answer
    /// `CompleteMultipartUpload` with 200 and an error in the body).
    func document(_ body: HTTPBody?, status: Int, headers: HTTPFields, operationID: String) async throws -> XMLNode? {
        let bytes = try await HTTPBodies.collect(body, upTo: Self.maxDocumentBytes)
        if let error = S3ErrorDocument.parse(bytes) {
            throw S3ErrorMapping.error(document: error, status: status, operationID: operationID, bucket: configuration.bucket,
                                       requestID: headers.s3Value("x-amz-request-id"))
        }
        return XMLNode.parse(bytes)
    }

    /// Drains a body the caller does not need, so the connection can be reused.
    func drain(_ body: HTTPBody?) async {
        _ = try? await HTTPBodies.collect(body, upTo: Self.maxDocumentBytes)
    }
}
