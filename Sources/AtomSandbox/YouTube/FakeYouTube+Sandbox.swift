import Foundation

extension FakeYouTube: SandboxInspectable {
    public func sandboxUploads() async -> [SandboxUpload] {
        await videos().map { SandboxUpload(platform: "youtube", id: $0.id, bytes: $0.size, sha256: $0.sha256) }
    }
}
