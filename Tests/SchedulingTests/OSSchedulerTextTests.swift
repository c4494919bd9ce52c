import Foundation
import PublishingCore
import Scheduling
import Testing

/// The texts handed to the OS schedulers, checked against their documented syntax (and, where the tool is on
/// this machine, against the tool's own parser).
@Suite("OS scheduler texts: systemd OnCalendar, launchd plist, at")
struct OSSchedulerTextTests {
    @Test("OnCalendar is one exact second in UTC, whatever the time zone")
    func onCalendarIsUTC() {
        #expect(SystemdUserTimer.onCalendar(sampleTime) == "2026-12-01 18:00:00 UTC")
        #expect(
            SystemdUserTimer.onCalendar(sampleTime.addingTimeInterval(3_600 * 24 * 40 + 7)) == "2027-01-10 18:00:07 UTC"
        )
        let pattern = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/
        #expect(SystemdUserTimer.onCalendar(Date(timeIntervalSince1970: 0)).wholeMatch(of: pattern) != nil)
    }

    @Test("systemd-analyze normalises the OnCalendar value to itself", .enabled(if: toolExists("systemd-analyze")))
    func systemdAnalyzeAcceptsOnCalendar() throws {
        let value = SystemdUserTimer.onCalendar(sampleTime)
        let result = try #require(try runTool("systemd-analyze", ["calendar", value]))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("Normalized form: \(value)"), "\(result.output)")
    }

    @Test("systemd-run arguments: user manager, transient unit, calendar, Persistent, environment, then the command")
    func systemdRunArguments() {
        let arguments = SystemdUserTimer.arguments(for: sampleRequest())
        #expect(arguments.first == "--user")
        #expect(arguments.contains("--unit=atom-job-1a2b3c4d5e6f"))
        #expect(arguments.contains("--on-calendar=2026-12-01 18:00:00 UTC"))
        #expect(arguments.contains("--timer-property=Persistent=true"))
        #expect(arguments.contains("--property=StandardOutput=append:/home/me/.atom/schedule.log"))
        let environment = arguments.filter { $0.hasPrefix("--setenv=") }
        #expect(environment == ["--setenv=ATOM_STATE_DIR=/home/me/.atom", "--setenv=PATH=/usr/bin:/bin"])
        #expect(Array(arguments.suffix(3)) == ["/opt/atom/bin/atom", "schedule", "run-due"])
        // Every option comes before the command: systemd-run stops parsing options at the first word.
        let commandStart = arguments.firstIndex(of: "/opt/atom/bin/atom") ?? 0
        #expect(arguments[..<commandStart].allSatisfy { $0.hasPrefix("--") })
    }

    @Test("launchd plist: Label, ProgramArguments, StartCalendarInterval in the Mac's zone, rounded up to the minute")
    func launchdPlist() throws {
        let zone = try #require(TimeZone(identifier: "America/New_York"))
        let data = try LaunchdAgent.plist(for: sampleRequest(at: sampleTime.addingTimeInterval(30)), timeZone: zone)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\""))
        let plist = try #require(try PropertyListSerialization.propertyList(from: data, format: nil) as? [String: Any])
        #expect(plist["Label"] as? String == "dev.atom.job.1a2b3c4d5e6f")
        #expect(plist["ProgramArguments"] as? [String] == ["/opt/atom/bin/atom", "schedule", "run-due"])
        #expect((plist["EnvironmentVariables"] as? [String: String])?["ATOM_STATE_DIR"] == "/home/me/.atom")
        #expect(plist["StandardOutPath"] as? String == "/home/me/.atom/schedule.log")
        #expect(plist["RunAtLoad"] as? Bool == false)
        let interval = try #require(plist["StartCalendarInterval"] as? [String: Any])
        // 18:00:30 UTC is 13:00:30 in New York (EST, UTC-5): launchd fires at 13:01, never before the time.
        #expect(interval["Month"] as? Int == 12)
        #expect(interval["Day"] as? Int == 1)
        #expect(interval["Hour"] as? Int == 13)
        #expect(interval["Minute"] as? Int == 1)
        #expect(Set(interval.keys) == ["Month", "Day", "Hour", "Minute"])
    }

    @Test("plutil accepts the launchd plist", .enabled(if: toolExists("plutil")))
    func plutilLintsPlist() throws {
        try TemporaryDirectoryForTests.with { dir in
            let path = dir + "/agent.plist"
            try LaunchdAgent.plist(for: sampleRequest(), timeZone: TimeZone(identifier: "UTC") ?? .current).write(
                to: URL(fileURLWithPath: path))
            let result = try #require(try runTool("plutil", ["-lint", path]))
            #expect(result.status == 0, "\(result.output)")
        }
    }

    @Test("at: -t time in UTC, the command line single-quoted, output appended to the log")
    func atScript() {
        #expect(AtJob.timeArgument(sampleTime) == "202612011800.00")
        #expect(AtJob.timeArgument(sampleTime.addingTimeInterval(0.2)) == "202612011800.01")
        var request = sampleRequest()
        request.command = ["/Users/o'neil/atom", "schedule", "run-due"]
        request.environment = ["ATOM_STATE_DIR": "/tmp/state dir"]
        #expect(
            AtJob.script(for: request)
                == "ATOM_STATE_DIR='/tmp/state dir' '/Users/o'\\''neil/atom' 'schedule' 'run-due' >> '/home/me/.atom/schedule.log' 2>&1\n"
        )
    }
}

enum TemporaryDirectoryForTests {
    static func with<T>(_ body: (String) throws -> T) throws -> T {
        let dir = NSTemporaryDirectory() + "atom-scheduling-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try body(dir)
    }
}
