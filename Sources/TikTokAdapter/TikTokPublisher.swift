import Foundation
import Logging
import PublishingCore

/// Publishes to TikTok through the Content Posting API: `creator_info/query` before anything moves, then a
/// direct post (or an inbox draft) with the bytes pushed in chunks (`FILE_UPLOAD`) or pulled by TikTok from
/// the staged URL (`PULL_FROM_URL`), then `status/fetch` until TikTok is done or the wait runs out.
public struct TikTokPublisher: Publisher {
    /// ``PlatformID/tiktok``.
    public let platform = PlatformID.tiktok
    /// The settings read from the credential store.
    public let configuration: Configuration
    let client: TikTokClient
    private let logger: Logger
    /// Creator info fetched in preflight, by record id, so publish does not ask again.
    private let creators = LockedBox<[String: TikTokCreatorInfo]>([:])

    /// Creates a publisher.
    /// - Parameters:
    ///   - configuration: Where and how to post.
    ///   - environment: The transport, the credential store refreshed tokens are written to, the logger and clock.
    public init(configuration: Configuration, environment: PublisherEnvironment) {
        self.configuration = configuration
        self.logger = environment.logger
        let tokens = RefreshingTokenSource.tiktok(
            configuration: configuration, transport: environment.transport, credentials: environment.credentials,
            now: environment.now, logger: environment.logger)
        self.client = TikTokClient(
            configuration: configuration, transport: environment.transport, tokens: tokens, now: environment.now)
    }

    /// The caption limit: 2200 UTF-16 code units (Direct Post reference, `post_info.title`).
    public static let captionLimit = TextLimit(maxLength: 2200, unit: .utf16)

    /// The documented limits of the video (Media Transfer Guide; durations per creator come from creator info).
    /// Sizes take the stricter decimal reading of "4 GB".
    public static let mediaLimits = MediaLimits(
        maxFileSize: 4_000_000_000, maxDuration: 600, minWidth: 360, maxWidth: 4096, minHeight: 360, maxHeight: 4096,
        minFrameRate: 23, maxFrameRate: 60, videoCodecs: ["h264", "hevc", "vp8", "vp9"], containers: ["mp4", "mov"]
    )

    /// TikTok's documented limits; the ingestion follows `TIKTOK_UPLOAD_MODE`.
    public var capabilities: PublisherCapabilities {
        PublisherCapabilities(
            displayName: "TikTok", mediaLimits: Self.mediaLimits, textLimits: [.caption: Self.captionLimit],
            ingestion: configuration.uploadMode == .pull ? .publicURL : .push,
            requiredCredentials: [TikTokKeys.accessToken]
                + (configuration.uploadMode == .pull ? [TikTokKeys.verifiedURLPrefix] : []),
            supportsScheduling: false,
            cover: Self.coverSupport
        )
    }

    // MARK: Plan

    /// Resolves `platforms.tiktok` and the generic values offline: privacy level, caption (+ tags), interactions,
    /// and the chunk plan; unknown keys and wrong types are problems.
    public func plan(_ draft: PostDraft, media: MediaInfo) -> PostPlan {
        let resolution = TikTokPostSettings.resolve(draft, media: media, captionLimit: Self.captionLimit)
        var notes = resolution.notes
        var problems = resolution.problems
        let settings = resolution.settings
        if !settings.draft {
            notes.insert("privacy: \(settings.privacyLevel)", at: 0)
        }
        switch configuration.uploadMode {
        case .push:
            do {
                let chunks = try TikTokChunkPlan(videoSize: media.sizeBytes, rules: configuration.chunkRules)
                let last = chunks.range(ofChunk: chunks.chunkCount - 1)
                notes.append(
                    chunks.chunkCount == 1
                        ? "FILE_UPLOAD in one chunk of \(media.sizeBytes) bytes"
                        : "FILE_UPLOAD in \(chunks.chunkCount) chunks of \(chunks.chunkSize) bytes (last \(last.upperBound - last.lowerBound))"
                )
            } catch {
                problems.append(
                    ValidationIssue(
                        platform: .tiktok, field: "size", message: PublishError.wrapping(error, platform: nil).message))
            }
        case .pull:
            notes.append(
                "PULL_FROM_URL: TikTok downloads the staged URL, which must start with \(configuration.verifiedURLPrefix ?? "?")"
            )
        }
        return PostPlan(texts: settings.draft ? [:] : [.caption: settings.caption], notes: notes, problems: problems)
    }

