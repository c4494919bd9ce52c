import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore

/// Publishes to YouTube through the Data API v3: `videos.insert` with the resumable upload protocol, then
/// `videos.list` until processing ends.
///
/// The upload survives drops: after a 5xx or a broken connection it asks the session how much it holds and
/// continues from there; the session URI is journalled, so `atom post` (or `atom status`) after Ctrl-C or a crash
/// continues the same session. An expired session (404/410) starts a new one. Tokens come from the refresh token
/// and are cached in the `.env`.
public struct YouTubePublisher: Publisher {
    /// "YouTube".
    public static let displayName = "YouTube"

    /// Documented file limits: 256 GB and 12 hours [YT-INS]; any container the probe reads.
    public static let mediaLimits = MediaLimits(maxFileSize: 256_000_000_000, maxDuration: 12 * 3600)

    /// Documented text limits [YT-VID]: title ≤ 100 characters, description ≤ 5,000 UTF-8 bytes (neither with
    /// `<` or `>`), tags ≤ 500 characters counted as YouTube counts them (see ``YouTubeTags``).
    public static let textLimits: [TextField: TextLimit] = [
        .title: TextLimit(
            maxLength: YouTubeMetadata.titleLimit, unit: .characters, forbiddenCharacters: ["<", ">"], required: true),
        .description: TextLimit(
            maxLength: YouTubeMetadata.descriptionLimit, unit: .utf8Bytes, forbiddenCharacters: ["<", ">"]),
        .tags: TextLimit(maxLength: YouTubeTags.maxLength, unit: .characters),
    ]

    /// ``PlatformID/youtube``.
    public let platform = PlatformID.youtube
    /// The settings this publisher was built with.
    public let configuration: Configuration

    let tokens: RefreshingTokenSource
    let uploads: ResumableUploadClient
    let api: any HTTPTransport
    let mapper: YouTubeErrorMapper
    let logger: Logger
    let now: @Sendable () -> Date

    /// Creates a publisher.
    /// - Parameters:
    ///   - configuration: Endpoints, OAuth client and tokens, chunk size.
    ///   - transport: The HTTP transport (requests to YouTube get the bearer token added here).
    ///   - credentials: Where refreshed access tokens are cached (the `.env`).
    ///   - logger: Trace/debug logging; never sees a token.
    ///   - now: The wall clock (token expiry, schedule checks).
    public init(
        configuration: Configuration, transport: any HTTPTransport, credentials: any CredentialStore,
        logger: Logger = Logger(label: "atom.youtube", factory: { _ in SwiftLogNoOpLogHandler() }),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.now = now
        let mapper = YouTubeErrorMapper(platform: .youtube, now: now)
        self.mapper = mapper
        let tokens = RefreshingTokenSource.google(
            configuration: configuration, transport: transport, credentials: credentials, logger: logger, now: now)
        self.tokens = tokens
        let api = MiddlewareTransport(transport, middlewares: [GoogleAuthMiddleware(tokens: tokens)])
        self.api = api
        self.uploads = ResumableUploadClient(api: api, baseURL: configuration.baseURL, mapper: mapper, logger: logger)
    }

    /// YouTube's declared limits: push ingestion, the refresh-token keys, scheduling through `publishAt`.
    public var capabilities: PublisherCapabilities {
        PublisherCapabilities(
            displayName: Self.displayName, mediaLimits: Self.mediaLimits, textLimits: Self.textLimits, ingestion: .push,
            requiredCredentials: Configuration.requiredKeys, supportsScheduling: true, cover: Self.coverSupport,
            // Nothing exists on YouTube until the session's last byte: atom may start before the hash and stop there.
            uploadsWhileHashing: true
        )
    }

