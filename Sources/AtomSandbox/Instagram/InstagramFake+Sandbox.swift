import Foundation

extension InstagramFake: SandboxInspectable {
    public func sandboxUploads() async -> [SandboxUpload] {
        allContainers.compactMap { container in
            container.sha256.map { SandboxUpload(platform: "instagram", id: container.id, bytes: container.byteCount, sha256: $0) }
        }
    }
}
