import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore

extension YouTubePublisher {
    /// The note for an upload YouTube locked private although the user asked for more.
    static func lockedPrivateNote(intended: String) -> String {
        "YouTube made this video private although \(intended) was asked: uploads through Google projects created after "
            + "2020-07-28 that have not passed YouTube's API compliance audit are locked private. Request the audit at "
            + "https://support.google.com/youtube/contact/yt_api_form; until then change the visibility in YouTube Studio."
    }

    /// Polls `videos.list?part=status,processingDetails` until YouTube has processed the video, failed or rejected
    /// it, or `context.waitLimit` is spent (then a `processing` receipt that ``status(_:context:)`` continues).
    func waitForProcessing(videoID: String, checkpoint: YouTubeCheckpoint, context: PublishContext) async throws
        -> PublishReceipt
    {
        let url = Self.url(videoID: videoID, isShort: checkpoint.isShort)
        var missing = 0
        var lockedPrivate = false
        context.progress.report(.processing, message: "YouTube is processing the video")
        let poller = ProcessingPoller(interval: configuration.pollInterval, clock: context.clock)
        let (outcome, _) = try await poller.poll(budget: context.waitLimit) { _ in
            let video = try await retrying(context) { _ in try await fetchStatus(videoID: videoID) }
            if let video {
                missing = 0
                if let done = try evaluate(video, checkpoint: checkpoint, url: url) { return .done(done) }
                lockedPrivate =
                    video.status?.privacyStatus == "private" && checkpoint.scheduledAt == nil
                    && checkpoint.intendedPrivacy != "private"
                if let parts = video.processingDetails?.processingProgress, let total = parts.partsTotal, total > 0 {
                    context.progress.report(
                        .processing, message: "YouTube processed \(parts.partsProcessed ?? 0) of \(total) parts")
                }
            } else {
                missing += 1
                if missing >= 3 {
                    throw PublishError(
                        .notFound, platform: platform, operationID: "youtube.videos.list",
                        platformCode: "videoNotFound",
                        message: "video \(videoID) is no longer on YouTube (deleted?)",
                        remediation: "post again with --force")
                }
            }
            return .pending()
        }
        if case .done(let receipt) = outcome { return receipt }
        return PublishReceipt(
            status: .processing, postID: videoID, url: url, checkpoint: try JSONValue.encoding(checkpoint),
            note: "YouTube is still processing the video; `atom status` continues without uploading again"
                + (lockedPrivate ? " " + Self.lockedPrivateNote(intended: checkpoint.intendedPrivacy) : "")
        )
    }

    /// `nil` while processing; the receipt when done; throws when YouTube failed or rejected the video.
    private func evaluate(_ video: YouTubeVideoResource, checkpoint: YouTubeCheckpoint, url: String) throws
        -> PublishReceipt?
    {
        let status = video.status
        let details = video.processingDetails
        let operationID = "youtube.videos.list"
        switch status?.uploadStatus {
        case "failed":
            let reason = status?.failureReason ?? details?.processingFailureReason ?? "unknown"
            throw PublishError(
                .processingFailed, platform: platform, operationID: operationID, platformCode: reason,
                message: "YouTube could not process the video (failureReason: \(reason))",
                remediation: Self.failureRemediation[reason]
                    ?? "re-encode the video as H.264/AAC MP4 and post again with --force")
        case "rejected":
            let reason = status?.rejectionReason ?? "unknown"
            throw PublishError(
                .rejected, platform: platform, operationID: operationID, platformCode: reason,
                message: "YouTube rejected the video (rejectionReason: \(reason))",
                remediation: reason == "duplicate"
                    ? "the channel already has this video" : "see the video in YouTube Studio")
        case "deleted":
            throw PublishError(
                .notFound, platform: platform, operationID: operationID, platformCode: "deleted",
                message: "the video was deleted on YouTube", remediation: "post again with --force")
        default:
            break
        }
        if let processing = details?.processingStatus, processing == "failed" || processing == "terminated" {
            let reason = details?.processingFailureReason ?? processing
            throw PublishError(
                .processingFailed, platform: platform, operationID: operationID, platformCode: reason,
                message: "YouTube processing \(processing) (processingFailureReason: \(reason))",
                remediation: "re-encode the video as H.264/AAC MP4 and post again with --force")
        }
        guard status?.uploadStatus == "processed" || details?.processingStatus == "succeeded" else {
            return nil
        }
        var notes: [String] = []
        let actual = status?.privacyStatus
        if let scheduled = checkpoint.scheduledAt {
            notes.append("scheduled: private until \(scheduled.formatted(.iso8601)), then public")
        } else if actual == "private", checkpoint.intendedPrivacy != "private" {
            notes.append(Self.lockedPrivateNote(intended: checkpoint.intendedPrivacy))
        }
        return PublishReceipt(
            status: .published, postID: video.id, url: url, note: notes.isEmpty ? nil : notes.joined(separator: " "))
    }

    /// The video's status, or `nil` when `videos.list` does not list it (yet).
    private func fetchStatus(videoID: String) async throws -> YouTubeVideoResource? {
        let endpoint = JSONEndpoint(
            baseURL: configuration.baseURL, transport: api,
            check: { [mapper] answer, operationID in
                answer.status == 200
                    ? nil : mapper.map(status: answer.status, body: answer.bytes, headers: answer.headers, operationID: operationID)
            },
            undecodable: { _, operationID in
                YouTubeFailure.protocolViolation(operationID: operationID, detail: "unreadable videos.list answer")
            })
        let list = try await endpoint.call(
            .get, path: "/youtube/v3/videos", query: [("part", "status,processingDetails"), ("id", videoID)],
            as: YouTubeVideoList.self, operationID: "youtube.videos.list")
        return list.items?.first { $0.id == videoID }
    }

    /// What to do for each documented `status.failureReason` [YT-VID].
    static let failureRemediation: [String: String] = [
        "codec": "re-encode with a codec YouTube supports (H.264/AAC MP4) and post again with --force",
        "conversion": "re-encode the video (H.264/AAC MP4) and post again with --force",
        "emptyFile": "the file YouTube received was empty; post again with --force",
        "invalidFile": "YouTube could not read the file; re-encode it and post again with --force",
        "tooSmall": "the file is too small for YouTube",
        "uploadAborted": "the upload was aborted; post again with --force",
    ]
}
