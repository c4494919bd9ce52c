import Foundation

/// Turns bucket and key into the host and path of a request: virtual-hosted on AWS, path-style on a
/// custom endpoint (whose own path prefix is kept, e.g. `http://127.0.0.1:8080/s3`) or for bucket names
/// with dots (which break the `*.s3.amazonaws.com` wildcard certificate).
struct S3Addressing: Sendable, Equatable {
    /// `scheme://host[:port]`, the base URL handed to the transport.
    let origin: URL
    /// The `Host` header value, signed as sent (with a non-default port).
    let host: String
    /// The decoded path of the bucket (`""` when virtual-hosted, `/bucket`, `/prefix/bucket`).
    let bucketPath: String
    /// TLS or loopback: where `UNSIGNED-PAYLOAD` adds no risk.
    let isProtectedTransport: Bool

    init(bucket: String, region: String, endpoint: URL?) {
        if let endpoint {
            let scheme = endpoint.scheme?.lowercased() ?? "https"
            let hostname = endpoint.host(percentEncoded: false) ?? "localhost"
            let bracketed = hostname.contains(":") ? "[\(hostname)]" : hostname
            let defaultPort = scheme == "https" ? 443 : 80
            let port = endpoint.port.flatMap { $0 == defaultPort ? nil : $0 }
            host = bracketed + (port.map { ":\($0)" } ?? "")
            origin = URL(string: "\(scheme)://\(host)") ?? endpoint
            var prefix = endpoint.path(percentEncoded: false)
            while prefix.hasSuffix("/") { prefix.removeLast() }
            bucketPath = prefix + "/" + bucket
            isProtectedTransport = scheme == "https" || Self.isLoopback(hostname)
        } else {
            let regional = "s3.\(region).amazonaws.com"
            if bucket.contains(".") {
                host = regional
                bucketPath = "/" + bucket
            } else {
                host = "\(bucket).\(regional)"
                bucketPath = ""
            }
            origin = URL(string: "https://\(host)") ?? URL(filePath: "/")
            isProtectedTransport = true
        }
    }

    /// The decoded path of an object.
    func path(forKey key: String) -> String { bucketPath + "/" + key }

    /// The decoded path of the bucket itself (for listings).
    var bucketRequestPath: String { bucketPath.isEmpty ? "/" : bucketPath }

    /// The absolute URL of `path` with `query` (already in the order to send).
    func url(path: String, query: [(String, String)]) -> URL? {
        var text = origin.absoluteString + SigV4Signer.encodePath(path)
        if !query.isEmpty {
            text += "?" + query.map { "\(SigV4Signer.uriEncode($0.0))=\(SigV4Signer.uriEncode($0.1))" }.joined(separator: "&")
        }
        return URL(string: text)
    }

    static func isLoopback(_ host: String) -> Bool {
        let lower = host.lowercased()
        if lower == "localhost" || lower == "::1" || lower == "[::1]" { return true }
        // 127.0.0.0/8 as a dotted address only: a name such as `127.example.com` can resolve anywhere.
        let octets = lower.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
