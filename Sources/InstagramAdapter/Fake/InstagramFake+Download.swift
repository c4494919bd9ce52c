import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PlatformKit
import PublishingCore

/// What came of fetching a container's `video_url`.
enum DownloadOutcome: Sendable {
    /// The bytes' SHA-256 (hex), count, and whether they start like an ISO BMFF file (`ftyp`).
    case fetched(sha256: String, count: Int64, isMP4: Bool)
    /// The `status` text of the failed container, with the real error.
    case failed(String)
}

extension InstagramFake {
    /// The largest Reel the fake accepts (Meta's 300 MB).
    static let maxVideoBytes: Int64 = 300_000_000

    /// Downloads `url` like Meta does (a plain GET, no redirects followed), hashing the bytes as they arrive.
    nonisolated static func download(_ url: String) async -> DownloadOutcome {
        let shown = URL(string: url).map(Redaction.displayURL) ?? "the video_url"
        do {
            let request = HTTPClientRequest(url: url)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
            guard (200..<300).contains(Int(response.status.code)) else {
                _ = try? await response.body.collect(upTo: 1 << 20)
                return .failed(
                    "ERROR: Media download has failed. \(shown) answered HTTP \(response.status.code) \(response.status.reasonPhrase) (2207052)"
                )
            }
            var digest = ReceivedDigest()
            var head: [UInt8] = []
            for try await chunk in response.body {
                if head.count < 8 { head += chunk.readableBytesView.prefix(8 - head.count) }
                digest.update(chunk)
                if digest.count > maxVideoBytes {
                    return .failed("ERROR: The video is larger than 300 MB (2207026)")
                }
            }
            let isMP4 = head.count >= 8 && Array(head[4..<8]) == Array("ftyp".utf8)
            return .fetched(sha256: digest.hex, count: digest.count, isMP4: isMP4)
        } catch {
            return .failed(
                "ERROR: Media download has failed. \(shown): \(Redaction.redact(String(describing: error))) (2207003)")
        }
    }
}
