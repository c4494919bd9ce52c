import Foundation
import PublishingCore
import Scheduling
import Testing

/// The schedulers drive their tools through the `CommandRunner` seam: what they run, and how they read answers.
@Suite("OS schedulers: commands run, answers read")
struct OSSchedulerTests {
    @Test("systemd: arms with systemd-run, removes with systemctl stop, reads is-active")
    func systemdCommands() async throws {
        let runner = ScriptedRunner { program, arguments in
            if program == "systemctl", arguments.contains("is-active") {
                return CommandResult(status: 0, stdout: "active\n")
            }
            return CommandResult(status: 0, stdout: "systemd 255 (255.4)\n")
        }
        let timer = SystemdUserTimer(runner: runner)
        let wakeUp = try await timer.arm(sampleRequest())
        #expect(
            wakeUp
                == WakeUp(
                    kind: "systemd", handle: "atom-job-1a2b3c4d5e6f",
                    summary: "systemd user timer atom-job-1a2b3c4d5e6f.timer"))
        #expect(runner.calls.first?.program == "systemd-run")
        #expect(runner.calls.first?.arguments == SystemdUserTimer.arguments(for: sampleRequest()))
        #expect(await timer.isArmed(wakeUp) == true)
        try await timer.disarm(wakeUp)
        #expect(
            runner.calls.contains {
                $0.program == "systemctl" && $0.arguments == ["--user", "stop", "atom-job-1a2b3c4d5e6f.timer"]
            })
    }

    @Test("systemd: no user manager is unavailable, with systemctl's reason")
    func systemdUnavailable() async {
        let runner = ScriptedRunner { program, _ in
            program == "systemctl"
                ? CommandResult(status: 1, stderr: "Failed to connect to bus: No medium found\n")
                : CommandResult(status: 0, stdout: "systemd 252\n")
        }
        let finding = await SystemdUserTimer(runner: runner).availability()
        #expect(!finding.isAvailable)
        #expect(finding.detail == "no user systemd reachable (Failed to connect to bus: No medium found)")
    }

    @Test("systemd: a refused timer is a configuration error naming the cron alternative")
    func systemdArmRefused() async {
        let runner = ScriptedRunner { _, _ in
            CommandResult(status: 1, stderr: "Failed to start transient timer unit: Access denied\n")
        }
        let error = await #expect(throws: PublishError.self) {
            try await SystemdUserTimer(runner: runner).arm(sampleRequest())
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("Access denied") == true)
        #expect(error?.remediation?.contains("ATOM_SCHEDULER=cron") == true)
    }

    @Test("at: queues the script in UTC and keeps the job number at prints on stderr")
    func atQueues() async throws {
        let runner = ScriptedRunner { program, _ in
            program == "at"
                ? CommandResult(
                    status: 0,
                    stderr: "warning: commands will be executed using /bin/sh\njob 42 at Tue Dec  1 18:00:00 2026\n")
                : CommandResult(status: 0, stdout: "42\tTue Dec  1 18:00:00 2026 a me\n")
        }
        let at = AtJob(runner: runner)
        let wakeUp = try await at.arm(sampleRequest())
        #expect(wakeUp.handle == "42")
        let call = try #require(runner.calls.first)
        #expect(call.arguments == ["-t", "202612011800.00"])
        #expect(call.environment == ["TZ": "UTC"])
        #expect(call.input == AtJob.script(for: sampleRequest()))
        #expect(await at.isArmed(wakeUp) == true)
        try await at.disarm(wakeUp)
        #expect(
            runner.calls.last == ScriptedRunner.Call(program: "atrm", arguments: ["42"], environment: [:], input: nil))
    }

    @Test("launchd: writes the agent, bootstraps it in gui/<uid>, boots it out and deletes it")
    func launchdCommands() async throws {
        try await TemporaryDirectoryForTests.withAsync { dir in
            let runner = ScriptedRunner { _, _ in CommandResult(status: 0) }
            let agent = LaunchdAgent(
                runner: runner, agentsFolder: dir + "/LaunchAgents", userID: 501, timeZone: .current)
            let wakeUp = try await agent.arm(sampleRequest())
            let path = dir + "/LaunchAgents/dev.atom.job.1a2b3c4d5e6f.plist"
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(runner.calls.first?.arguments == ["bootstrap", "gui/501", path])
            try await agent.disarm(wakeUp)
            #expect(runner.calls.last?.arguments == ["bootout", "gui/501/dev.atom.job.1a2b3c4d5e6f"])
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test("a missing tool is status 127 from the real runner, not a crash")
    func missingTool() async throws {
        let runner = ProcessCommandRunner(searchPath: ["/nonexistent"], baseEnvironment: [:])
        let result = try await runner.run("systemd-run", ["--version"], environment: [:], input: nil)
        #expect(result.status == 127)
        #expect(await SystemdUserTimer(runner: runner).availability().detail == "no systemd-run on PATH")
    }

    @Test("the real runner passes arguments, input and environment, and reads both outputs")
    func realRunner() async throws {
        let runner = ProcessCommandRunner(searchPath: ["/bin", "/usr/bin"], baseEnvironment: ["LANG": "C"])
        let result = try await runner.run(
            "sh", ["-c", "cat; echo \"$X\" >&2; exit 3"], environment: ["X": "from-env"], input: "typed")
        #expect(result == CommandResult(status: 3, stdout: "typed", stderr: "from-env\n"))
    }
}

extension TemporaryDirectoryForTests {
    static func withAsync<T>(_ body: (String) async throws -> T) async throws -> T {
        let dir = NSTemporaryDirectory() + "atom-scheduling-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try await body(dir)
    }
}
