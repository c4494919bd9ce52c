import Foundation
import PlatformKit

extension FakeYouTube: SandboxInspectable {
    public func sandboxUploads() async -> [SandboxUpload] {
        await videos().map { SandboxUpload(platform: "youtube", id: $0.id, bytes: $0.size, sha256: $0.sha256) }
    }

    public func sandboxCovers() async -> [SandboxCover] {
        await thumbnails().sorted { $0.key < $1.key }.map { SandboxCover(platform: "youtube", id: $0.key, image: $0.value) }
    }
}
