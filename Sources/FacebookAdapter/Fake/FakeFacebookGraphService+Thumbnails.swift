import Foundation
import PlatformKit
import PublishingCore
import Synchronization

extension FakeFacebookGraphService {
    /// The Video Thumbnails edge's documented size limit (10 MB).
    static let maxThumbnailBytes = 10 * 1024 * 1024

    /// `POST /{video-id}/thumbnails`: a multipart `source` that is a whole JPEG or PNG of at most 10 MB matching its
    /// part's `Content-Type`, and `is_preferred`; only once the video's bytes are in.
    func thumbnail(_ videoID: String, _ parameters: Parameters) -> FakeResponse {
        guard let source = parameters.multipart?.part("source"), source.fileName != nil else {
            return FakeFacebookError.parameter("The parameter source is required")
        }
        guard let preferred = parameters["is_preferred"], ["true", "false"].contains(preferred) else {
            return FakeFacebookError.parameter("Param is_preferred must be a boolean")
        }
        switch FakeImage.check(Array(source.body), declaredType: source.contentType, maxBytes: Self.maxThumbnailBytes) {
        case .failure(let refusal):
            return FakeFacebookError.parameter("Invalid image: \(refusal.message)")
        case .success(let image):
            let stored = fake.state.withLock { state -> Bool in
                guard state.videos[videoID]?.uploadComplete == true || state.videos[videoID]?.fileURL != nil else {
                    return false
                }
                if preferred == "true" { state.videos[videoID]?.thumbnail = image }
                return true
            }
            guard stored else { return FakeFacebookError.parameter("The video has no uploaded file yet") }
            return .json(200, .object(["success": .bool(true)]))
        }
    }
}
