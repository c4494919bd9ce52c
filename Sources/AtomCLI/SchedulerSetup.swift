import ArgumentParser
import Foundation
import PublishingCore
import Scheduling

/// The OS schedulers this build knows, built from the process environment (the composition root's job).
enum SchedulerSetup {
    /// Every candidate, in order of preference: launchd (macOS), user systemd, `at`, then cron (only when chosen).
    static func candidates(environment: [String: String] = Launch.environment) -> [any WakeUpScheduler]
    {
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        let runner = ProcessCommandRunner(searchPath: path, baseEnvironment: environment)
        let home = environment["HOME"] ?? NSHomeDirectory()
        return [
            LaunchdAgent(
                runner: runner, agentsFolder: home + "/Library/LaunchAgents", userID: getuid(), timeZone: .current),
            SystemdUserTimer(runner: runner),
            AtJob(runner: runner),
            CronScheduler(),
        ]
    }

    /// Which scheduler wakes scheduled posts on this machine, and what was found: `ATOM_SCHEDULER` (environment,
    /// then the .env) names one, else the first available. `atom doctor` calls this too.
    static func detect(dotEnv: DotEnvFile? = nil) async throws -> SchedulerChoice {
        let environment = Launch.environment
        let preference = environment["ATOM_SCHEDULER"] ?? ((try? dotEnv?.nonEmpty("ATOM_SCHEDULER")) ?? nil)
        return try await SchedulerChoice.detect(
            preference: preference, candidates: candidates(environment: environment))
    }

    /// The scheduler that armed `wakeUp`, to remove it.
    static func scheduler(for wakeUp: WakeUp) -> (any WakeUpScheduler)? {
        candidates().first { $0.kind == wakeUp.kind }
    }

    /// What the OS runs at a job's time: this atom binary's `schedule run-due`, with the state folder and PATH.
    static func request(jobID: String, at: Date, stateDirectory: String) -> WakeUpRequest {
        let environment = Launch.environment
        let executable = Bundle.main.executableURL?.resolvingSymlinksInPath().path ?? CommandLine.arguments[0]
        var variables = ["ATOM_STATE_DIR": stateDirectory]
        for key in ["HOME", "PATH", "ATOM_SCHEDULER"] { if let value = environment[key] { variables[key] = value } }
        return WakeUpRequest(
            jobID: jobID, at: at, command: [executable, "schedule", "run-due"], environment: variables,
            logPath: stateDirectory + "/schedule.log")
    }
}

/// `--missed-window 6h`: seconds, or a number with `s`, `m`, `h` or `d`.
struct WindowDuration: ExpressibleByArgument, Sendable {
    var seconds: TimeInterval

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let last = text.last, let unit = units[last], let value = Double(text.dropLast()), value >= 0 {
            seconds = value * unit
        } else if let value = Double(text), value >= 0 {
            seconds = value
        } else {
            return nil
        }
    }
}
