import Foundation
import PublishingCore
import PublishingEngine
import Scheduling
import Testing

/// Jobs and wake-ups through the scheduler seam, with a fake scheduler and a test clock (the `now` passed in).
@Suite("Schedule book: jobs, wake-ups, due and missed")
struct ScheduleBookTests {
    func withBook<T>(scheduler: RecordingScheduler, _ body: (ScheduleBook) async throws -> T) async throws -> T {
        try await TemporaryDirectoryForTests.withAsync { dir in
            try await body(
                ScheduleBook(
                    store: ScheduleStore(directory: dir + "/state"),
                    schedulerFor: { [scheduler] in
                        $0.kind == scheduler.kind ? scheduler : nil
                    }))
        }
    }

    @Test("adding a job records it and arms one wake-up at its time")
    func addArms() async throws {
        let scheduler = RecordingScheduler()
        try await withBook(scheduler: scheduler) { book in
            let job = try await book.add(sampleJob(), scheduler: scheduler, request: sampleRequest(jobID: "x"))
            #expect(scheduler.armed == [sampleRequest(jobID: "x")])
            #expect(job.wakeUp?.kind == "test")
            let stored = try book.store.read().jobs
            #expect(stored.count == 1)
            #expect(stored.first?.wakeUp == job.wakeUp)
            #expect(stored.first?.status == .pending)
        }
    }

    @Test("when the scheduler refuses, no job is left behind")
    func armFailureRollsBack() async throws {
        let scheduler = RecordingScheduler(failArm: true)
        try await withBook(scheduler: scheduler) { book in
            await #expect(throws: PublishError.self) {
                try await book.add(sampleJob(), scheduler: scheduler, request: sampleRequest())
            }
            let jobs = try book.store.read().jobs
            #expect(jobs.isEmpty)
        }
    }

    @Test("a job with only native parts arms nothing")
    func nativeOnlyArmsNothing() async throws {
        let scheduler = RecordingScheduler()
        try await withBook(scheduler: scheduler) { book in
            var job = sampleJob()
            job.parts.removeAll { $0.mode == .deferred }
            let added = try await book.add(job, scheduler: scheduler, request: sampleRequest())
            #expect(scheduler.armed.isEmpty)
            #expect(added.wakeUp == nil)
        }
    }

    @Test("due at its time, once: a second run-due finds nothing; finishing removes the wake-up")
    func claimOnce() async throws {
        let scheduler = RecordingScheduler()
        try await withBook(scheduler: scheduler) { book in
            let job = try await book.add(sampleJob(), scheduler: scheduler, request: sampleRequest())
            #expect(try await book.claimDue(now: sampleTime.addingTimeInterval(-1)).isEmpty)
            let claimed = try await book.claimDue(now: sampleTime.addingTimeInterval(60))
            #expect(claimed.map(\.job.id) == [job.id])
            #expect(claimed.first?.verdict == .run)
            #expect(claimed.first?.job.status == .running)
            #expect(try await book.claimDue(now: sampleTime.addingTimeInterval(120)).isEmpty)
            var done = try #require(claimed.first?.job)
            done.status = .done
            #expect(try await book.finish(done) == nil)
            #expect(scheduler.disarmed == [try #require(job.wakeUp)])
            #expect(try book.store.read().jobs.first?.status == .done)
            #expect(try book.store.read().jobs.first?.owner == nil)
        }
    }

    @Test("later than the missed window: missed, not run, wake-up removed; --late-ok runs it")
    func missedWindow() async throws {
        let scheduler = RecordingScheduler()
        try await withBook(scheduler: scheduler) { book in
            _ = try await book.add(sampleJob(), scheduler: scheduler, request: sampleRequest())
            let late = try await book.claimDue(now: sampleTime.addingTimeInterval(7 * 3600))
            #expect(late.first?.verdict == .missed(by: 7 * 3600))
            let missed = try #require(late.first?.job)
            #expect(missed.status == .missed)
            #expect(missed.reason?.contains("missed its time by 7.0 h (the window is 6.0 h)") == true)
            #expect(missed.deferredParts.allSatisfy { $0.status == "missed" })
            try await book.finish(missed)
            #expect(scheduler.disarmed.count == 1)

            _ = try await book.add(sampleJob(lateOK: true), scheduler: scheduler, request: sampleRequest())
            let lateOK = try await book.claimDue(now: sampleTime.addingTimeInterval(7 * 3600))
            #expect(lateOK.map(\.verdict) == [.run])
        }
    }

    @Test("cancel marks the job and its deferred parts; a finished job cannot be cancelled")
    func cancel() async throws {
        let scheduler = RecordingScheduler()
        try await withBook(scheduler: scheduler) { book in
            let job = try await book.add(sampleJob(), scheduler: scheduler, request: sampleRequest())
            let cancelled = try await book.cancel(String(job.id.prefix(6)), now: sampleTime)
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.deferredParts.map(\.status) == ["cancelled"])
            #expect(await book.disarm(cancelled) == nil)
            #expect(scheduler.disarmed == [try #require(job.wakeUp)])
            let again = await #expect(throws: PublishError.self) { try await book.cancel(job.id, now: sampleTime) }
            #expect(again?.code == .conflict)
            #expect(try await book.claimDue(now: sampleTime.addingTimeInterval(60)).isEmpty)
        }
    }

    @Test("an unknown or ambiguous id is refused by name")
    func ids() throws {
        var file = ScheduleFile(jobs: [sampleJob(), sampleJob()])
        file.jobs[0].id = "abc111"
        file.jobs[1].id = "abc222"
        #expect(try file.index(matching: "abc2") == 1)
        #expect(throws: PublishError.self) { try file.index(matching: "abc") }
        #expect(throws: PublishError.self) { try file.index(matching: "zzz") }
        #expect(throws: PublishError.self) { try file.index(matching: "") }
    }
}

