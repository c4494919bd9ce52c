import Foundation
import PublishingCore

extension TikTokPublisher {
    /// TikTok's Content Posting API takes a cover only as a frame of the video: `post_info.video_cover_timestamp_ms`
    /// (https://developers.tiktok.com/doc/content-posting-api-reference-direct-post). It has no cover-image field, so
    /// with both `--cover` and `--cover-at` the frame is used, and an image alone is reported as not offered.
    static let coverSupport = CoverSupport(image: nil, frame: true, prefersFrame: true)

    /// The cover outcome of a post TikTok accepted: the frame sent in `post_info`, or why none could be.
    func coverOutcome(for job: PublishJob) throws -> CoverOutcome? {
        guard job.cover != nil || job.draft.options["cover_timestamp_ms"] != nil else { return nil }
        let settings = try settings(for: job)
        guard !settings.draft else {
            return CoverOutcome(
                state: .unsupported, detail: job.cover?.detail ?? "",
                reason: "TikTok drafts go to the creator's inbox without post settings; the cover is picked in the app")
        }
        guard let milliseconds = settings.coverTimestampMs else { return nil }
        return .set(.frame(seconds: Double(milliseconds) / 1000))
    }
}
