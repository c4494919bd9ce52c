import Foundation
import PlatformKit

extension InstagramFake: SandboxInspectable {
    public func sandboxUploads() async -> [SandboxUpload] {
        allContainers.compactMap { container in
            container.sha256.map { SandboxUpload(platform: "instagram", id: container.id, bytes: container.byteCount, sha256: $0) }
        }
    }

    public func sandboxCovers() async -> [SandboxCover] {
        allContainers.compactMap { container in
            if let image = container.cover { return SandboxCover(platform: "instagram", id: container.id, image: image) }
            return container.fields["thumb_offset"].flatMap(Int.init).map {
                SandboxCover(platform: "instagram", id: container.id, frameMs: $0)
            }
        }
    }
}
