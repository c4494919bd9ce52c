import ArgumentParser
import Foundation
import PublishingCore
import PublishingEngine
import Scheduling

/// `atom post … --at T`: platforms whose API schedules get the video now (the platform publishes at T); the
/// others become a job in the state folder, woken at T by the OS scheduler running `atom schedule run-due`.
/// Everything that can be checked is checked before the first byte leaves: the scheduler, limits, tokens.
struct ScheduleSubmit {
    /// How each platform's part will be carried out.
    struct Plan {
        var at: Date
        var parts: [ScheduledJob.Part]
        /// Every target, in the order asked; deferred ones without `scheduledAt` (atom posts them when due).
        var targets: [PostTarget]
        /// The scheduler that wakes the deferred parts (`nil` when every platform schedules natively).
        var scheduler: (any WakeUpScheduler)?

        var native: [PostTarget] {
            targets.filter { target in parts.contains { $0.platform == target.publisher.platform && $0.mode == .native }
            }
        }
        var deferred: [PostTarget] {
            targets.filter { target in
                parts.contains { $0.platform == target.publisher.platform && $0.mode == .deferred }
            }
        }

        /// One line per platform for `--dry-run` (stderr).
        func describe() {
            for part in parts {
                Console.info(
                    "\(part.platform.rawValue): "
                        + (part.mode == .native
                            ? "uploaded now, published by the platform at \(at.formatted(.iso8601))"
                            : "posted by atom at \(at.formatted(.iso8601)), woken by \(scheduler?.kind ?? "nothing")"))
            }
        }
    }

    var app: AppContext
    var global: GlobalOptions
    var video: String
    var lateOK: Bool
    var missedWindow: TimeInterval
    var force: Bool
    var wait: Int

    /// Splits the targets by what each platform declares and finds the OS scheduler if one is needed.
    /// - Throws: A usage error for a time in the past; a `configuration` error with the alternatives when a
    ///   platform needs a wake-up and no scheduler is available. Nothing has been sent.
    static func plan(_ targets: [PostTarget], at: Date, dotEnv: DotEnvFile, now: Date = Date()) async throws -> Plan {
        guard at > now else {
            throw ValidationError("--at \(at.formatted(.iso8601)) is in the past; leave --at out to post now")
        }
        let lead = at.timeIntervalSince(now)
        var parts: [ScheduledJob.Part] = []
        var planned: [PostTarget] = []
        for target in targets {
            let mode = ScheduledJob.Mode.choose(for: target.publisher.capabilities, lead: lead)
            var target = target
            if mode == .deferred { target.draft.scheduledAt = nil }
            parts.append(ScheduledJob.Part(platform: target.publisher.platform, mode: mode, draft: target.draft))
            planned.append(target)
        }
        var plan = Plan(at: at, parts: parts, targets: planned, scheduler: nil)
        let deferred = parts.filter { $0.mode == .deferred }.map(\.platform.rawValue)
        if !deferred.isEmpty {
            let choice = try await SchedulerSetup.detect(dotEnv: dotEnv)
            guard let chosen = choice.scheduler else { throw choice.unavailableError(platforms: deferred) }
            plan.scheduler = chosen
        }
        return plan
    }