    /// Resolves title (explicit, or derived from the caption and shortened), description, tags, category, privacy,
    /// schedule and declarations, with notes for `--dry-run` and every problem with the `youtube` options. Offline.
    public func plan(_ draft: PostDraft, media: MediaInfo) -> PostPlan {
        let resolution = YouTubeMetadata.resolve(draft, now: now())
        var notes = resolution.notes
        if Self.isShort(media) {
            notes.append(
                "vertical or square and at most 3 minutes: YouTube shows it as a Short (https://www.youtube.com/shorts/<id>)"
            )
        }
        let chunk = Int64(configuration.effectiveChunkSize)
        let chunks = max(1, (media.sizeBytes + chunk - 1) / chunk)
        notes.append(
            "resumable upload of \(ByteFormat.string(media.sizeBytes)) in \(chunks) request(s) of up to \(ByteFormat.string(chunk))"
        )
        return PostPlan(texts: resolution.metadata.texts, notes: notes, problems: resolution.problems)
    }

    /// Obtains an access token (refreshing it if needed), so a revoked refresh token stops YouTube before any upload.
    public func preflight(_ job: PublishJob, context: PublishContext) async throws {
        context.progress.report(.authorizing)
        do {
            _ = try await tokens.token()
        } catch let failure as YouTubeFailure {
            throw failure.publishError(platform: platform)
        }
    }

    /// Uploads through a resumable session (or continues the journalled one) and waits for processing.
    /// - Returns: `.published` with the video URL, or `.processing` with a checkpoint `status` continues.
    /// - Throws: ``PublishError`` for YouTube's refusals (quota, upload limit, metadata, processing failures).
    public func publish(_ job: PublishJob, context: PublishContext) async throws -> PublishReceipt {
        do {
            return try await run(job, context: context)
        } catch let failure as YouTubeFailure {
            throw failure.publishError(platform: platform)
        }
    }

    private func run(_ job: PublishJob, context: PublishContext) async throws -> PublishReceipt {
        let saved = job.checkpoint.flatMap { try? $0.decode(YouTubeCheckpoint.self) }
        if let saved, saved.stage == .processing, let videoID = saved.videoID {
            context.logger.debug("continuing YouTube processing", metadata: ["video": "\(videoID)"])
            return try await waitForProcessing(videoID: videoID, checkpoint: saved, context: context)
        }
        let file = try job.requireFile(platform: platform)
        guard file.size > 0 else {
            throw PublishError(.invalidInput, platform: platform, message: "the video file is empty")
        }
        let metadata = YouTubeMetadata.resolve(job.draft, now: context.now()).metadata
        var checkpoint = YouTubeCheckpoint(
            stage: .uploading, sessionURI: nil, fileSize: file.size, videoID: nil,
            intendedPrivacy: metadata.intendedPrivacy, scheduledAt: metadata.publishAt, isShort: Self.isShort(job.media)
        )
        if let saved, saved.stage == .uploading, saved.fileSize == file.size, saved.sha256 ?? job.sha256 == job.sha256 {
            checkpoint.sessionURI = saved.sessionURI
            checkpoint.isShort = saved.isShort
        }
        let video = try await upload(
            file, metadata: metadata, checkpoint: checkpoint, contentType: job.media.mimeType, context: context)
        checkpoint.stage = .processing
        checkpoint.sessionURI = nil
        checkpoint.videoID = video.id
        try await context.journal.save(checkpoint)
        return try await waitForProcessing(videoID: video.id, checkpoint: checkpoint, context: context)
    }

    /// Whether YouTube treats the video as a Short: square or vertical, at most 3 minutes [YT §3.7].
    static func isShort(_ media: MediaInfo) -> Bool {
        media.width > 0 && media.height >= media.width && media.duration > 0 && media.duration <= 180
    }

    /// The public URL: `/shorts/ID` for Shorts, else the `youtu.be` short link.
    static func url(videoID: String, isShort: Bool) -> String {
        isShort ? "https://www.youtube.com/shorts/\(videoID)" : "https://youtu.be/\(videoID)"
    }
}
