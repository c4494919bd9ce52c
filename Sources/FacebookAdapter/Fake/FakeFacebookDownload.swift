import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PlatformKit

/// How the fake fetches a `file_url`: over HTTP with the shared client, hashing the bytes as they arrive.
enum FakeFacebookDownload {
    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// The largest file the fake downloads.
    static let limit: Int64 = 10 << 30

    /// Downloads `url`, handing each chunk to `sink` as it arrives.
    /// - Returns: The byte count.
    static func fetch(_ url: String, into sink: (ByteBuffer) -> Void) async throws -> Int64 {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw Failed(description: "file_url must be an http(s) URL") }
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(300))
        guard response.status == .ok else { throw Failed(description: "HTTP \(response.status.code)") }
        var count: Int64 = 0
        for try await buffer in response.body {
            count += Int64(buffer.readableBytes)
            if count > limit { throw Failed(description: "file larger than \(limit) bytes") }
            sink(buffer)
        }
        return count
    }
}
