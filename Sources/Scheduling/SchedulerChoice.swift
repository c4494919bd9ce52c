import Foundation
import PublishingCore

/// Picks the OS scheduler: the one `ATOM_SCHEDULER` names, else the first available of the candidates
/// (launchd, user systemd, `at`, in the order the composition root lists them).
public struct SchedulerChoice: Sendable {
    /// The scheduler to use, or `nil` when none is available.
    public var scheduler: (any WakeUpScheduler)?
    /// What was found for each candidate, for `atom doctor`, `atom schedule list` and refusals.
    public var findings: [SchedulerAvailability]

    /// Checks the candidates.
    /// - Parameters:
    ///   - preference: `ATOM_SCHEDULER` (`systemd`, `launchd`, `at`, `cron`), if set.
    ///   - candidates: Every scheduler this build knows, in order of preference.
    /// - Returns: The scheduler to use (if any) and what was found for each candidate checked.
    /// - Throws: A `configuration` ``PublishError`` when `preference` names no known scheduler.
    public static func detect(preference: String?, candidates: [any WakeUpScheduler]) async throws -> SchedulerChoice {
        if let preference = preference?.lowercased(), !preference.isEmpty {
            guard let chosen = candidates.first(where: { $0.kind == preference }) else {
                throw PublishError(
                    .configuration, message: "ATOM_SCHEDULER=\(preference) is not a scheduler atom knows",
                    remediation: "use one of \(candidates.map(\.kind).joined(separator: ", "))")
            }
            let finding = await chosen.availability()
            return SchedulerChoice(scheduler: finding.isAvailable ? chosen : nil, findings: [finding])
        }
        var findings: [SchedulerAvailability] = []
        // cron is never picked on its own: only the user knows whether a cron line runs run-due.
        for candidate in candidates where candidate.kind != "cron" {
            let finding = await candidate.availability()
            findings.append(finding)
            if finding.isAvailable { return SchedulerChoice(scheduler: candidate, findings: findings) }
        }
        return SchedulerChoice(scheduler: nil, findings: findings)
    }

    /// One line: what will wake jobs, or why nothing can.
    public var summary: String {
        if let scheduler, let finding = findings.first(where: { $0.kind == scheduler.kind }) {
            return "\(scheduler.kind): \(finding.detail)"
        }
        return "no OS scheduler: " + findings.map(\.detail).joined(separator: "; ")
    }

    /// The refusal when no scheduler is available, with the alternatives.
    /// - Parameter platforms: The platforms that would need a wake-up.
    /// - Returns: A `configuration` error naming what was looked for, with the alternatives.
    public func unavailableError(platforms: [String]) -> PublishError {
        PublishError(
            .configuration,
            message: "\(platforms.joined(separator: ", ")) cannot schedule through the platform's API, and atom found "
                + "no OS scheduler to post at that time (\(findings.map(\.detail).joined(separator: "; ")))",
            remediation: "nothing was uploaded. Either add a cron line `\(CronScheduler.suggestedLine)` and set "
                + "ATOM_SCHEDULER=cron, or run `atom schedule run-due` yourself at that time with ATOM_SCHEDULER=cron, "
                + "or post \(platforms.joined(separator: ", ")) now without --at")
    }
}

/// What `run-due` does with a job at a given time.
public enum DueVerdict: Sendable, Equatable {
    /// Its time has not come.
    case notYet
    /// Post it now.
    case run
    /// Its time passed by more than its missed window (`by` seconds late) and it is not `lateOK`.
    case missed(by: TimeInterval)

    /// The verdict for `job` at `now`: only pending jobs (and running ones whose process died) are candidates.
    public static func of(_ job: ScheduledJob, now: Date) -> DueVerdict {
        guard job.at <= now else { return .notYet }
        let late = now.timeIntervalSince(job.at)
        if late > job.missedWindow, !job.lateOK { return .missed(by: late) }
        return .run
    }
}
