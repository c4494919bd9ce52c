import Foundation
import Logging
import OpenAPIRuntime
import PublishingCore

/// Publishes Reels through the Instagram Graph API's content-publishing flow: check the 24-hour
/// publishing quota, create a `REELS` container (Instagram fetches the staged `video_url`, or atom pushes
/// the bytes to rupload), poll the container until `FINISHED`, then `media_publish` and read the permalink.
///
/// A container still processing when the wait runs out gives a `processing` receipt whose checkpoint
/// holds the container id; ``status(_:context:)`` continues polling and publishes it, checking first that
/// it was not published already, so a Reel is never published twice.
public struct InstagramPublisher: Publisher {
    public let platform = PlatformID.instagram
    /// The settings this publisher was built with.
    public let configuration: InstagramConfiguration
    let graph: InstagramGraphClient
    let tokens: InstagramTokens
    let transport: any HTTPTransport
    let logger: Logger
    let now: @Sendable () -> Date

    /// Creates a publisher.
    /// - Parameters:
    ///   - configuration: Settings (usually ``InstagramConfiguration/init(store:)``).
    ///   - environment: The transport, the credential store refreshed tokens are written to, logger and clock.
    public init(configuration: InstagramConfiguration, environment: PublisherEnvironment) {
        self.configuration = configuration
        self.transport = environment.transport
        self.logger = environment.logger
        self.now = environment.now
        let graph = InstagramGraphClient(configuration: configuration, environment: environment)
        self.tokens = graph.tokens
        self.graph = graph
    }

    /// Reels limits from Meta's IG User Media reference (platform-apis.md §2.10). "300 MB" is read as
    /// 300,000,000 bytes, the stricter of the two readings.
    public static let mediaLimits = MediaLimits(
        maxFileSize: 300_000_000, minDuration: 3, maxDuration: 15 * 60, maxWidth: 1920,
        minAspectRatio: 0.01, maxAspectRatio: 10, minFrameRate: 23, maxFrameRate: 60,
        videoCodecs: ["h264", "hevc"], audioCodecs: ["aac"], containers: ["mp4", "mov"]
    )

    /// The caption: 2,200 characters, 30 hashtags, 20 @mentions.
    public static let captionLimit = TextLimit(maxLength: 2200, unit: .characters, maxHashtags: 30, maxMentions: 20)

    public var capabilities: PublisherCapabilities {
        PublisherCapabilities(
            displayName: "Instagram", mediaLimits: Self.mediaLimits, textLimits: [.caption: Self.captionLimit],
            ingestion: configuration.uploadMode == .url ? .publicURL : .push,
            requiredCredentials: ["INSTAGRAM_ACCESS_TOKEN", "INSTAGRAM_USER_ID"], supportsScheduling: false,
            setup: setupDescription,
            cover: Self.coverSupport
        )
    }

    /// The API setup atom uses and why, or why it cannot tell.
    var setupDescription: String {
        if let problem = configuration.loginProblem { return "unknown: \(problem.message)" }
        let host = configuration.baseURL.host ?? configuration.baseURL.absoluteString
        return "Instagram API with \(configuration.login == .facebook ? "Facebook" : "Instagram") Login (\(host)), "
            + "because \(configuration.loginReason)"
    }

    public func plan(_ draft: PostDraft, media: MediaInfo) -> PostPlan {
        let resolution = InstagramPostOptions.resolve(draft, media: media, login: configuration.login)
        var notes = resolution.notes
        notes.append("API setup: " + setupDescription)
        switch configuration.uploadMode {
        case .url:
            notes.append(
                "Instagram fetches the staged copy (video_url), then atom polls the container and publishes it")
        case .resumable:
            notes.append(
                "atom uploads the bytes to rupload (upload_type=resumable), then polls the container and publishes it")
        }
        if !resolution.options.shareToFeed {
            notes.append("share_to_feed=false: the Reel appears only in the Reels tab")
        }
        return PostPlan(texts: [.caption: resolution.options.caption], notes: notes, problems: resolution.issues)
    }

    public func preflight(_ job: PublishJob, context: PublishContext) async throws {
        if let problem = configuration.loginProblem { throw problem }
        let checkpoint = Self.checkpoint(of: job)
        context.progress.report(.authorizing)
        _ = try await tokens.token()
        // Once media_publish was sent the quota may already count this Reel; the status decides then.
        if checkpoint?.publishRequested == true || checkpoint?.mediaID != nil { return }
        try await checkQuota(context: context)
    }

    /// Failures of the quota call that do not stop the post: the endpoint is unavailable to this token or host.
    static let optionalQuotaFailures: Set<PublishError.Code> = [
        .invalidInput, .rejected, .permissionDenied, .protocolViolation, .notFound,
    ]

    /// Refuses when the rolling 24-hour publishing quota is spent (`quota_usage >= config.quota_total`).
    func checkQuota(context: PublishContext) async throws {
        let operationID = "instagram.quota"
        let answer: PublishingLimitResponse
        do {
            answer = try await context.retrying(target: configuration.baseURL.retryTarget) { _ in
                try await graph.get(
                    [configuration.userID, "content_publishing_limit"], query: [("fields", "config,quota_usage")],
                    operationID: operationID)
            }
        } catch let error as PublishError where Self.optionalQuotaFailures.contains(error.code) {
            // The quota endpoint is optional to the flow: media_publish enforces the cap itself (9/2207042).
            logger.debug("instagram: content_publishing_limit unavailable", metadata: ["error": "\(error)"])
            context.progress.report(
                .preflight, message: "could not read the publishing quota (\(error.redactedMessage)); continuing")
            return
        }
        guard let entry = answer.data.first, let usage = entry.quotaUsage else { return }
        let total = entry.config?.quotaTotal ?? 50
        let hours = (entry.config?.quotaDuration ?? 86_400) / 3600
        if usage >= total {
            throw PublishError(
                .quotaExceeded, platform: .instagram, operationID: operationID,
                message: "Instagram's publishing limit is spent: \(usage) of \(total) posts in the last \(hours) hours",
                remediation: "nothing was uploaded; post again when the oldest post leaves the \(hours)-hour window"
            )
        }
        context.progress.report(
            .preflight, message: "publishing quota: \(usage) of \(total) used in the last \(hours) hours")
    }

    /// The checkpoint saved by an earlier attempt, if it is one of ours.
    static func checkpoint(of job: PublishJob) -> InstagramCheckpoint? {
        try? job.checkpoint?.decode(InstagramCheckpoint.self)
    }
}

extension PublisherFactory {
    /// Instagram Reels: reads ``InstagramConfiguration`` from the credential store.
    public static func instagram() -> PublisherFactory {
        PublisherFactory(
            platform: .instagram, displayName: "Instagram",
            requiredKeys: ["INSTAGRAM_ACCESS_TOKEN", "INSTAGRAM_USER_ID"],
            optionalKeys: InstagramConfiguration.optionalKeys
        ) { environment in
            InstagramPublisher(
                configuration: try InstagramConfiguration(store: environment.credentials), environment: environment)
        }
    }
}
