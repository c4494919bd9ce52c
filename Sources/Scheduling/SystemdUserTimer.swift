import Foundation
import PublishingCore

/// Arms a transient systemd user timer: `systemd-run --user --on-calendar=… --timer-property=Persistent=true …`.
///
/// `OnCalendar=` takes a fully specified timestamp with a time zone (`2026-12-01 18:00:00 UTC`), so the timer
/// fires once. `Persistent=true` makes a timer that elapsed while its manager was not running fire as soon as
/// it is started again (systemd.timer(5): "useful to catch up for missed timers when a machine is shutdown
/// temporarily"); a realtime timer that elapses during suspend fires on resume. A transient unit lives in
/// `/run`, so it does not survive a reboot: `atom schedule list` then shows the job as not armed, and the next
/// `atom schedule run-due` (cron, login, or by hand) posts it within the missed window.
/// Sources: systemd-run(1), systemd.timer(5) (https://www.freedesktop.org/software/systemd/man/systemd.timer.html),
/// https://gist.github.com/z3dm4n/2b6a6a6d795f6fc880371a0088839cb1 (systemd-run as an atd replacement).
public struct SystemdUserTimer: WakeUpScheduler {
    public let kind = "systemd"
    private let runner: any CommandRunner

    /// Creates the scheduler.
    /// - Parameter runner: Runs `systemd-run` and `systemctl`.
    public init(runner: any CommandRunner) {
        self.runner = runner
    }

    /// The transient unit's base name for a job (`atom-job-<id>`; systemd adds `.timer` and `.service`).
    public static func unitName(for jobID: String) -> String { "atom-job-" + jobID }

    /// The `OnCalendar=` value for an instant: `YYYY-MM-DD HH:MM:SS UTC`, one exact second, in UTC.
    public static func onCalendar(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }

    /// The `systemd-run` arguments that arm `request`.
    public static func arguments(for request: WakeUpRequest) -> [String] {
        var arguments = [
            "--user",
            "--unit=" + unitName(for: request.jobID),
            "--description=atom: scheduled post \(request.jobID)",
            "--on-calendar=" + onCalendar(request.at),
            "--timer-property=Persistent=true",
            // The default accuracy is one minute; a post at 18:00 should not go out at 18:00:59.
            "--timer-property=AccuracySec=1s",
            "--property=StandardOutput=append:" + request.logPath,
            "--property=StandardError=append:" + request.logPath,
        ]
        arguments += request.environment.sorted { $0.key < $1.key }.map { "--setenv=\($0.key)=\($0.value)" }
        return arguments + request.command
    }

    public func availability() async -> SchedulerAvailability {
        let run =
            (try? await runner.run("systemd-run", ["--version"], environment: [:], input: nil))
            ?? CommandResult(status: 127)
        guard run.status == 0 else {
            return SchedulerAvailability(kind: kind, isAvailable: false, detail: "no systemd-run on PATH")
        }
        let manager =
            (try? await runner.run("systemctl", ["--user", "show-environment"], environment: [:], input: nil))
            ?? CommandResult(status: 127)
        guard manager.status == 0 else {
            let why = manager.firstLine.isEmpty ? "exit \(manager.status)" : manager.firstLine
            return SchedulerAvailability(kind: kind, isAvailable: false, detail: "no user systemd reachable (\(why))")
        }
        let version = run.stdout.split(separator: "\n").first.map(String.init) ?? "systemd"
        return SchedulerAvailability(kind: kind, isAvailable: true, detail: "user systemd reachable (\(version))")
    }

    public func arm(_ request: WakeUpRequest) async throws -> WakeUp {
        let result = try await runner.run("systemd-run", Self.arguments(for: request), environment: [:], input: nil)
        guard result.status == 0 else {
            throw PublishError(
                .configuration, message: "systemd-run could not arm a timer: \(result.firstLine)",
                remediation:
                    "check `systemctl --user status`, or set ATOM_SCHEDULER=cron and run `atom schedule run-due` from cron"
            )
        }
        let unit = Self.unitName(for: request.jobID)
        return WakeUp(kind: kind, handle: unit, summary: "systemd user timer \(unit).timer")
    }

    public func disarm(_ wakeUp: WakeUp) async throws {
        // Stopping a transient timer unloads it; its elapsed service is collected by `reset-failed`.
        _ = try await runner.run(
            "systemctl", ["--user", "stop", wakeUp.handle + ".timer"], environment: [:], input: nil)
        _ = try await runner.run(
            "systemctl", ["--user", "reset-failed", wakeUp.handle + ".service"], environment: [:], input: nil)
    }

    public func isArmed(_ wakeUp: WakeUp) async -> Bool? {
        guard
            let result = try? await runner.run(
                "systemctl", ["--user", "is-active", wakeUp.handle + ".timer"], environment: [:], input: nil)
        else { return nil }
        if result.status == 127 { return nil }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "active"
    }
}
