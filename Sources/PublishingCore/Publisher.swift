import Foundation
import Logging

/// A platform atom can publish to: what it declares and what it does.
///
/// Each adapter module provides one, built by a ``PublisherFactory`` with its own `Configuration`.
/// The core never names a platform; everything platform-specific is declared here as data
/// (``capabilities``) or done inside the adapter.
///
/// ## Implementing a custom publisher
/// ```swift
/// struct Echo: Publisher {
///     let platform = PlatformID("echo")
///     let capabilities = PublisherCapabilities(displayName: "Echo", mediaLimits: MediaLimits())
///     func plan(_ draft: PostDraft, media: MediaInfo) -> PostPlan { PostPlan(texts: [.caption: draft.caption ?? ""]) }
///     func publish(_ job: PublishJob, context: PublishContext) async throws -> PublishReceipt {
///         context.progress.report(.uploading, sent: job.media.sizeBytes, total: job.media.sizeBytes)
///         return PublishReceipt(status: .published, postID: "1", url: nil)
///     }
/// }
/// ```
public protocol Publisher: Sendable {
    /// The platform's identity.
    var platform: PlatformID { get }
    /// What the platform accepts and needs, as data.
    var capabilities: PublisherCapabilities { get }

    /// Resolves what would be posted (texts after per-platform overrides, derived titles, options) and
    /// reports every problem with the draft, without touching the network. Media and text limits declared
    /// in ``capabilities`` are checked by the core on the returned texts; `plan` adds the rest.
    func plan(_ draft: PostDraft, media: MediaInfo) -> PostPlan

    /// Network checks made before any upload (token refresh, publishing quota, creator options).
    /// A throw with code `invalidInput` or `limitExceeded` stops the whole post before any byte is sent.
    func preflight(_ job: PublishJob, context: PublishContext) async throws

    /// Publishes the video, or continues from `job.checkpoint`. Emits progress, journals checkpoints
    /// through `context.journal` before each network step that it could resume from, and polls
    /// processing until done or `context.waitLimit`.
    /// - Returns: `.published`, or `.processing` with a checkpoint that ``status(_:context:)`` continues.
    /// - Throws: ``PublishError`` naming the platform.
    func publish(_ job: PublishJob, context: PublishContext) async throws -> PublishReceipt

    /// Continues a post left `processing` or interrupted (`atom status`). Defaults to ``publish(_:context:)``,
    /// which resumes from the checkpoint.
    func status(_ job: PublishJob, context: PublishContext) async throws -> PublishReceipt

    /// Sets `job.cover` on the post `postID` once the video is up, for platforms whose ``CoverSupport`` delivers
    /// the image ``CoverSupport/Delivery/afterPublish``. Called by the orchestrator after ``publish(_:context:)``
    /// and by `atom status` to retry a cover alone. A throw never fails the post: the result says the cover was
    /// not set, and why.
    /// - Returns: The outcome (`.set`, or `.notSet` with the platform's reason).
    func applyCover(_ job: PublishJob, postID: String, context: PublishContext) async throws -> CoverOutcome
}

extension Publisher {
    public func preflight(_ job: PublishJob, context: PublishContext) async throws {}

    public func status(_ job: PublishJob, context: PublishContext) async throws -> PublishReceipt {
        try await publish(job, context: context)
    }

    public func applyCover(_ job: PublishJob, postID: String, context: PublishContext) async throws -> CoverOutcome {
        CoverOutcome(state: .unsupported, detail: job.cover?.detail ?? "", reason: "\(capabilities.displayName) takes a cover only with the post")
    }
}

/// How a platform takes the video.
public struct Ingestion: Hashable, Sendable, CustomStringConvertible {
    private let name: String
    private init(_ name: String) { self.name = name }
    /// atom sends the bytes itself.
    public static let push = Ingestion("push")
    /// The platform fetches the video from a URL (the stager's).
    public static let publicURL = Ingestion("url")
    public var description: String { name }
}

