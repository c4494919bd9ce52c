import Foundation
import PublishingCore

/// Arms a launchd agent: a plist in `~/Library/LaunchAgents` with `StartCalendarInterval`, loaded with
/// `launchctl bootstrap gui/<uid>`.
///
/// `StartCalendarInterval` matches month, day, hour and minute in the Mac's local time and has no year
/// (launchd.plist(5)); `run-due` removes the agent after it ran, so it fires once. launchd runs a job whose
/// time passed while the Mac was asleep when it wakes (several missed intervals coalesce into one); a Mac that
/// was off at that time does not run it until the next match, so atom's next `run-due` catches it up.
/// Sources: launchd.plist(5), quoted in https://www.github.com/jaredbeck/gocongress-backup/blob/master/org.gocongress.backup.plist
/// and Apple's "Scheduling Timed Jobs" quoted in https://gist.github.com/todgru/4503682.
public struct LaunchdAgent: WakeUpScheduler {
    public let kind = "launchd"
    private let runner: any CommandRunner
    private let agentsFolder: String
    private let userID: UInt32
    private let timeZone: TimeZone

    /// Creates the scheduler.
    /// - Parameters:
    ///   - runner: Runs `launchctl`.
    ///   - agentsFolder: `~/Library/LaunchAgents`.
    ///   - userID: The user's uid (the `gui/<uid>` domain).
    ///   - timeZone: The Mac's time zone, in which launchd reads `StartCalendarInterval`.
    public init(runner: any CommandRunner, agentsFolder: String, userID: UInt32, timeZone: TimeZone) {
        self.runner = runner
        self.agentsFolder = agentsFolder
        self.userID = userID
        self.timeZone = timeZone
    }

    /// The agent's label for a job.
    public static func label(for jobID: String) -> String { "dev.atom.job." + jobID }

    /// The agent's property list (XML) for `request`.
    public static func plist(for request: WakeUpRequest, timeZone: TimeZone) throws -> Data {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        // launchd matches whole minutes: round up so the job never runs before its time.
        let minute = Date(timeIntervalSince1970: (request.at.timeIntervalSince1970 / 60).rounded(.up) * 60)
        let parts = calendar.dateComponents([.month, .day, .hour, .minute], from: minute)
        let agent: [String: Any] = [
            "Label": label(for: request.jobID),
            "ProgramArguments": request.command,
            "StartCalendarInterval": [
                "Month": parts.month ?? 1, "Day": parts.day ?? 1, "Hour": parts.hour ?? 0, "Minute": parts.minute ?? 0,
            ],
            "EnvironmentVariables": request.environment,
            "StandardOutPath": request.logPath,
            "StandardErrorPath": request.logPath,
            "RunAtLoad": false,
        ]
        return try PropertyListSerialization.data(fromPropertyList: agent, format: .xml, options: 0)
    }

    private func plistPath(_ label: String) -> String { agentsFolder + "/" + label + ".plist" }

    public func availability() async -> SchedulerAvailability {
        let result =
            (try? await runner.run("launchctl", ["print", "gui/\(userID)"], environment: [:], input: nil))
            ?? CommandResult(status: 127)
        if result.status == 0 {
            return SchedulerAvailability(
                kind: kind, isAvailable: true, detail: "launchd gui/\(userID) domain reachable")
        }
        let why = result.status == 127 ? "no launchctl (not macOS)" : "launchctl: \(result.firstLine)"
        return SchedulerAvailability(kind: kind, isAvailable: false, detail: why)
    }

    public func arm(_ request: WakeUpRequest) async throws -> WakeUp {
        let label = Self.label(for: request.jobID)
        let path = plistPath(label)
        do {
            try FileManager.default.createDirectory(atPath: agentsFolder, withIntermediateDirectories: true)
        } catch {
            throw PublishError(.configuration, message: "cannot create \(agentsFolder): \(error.localizedDescription)")
        }
        try AtomicFile.write(try Self.plist(for: request, timeZone: timeZone), to: path, mode: 0o644)
        let result = try await runner.run(
            "launchctl", ["bootstrap", "gui/\(userID)", path], environment: [:], input: nil)
        guard result.status == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw PublishError(
                .configuration, message: "launchctl could not load the agent: \(result.firstLine)",
                remediation: "or set ATOM_SCHEDULER=cron and run `atom schedule run-due` from cron")
        }
        return WakeUp(kind: kind, handle: label, summary: "launchd agent \(label)")
    }

    public func disarm(_ wakeUp: WakeUp) async throws {
        _ = try await runner.run(
            "launchctl", ["bootout", "gui/\(userID)/\(wakeUp.handle)"], environment: [:], input: nil)
        let path = plistPath(wakeUp.handle)
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
    }

    public func isArmed(_ wakeUp: WakeUp) async -> Bool? {
        guard
            let result = try? await runner.run(
                "launchctl", ["print", "gui/\(userID)/\(wakeUp.handle)"], environment: [:], input: nil),
            result.status != 127
        else { return nil }
        return result.status == 0
    }
}
