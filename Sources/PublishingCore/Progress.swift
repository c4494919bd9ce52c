import Foundation

/// A step a platform is in; grows with adapters, so a struct with static members.
public struct PublishPhase: NamedValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let queued = PublishPhase("queued")
    public static let preflight = PublishPhase("checking")
    public static let authorizing = PublishPhase("authorizing")
    public static let staging = PublishPhase("staging")
    public static let waitingForStaging = PublishPhase("waiting for staging")
    public static let uploading = PublishPhase("uploading")
    public static let processing = PublishPhase("processing")
    public static let publishing = PublishPhase("publishing")
    public static let retrying = PublishPhase("retrying")
    public static let done = PublishPhase("done")
    public static let failed = PublishPhase("failed")
}

/// One progress event.
public struct PublishEvent: Sendable, Equatable {
    /// The platform (or the staging pseudo-platform).
    public var platform: PlatformID
    public var phase: PublishPhase
    /// Bytes sent so far in this phase, if it moves bytes.
    public var bytesSent: Int64?
    /// Total bytes of this phase.
    public var totalBytes: Int64?
    /// A short note ("chunk 3/9", "retry in 2 s after HTTP 503").
    public var message: String?
}

/// Sends ``PublishEvent``s for one platform to a caller-owned stream. Never spawns a task.
public struct ProgressReporter: Sendable {
    public let platform: PlatformID
    private let continuation: AsyncStream<PublishEvent>.Continuation?
    private let counter: LockedBox<Int64>

    /// A reporter that yields into `continuation` (the caller made it with a bounded buffering policy).
    public init(platform: PlatformID, continuation: AsyncStream<PublishEvent>.Continuation?) {
        self.platform = platform
        self.continuation = continuation
        self.counter = LockedBox(0)
    }

    /// Reports a phase, optionally with byte counts and a note.
    public func report(_ phase: PublishPhase, sent: Int64? = nil, total: Int64? = nil, message: String? = nil) {
        if let sent { counter.withLock { $0 = sent } }
        continuation?.yield(PublishEvent(platform: platform, phase: phase, bytesSent: sent, totalBytes: total, message: message.map(Redaction.redact)))
    }

    /// A callback for ``FileRegion/body(onChunk:)`` that adds each chunk to the running byte count
    /// starting at `base`, reporting `phase` against `total`.
    public func byteCounter(phase: PublishPhase = .uploading, startingAt base: Int64, total: Int64) -> @Sendable (Int) -> Void {
        counter.withLock { $0 = base }
        return { [counter, continuation, platform] count in
            let sent = counter.withLock { value -> Int64 in value += Int64(count); return value }
            continuation?.yield(PublishEvent(platform: platform, phase: phase, bytesSent: sent, totalBytes: total))
        }
    }
}
