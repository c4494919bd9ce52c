import Foundation
import PublishingCore

extension TikTokPublisher {
    /// Where chunks (and the upload URL's implicit authority) may go: https on `*.tiktokapis.com`, or the
    /// configured `ATOM_TIKTOK_API_BASE` origin.
    var uploadHosts: UploadHostPolicy {
        UploadHostPolicy(platform: .tiktok, hostFamily: ["tiktokapis.com"], overrides: [configuration.baseURL])
    }

    /// `FILE_UPLOAD`: init, then every chunk in order; a new init if the `upload_url` expires on the way (once).
    /// - Returns: The checkpoint of a post whose bytes are all on TikTok.
    func pushUpload(
        _ job: PublishJob, settings: TikTokPostSettings, creator: TikTokCreatorInfo?, context: PublishContext
    ) async throws
        -> TikTokCheckpoint
    {
        let file = try job.requireFile(platform: .tiktok)
        for _ in 0..<2 {
            let checkpoint = try await initializeUpload(
                file: file, settings: settings, creator: creator, context: context)
            if let done = try await uploadChunks(
                checkpoint, file: file, contentType: job.media.mimeType, context: context)
            {
                return done
            }
        }
        throw PublishError(
            .notFound, platform: .tiktok, operationID: "tiktok.upload.chunk",
            message: "TikTok's upload_url expired twice before the upload finished",
            remediation: "an upload_url lives one hour; run the same command again on a faster connection"
        )
    }

    /// Continues an upload from its checkpoint, or returns `nil` when its `upload_url` can no longer be used.
    func resumeUpload(
        _ checkpoint: TikTokCheckpoint, job: PublishJob, context: PublishContext
    ) async throws -> TikTokCheckpoint? {
        guard let issued = checkpoint.uploadURLIssuedAt, let plan = checkpoint.plan, let file = job.file,
            file.size == plan.videoSize
        else {
            return nil
        }
        // Leave a minute of the hour for the chunk in flight.
        let lifetime = TimeInterval(configuration.uploadURLLifetime.components.seconds) - 60
        guard context.now().timeIntervalSince(issued) < lifetime else { return nil }
        context.progress.report(
            .uploading, sent: plan.range(ofChunk: min(checkpoint.nextChunk, plan.chunkCount - 1)).lowerBound,
            total: plan.videoSize,
            message: "resuming at chunk \(checkpoint.nextChunk + 1)/\(plan.chunkCount)")
        return try await uploadChunks(checkpoint, file: file, contentType: job.media.mimeType, context: context)
    }

    /// `video/init` (or `inbox/video/init`) with `FILE_UPLOAD` sizes; journals the `upload_url` before any chunk.
    private func initializeUpload(
        file: MediaFileHandle, settings: TikTokPostSettings, creator: TikTokCreatorInfo?, context: PublishContext
    )
        async throws -> TikTokCheckpoint
    {
        let plan = try TikTokChunkPlan(videoSize: file.size, rules: configuration.chunkRules)
        let request = TikTokInitRequest(
            postInfo: creator.map(settings.postInfo(creator:)), sourceInfo: .fileUpload(plan))
        context.progress.report(.uploading, sent: 0, total: plan.videoSize, message: "initialising the upload")
        let issuedAt = context.now()
        // An init whose answer was lost leaves an unused upload_url that expires: safe to repeat.
        let data: TikTokInitData
        do {
            data = try await context.retrying(configuration.retryPolicy, target: configuration.baseURL.retryTarget) {
                [client] _ in
                try await client.initialize(request, inbox: settings.draft)
            }
        } catch var error as PublishError where error.platformCode?.hasPrefix("invalid_param") == true
            && error.message.lowercased().contains("chunk size")
        {
            // Say what was sent: TikTok's message alone does not tell which of the three numbers it disliked.
            error.message +=
                " (atom sent video_size \(plan.videoSize), chunk_size \(plan.chunkSize),"
                + " total_chunk_count \(plan.chunkCount))"
            error.remediation =
                "TikTok has refused multi-chunk uploads that follow its Media Transfer Guide since about 2026-08;"
                + " a file of at most 64,000,000 bytes goes as one chunk: compress the video below that and try again"
            throw error
        }
        guard let raw = data.uploadURL, let url = URL(string: raw), url.host() != nil else {
            throw PublishError(
                .protocolViolation, platform: .tiktok,
                operationID: settings.draft ? "tiktok.inbox.init" : "tiktok.init",
                message: "TikTok's init answer has no usable upload_url")
        }
        try uploadHosts.check(url, operationID: "tiktok.upload.chunk")
        let checkpoint = TikTokCheckpoint(
            stage: .uploading, publishID: data.publishID, inbox: settings.draft, pull: false, uploadURL: raw,
            uploadURLIssuedAt: issuedAt,
            plan: plan, nextChunk: 0, creatorUsername: creator?.creatorUsername, stagingReleased: true,
            publicPost: !settings.draft && settings.privacyLevel == TikTokPrivacy.everyone
        )
        try await context.journal.save(checkpoint)
        return checkpoint
    }

