import Foundation
import PlatformKit

extension FakeFacebook: SandboxInspectable {
    public func sandboxUploads() async -> [SandboxUpload] {
        videos.filter { $0.bytesReceived > 0 }.map {
            SandboxUpload(platform: "facebook", id: $0.id, bytes: $0.bytesReceived, sha256: $0.sha256)
        }
    }

    public func sandboxCovers() async -> [SandboxCover] {
        videos.compactMap { video in video.thumbnail.map { SandboxCover(platform: "facebook", id: video.id, image: $0) } }
    }
}