/// What a platform declares.
public struct PublisherCapabilities: Sendable {
    /// The name shown to users ("YouTube").
    public var displayName: String
    /// Documented limits of the media file.
    public var mediaLimits: MediaLimits
    /// Documented limits of each text field.
    public var textLimits: [TextField: TextLimit]
    /// Whether atom pushes bytes or hands out a staged URL (decided by the adapter's configuration).
    public var ingestion: Ingestion
    /// The credential keys the platform needs (for `atom platforms` and configuration errors).
    public var requiredCredentials: [String]
    /// Whether the platform's own API can schedule (`--at`): the post is uploaded now and the platform
    /// publishes it at that time. Where it cannot, atom posts at that time itself, woken by the OS scheduler.
    public var supportsScheduling: Bool
    /// Which of the platform's API setups the configuration uses, and why, when it has several (shown by
    /// `atom platforms`), e.g. "Instagram API with Facebook Login (graph.facebook.com), because …".
    public var setup: String?
    /// How the platform takes a cover (`--cover`, `--cover-at`).
    public var cover: CoverSupport
    /// The shortest lead the platform accepts for its own scheduling; a sooner `--at` is posted by atom at
    /// that time instead (woken by the OS scheduler), as for a platform without scheduling.
    public var minimumScheduleLead: TimeInterval

    /// Creates a declaration.
    public init(
        displayName: String,
        mediaLimits: MediaLimits,
        textLimits: [TextField: TextLimit] = [:],
        ingestion: Ingestion = .push,
        requiredCredentials: [String] = [],
        supportsScheduling: Bool = false,
        setup: String? = nil,
        cover: CoverSupport = .none,
        minimumScheduleLead: TimeInterval = 0
    ) {
        self.setup = setup
        self.displayName = displayName
        self.mediaLimits = mediaLimits
        self.textLimits = textLimits
        self.ingestion = ingestion
        self.requiredCredentials = requiredCredentials
        self.supportsScheduling = supportsScheduling
        self.cover = cover
        self.minimumScheduleLead = minimumScheduleLead
    }
}

/// A generic privacy level (CONTRACT.md), mapped by each adapter to its nearest own level.
public enum Privacy: String, Sendable, Codable, CaseIterable {
    case `public`, `private`, unlisted, friends, followers
}

/// What the user asked to post, after command-line flags and the manifest's top level were merged.
/// Per-platform overrides stay in ``options`` in the platform's own names; the adapter applies them.
public struct PostDraft: Sendable, Codable, Equatable {
    /// Default text for every platform.
    public var caption: String?
    /// Title, where a platform has one.
    public var title: String?
    /// Tags (YouTube tags; others may append them as hashtags).
    public var tags: [String]
    /// Generic privacy.
    public var privacy: Privacy?
    /// When to publish, where the platform can schedule.
    public var scheduledAt: Date?
    /// This platform's section of the manifest, in its own names (`privacy: SELF_ONLY`).
    public var options: [String: JSONValue]
    /// The cover asked for this platform (per-platform values over flags over the manifest's top level).
    public var cover: CoverChoice?

    public init(
        caption: String? = nil, title: String? = nil, tags: [String] = [], privacy: Privacy? = nil,
        scheduledAt: Date? = nil, options: [String: JSONValue] = [:], cover: CoverChoice? = nil
    ) {
        self.caption = caption
        self.title = title
        self.tags = tags
        self.privacy = privacy
        self.scheduledAt = scheduledAt
        self.options = options
        self.cover = cover
    }
}

/// The outcome of ``Publisher/plan(_:media:)``.
public struct PostPlan: Sendable {
    /// The effective texts to send, checked by the core against ``PublisherCapabilities/textLimits``.
    public var texts: [TextField: String]
    /// Lines describing what will happen, for `--dry-run` ("title derived from caption: …").
    public var notes: [String]
    /// Problems only the adapter can see (unknown option keys, a privacy level it lacks).
    public var problems: [ValidationIssue]

    public init(texts: [TextField: String] = [:], notes: [String] = [], problems: [ValidationIssue] = []) {
        self.texts = texts
        self.notes = notes
        self.problems = problems
    }
}

