import Foundation
import PlatformKit
import PublishingCore

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

    public func sandboxCovers() async -> [SandboxCover] {
        var covers: [SandboxCover] = []
        for id in await state.publishIDs {
            guard let ms = await state.publish(id)?.postInfo["video_cover_timestamp_ms"]?.numberValue else { continue }
            covers.append(SandboxCover(platform: "tiktok", id: id, frameMs: Int(ms)))
        }
        return covers
    }
}
