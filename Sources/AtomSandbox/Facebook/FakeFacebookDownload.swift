import AsyncHTTPClient
import Foundation
import NIOCore

/// How the fake fetches a `file_url`: over HTTP with the shared client, hashing the bytes as they arrive.
enum FakeFacebookDownload {
    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// The largest file the fake downloads.
    static let limit: Int64 = 10 << 30

    /// Downloads `url` and returns the digest of its bytes.
    static func fetch(_ url: String) async throws -> ReceivedDigest {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw Failed(description: "file_url must be an http(s) URL") }
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(300))
        guard response.status == .ok else { throw Failed(description: "HTTP \(response.status.code)") }
        var digest = ReceivedDigest()
        for try await buffer in response.body {
            digest.update(buffer)
            if digest.count > limit { throw Failed(description: "file larger than \(limit) bytes") }
        }
        return digest
    }
}
