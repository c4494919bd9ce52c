import Foundation
import PublishingCore
import PublishingEngine

/// The jobs store and the OS scheduler together: adding a job arms its wake-up (or leaves no job behind),
/// claiming due jobs is exclusive (two `run-due` processes never post the same job), finishing removes the wake-up.
public struct ScheduleBook: Sendable {
    /// Where jobs are kept.
    public var store: ScheduleStore
    /// Finds the scheduler that armed a wake-up, to remove it (the composition root's list of schedulers).
    public var schedulerFor: @Sendable (WakeUp) -> (any WakeUpScheduler)?

    /// Creates a book.
    public init(store: ScheduleStore, schedulerFor: @escaping @Sendable (WakeUp) -> (any WakeUpScheduler)?) {
        self.store = store
        self.schedulerFor = schedulerFor
    }

    /// Records `job` and, when it has deferred parts, arms `scheduler` for it. If arming fails the job is
    /// removed again and the error is rethrown: nothing is left half-scheduled.
    /// - Returns: The job with its wake-up.
    public func add(_ job: ScheduledJob, scheduler: (any WakeUpScheduler)?, request: WakeUpRequest) async throws
        -> ScheduledJob
    {
        var job = job
        try await store.updateAsync { [job] in $0.jobs.append(job) }
        guard let scheduler, !job.deferredParts.isEmpty else { return job }
        do {
            job.wakeUp = try await scheduler.arm(request)
        } catch {
            try await store.updateAsync { [id = job.id] in $0.jobs.removeAll { $0.id == id } }
            throw error
        }
        try await store.updateAsync { [job] file in
            if let index = file.jobs.firstIndex(where: { $0.id == job.id }) { file.jobs[index].wakeUp = job.wakeUp }
        }
        return job
    }

    /// Marks every due job (or only `id`) `running` for this process, and every job late by more than its
    /// window `missed`, under the store's lock. A `running` job whose process died is claimed again (resume).
    /// - Returns: The claimed jobs with their verdicts (`.run` or `.missed`).
    public func claimDue(now: Date, only id: String? = nil) async throws -> [(job: ScheduledJob, verdict: DueVerdict)] {
        try await store.updateAsync { file in
            var claimed: [(job: ScheduledJob, verdict: DueVerdict)] = []
            let chosen = try id.map { [try file.index(matching: $0)] } ?? Array(file.jobs.indices)
            for index in chosen {
                let job = file.jobs[index]
                let orphaned = job.status == .running && !(job.owner?.isAlive(now: now) ?? false)
                guard job.status == .pending || orphaned else { continue }
                let verdict = DueVerdict.of(job, now: now)
                switch verdict {
                case .notYet:
                    continue
                case .missed(let late):
                    file.jobs[index].status = .missed
                    file.jobs[index].reason =
                        "missed its time by \(Self.duration(late)) (the window is "
                        + "\(Self.duration(job.missedWindow))); nothing was posted. Post it now with `atom post`, "
                        + "or schedule it again with --late-ok"
                    for part in file.jobs[index].parts.indices where file.jobs[index].parts[part].mode == .deferred {
                        file.jobs[index].parts[part].status = "missed"
                    }
                case .run:
                    file.jobs[index].status = .running
                    file.jobs[index].owner = .current(now: now)
                }
                file.jobs[index].updatedAt = now
                claimed.append((file.jobs[index], verdict))
            }
            return claimed
        }
    }

    /// Stores a job as it ended and, unless it is pending again (interrupted), removes its wake-up.
    /// - Returns: A problem removing the wake-up, worded for the user, if there was one.
    @discardableResult
    public func finish(_ job: ScheduledJob) async throws -> String? {
        var job = job
        job.owner = nil
        try await store.updateAsync { [job] file in
            if let index = file.jobs.firstIndex(where: { $0.id == job.id }) { file.jobs[index] = job }
        }
        return await disarm(job)
    }

    /// Removes a job's wake-up, if it has one and the job is no longer pending.
    /// - Returns: A problem, worded for the user, if the scheduler refused.
    public func disarm(_ job: ScheduledJob) async -> String? {
        guard job.status != .pending, job.status != .running, let wakeUp = job.wakeUp,
            let scheduler = schedulerFor(wakeUp)
        else { return nil }
        do {
            try await scheduler.disarm(wakeUp)
            return nil
        } catch {
            return "could not remove \(wakeUp.summary): \(error)"
        }
    }

    /// Marks a pending job cancelled (its deferred parts too) under the lock.
    /// - Throws: `conflict` when the job is being posted or already finished; `notFound` for an unknown id.
    public func cancel(_ id: String, now: Date) async throws -> ScheduledJob {
        try await store.updateAsync { file in
            let index = try file.index(matching: id)
            let job = file.jobs[index]
            guard job.status == .pending else {
                throw PublishError(
                    .conflict, message: "job \(job.id) is \(job.status.rawValue); there is nothing to cancel",
                    remediation: job.status == .running
                        ? "it is being posted right now" : "see `atom schedule list --all`")
            }
            file.jobs[index].status = .cancelled
            file.jobs[index].reason = "cancelled by `atom schedule cancel`"
            file.jobs[index].updatedAt = now
            for part in file.jobs[index].parts.indices where file.jobs[index].parts[part].mode == .deferred {
                if file.jobs[index].parts[part].status == nil { file.jobs[index].parts[part].status = "cancelled" }
            }
            return file.jobs[index]
        }
    }

    /// "2.5 h" or "40 min".
    public static func duration(_ seconds: TimeInterval) -> String {
        seconds >= 3600 ? String(format: "%.1f h", seconds / 3600) : "\(Int(seconds / 60)) min"
    }
}
