import Foundation
import PublishingCore

extension FacebookPublisher {
    /// The Graph API's Video Thumbnails edge
    /// (https://developers.facebook.com/docs/graph-api/reference/video/thumbnails/):
    /// `POST /{video-id}/thumbnails` with the image as `source` and `is_preferred=true`, at most 10 MB, once the video
    /// exists. Page videos and Page Reels are both Video nodes, so one way serves both. The API cannot pick a frame.
    static let coverSupport = CoverSupport(
        image: CoverImageLimits(formats: [.jpeg, .png], maxBytes: 10 * 1024 * 1024), imageDelivery: .afterPublish,
        frame: false)

    /// Uploads `job.cover` as the preferred thumbnail of the video `postID`, streamed from the file.
    /// - Throws: ``PublishError`` with Graph's code and what to do.
    public func applyCover(_ job: PublishJob, postID: String, context: PublishContext) async throws -> CoverOutcome {
        guard case .image(let image)? = job.cover else {
            return CoverOutcome(
                state: .unsupported, detail: job.cover?.detail ?? "", reason: "Facebook's API cannot pick a frame")
        }
        do {
            let file = try MediaFileHandle(path: image.path)
            guard file.size == image.sizeBytes else {
                throw PublishError(
                    .invalidInput, platform: .facebook,
                    message: "the cover image \(image.path) changed since it was checked")
            }
            context.progress.report(PublishPhase("cover"), message: "setting the thumbnail")
            let answer = try await context.retrying(configuration.retryPolicy, target: configuration.graphBaseURL.retryTarget) { [client] _ in
                let form = MultipartForm(
                    fields: [("is_preferred", "true")], fileField: "source",
                    fileName: "cover.\(image.format.fileExtension)",
                    contentType: image.format.mimeType, file: file.chunks(in: 0..<file.size))
                return try await client.post(
                    client.path(postID, "thumbnails"), multipart: form, as: SuccessAnswer.self,
                    operationID: "facebook.thumbnails.create")
            }
            guard answer.success != false else {
                throw FacebookFailure.unexpectedResponse(
                    operationID: "facebook.thumbnails.create", detail: "the thumbnail upload answered success: false")
            }
            return .set(.image(image))
        } catch {
            throw FacebookFailure.boundary(error)
        }
    }
}
