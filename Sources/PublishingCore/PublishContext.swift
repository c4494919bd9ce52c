import Foundation
import Logging

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
    /// Awaited by an adapter that declares ``PublisherCapabilities/uploadsWhileHashing`` right before the step after
    /// which the platform keeps the post (for a resumable session: its last chunk). Returns at once when the post is already claimed
    /// in the record; during an upload started before the file's hash was known, it waits for the claim and throws
    /// `CancellationError` when atom decides not to post (a duplicate, or an earlier attempt to resume instead).
    public var commitPoint: @Sendable () async throws -> Void
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
        commitPoint: @escaping @Sendable () async throws -> Void = {},
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
        self.commitPoint = commitPoint
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
///
/// Each save rewrites the local record (read, encode, fsync, rename), so a transfer of many chunks or parts saves its
/// progress with ``saveProgress(_:)``: written at most once per ``progressInterval``, the latest held back until then
/// or until ``flush()``, which the adapter calls when its transfer stops early. A crash loses at most that interval of
/// progress, and a resume sends those bytes again.
public struct Journal: Sendable {
    private let saveState: @Sendable (JSONValue) async throws -> Void
    private let throttle: LockedBox<(written: ContinuousClock.Instant?, held: JSONValue?)>
    /// The least time between two progress saves.
    public let progressInterval: Duration

    /// Creates a journal that hands each checkpoint to `save`.
    public init(progressInterval: Duration = .seconds(2), save: @escaping @Sendable (JSONValue) async throws -> Void) {
        self.saveState = save
        self.progressInterval = progressInterval
        self.throttle = LockedBox((nil, nil))
    }

    /// Records `state` durably before the caller's next network step.
    public func save(_ state: some Encodable & Sendable) async throws {
        let value = try JSONValue.encoding(state)
        throttle.withLock { $0 = (ContinuousClock.now, nil) }
        try await saveState(value)
    }

    /// Records progress within a transfer: written now when ``progressInterval`` has passed since the last write,
    /// otherwise held (the latest only) for the next write or ``flush()``.
    public func saveProgress(_ state: some Encodable & Sendable) async throws {
        let value = try JSONValue.encoding(state)
        let now = ContinuousClock.now
        let due = throttle.withLock { slot -> Bool in
            if let written = slot.written, now - written < progressInterval {
                slot.held = value
                return false
            }
            slot = (now, nil)
            return true
        }
        if due { try await saveState(value) }
    }

    /// Writes the progress that ``saveProgress(_:)`` held back, if any.
    public func flush() async throws {
        let held = throttle.withLock { slot -> JSONValue? in
            defer { slot.held = nil }
            return slot.held
        }
        if let held { try await saveState(held) }
    }
}
