import Crypto
import Foundation
import PublishingCore

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`): signed headers and presigned query strings.
///
/// A pure value: the same request, credentials and `date` always give the same signature, so it is
/// tested against the official test suite and S3's documented examples. It signs exactly the headers it
/// is given (plus the ones it adds: `x-amz-date`, `x-amz-content-sha256` for S3, `x-amz-security-token`).
///
/// Paths are given decoded (`/bucket/my key.mp4`); the signer encodes each segment once, as S3 wants, and
/// the caller sends the path as ``encodePath(_:)`` returns it, so the canonical URI is what goes on the wire.
public struct SigV4Signer: Sendable {
    /// The payload hash that tells S3 the body is not signed (presigned URLs, streamed parts over TLS).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// The payload hash of an unsigned `aws-chunked` body with trailing headers (a checksum after the last chunk).
    public static let streamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    /// The SHA-256 of an empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The longest lifetime of a presigned URL: 7 days.
    public static let maxPresignedLifetime = 604_800
    /// The algorithm name.
    public static let algorithm = "AWS4-HMAC-SHA256"

    /// A request to sign.
    public struct Request: Sendable {
        /// `GET`, `PUT`, …
        public var method: String
        /// The decoded path, starting with `/`.
        public var path: String
        /// Decoded query pairs, in any order.
        public var query: [(String, String)]
        /// The headers to sign (names in any case), including `host`.
        public var headers: [(String, String)]

        /// Creates a request.
        public init(method: String, path: String, query: [(String, String)] = [], headers: [(String, String)]) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
        }
    }

    /// The credentials.
    public var credentials: AWSCredentials
    /// The region, e.g. `us-east-1`.
    public var region: String
    /// The service, `s3` for S3.
    public var service: String
    /// Whether `.` and `..` segments and repeated slashes are normalised (never for S3).
    public var normalizesPath: Bool
    /// Whether header signing adds `x-amz-content-sha256` (always for S3).
    public var sendsContentSHA256: Bool

    /// Creates a signer.
    /// - Parameters:
    ///   - normalizesPath: Defaults to `false` for S3 and `true` otherwise, as the AWS SDKs do.
    ///   - sendsContentSHA256: Defaults to `true` for S3.
    public init(
        credentials: AWSCredentials, region: String, service: String = "s3", normalizesPath: Bool? = nil,
        sendsContentSHA256: Bool? = nil
    ) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.normalizesPath = normalizesPath ?? (service != "s3")
        self.sendsContentSHA256 = sendsContentSHA256 ?? (service == "s3")
    }

    // MARK: Header signing

    /// Signs `request` with the `Authorization` header.
    /// - Parameters:
    ///   - payloadHash: Hex SHA-256 of the body, or ``unsignedPayload``.
    ///   - date: The signing time (sent as `x-amz-date`).
    /// - Returns: The headers to send: the request's own plus `x-amz-date`, `x-amz-content-sha256` (S3),
    ///   `x-amz-security-token` (temporary credentials) and `Authorization`.
    public func signedHeaders(for request: Request, payloadHash: String, date: Date) -> [(String, String)] {
        let amzDate = Self.amzDate(date)
        var headers = request.headers
        headers.append(("x-amz-date", amzDate))
        if sendsContentSHA256 { headers.append(("x-amz-content-sha256", payloadHash)) }
        if let token = credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        let signed = Request(method: request.method, path: request.path, query: request.query, headers: headers)
        let canonical = canonicalRequest(signed, payloadHash: payloadHash)
        let signature = self.signature(canonicalRequest: canonical.text, amzDate: amzDate)
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope(amzDate)), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        headers.append(("Authorization", authorization))
        return headers
    }

    // MARK: Query signing

    /// Presigns `request`: its query plus the `X-Amz-*` parameters and `X-Amz-Signature`.
    /// - Parameters:
    ///   - expires: Seconds the URL stays valid, clamped to 1…604800.
    ///   - payloadHash: ``unsignedPayload`` for S3.
    /// - Returns: The query pairs to send, `X-Amz-Signature` last.
    public func presignedQuery(
        for request: Request, expires: Int, date: Date, payloadHash: String = unsignedPayload
    ) -> [(String, String)] {
        let amzDate = Self.amzDate(date)
        let signedNames = Self.canonicalHeaders(request.headers).map(\.name).joined(separator: ";")
        var query = request.query
        query.append(("X-Amz-Algorithm", Self.algorithm))
        query.append(("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(amzDate))"))
        query.append(("X-Amz-Date", amzDate))
        query.append(("X-Amz-Expires", String(min(max(expires, 1), Self.maxPresignedLifetime))))
        if let token = credentials.sessionToken { query.append(("X-Amz-Security-Token", token)) }
        query.append(("X-Amz-SignedHeaders", signedNames))
        let signed = Request(method: request.method, path: request.path, query: query, headers: request.headers)
        let canonical = canonicalRequest(signed, payloadHash: payloadHash)
        query.append(("X-Amz-Signature", signature(canonicalRequest: canonical.text, amzDate: amzDate)))
        return query
    }

    // MARK: The steps, public for known-answer tests and for servers that verify signatures

    /// The canonical request and the `SignedHeaders` list for `request` as given (no headers added).
    public func canonicalRequest(_ request: Request, payloadHash: String) -> (text: String, signedHeaders: String) {
        let headers = Self.canonicalHeaders(request.headers)
        let path = normalizesPath ? Self.normalize(request.path) : request.path
        let lines = [
            request.method.uppercased(),
            Self.encodePath(path),
            Self.canonicalQuery(request.query),
            headers.map { "\($0.name):\($0.value)\n" }.joined(),
            headers.map(\.name).joined(separator: ";"),
            payloadHash,
        ]
        return (lines.joined(separator: "\n"), headers.map(\.name).joined(separator: ";"))
    }

    /// The string to sign for a canonical request at `amzDate` (`YYYYMMDDTHHMMSSZ`).
    public func stringToSign(canonicalRequest: String, amzDate: String) -> String {
        let hash = FileDigest.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))
        return [Self.algorithm, amzDate, scope(amzDate), hash].joined(separator: "\n")
    }

    /// The hex signature of a canonical request at `amzDate`.
    public func signature(canonicalRequest: String, amzDate: String) -> String {
        let key = Self.signingKey(secret: credentials.secretAccessKey, date: String(amzDate.prefix(8)), region: region, service: service)
        let toSign = stringToSign(canonicalRequest: canonicalRequest, amzDate: amzDate)
        return FileDigest.hex(HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: key))
    }

    /// `YYYYMMDD/region/service/aws4_request`.
    public func scope(_ amzDate: String) -> String { "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request" }

    /// The signing key: `HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request")`.
    public static func signingKey(secret: String, date: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data(("AWS4" + secret).utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }
}
