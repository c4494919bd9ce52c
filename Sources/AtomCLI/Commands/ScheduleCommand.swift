import ArgumentParser
import Foundation
import PublishingCore
import PublishingEngine
import Scheduling

/// `atom schedule list|cancel|run-due`: the jobs made by `atom post --at`.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Scheduled posts: list them, cancel one, or post what is due (what the OS timer runs).",
        discussion: """
            `atom post … --at T` uploads now to platforms whose API schedules and, for the \
            others, records a job here and asks the OS scheduler (a systemd user timer, a launchd agent, or `at`) \
            to run `atom schedule run-due` at T. Set ATOM_SCHEDULER=cron to run `atom schedule run-due` from cron instead.
            """,
        subcommands: [ScheduleListCommand.self, ScheduleCancelCommand.self, ScheduleRunDueCommand.self]
    )
}

/// The `--json` shape of one job.
struct JobJSON: Encodable {
    struct PartJSON: Encodable {
        var platform: String
        var mode: String
        @NullEncoded var status: String? = nil
        @NullEncoded var recordId: String? = nil
        @NullEncoded var postId: String? = nil
        @NullEncoded var url: String? = nil
        @NullEncoded var note: String? = nil
        @NullEncoded var error: ErrorJSON? = nil
    }

    var job: ScheduledJob
    /// Whether the OS still has the wake-up (`nil`: cannot tell, or none is needed).
    var armed: Bool?

    enum CodingKeys: String, CodingKey {
        case id, status, at, video, sha256, sandbox, lateOk, missedWindowSeconds, wakeUp, armed, reason, platforms,
            createdAt
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(job.id, forKey: .id)
        try c.encode(job.status.rawValue, forKey: .status)
        try c.encode(job.at, forKey: .at)
        try c.encode(job.video, forKey: .video)
        try c.encode(job.sha256, forKey: .sha256)
        try c.encode(job.sandbox, forKey: .sandbox)
        try c.encode(job.lateOK, forKey: .lateOk)
        try c.encode(job.missedWindow, forKey: .missedWindowSeconds)
        try c.encode(job.wakeUp.map { ["kind": $0.kind, "handle": $0.handle, "summary": $0.summary] }, forKey: .wakeUp)
        try c.encode(armed, forKey: .armed)
        try c.encode(job.reason, forKey: .reason)
        try c.encode(job.createdAt, forKey: .createdAt)
        try c.encode(
            job.parts.map { part in
                PartJSON(
                    platform: part.platform.rawValue, mode: part.mode.rawValue, status: part.status,
                    recordId: part.recordID,
                    postId: part.postId, url: part.url, note: part.note, error: part.error.map(ErrorJSON.init))
            }, forKey: .platforms)
    }
}

/// The state folder's jobs store, and the book over it with this machine's schedulers.
enum ScheduleStores {
    /// The configuration in use (the same search as every command): the jobs file lives beside the record.
    static func configuration(_ global: GlobalOptions) throws -> (ConfigurationPaths, DotEnvFile) {
        try ConfigurationPaths.load(explicit: global.envFile, environment: Launch.environment)
    }

    static func store(_ global: GlobalOptions) throws -> ScheduleStore {
        ScheduleStore(directory: try configuration(global).0.stateDirectory)
    }

    static func book(_ global: GlobalOptions) throws -> ScheduleBook {
        ScheduleBook(store: try store(global), schedulerFor: { SchedulerSetup.scheduler(for: $0) })
    }
}

struct ScheduleListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Pending scheduled posts: platforms, time, video and its SHA-256, how each will be woken.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Also list finished, missed and cancelled jobs.")
    var all = false

    struct ListJSON: Encodable {
        var schemaVersion = 1
        var scheduler: SchedulerJSON
        var jobs: [JobJSON]
    }

    struct SchedulerJSON: Encodable {
        var kind: String?
        var available: Bool
        var detail: String
    }

    func run() async throws {
        try await Failure.exit(json: global.json) {
            let (paths, dotEnv) = try ScheduleStores.configuration(global)
            var jobs = try await ScheduleStore(directory: paths.stateDirectory).readAsync().jobs
            if !all { jobs = jobs.filter { $0.status == .pending || $0.status == .running } }
            jobs.sort { $0.at < $1.at }
            let choice = try await SchedulerSetup.detect(dotEnv: dotEnv)
            var listed: [JobJSON] = []
            for job in jobs {
                var armed: Bool?
                if job.status == .pending, let wakeUp = job.wakeUp,
                    let scheduler = SchedulerSetup.scheduler(for: wakeUp)
                {
                    armed = await scheduler.isArmed(wakeUp)
                }
                listed.append(JobJSON(job: job, armed: armed))
            }
            let scheduler = SchedulerJSON(
                kind: choice.scheduler?.kind, available: choice.scheduler != nil, detail: choice.summary)
            if global.json {
                try Output.json(ListJSON(scheduler: scheduler, jobs: listed))
            } else {
                if listed.isEmpty { Console.out("no scheduled posts") }
                for entry in listed {
                    let job = entry.job
                    let platforms = job.parts.map {
                        "\($0.platform.rawValue)(\($0.mode == .native ? "platform" : "atom"))"
                    }
                    var wake = job.wakeUp?.summary ?? (job.deferredParts.isEmpty ? "scheduled at the platform" : "-")
                    if entry.armed == false { wake += " — NOT ARMED: run `atom schedule run-due` at that time" }
                    Console.out(
                        [
                            job.id, job.at.formatted(.iso8601), job.status.rawValue, platforms.joined(separator: ","),
                            job.video, "sha256 " + job.sha256, wake + (job.sandbox ? " (sandbox)" : ""),
                        ].joined(separator: "  "))
                }
                Console.info("scheduler: " + choice.summary)
            }
            return Exit.ok
        }
    }
}