/// One post to one platform, as handed to the adapter.
public struct PublishJob: Sendable {
    /// The record entry's id (what `atom status` takes).
    public var recordID: String
    /// What to post.
    public var draft: PostDraft
    /// The probed file.
    public var media: MediaInfo
    /// The open file, or `nil` when only status can be fetched (the file is gone).
    public var file: MediaFileHandle?
    /// The file's SHA-256 (lowercase hex).
    public var sha256: String
    /// The adapter's state saved by an earlier attempt, to resume from.
    public var checkpoint: JSONValue?
    /// The cover this platform gets (decided from ``PostDraft/cover`` and the platform's ``CoverSupport``).
    public var cover: CoverUse?

    public init(
        recordID: String, draft: PostDraft, media: MediaInfo, file: MediaFileHandle?, sha256: String, checkpoint: JSONValue? = nil,
        cover: CoverUse? = nil
    ) {
        self.recordID = recordID
        self.draft = draft
        self.media = media
        self.file = file
        self.sha256 = sha256
        self.checkpoint = checkpoint
        self.cover = cover
    }

    /// The open file, or an error explaining that the video is needed to continue.
    public func requireFile(platform: PlatformID) throws -> MediaFileHandle {
        guard let file else {
            throw PublishError(.invalidInput, platform: platform, message: "the video file is needed to continue this upload but is gone",
                               remediation: "run `atom post` again with the same file")
        }
        return file
    }
}

/// What a publisher returns.
public struct PublishReceipt: Sendable, Equatable {
    /// How far the post got.
    public enum Status: String, Sendable, Codable {
        /// Live (or scheduled) on the platform.
        case published
        /// Accepted, still processing when the wait ran out.
        case processing
    }
    public var status: Status
    /// The platform's id for the post or video.
    public var postID: String?
    /// A public URL of the post, where known.
    public var url: String?
    /// State that lets `atom status` continue a `processing` post.
    public var checkpoint: JSONValue?
    /// A note for the user ("scheduled for …", "locked private by YouTube").
    public var note: String?
    /// How the cover went, when the adapter set it with the post.
    public var cover: CoverOutcome?

    public init(
        status: Status, postID: String?, url: String?, checkpoint: JSONValue? = nil, note: String? = nil, cover: CoverOutcome? = nil
    ) {
        self.status = status
        self.postID = postID
        self.url = url
        self.checkpoint = checkpoint
        self.note = note
        self.cover = cover
    }
}

/// Everything an adapter gets from the orchestrator while publishing.
public struct PublishContext: Sendable {
    /// Where progress goes.
    public var progress: ProgressReporter
    /// Saves the adapter's resume state (written to the record before the next network step).
    public var journal: Journal
    /// Awaits the shared staged copy of the video and returns a URL for it that lives the one configured lifetime
    /// (`ATOM_S3_URL_TTL`): every presigned URL handed to a platform lives the same, owner-chosen time.
    public var stagedURL: @Sendable () async throws -> URL
    /// Tells the orchestrator this platform no longer needs the staged object (it ingested it or failed).
    public var releaseStaging: @Sendable () async -> Void
    /// Awaits the shared staged copy of the cover image (``CoverSupport/Delivery/stagedURL``) and returns a URL
    /// that lives the configured lifetime, like ``stagedURL``; deleted with the video's copy when the platform lets go.
    public var stagedCoverURL: @Sendable () async throws -> URL
    /// The clock for polling and backoff.
    public var clock: any Clock<Duration>
    /// Jitter for backoff.
    public var jitter: any JitterSource
    /// The wall clock.
    public var now: @Sendable () -> Date
    /// How long to wait for platform processing before returning `processing`.
    public var waitLimit: Duration
    /// The logger (library code logs at trace/debug/info only).
    public var logger: Logger

