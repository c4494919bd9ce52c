import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore

extension YouTubePublisher {
    /// `thumbnails.set` (https://developers.google.com/youtube/v3/docs/thumbnails/set): a JPEG or PNG of at most
    /// 2 MB uploaded to `/upload/youtube/v3/thumbnails/set?videoId=…` once the video exists. YouTube recommends
    /// 1280×720 with a 640 px minimum width (https://support.google.com/youtube/answer/72431). The API cannot pick a
    /// frame. Custom thumbnails need a verified channel: an unverified one gets 403 `forbidden`, explained in words.
    static let coverSupport = CoverSupport(
        image: CoverImageLimits(formats: [.jpeg, .png], maxBytes: 2 * 1024 * 1024, minWidth: 640),
        imageDelivery: .afterPublish, frame: false)

    /// Where to verify a channel (custom thumbnails, videos over 15 minutes).
    static let verifyURL = "https://www.youtube.com/verify"

    /// Uploads `job.cover` as the thumbnail of `postID`, streamed from the file (retried on 429/5xx).
    /// - Throws: ``PublishError`` with YouTube's reason, the 403 of an unverified channel in words.
    public func applyCover(_ job: PublishJob, postID: String, context: PublishContext) async throws -> CoverOutcome {
        guard case .image(let image)? = job.cover else {
            return CoverOutcome(
                state: .unsupported, detail: job.cover?.detail ?? "", reason: "YouTube's API cannot pick a frame")
        }
        let file = try MediaFileHandle(path: image.path)
        guard file.size == image.sizeBytes else {
            throw PublishError(
                .invalidInput, platform: platform,
                message: "the cover image \(image.path) changed since it was checked",
                remediation: "run `atom status \(job.recordID)` to try the cover again")
        }
        let operationID = "youtube.thumbnails.set"
        var headers = HTTPFields()
        headers[.contentType] = image.format.mimeType
        headers[.contentLength] = String(file.size)
        let request = HTTPRequest(
            method: .post, path: "/upload/youtube/v3/thumbnails/set",
            query: [("videoId", postID), ("uploadType", "media")], headerFields: headers)
        context.progress.report(PublishPhase("cover"), message: "setting the thumbnail")
        try await retrying(context) { _ in
            let (response, body) = try await api.send(
                request, body: file.chunks(in: 0..<file.size).body(), baseURL: configuration.baseURL,
                operationID: operationID)
            let bytes = try await HTTPBodies.collect(body)
            guard response.status.code == 200 else {
                throw thumbnailError(status: response.status.code, body: bytes, headers: response.headerFields)
            }
        }
        return .set(.image(image))
    }

    /// YouTube's error, with the 403 of a channel that may not use custom thumbnails explained.
    private func thumbnailError(status: Int, body: [UInt8], headers: HTTPFields) -> PublishError {
        let operationID = "youtube.thumbnails.set"
        var error = mapper.map(status: status, body: body, headers: headers, operationID: operationID)
        if status == 403, error.code != .quotaExceeded {
            error = PublishError(
                .permissionDenied, platform: platform, operationID: operationID, httpStatus: status,
                platformCode: error.platformCode,
                message: "YouTube refused the custom thumbnail: only verified channels may set one, and the video "
                    + "stays published with the thumbnail YouTube picked",
                remediation: "verify the channel at \(Self.verifyURL), then run `atom status` with this post's id")
        } else if status == 400 {
            error.remediation = "use a JPEG or PNG of at most 2 MB, at least 640 px wide (1280×720 recommended)"
        }
        return error
    }
}
