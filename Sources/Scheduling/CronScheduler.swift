import Foundation

/// No wake-up of atom's own: the user runs `atom schedule run-due` from cron (or by hand), chosen explicitly
/// with `ATOM_SCHEDULER=cron`.
public struct CronScheduler: WakeUpScheduler {
    public let kind = "cron"

    /// Creates the scheduler.
    public init() {}

    /// The crontab line atom suggests.
    public static let suggestedLine = "*/5 * * * * atom schedule run-due"

    public func availability() async -> SchedulerAvailability {
        SchedulerAvailability(
            kind: kind, isAvailable: true, detail: "your cron runs `atom schedule run-due` (ATOM_SCHEDULER=cron)")
    }

    public func arm(_ request: WakeUpRequest) async throws -> WakeUp {
        WakeUp(kind: kind, handle: "", summary: "your cron line running `atom schedule run-due`")
    }

    public func disarm(_ wakeUp: WakeUp) async throws {}

    public func isArmed(_ wakeUp: WakeUp) async -> Bool? { nil }
}