    public init(
        progress: ProgressReporter = ProgressReporter(platform: PlatformID("none"), continuation: nil),
        journal: Journal = Journal { _ in },
        stagedURL: @escaping @Sendable () async throws -> URL = {
            throw PublishError(.configuration, message: "no staging is configured", remediation: "set ATOM_S3_BUCKET and AWS credentials")
        },
        releaseStaging: @escaping @Sendable () async -> Void = {},
        stagedCoverURL: @escaping @Sendable () async throws -> URL = {
            throw PublishError(.configuration, message: "no staging is configured", remediation: "set ATOM_S3_BUCKET and AWS credentials")
        },
        clock: any Clock<Duration> = ContinuousClock(),
        jitter: any JitterSource = SystemJitter(),
        now: @escaping @Sendable () -> Date = { Date() },
        waitLimit: Duration = .seconds(600),
        logger: Logger = Logger(label: "atom", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.progress = progress
        self.journal = journal
        self.stagedURL = stagedURL
        self.releaseStaging = releaseStaging
        self.stagedCoverURL = stagedCoverURL
        self.clock = clock
        self.jitter = jitter
        self.now = now
        self.waitLimit = waitLimit
        self.logger = logger
    }

    /// A retrier using this context's clock and jitter.
    public func retrier(_ policy: RetryPolicy = .default) -> Retrier {
        Retrier(policy: policy, clock: clock, jitter: jitter)
    }
}

/// Saves an adapter's resume state.
public struct Journal: Sendable {
    private let saveState: @Sendable (JSONValue) async throws -> Void

    /// Creates a journal that hands each checkpoint to `save`.
    public init(save: @escaping @Sendable (JSONValue) async throws -> Void) { self.saveState = save }

    /// Records `state` durably before the caller's next network step.
    public func save(_ state: some Encodable & Sendable) async throws {
        try await saveState(try JSONValue.encoding(state))
    }
}

/// Builds a platform's publisher from the credential store: the one way a platform is registered.
///
/// Each adapter module offers a static factory (`PublisherFactory.tiktok()`), and the `atom`
/// executable lists the factories it wants in a ``PlatformRegistry``.
public struct PublisherFactory: Sendable {
    /// The platform this factory builds.
    public let platform: PlatformID
    /// The name shown to users.
    public let displayName: String
    /// The credential keys without which the platform cannot publish (checked by `atom platforms`).
    public let requiredKeys: [String]
    /// Everything the adapter reads, for documentation and `atom platforms --json`.
    public let optionalKeys: [String]
    private let build: @Sendable (PublisherEnvironment) throws -> any Publisher

    /// Creates a factory.
    public init(
        platform: PlatformID, displayName: String, requiredKeys: [String], optionalKeys: [String] = [],
        build: @escaping @Sendable (PublisherEnvironment) throws -> any Publisher
    ) {
        self.platform = platform
        self.displayName = displayName
        self.requiredKeys = requiredKeys
        self.optionalKeys = optionalKeys
        self.build = build
    }

    /// Builds the publisher.
    /// - Throws: ``PublishError`` (`configuration`) naming the missing or malformed keys.
    public func makePublisher(_ environment: PublisherEnvironment) throws -> any Publisher {
        try build(environment)
    }

    /// The required keys that the store lacks.
    public func missingKeys(in store: any CredentialStore) -> [String] {
        requiredKeys.filter { ((try? store.nonEmpty($0)) ?? nil) == nil }
    }
}

/// What a factory builds a publisher from: collaborators made once by the composition root.
public struct PublisherEnvironment: Sendable {
    /// Credentials and settings (environment over `.env`); refreshed tokens are written back through it.
    public var credentials: any CredentialStore
    /// The HTTP transport.
    public var transport: any HTTPTransport
    /// The logger.
    public var logger: Logger
    /// The wall clock (token expiry).
    public var now: @Sendable () -> Date

    public init(
        credentials: any CredentialStore, transport: any HTTPTransport,
        logger: Logger = Logger(label: "atom", factory: { _ in SwiftLogNoOpLogHandler() }),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.credentials = credentials
        self.transport = transport
        self.logger = logger
        self.now = now
    }
}

/// The platforms a program knows, in registration order.
public struct PlatformRegistry: Sendable {
    /// The factories, in order.
    public let factories: [PublisherFactory]

    /// Creates a registry; a platform registered twice is a programming error and keeps the first.
    public init(_ factories: [PublisherFactory]) {
        var seen = Set<PlatformID>()
        self.factories = factories.filter { seen.insert($0.platform).inserted }
    }

    /// The registered platform names.
    public var names: [String] { factories.map(\.platform.rawValue) }

    /// The factory for a command-line name, if registered.
    public func factory(named name: String) -> PublisherFactory? {
        factories.first { $0.platform.rawValue == name.lowercased() }
    }

    /// The factory for a platform.
    public func factory(for platform: PlatformID) -> PublisherFactory? {
        factories.first { $0.platform == platform }
    }
}