    // MARK: Preflight

    /// Refreshes the token if it is about to expire and checks the post against `creator_info/query`
    /// (privacy options, longest video, interaction switches). Throws `invalidInput` before anything is uploaded.
    public func preflight(_ job: PublishJob, context: PublishContext) async throws {
        let settings = try settings(for: job)
        _ = try await client.tokens.token()
        // A post already initialised was checked then; only the token matters to continue it.
        if TikTokCheckpoint.decode(job.checkpoint) != nil || settings.draft { return }
        _ = try await creatorInfo(for: job, settings: settings, context: context)
    }

    /// The resolved settings of a job, or an `invalidInput` error listing what is wrong.
    func settings(for job: PublishJob) throws -> TikTokPostSettings {
        let resolution = TikTokPostSettings.resolve(job.draft, media: job.media, captionLimit: Self.captionLimit)
        guard resolution.problems.isEmpty else {
            throw PublishError(
                .invalidInput, platform: .tiktok,
                message: resolution.problems.map(\.description).joined(separator: "; "))
        }
        return resolution.settings
    }

    /// Creator info for a job (cached from preflight), checked against the post.
    /// - Throws: `invalidInput` when the post asks for something the creator may not do.
    func creatorInfo(
        for job: PublishJob, settings: TikTokPostSettings, context: PublishContext
    ) async throws -> TikTokCreatorInfo {
        if let cached = creators.withLock({ $0[job.recordID] }) { return cached }
        let creator = try await context.retrying(configuration.retryPolicy, target: configuration.baseURL.retryTarget) { _ in
            try await client.creatorInfo()
        }
        let conflicts = settings.conflicts(with: creator, media: job.media)
        guard conflicts.isEmpty else {
            throw PublishError(
                .invalidInput, platform: .tiktok, operationID: "tiktok.creatorInfo",
                message: conflicts.joined(separator: "; "),
                remediation: "nothing was uploaded; change platforms.tiktok in the manifest and post again")
        }
        let name = creator.creatorUsername.map { "@\($0)" } ?? "the authorised account"
        context.progress.report(
            .preflight,
            message: "posting as \(name)\(creator.creatorNickname.map { " (\($0))" } ?? "") — \(settings.privacyLevel)")
        creators.withLock { $0[job.recordID] = creator }
        return creator
    }

    // MARK: Publish

    /// Posts (or continues from `job.checkpoint`): init, chunks or pull, then status polls until done or the wait limit.
    /// - Throws: ``PublishError`` naming TikTok, with its `error.code`, message and `log_id`.
    public func publish(_ job: PublishJob, context: PublishContext) async throws -> PublishReceipt {
        do {
            var receipt = try await run(job, context: context)
            receipt.cover = try coverOutcome(for: job)
            return receipt
        } catch {
            if configuration.uploadMode == .pull { await context.releaseStaging() }
            throw PublishError.wrapping(error, platform: .tiktok)
        }
    }

    private func run(_ job: PublishJob, context: PublishContext) async throws -> PublishReceipt {
        let settings = try settings(for: job)
        if let checkpoint = TikTokCheckpoint.decode(job.checkpoint) {
            switch checkpoint.stage {
            case .processing:
                return try await poll(checkpoint, context: context)
            case .uploading:
                if let resumed = try await resumeUpload(checkpoint, job: job, context: context) {
                    return try await poll(resumed, context: context)
                }
                logger.debug(
                    "the TikTok upload_url of \(checkpoint.publishID) is no longer valid; starting a new upload")
            case .restart:
                break
            }
        }
        let creator = settings.draft ? nil : try await creatorInfo(for: job, settings: settings, context: context)
        let checkpoint: TikTokCheckpoint
        switch configuration.uploadMode {
        case .push: checkpoint = try await pushUpload(job, settings: settings, creator: creator, context: context)
        case .pull: checkpoint = try await startPull(job, settings: settings, creator: creator, context: context)
        }
        return try await poll(checkpoint, context: context)
    }
}
