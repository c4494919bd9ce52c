import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PlatformKit
import PublishingCore

extension InstagramFake {
    /// Meta's documented cover limit: a JPEG of at most 8 MB.
    static let maxCoverBytes = 8 * 1024 * 1024

    /// Fetches `cover_url` like Meta does (a plain GET) and checks it is a whole JPEG of at most 8 MB.
    nonisolated static func downloadCover(_ url: String) async -> Result<FakeImage, FakeImageRefusal> {
        let shown = URL(string: url).map(Redaction.displayURL) ?? "the cover_url"
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
            guard (200..<300).contains(Int(response.status.code)) else {
                _ = try? await response.body.collect(upTo: 1 << 20)
                return .failure(FakeImageRefusal(message: "\(shown) answered HTTP \(response.status.code)"))
            }
            let body = try await response.body.collect(upTo: maxCoverBytes)
            return FakeImage.check(
                Array(body.readableBytesView), declaredType: response.headers.first(name: "Content-Type"),
                maxBytes: maxCoverBytes, formats: ["jpeg"])
        } catch is NIOTooManyBytesError {
            return .failure(FakeImageRefusal(tooLarge: true, message: "the cover is larger than 8 MB"))
        } catch {
            return .failure(FakeImageRefusal(message: "\(shown): \(Redaction.redact(String(describing: error)))"))
        }
    }

    /// Records the fetched cover, or fails the container the way Meta reports a bad cover.
    func finishCover(_ id: String, _ outcome: Result<FakeImage, FakeImageRefusal>) {
        guard var container = containers[id] else { return }
        switch outcome {
        case .success(let image): container.cover = image
        case .failure(let refusal):
            container.failure =
                container.failure ?? "ERROR: The cover image could not be used: \(refusal.message) (2207052)"
        }
        containers[id] = container
    }
}
