import ArgumentParser
import Foundation
import PublishingCore
import PublishingEngine
import Scheduling

/// `atom schedule run-due`: what the OS timer runs at a job's time (cron works too). Posts every due job with
/// `atom post`'s pre-flight, exactly-once and resume rules, reports jobs missed by more than their window,
/// refuses a job whose file changed, and removes each job's wake-up.
struct ScheduleRunDueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-due",
        abstract:
            "Post every scheduled job whose time has come (run by the OS timer, or from cron: */5 * * * * atom schedule run-due).",
        discussion:
            "Exit codes: 0 nothing failed (or nothing was due), 1 a job failed or was missed, 3 still processing, 130 interrupted."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only this job (id or unique prefix).")
    var job: String?

    @Option(help: "Seconds to wait for platform processing (default 600).")
    var wait: Int = 600

    /// The wall clock, for tests: an ISO 8601 time read here, in the composition root.
    @Option(help: .hidden)
    var now: String?

    struct RunJSON: Encodable {
        var schemaVersion = 1
        var now: Date
        var jobs: [JobJSON]
    }

    func run() async throws {
        try await Failure.exit(json: global.json) {
            var clock = Date()
            if let now {
                guard let date = ISO8601Text.parse(now) else {
                    throw ValidationError("--now must be an ISO 8601 date-time")
                }
                clock = date
            }
            let outcomes = try await DueRunner(global: global, now: clock, wait: wait).run(only: job)
            if global.json {
                try Output.json(RunJSON(now: clock, jobs: outcomes.map { JobJSON(job: $0, armed: nil) }))
            } else if outcomes.isEmpty {
                Console.out("no scheduled posts due")
            } else {
                for job in outcomes {
                    if job.status == .missed || job.status == .failed,
                        job.deferredParts.allSatisfy({ $0.recordID == nil })
                    {
                        Console.out("job \(job.id) \(job.status.rawValue): \(job.reason ?? "")")
                        continue
                    }
                    for part in job.deferredParts {
                        let detail = part.error.map { "\($0.code): \($0.message)" } ?? part.url ?? part.note ?? ""
                        Console.out("\(part.platform.rawValue) \(part.status ?? "-") \(detail) (job \(job.id))")
                    }
                }
            }
            return DueRunner.exitCode(for: outcomes)
        }
    }
}

/// Claims due jobs under the store's lock, posts them, and records each outcome.
struct DueRunner {
    var global: GlobalOptions
    var now: Date
    var wait: Int

    var book: ScheduleBook { get throws { try ScheduleStores.book(global) } }

    /// Runs what is due; returns the jobs it ran or reported missed, as they ended.
    func run(only: String?) async throws -> [ScheduledJob] {
        var outcomes: [ScheduledJob] = []
        for (job, verdict) in try await book.claimDue(now: now, only: only) {
            var ended = job
            if verdict == .run {
                ended = await post(job)
                ended.updatedAt = Date()
            }
            if let problem = try await book.finish(ended) { Console.info("atom: " + problem) }
            outcomes.append(ended)
        }
        return outcomes
    }

    /// Posts a job's deferred parts: the file must still be the one scheduled, then `atom post`'s path.
    private func post(_ job: ScheduledJob) async -> ScheduledJob {
        var job = job
        let pending = job.deferredParts.filter { $0.status != RecordStatus.published.rawValue }
        guard !pending.isEmpty else {
            job.status = .done
            return job
        }
        do {
            let file: MediaFileHandle
            do {
                file = try MediaFileHandle(path: job.video)
            } catch {
                throw PublishError(
                    .invalidInput, message: "the video \(job.video) is gone or unreadable; nothing was posted",
                    remediation: "put the file back and run `atom schedule run-due --job \(job.id)`, or post it again")
            }
            let sha = try await FileDigest.sha256(of: file)
            guard sha == job.sha256 else {
                throw PublishError(
                    .invalidInput,
                    message: "the video \(job.video) changed since it was scheduled (its SHA-256 differs); "
                        + "nothing was posted", remediation: "schedule the new file with `atom post … --at`")
            }
            var options = global
            options.envFile = job.envFile
            let report: PostReport
            if job.sandbox {
                report = try await SandboxRunner.withSandbox(log: nil) { [options, pending, job, wait] overrides in
                    try await Self.post(pending, of: job, options: options, overrides: overrides, wait: wait)
                }
            } else {
                report = try await Self.post(pending, of: job, options: options, overrides: nil, wait: wait)
            }
            for result in report.results {
                guard let index = job.parts.firstIndex(where: { $0.platform == result.platform }) else { continue }
                job.parts[index].apply(result)
            }
            let statuses = job.deferredParts.map(\.status)
            if report.interrupted || statuses.contains(RecordStatus.interrupted.rawValue) {
                job.status = .pending  // the next run-due resumes it
                job.reason = "interrupted; the next `atom schedule run-due` continues it"
            } else if statuses.contains(RecordStatus.failed.rawValue) {
                job.status = .failed
                job.reason = "a platform failed; see its error"
            } else {
                job.status = .done
                job.reason = nil
            }
        } catch {
            job.status = .failed
            let summary =
                (error as? PublishError).map(ErrorSummary.init)
                ?? ErrorSummary(code: "error", message: String(describing: error), retryable: false)
            job.reason = summary.message + (summary.remediation.map { " — \($0)" } ?? "")
            for index in job.parts.indices where job.parts[index].mode == .deferred && job.parts[index].status == nil {
                job.parts[index].status = RecordStatus.failed.rawValue
                job.parts[index].error = summary
            }
        }
        return job
    }

    private static func post(
        _ parts: [ScheduledJob.Part], of job: ScheduledJob, options: GlobalOptions, overrides: [String: String]?,
        wait: Int
    ) async throws -> PostReport {
        try await AppContext.with(options, overrides: overrides) { app in
            let publishers = try app.publishers(for: parts.map(\.platform.rawValue))
            let targets = zip(publishers, parts).map { PostTarget(publisher: $0, draft: $1.draft) }
            let orchestrator = try app.orchestrator()
            let request = PostRequest(
                videoPath: job.video, targets: targets, force: job.force ?? false, waitLimit: .seconds(wait))
            return try await Interruptible.run(
                platforms: publishers.map(\.platform), quiet: options.quiet || !Console.stderrIsTTY
            ) { progress in
                try await orchestrator.post(request, progress: progress)
            }
        }
    }

    /// 1 when a job failed or was missed, 130 when one was interrupted, 3 when a platform is still processing.
    static func exitCode(for jobs: [ScheduledJob]) -> ExitCode {
        let statuses = jobs.flatMap { $0.deferredParts.compactMap(\.status) }
        if statuses.contains(RecordStatus.interrupted.rawValue) { return Exit.interrupted }
        if jobs.contains(where: { $0.status == .failed || $0.status == .missed }) { return Exit.platformFailed }
        if statuses.contains(RecordStatus.processing.rawValue) { return Exit.stillProcessing }
        return Exit.ok
    }
}
