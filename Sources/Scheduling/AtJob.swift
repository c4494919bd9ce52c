import Foundation
import PublishingCore

/// Arms an `at` job (the fallback where neither user systemd nor launchd is there): the command line goes to
/// `at -t` on standard input; `atrm` removes it.
///
/// `at` spools jobs on disk, so they survive a reboot, and `atd` runs a job whose time passed while the machine
/// was off or asleep when it next runs (at(1)). The time is given in UTC (`TZ=UTC`) so the machine's zone cannot shift it.
public struct AtJob: WakeUpScheduler {
    public let kind = "at"
    private let runner: any CommandRunner

    /// Creates the scheduler.
    public init(runner: any CommandRunner) {
        self.runner = runner
    }

    /// `at -t`'s `[[CC]YY]MMDDhhmm[.ss]` for an instant, in UTC, rounded up to the next whole second.
    public static func timeArgument(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let second = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.up))
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: second)
        return String(
            format: "%04d%02d%02d%02d%02d.%02d", p.year ?? 0, p.month ?? 0, p.day ?? 0, p.hour ?? 0, p.minute ?? 0,
            p.second ?? 0)
    }

    /// The shell line `at` runs: variables, the command, output appended to the log; every word single-quoted.
    public static func script(for request: WakeUpRequest) -> String {
        let variables = request.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(quote($0.value))" }
        let command = request.command.map(quote).joined(separator: " ")
        return (variables + [command]).joined(separator: " ") + " >> \(quote(request.logPath)) 2>&1\n"
    }

    /// A word in single quotes, safe for `sh`.
    static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    public func availability() async -> SchedulerAvailability {
        let result = (try? await runner.run("atq", [], environment: [:], input: nil)) ?? CommandResult(status: 127)
        if result.status == 0 {
            return SchedulerAvailability(kind: kind, isAvailable: true, detail: "at/atd available")
        }
        let why = result.status == 127 ? "no `at` installed" : "atq: \(result.firstLine)"
        return SchedulerAvailability(kind: kind, isAvailable: false, detail: why)
    }

    public func arm(_ request: WakeUpRequest) async throws -> WakeUp {
        let result = try await runner.run(
            "at", ["-t", Self.timeArgument(request.at)], environment: ["TZ": "UTC"], input: Self.script(for: request))
        // at prints "job 12 at Wed Dec  2 07:00:00 2026" on stderr.
        let words = (result.stderr + "\n" + result.stdout).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard result.status == 0, let index = words.firstIndex(of: "job"), index + 1 < words.count,
            let number = Int(words[index + 1])
        else {
            throw PublishError(
                .configuration, message: "at could not queue the job: \(result.firstLine)",
                remediation: "check that atd runs, or set ATOM_SCHEDULER=cron and run `atom schedule run-due` from cron"
            )
        }
        return WakeUp(kind: kind, handle: String(number), summary: "at job \(number)")
    }

    public func disarm(_ wakeUp: WakeUp) async throws {
        _ = try await runner.run("atrm", [wakeUp.handle], environment: [:], input: nil)
    }

    public func isArmed(_ wakeUp: WakeUp) async -> Bool? {
        guard let result = try? await runner.run("atq", [], environment: [:], input: nil), result.status == 0 else {
            return nil
        }
        return result.stdout.split(separator: "\n").contains {
            $0.split(whereSeparator: \.isWhitespace).first.map(String.init) == wakeUp.handle
        }
    }
}