    /// Pre-flight, the job and its wake-up, then the native uploads.
    /// - Returns: The native platforms' results and a `scheduled` result for each deferred one, in the order asked.
    func submit(_ plan: Plan, orchestrator: Orchestrator) async throws -> PostReport {
        let file = try MediaFileHandle(path: video)
        let inspection = try await orchestrator.inspect(file, targets: plan.targets)
        if !inspection.issues.isEmpty { throw ValidationFailure(issues: inspection.issues) }
        let sha = try await FileDigest.sha256(of: file)
        // Tokens and account checks of the deferred platforms now, so a problem shows while the user is here.
        for target in plan.deferred {
            let job = PublishJob(recordID: "", draft: target.draft, media: inspection.media, file: file, sha256: sha)
            do {
                try await target.publisher.preflight(job, context: PublishContext(logger: app.logger))
            } catch let error as PublishError {
                throw error.attributed(to: target.publisher.platform)
            }
        }
        let job = try await recordJob(plan, sha256: sha, size: file.size)
        var report = PostReport(video: video, sha256: sha, results: [])
        let native = plan.native
        if !native.isEmpty {
            let request = PostRequest(videoPath: video, targets: native, force: force, waitLimit: .seconds(wait))
            let quiet = global.quiet || global.json && !Console.stderrIsTTY
            do {
                report = try await Interruptible.run(platforms: native.map(\.publisher.platform), quiet: quiet) {
                    progress in
                    try await orchestrator.post(request, progress: progress)
                }
            } catch {
                // The post as a whole was refused: the deferred parts must not go out later on their own.
                let book = ScheduleBook(
                    store: ScheduleStore(directory: app.records.directory),
                    schedulerFor: { SchedulerSetup.scheduler(for: $0) })
                do {
                    _ = await book.disarm(try await book.cancel(job.id, now: Date()))
                } catch let cancelFailure {
                    Console.info("atom: could not cancel job \(job.id): \(cancelFailure) — run `atom schedule cancel \(job.id)`")
                }
                throw error
            }
        }
        let final = try await finish(job: job, nativeReport: report)
        var results = report.results
        if final.status == .pending {
            for part in final.deferredParts {
                let how = final.wakeUp?.summary ?? "atom schedule run-due"
                results.append(
                    PlatformResult(
                        status: RecordStatus("scheduled"), platform: part.platform, id: nil,
                        note: "job \(final.id): atom posts it at \(plan.at.formatted(.iso8601)), woken by \(how)"))
            }
        }
        let order = plan.parts.map(\.platform)
        results.sort { (order.firstIndex(of: $0.platform) ?? 0) < (order.firstIndex(of: $1.platform) ?? 0) }
        report.results = results
        return report
    }

    /// Writes the job, then arms the wake-up; if arming fails the job is removed and nothing was uploaded.
    private func recordJob(_ plan: Plan, sha256: String, size: Int64) async throws -> ScheduledJob {
        let cwd = FileManager.default.currentDirectoryPath
        let absolute = { (path: String) in path.hasPrefix("/") ? path : cwd + "/" + path }
        var job = ScheduledJob(
            at: plan.at, createdAt: Date(), video: absolute(video), sha256: sha256, sizeBytes: size,
            envFile: absolute(app.dotEnv.path), sandbox: app.sandbox, lateOK: lateOK, missedWindow: missedWindow,
            parts: plan.parts)
        job.force = force ? true : nil
        let book = ScheduleBook(
            store: ScheduleStore(directory: app.records.directory), schedulerFor: { SchedulerSetup.scheduler(for: $0) })
        let request = SchedulerSetup.request(jobID: job.id, at: plan.at, stateDirectory: app.records.directory)
        return try await book.add(job, scheduler: plan.scheduler, request: request)
    }

    /// Copies the native results into the job; an interrupted post cancels the deferred parts and the wake-up.
    private func finish(job: ScheduledJob, nativeReport: PostReport) async throws -> ScheduledJob {
        let interrupted = nativeReport.interrupted || nativeReport.results.contains { $0.status == .interrupted }
        let store = ScheduleStore(directory: app.records.directory)
        let updated = try await store.updateAsync { file -> ScheduledJob? in
            guard let index = file.jobs.firstIndex(where: { $0.id == job.id }) else { return nil }
            for result in nativeReport.results {
                guard let part = file.jobs[index].parts.firstIndex(where: { $0.platform == result.platform }) else {
                    continue
                }
                file.jobs[index].parts[part].apply(result)
            }
            if interrupted {
                file.jobs[index].status = .cancelled
                file.jobs[index].reason = "the post was interrupted while scheduling"
            }
            file.jobs[index].updatedAt = Date()
            return file.jobs[index]
        }
        let final = updated ?? job
        if interrupted {
            let book = ScheduleBook(store: store, schedulerFor: { SchedulerSetup.scheduler(for: $0) })
            if let problem = await book.disarm(final) { Console.info("atom: " + problem) }
        }
        return final
    }
}

extension ScheduledJob.Part {
    /// Takes a platform's result (record id, post id, status, url, note, error).
    mutating func apply(_ result: PlatformResult) {
        recordID = result.id ?? recordID
        postId = result.postId ?? postId
        status = result.status.rawValue
        url = result.url ?? url
        note = result.note
        error = result.error
    }
}