    /// PUTs the chunks from `checkpoint.nextChunk` on, sequentially, each retried from its own offset, and journals
    /// progress (at most every couple of seconds, and when it stops early).
    /// - Returns: The processing checkpoint, or `nil` when TikTok says the `upload_url` expired.
    private func uploadChunks(
        _ start: TikTokCheckpoint, file: MediaFileHandle, contentType: String, context: PublishContext
    ) async throws
        -> TikTokCheckpoint?
    {
        guard let plan = start.plan, let raw = start.uploadURL, let url = URL(string: raw) else { return nil }
        try uploadHosts.check(url, operationID: "tiktok.upload.chunk")
        var checkpoint = start
        var index = checkpoint.nextChunk
        var resyncs = 0
        do {
            while index < plan.chunkCount {
                let range = plan.range(ofChunk: index)
                let label = "chunk \(index + 1)/\(plan.chunkCount)"
                context.progress.report(.uploading, sent: range.lowerBound, total: plan.videoSize, message: label)
                let answer = try await context.retrying(configuration.retryPolicy, target: url.retryTarget) { [client] _ in
                    try await client.putChunk(
                        to: url, range: range, total: plan.videoSize, file: file, contentType: contentType,
                        onChunk: context.progress.byteCounter(startingAt: range.lowerBound, total: plan.videoSize)
                    )
                }
                switch answer {
                case .stored:
                    guard index < plan.chunkCount - 1 else {
                        throw TikTokProtocolError.uploadOutOfStep(
                            status: 206, detail: "TikTok still expects bytes after the last chunk"
                        ).publishError
                    }
                    index += 1
                    resyncs = 0
                case .complete:
                    index = plan.chunkCount
                case .outOfStep(let received):
                    // TikTok holds a different number of bytes than atom thought: continue from TikTok's offset.
                    resyncs += 1
                    guard resyncs <= 3, let received else {
                        throw TikTokProtocolError.uploadOutOfStep(
                            status: 416, detail: "TikTok did not say how many bytes it holds"
                        ).publishError
                    }
                    if received >= plan.videoSize {
                        index = plan.chunkCount
                    } else if let next = plan.chunkIndex(startingAt: received) {
                        index = next
                    } else {
                        throw TikTokProtocolError.uploadOutOfStep(
                            status: 416, detail: "TikTok holds \(received) bytes, not a chunk boundary"
                        ).publishError
                    }
                case .expired:
                    return nil
                }
                checkpoint.nextChunk = index
                if index < plan.chunkCount { try await context.journal.saveProgress(checkpoint) }
            }
        } catch {
            // A rerun resumes from the chunks sent: write the progress held back before giving up.
            try await context.journal.flush()
            throw error
        }
        context.progress.report(
            .uploading, sent: plan.videoSize, total: plan.videoSize, message: "all \(plan.chunkCount) chunks sent")
        checkpoint.stage = .processing
        try await context.journal.save(checkpoint)
        return checkpoint
    }

    /// `PULL_FROM_URL`: checks the staged URL against the verified prefix before TikTok hears of it, then inits.
    func startPull(
        _ job: PublishJob, settings: TikTokPostSettings, creator: TikTokCreatorInfo?, context: PublishContext
    ) async throws
        -> TikTokCheckpoint
    {
        let operationID = settings.draft ? "tiktok.inbox.init" : "tiktok.init"
        let prefix = configuration.verifiedURLPrefix ?? ""
        context.progress.report(.waitingForStaging)
        let url = try await context.stagedURL()
        guard configuration.isVerified(url) else {
            throw PublishError(
                .configuration, platform: .tiktok, operationID: operationID,
                message:
                    "the staged URL \(Redaction.displayURL(url)) is not under \(TikTokKeys.verifiedURLPrefix) (\(prefix)); TikTok would refuse it (url_ownership_unverified)",
                remediation:
                    "serve the staging area from the verified prefix (ATOM_S3_PUBLIC_BASE_URL), verify the staging domain in TikTok's developer portal, or use \(TikTokKeys.uploadMode)=push"
            )
        }
        let request = TikTokInitRequest(postInfo: creator.map(settings.postInfo(creator:)), sourceInfo: .pull(url))
        context.progress.report(.uploading, message: "asking TikTok to download the staged video")
        // A repeated pull init could make two posts, so only a refused (rate-limited) init is retried.
        let data = try await context.retrying(configuration.retryPolicy, target: configuration.baseURL.retryTarget) {
            [client] _ in
            do {
                return try await client.initialize(request, inbox: settings.draft)
            } catch {
                throw Self.retryingOnlyRateLimits(error, operationID: operationID)
            }
        }
        let checkpoint = TikTokCheckpoint(
            stage: .processing, publishID: data.publishID, inbox: settings.draft, pull: true, nextChunk: 0,
            creatorUsername: creator?.creatorUsername, stagingReleased: false,
            publicPost: !settings.draft && settings.privacyLevel == TikTokPrivacy.everyone
        )
        try await context.journal.save(checkpoint)
        return checkpoint
    }

    /// Makes every failure but a rate limit final: the request may have reached TikTok.
    private static func retryingOnlyRateLimits(_ error: any Error, operationID: String) -> any Error {
        var wrapped = PublishError.wrapping(error, platform: .tiktok, operationID: operationID)
        guard wrapped.code != .rateLimited, wrapped.code != .cancelled else { return wrapped }
        if wrapped.isRetryable {
            wrapped.isRetryable = false
            wrapped.remediation =
                "TikTok may have started the post anyway; check the TikTok app before running the same command again"
        }
        return wrapped
    }
}
