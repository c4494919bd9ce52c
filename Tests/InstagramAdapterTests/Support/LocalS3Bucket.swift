import Crypto
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore
import Testing

/// A bucket on the local S3 server (moto), written and read through minimal SigV4 presigned URLs
/// (query-string auth, `UNSIGNED-PAYLOAD`, path-style). Test-only: atom's own signer lives in S3Staging.
struct LocalS3Bucket {
    let endpoint: URL
    let bucket: String
    var region = "us-east-1"
    var accessKeyID = "sandbox-s3-key-id"
    var secret = "sandbox-s3-secret"

    /// `PUT /{bucket}` (moto accepts unsigned requests for setup).
    func create(using transport: any HTTPTransport) async throws {
        let (response, body) = try await transport.send(
            HTTPRequest(method: .put, path: "/\(bucket)"), body: nil, baseURL: endpoint,
            operationID: "test.s3.bucket")
        _ = try await HTTPBodies.collect(body)
        #expect(response.status.code == 200)
    }

    /// Streams a file to `key` through a presigned PUT.
    func put(_ path: String, key: String, using transport: any HTTPTransport) async throws {
        let file = try MediaFileHandle(path: path)
        let url = presigned("PUT", key: key, expires: 600, now: Date())
        var headers = HTTPFields()
        headers[.contentType] = "video/mp4"
        let (response, body) = try await transport.send(
            HTTPRequest(method: .put, absoluteURL: url, headerFields: headers),
            body: file.chunks(in: 0..<file.size).body(), baseURL: url.origin, operationID: "test.s3.put")
        _ = try await HTTPBodies.collect(body)
        #expect(response.status.code == 200)
    }

    /// A presigned GET URL for `key`.
    func presignedGET(key: String, expires: Int, now: Date) -> URL {
        presigned("GET", key: key, expires: expires, now: now)
    }

    private func presigned(_ method: String, key: String, expires: Int, now: Date) -> URL {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let amzDate = formatter.string(from: now)
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/s3/aws4_request"
        let host = endpoint.port.map { "\(endpoint.host ?? ""):\($0)" } ?? (endpoint.host ?? "")
        let path =
            "/"
            + ([bucket] + key.split(separator: "/").map(String.init)).map(FormEncoding.escape).joined(separator: "/")
        let query = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(accessKeyID)/\(scope)"),
            ("X-Amz-Date", amzDate),
            ("X-Amz-Expires", String(expires)), ("X-Amz-SignedHeaders", "host"),
        ].sorted { $0.0 < $1.0 }
        let canonicalQuery = FormEncoding.encode(query)
        let canonicalRequest = [method, path, canonicalQuery, "host:\(host)", "", "host", "UNSIGNED-PAYLOAD"].joined(
            separator: "\n")
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, FileDigest.hex(SHA256.hash(data: Data(canonicalRequest.utf8))),
        ]
        .joined(separator: "\n")
        var signingKey = SymmetricKey(data: Data("AWS4\(secret)".utf8))
        for part in [day, region, "s3", "aws4_request"] {
            signingKey = SymmetricKey(
                data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: signingKey)))
        }
        let signature = FileDigest.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey))
        var base = endpoint.absoluteString
        if base.hasSuffix("/") { base.removeLast() }
        return URL(string: base + path + "?" + canonicalQuery + "&X-Amz-Signature=" + signature)!
    }
}
