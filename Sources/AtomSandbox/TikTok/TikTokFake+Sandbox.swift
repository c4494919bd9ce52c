import Foundation

extension TikTokFake: SandboxInspectable {
    public func sandboxUploads() async -> [SandboxUpload] {
        var uploads: [SandboxUpload] = []
        for id in await state.publishIDs {
            if let upload = await state.received(id) {
                uploads.append(SandboxUpload(platform: "tiktok", id: id, bytes: upload.bytes, sha256: upload.sha256))
            }
        }
        return uploads
    }
}