@Suite("Scheduling decisions: native or deferred, due or missed, which scheduler")
struct SchedulingDecisionTests {
    @Test(
        "native only where the platform declares scheduling and the lead is long enough",
        arguments: [
            (true, 0.0, 60.0, ScheduledJob.Mode.native),
            (true, 600.0, 120.0, ScheduledJob.Mode.deferred),
            (true, 600.0, 3600.0, ScheduledJob.Mode.native),
            (false, 0.0, 3600.0, ScheduledJob.Mode.deferred),
        ])
    func mode(supports: Bool, minimumLead: Double, lead: Double, expected: ScheduledJob.Mode) {
        let capabilities = PublisherCapabilities(
            displayName: "X", mediaLimits: MediaLimits(), supportsScheduling: supports, minimumScheduleLead: minimumLead
        )
        #expect(ScheduledJob.Mode.choose(for: capabilities, lead: lead) == expected)
    }

    @Test("due verdicts at the edges of the window")
    func verdicts() {
        let job = sampleJob(window: 3600)
        #expect(DueVerdict.of(job, now: sampleTime.addingTimeInterval(-0.5)) == .notYet)
        #expect(DueVerdict.of(job, now: sampleTime) == .run)
        #expect(DueVerdict.of(job, now: sampleTime.addingTimeInterval(3600)) == .run)
        #expect(DueVerdict.of(job, now: sampleTime.addingTimeInterval(3601)) == .missed(by: 3601))
    }

    @Test("ATOM_SCHEDULER picks a scheduler; otherwise the first available, never cron on its own")
    func choice() async throws {
        let systemd = RecordingScheduler(kind: "systemd", available: false)
        let at = RecordingScheduler(kind: "at", available: true)
        let cron = RecordingScheduler(kind: "cron", available: true)
        let auto = try await SchedulerChoice.detect(preference: nil, candidates: [systemd, at, cron])
        #expect(auto.scheduler?.kind == "at")
        #expect(auto.findings.map(\.kind) == ["systemd", "at"])
        let chosen = try await SchedulerChoice.detect(preference: "CRON", candidates: [systemd, at, cron])
        #expect(chosen.scheduler?.kind == "cron")
        let none = try await SchedulerChoice.detect(
            preference: nil, candidates: [systemd, RecordingScheduler(kind: "at", available: false), cron])
        #expect(none.scheduler == nil)
        #expect(none.summary == "no OS scheduler: no systemd here; no at here")
        let refusal = none.unavailableError(platforms: ["tiktok", "instagram"])
        #expect(refusal.code == .configuration)
        #expect(refusal.message.contains("tiktok, instagram cannot schedule"))
        #expect(refusal.remediation?.contains("nothing was uploaded") == true)
        #expect(refusal.remediation?.contains("atom schedule run-due") == true)
        await #expect(throws: PublishError.self) {
            try await SchedulerChoice.detect(preference: "anacron", candidates: [systemd])
        }
    }

    @Test("jobs survive a round trip through the store, drafts and wake-ups included")
    func storeRoundTrip() async throws {
        try await TemporaryDirectoryForTests.withAsync { dir in
            let store = ScheduleStore(directory: dir + "/state")
            var job = sampleJob()
            job.wakeUp = WakeUp(kind: "systemd", handle: "atom-job-x", summary: "systemd user timer atom-job-x.timer")
            try await store.updateAsync { [job] in $0.jobs.append(job) }
            #expect(try store.read().jobs == [job])
            let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
    }
}
