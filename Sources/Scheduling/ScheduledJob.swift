import Foundation
import PublishingCore
import PublishingEngine

/// One `atom post --at T`: the video, its SHA-256 when it was scheduled, and each platform's part.
///
/// Platforms that schedule natively were uploaded when the job was made (the platform publishes at `at`);
/// the others wait for the OS scheduler to run `atom schedule run-due` at `at`.
public struct ScheduledJob: Sendable, Codable, Equatable {
    /// Where the job stands.
    public struct Status: NamedValue {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Waiting for its time (or, natively scheduled parts only, for the platform to publish).
        public static let pending = Status("pending")
        /// `run-due` is posting it right now.
        public static let running = Status("running")
        /// Every deferred platform was posted (see each part for its result).
        public static let done = Status("done")
        /// Posting failed for at least one platform, or pre-flight at T refused the job (nothing posted).
        public static let failed = Status("failed")
        /// Its time passed by more than the missed window; not posted.
        public static let missed = Status("missed")
        /// Cancelled by `atom schedule cancel`.
        public static let cancelled = Status("cancelled")
    }

    /// How one platform's part is carried out.
    public struct Mode: NamedValue {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Uploaded now; the platform publishes at the job's time.
        public static let native = Mode("native")
        /// Posted at the job's time by `atom schedule run-due`, woken by the OS scheduler.
        public static let deferred = Mode("deferred")
    }

    /// One platform's part of the job.
    public struct Part: Sendable, Codable, Equatable {
        public var platform: PlatformID
        public var mode: Mode
        /// What to post (for deferred parts, without `scheduledAt`: it is posted when due).
        public var draft: PostDraft
        /// The record entry, once atom posted (native: at scheduling; deferred: at T).
        public var recordID: String?
        /// The platform's id of the post, once known (what a native cancel needs).
        public var postId: String?
        /// The record status of the last attempt, or `cancelled` / `missed`.
        public var status: String?
        public var url: String?
        public var note: String?
        public var error: ErrorSummary?

        public init(platform: PlatformID, mode: Mode, draft: PostDraft) {
            self.platform = platform
            self.mode = mode
            self.draft = draft
        }
    }

    /// A short random id (`atom schedule cancel` takes it or a unique prefix).
    public var id: String
    public var status: Status
    /// When to publish.
    public var at: Date
    public var createdAt: Date
    public var updatedAt: Date
    /// The video's absolute path.
    public var video: String
    /// The video's SHA-256 when it was scheduled; at T the file must still match it.
    public var sha256: String
    public var sizeBytes: Int64
    /// The `.env` file the job was scheduled with (absolute), read again at T.
    public var envFile: String
    /// Posted to atom's sandbox.
    public var sandbox: Bool
    /// Post even when the job runs later than `missedWindow` after `at`.
    public var lateOK: Bool
    /// How late (seconds) the job may still run; later it is reported missed.
    public var missedWindow: TimeInterval
    /// The OS wake-up armed for the deferred parts, if any.
    public var wakeUp: WakeUp?
    public var parts: [Part]
    /// Why the job failed or was missed.
    public var reason: String?
    /// The `run-due` process posting it right now.
    public var owner: RecordOwner?
    /// Scheduled with `--force`: post even where this file is already published (absent means no).
    public var force: Bool?

    /// Creates a pending job.
    public init(
        id: String = ScheduledJob.makeID(), at: Date, createdAt: Date, video: String, sha256: String, sizeBytes: Int64,
        envFile: String, sandbox: Bool, lateOK: Bool, missedWindow: TimeInterval, parts: [Part]
    ) {
        self.id = id
        self.status = .pending
        self.at = at
        self.createdAt = createdAt
        self.updatedAt = createdAt
        self.video = video
        self.sha256 = sha256
        self.sizeBytes = sizeBytes
        self.envFile = envFile
        self.sandbox = sandbox
        self.lateOK = lateOK
        self.missedWindow = missedWindow
        self.parts = parts
    }

    /// The parts `run-due` posts.
    public var deferredParts: [Part] { parts.filter { $0.mode == .deferred } }

    /// The default missed window: 6 hours.
    public static let defaultMissedWindow: TimeInterval = 6 * 3600

    /// A new random id: 12 lowercase hex digits.
    public static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

/// The jobs file: versioned, like the record.
public struct ScheduleFile: Sendable, Codable, Equatable {
    public static let currentVersion = 1
    public var version: Int
    public var jobs: [ScheduledJob]

    public init(jobs: [ScheduledJob] = []) {
        self.version = Self.currentVersion
        self.jobs = jobs
    }

    /// The index of the job with `id`, or of the only job whose id starts with it.
    /// - Throws: A `notFound` or `invalidInput` ``PublishError`` when none or several match.
    public func index(matching id: String) throws -> Int {
        if let exact = jobs.firstIndex(where: { $0.id == id }) { return exact }
        let matches = jobs.indices.filter { jobs[$0].id.hasPrefix(id) }
        if matches.count == 1, !id.isEmpty { return matches[0] }
        if matches.isEmpty {
            throw PublishError(.notFound, message: "no scheduled job \(id)", remediation: "see `atom schedule list`")
        }
        throw PublishError(
            .invalidInput, message: "job id \(id) is ambiguous: \(matches.map { jobs[$0].id }.joined(separator: ", "))",
            remediation: "give more of the id")
    }
}

extension ScheduledJob.Mode {
    /// How a platform's part is carried out, from what it declares: natively when its API schedules and
    /// `lead` (seconds until the time) is at least the shortest lead it accepts, else by atom when due.
    public static func choose(for capabilities: PublisherCapabilities, lead: TimeInterval) -> ScheduledJob.Mode {
        capabilities.supportsScheduling && lead >= capabilities.minimumScheduleLead ? .native : .deferred
    }
}
