import Foundation
import Logging
import PublishingCore

extension InstagramPublisher {
    /// Instagram takes a Reel's cover when the container is created, in one of two ways
    /// (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media):
    /// `cover_url`, a public URL of a JPEG of at most 8 MB (sRGB, 9:16 recommended; other ratios are center-cropped),
    /// which wins over `thumb_offset`, the frame's offset in milliseconds. atom stages the image in the owner's bucket
    /// and hands Instagram a presigned URL, as for the video. Once the Reel is published its cover cannot be changed
    /// through the API.
    static let coverSupport = CoverSupport(
        image: CoverImageLimits(formats: [.jpeg], maxBytes: 8 * 1024 * 1024), imageDelivery: .stagedURL, frame: true)

    /// The container's cover field for `job.cover`, unless the manifest's own `cover_url` / `thumb_offset_ms` set it.
    /// A cover image that cannot be staged does not stop the Reel: it is posted with Instagram's default cover and the
    /// outcome says why.
    func coverFields(
        _ job: PublishJob, options: InstagramPostOptions, context: PublishContext
    ) async -> (fields: [(String, String)], outcome: CoverOutcome?) {
        guard let use = job.cover, options.coverURL == nil, options.thumbOffsetMs == nil else { return ([], nil) }
        switch use {
        case .frame(let seconds):
            return ([("thumb_offset", String(CoverUse.milliseconds(seconds)))], .set(use))
        case .image:
            do {
                let url = try await context.stagedCoverURL()
                return ([("cover_url", url.absoluteString)], .set(use))
            } catch {
                let failure = PublishError.wrapping(error, platform: .instagram)
                logger.debug("instagram: the cover image could not be staged; posting without it")
                let reason =
                    "the image could not be staged (\(failure.message)); "
                    + "Instagram takes a cover only when the Reel is created"
                return ([], .notSet(use, reason: reason, retryable: false))
            }
        }
    }
}
