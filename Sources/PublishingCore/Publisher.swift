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
    /// Whether the adapter awaits ``PublishContext/commitPoint`` before the step after which the platform keeps the
    /// post (and nothing before it that a platform counts or shows). On a first post atom then starts its upload
    /// while the file is still being hashed, and decides whether the video is a duplicate before that step. Only for
    /// platforms that take pushed bytes.
    public var uploadsWhileHashing: Bool

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
        minimumScheduleLead: TimeInterval = 0,
        uploadsWhileHashing: Bool = false
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
        self.uploadsWhileHashing = uploadsWhileHashing
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
