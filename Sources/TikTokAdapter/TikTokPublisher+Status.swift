import Foundation
import PublishingCore

extension TikTokPublisher {
    /// Polls `status/fetch` with growing pauses until TikTok publishes, fails, or the wait runs out.
    ///
    /// A pulled video's staged copy is released as soon as TikTok is past `PROCESSING_DOWNLOAD`. While TikTok is
    /// still downloading, the wait extends up to ``Configuration/pullDownloadTimeout``: returning then would
    /// delete the copy TikTok is reading.
    /// - Returns: `.published`, or `.processing` with the checkpoint `atom status` continues from.
    func poll(_ start: TikTokCheckpoint, context: PublishContext) async throws -> PublishReceipt {
        var checkpoint = start
        var waited = Duration.zero
        var interval = configuration.pollInterval
        let retrier = context.retrier(configuration.retryPolicy)
        context.progress.report(
            .processing, message: "TikTok is processing the video (publish_id \(checkpoint.publishID))")
        while true {
            let status = try await retrier.run { [client, checkpoint] _ in
                try await client.status(publishID: checkpoint.publishID)
            }
            if checkpoint.pull, !checkpoint.stagingReleased, status.status != TikTokStatusData.processingDownload {
                await context.releaseStaging()
                checkpoint.stagingReleased = true
                if status.status != TikTokStatusData.failed { try await context.journal.save(checkpoint) }
            }
            let limit =
                checkpoint.pull && status.status == TikTokStatusData.processingDownload
                ? max(context.waitLimit, configuration.pullDownloadTimeout) : context.waitLimit
            switch status.status {
            case TikTokStatusData.complete:
                let postID = status.publicalyAvailablePostID?.first?.value
                // Moderation of a public post usually ends within a minute; its public id comes only then.
                if postID != nil || !checkpoint.publicPost || waited >= limit {
                    return receipt(for: checkpoint, publicPostID: postID)
                }
            case TikTokStatusData.sentToInbox where checkpoint.inbox:
                return PublishReceipt(
                    status: .published, postID: checkpoint.publishID, url: nil,
                    note: "sent to the TikTok inbox as a draft: open the TikTok app to finish the post")
            case TikTokStatusData.failed:
                // A rerun must not poll this failed post again.
                try? await context.journal.save(TikTokCheckpoint.restart(after: checkpoint.publishID))
                throw TikTokErrorMapper.mapFailure(reason: status.failReason, publishID: checkpoint.publishID)
            default:
                let moved = status.downloadedBytes ?? status.uploadedBytes
                context.progress.report(
                    .processing,
                    message: status.status.lowercased().replacingOccurrences(of: "_", with: " ")
                        + (moved.map { " (\($0) bytes)" } ?? ""))
            }
            guard waited < limit else {
                return PublishReceipt(
                    status: .processing, postID: checkpoint.publishID, url: nil,
                    checkpoint: try JSONValue.encoding(checkpoint),
                    note: "TikTok is still processing (\(status.status)); `atom status` finishes the job"
                )
            }
            let pause = min(interval, limit - waited)
            try await context.clock.sleep(for: pause)
            waited += pause
            interval = min(interval * 1.5, configuration.maxPollInterval)
        }
    }

    /// The receipt of a finished post: the public post id and URL where TikTok gave one, else the `publish_id`.
    private func receipt(for checkpoint: TikTokCheckpoint, publicPostID: String?) -> PublishReceipt {
        guard let publicPostID else {
            let note =
                checkpoint.publicPost
                ? "published; TikTok gives the public post id after moderation, so the id shown is the publish_id"
                : "published; TikTok gives no public post id for a post that is not public, so the id shown is the publish_id"
            return PublishReceipt(status: .published, postID: checkpoint.publishID, url: nil, note: note)
        }
        let url = checkpoint.creatorUsername.map { "https://www.tiktok.com/@\($0)/video/\(publicPostID)" }
        return PublishReceipt(status: .published, postID: publicPostID, url: url)
    }
}
