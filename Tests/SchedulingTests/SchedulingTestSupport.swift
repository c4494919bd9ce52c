import Foundation
import PublishingCore
import Scheduling

/// A scheduler that records the wake-ups it was asked for (the seam's test double).
final class RecordingScheduler: WakeUpScheduler, @unchecked Sendable {
    // Guarded by `lock`: tests read what the code under test armed and removed.
    private let lock = NSLock()
    private var armedRequests: [WakeUpRequest] = []
    private var removed: [WakeUp] = []
    let kind: String
    let available: Bool
    let failArm: Bool

    init(kind: String = "test", available: Bool = true, failArm: Bool = false) {
        self.kind = kind
        self.available = available
        self.failArm = failArm
    }

    var armed: [WakeUpRequest] { lock.withLock { armedRequests } }
    var disarmed: [WakeUp] { lock.withLock { removed } }

    func availability() async -> SchedulerAvailability {
        SchedulerAvailability(
            kind: kind, isAvailable: available, detail: available ? "\(kind) ready" : "no \(kind) here")
    }

    func arm(_ request: WakeUpRequest) async throws -> WakeUp {
        if failArm { throw PublishError(.configuration, message: "\(kind) refused the timer") }
        lock.withLock { armedRequests.append(request) }
        return WakeUp(kind: kind, handle: "h-" + request.jobID, summary: "\(kind) wake-up \(request.jobID)")
    }

    func disarm(_ wakeUp: WakeUp) async throws {
        lock.withLock { removed.append(wakeUp) }
    }

    func isArmed(_ wakeUp: WakeUp) async -> Bool? {
        lock.withLock { armedRequests.contains { "h-" + $0.jobID == wakeUp.handle } && !removed.contains(wakeUp) }
    }
}

/// A command runner that answers from a table and records every call.
final class ScriptedRunner: CommandRunner, @unchecked Sendable {
    struct Call: Equatable {
        var program: String
        var arguments: [String]
        var environment: [String: String]
        var input: String?
    }

    // Guarded by `lock`.
    private let lock = NSLock()
    private var recorded: [Call] = []
    private let answer: @Sendable (String, [String]) -> CommandResult

    init(answer: @escaping @Sendable (String, [String]) -> CommandResult) {
        self.answer = answer
    }

    var calls: [Call] { lock.withLock { recorded } }

    func run(_ program: String, _ arguments: [String], environment: [String: String], input: String?) async throws
        -> CommandResult
    {
        lock.withLock {
            recorded.append(Call(program: program, arguments: arguments, environment: environment, input: input))
        }
        return answer(program, arguments)
    }
}

/// A fixed instant: 2026-12-01T18:00:00Z.
let sampleTime = Date(timeIntervalSince1970: 1_796_148_000)

/// A request as atom makes it.
func sampleRequest(at: Date = sampleTime, jobID: String = "1a2b3c4d5e6f") -> WakeUpRequest {
    WakeUpRequest(
        jobID: jobID, at: at, command: ["/opt/atom/bin/atom", "schedule", "run-due"],
        environment: ["PATH": "/usr/bin:/bin", "ATOM_STATE_DIR": "/home/me/.atom"],
        logPath: "/home/me/.atom/schedule.log")
}

/// A job with one deferred and one native part.
func sampleJob(at: Date = sampleTime, lateOK: Bool = false, window: TimeInterval = ScheduledJob.defaultMissedWindow)
    -> ScheduledJob
{
    ScheduledJob(
        at: at, createdAt: at.addingTimeInterval(-3600), video: "/videos/clip.mp4",
        sha256: String(repeating: "ab", count: 32),
        sizeBytes: 1234, envFile: "/home/me/.env", sandbox: false, lateOK: lateOK, missedWindow: window,
        parts: [
            ScheduledJob.Part(
                platform: PlatformID("deferredplatform"), mode: .deferred, draft: PostDraft(caption: "hi")),
            ScheduledJob.Part(
                platform: PlatformID("nativeplatform"), mode: .native, draft: PostDraft(caption: "hi", scheduledAt: at)),
        ])
}

/// Runs a program from PATH, if present, returning its exit status and output.
func runTool(_ name: String, _ arguments: [String], input: Data? = nil) throws -> (status: Int32, output: String)? {
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let path else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let out = Pipe()
    let stdin = Pipe()
    process.standardOutput = out
    process.standardError = out
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(input) }
    try stdin.fileHandleForWriting.close()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

func toolExists(_ name: String) -> Bool {
    (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
}
