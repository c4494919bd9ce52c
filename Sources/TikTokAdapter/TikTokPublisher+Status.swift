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
        var last = ""
        let poller = ProcessingPoller(
            interval: configuration.pollInterval, maxInterval: configuration.maxPollInterval, growth: 1.5,
            clock: context.clock)
        context.progress.report(
            .processing, message: "TikTok is processing the video (publish_id \(checkpoint.publishID))")
        let (outcome, _) = try await poller.poll(budget: context.waitLimit) { waited in
            let status = try await context.retrying(configuration.retryPolicy, target: configuration.baseURL.retryTarget) {
                [client, checkpoint] _ in try await client.status(publishID: checkpoint.publishID)
            }
            last = status.status
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
                let postID = status.publicalyAvailablePostID?.first?.text
                // Moderation of a public post usually ends within a minute; its public id comes only then.
                if postID != nil || !checkpoint.publicPost || waited >= limit {
                    return .done(receipt(for: checkpoint, publicPostID: postID))
                }
            case TikTokStatusData.sentToInbox where checkpoint.inbox:
                return .done(
                    PublishReceipt(
                        status: .published, postID: checkpoint.publishID, url: nil,
                        note: "sent to the TikTok inbox as a draft: open the TikTok app to finish the post"))
            case TikTokStatusData.failed:
                // A rerun must not poll this failed post again.
                // A record that cannot be written is reported (it outranks TikTok's answer, which the user sees
                // again on the rerun's status check).
                try await context.journal.save(TikTokCheckpoint.restart(after: checkpoint.publishID))
                throw TikTokErrorMapper.mapFailure(reason: status.failReason, publishID: checkpoint.publishID)
            default:
                let moved = status.downloadedBytes ?? status.uploadedBytes
                context.progress.report(
                    .processing,
                    message: status.status.lowercased().replacingOccurrences(of: "_", with: " ")
                        + (moved.map { " (\($0) bytes)" } ?? ""))
            }
            return .pending(budget: limit)
        }
        if case .done(let receipt) = outcome { return receipt }
        return PublishReceipt(
            status: .processing, postID: checkpoint.publishID, url: nil,
            checkpoint: try JSONValue.encoding(checkpoint),
            note: "TikTok is still processing (\(last)); `atom status` finishes the job"
        )
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
