import Foundation

/// What atom asks an OS scheduler for: run `command` once at `at`.
public struct WakeUpRequest: Sendable, Equatable {
    /// The job the wake-up is for (names the timer, agent or `at` job).
    public var jobID: String
    /// When to run, as an absolute instant.
    public var at: Date
    /// The program and its arguments: atom's absolute path, `schedule`, `run-due`, …
    public var command: [String]
    /// Variables the woken command needs (an OS scheduler does not pass the user's shell environment).
    public var environment: [String: String]
    /// Where the woken command's output is appended.
    public var logPath: String

    /// Creates a request.
    public init(jobID: String, at: Date, command: [String], environment: [String: String], logPath: String) {
        self.jobID = jobID
        self.at = at
        self.command = command
        self.environment = environment
        self.logPath = logPath
    }
}

/// An armed wake-up, as kept in the job so that it can be removed later.
public struct WakeUp: Sendable, Codable, Equatable {
    /// The scheduler: `systemd`, `launchd`, `at` or `cron`.
    public var kind: String
    /// Its own name for the wake-up: a unit, a launchd label, an `at` job number (empty for cron).
    public var handle: String
    /// A line for the user ("systemd user timer atom-job-1a2b3c.timer").
    public var summary: String

    /// Creates a description of an armed wake-up.
    public init(kind: String, handle: String, summary: String) {
        self.kind = kind
        self.handle = handle
        self.summary = summary
    }
}

/// Whether a scheduler can be used on this machine, and why not.
public struct SchedulerAvailability: Sendable, Equatable {
    /// The scheduler's kind.
    public var kind: String
    /// Whether it can arm wake-ups now.
    public var isAvailable: Bool
    /// What was found ("user systemd 255 reachable") or what is missing ("no user systemd: …").
    public var detail: String

    /// Creates a verdict.
    public init(kind: String, isAvailable: Bool, detail: String) {
        self.kind = kind
        self.isAvailable = isAvailable
        self.detail = detail
    }
}

/// The seam between atom and the operating system's scheduler: atom keeps no daemon of its own, it asks
/// the OS to run `atom schedule run-due` at a job's time.
///
/// ## Implementing a custom scheduler
/// A test double records what it was asked for:
/// ```swift
/// final class RecordingScheduler: WakeUpScheduler, @unchecked Sendable {
///     let kind = "test"
///     var armed: [WakeUpRequest] = []   // guard with a lock in real code
///     func availability() async -> SchedulerAvailability { .init(kind: kind, isAvailable: true, detail: "test") }
///     func arm(_ request: WakeUpRequest) async throws -> WakeUp {
///         armed.append(request)
///         return WakeUp(kind: kind, handle: request.jobID, summary: "test wake-up")
///     }
///     func disarm(_ wakeUp: WakeUp) async throws {}
///     func isArmed(_ wakeUp: WakeUp) async -> Bool? { nil }
/// }
/// ```
public protocol WakeUpScheduler: Sendable {
    /// `systemd`, `launchd`, `at` or `cron`.
    var kind: String { get }
    /// Checks, without side effects, whether wake-ups can be armed on this machine.
    func availability() async -> SchedulerAvailability
    /// Arms a one-shot wake-up.
    /// - Returns: What to keep in the job to remove it later.
    /// - Throws: A `configuration` `PublishError` saying what the scheduler answered.
    func arm(_ request: WakeUpRequest) async throws -> WakeUp
    /// Removes a wake-up (already fired or not); removing one that is gone is not an error.
    func disarm(_ wakeUp: WakeUp) async throws
    /// Whether the wake-up is still armed; `nil` when the scheduler cannot tell.
    func isArmed(_ wakeUp: WakeUp) async -> Bool?
}
