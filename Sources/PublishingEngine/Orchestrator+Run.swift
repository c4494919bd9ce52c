import Foundation
import Logging
import PublishingCore

extension Orchestrator {
    private enum Child: Sendable {
        case platform(Int, Result<PublishReceipt, PublishError>, phase: String?)
        case preflight(Int, PublishError?)
        case staging
    }

    func run(
        claims: [Claim], file: MediaFileHandle?, media: MediaInfo, sha256: String, videoPath: String,
        waitLimit: Duration, progress: AsyncStream<PublishEvent>.Continuation?, resumeOnly: Bool = false,
        covers: [PlatformID: CoverPlan] = [:]
    ) async throws -> PostReport {
        var results: [PlatformResult?] = claims.map { claim in
            if case .skip(let result) = claim.outcome { return result }
            return nil
        }
        let active = claims.indices.filter { results[$0] == nil }
        if active.isEmpty { return PostReport(video: videoPath, sha256: sha256, results: results.compactMap { $0 }) }

        let jobs: [Int: PublishJob] = Dictionary(uniqueKeysWithValues: active.map { index in
            guard case .proceed(let id, let checkpoint, _, _) = claims[index].outcome else { fatalError("unreachable") }
            let cover = covers[claims[index].publisher.platform].flatMap { $0.issues.isEmpty ? $0.use : nil }
            return (index, PublishJob(recordID: id, draft: claims[index].draft, media: media, file: file, sha256: sha256, checkpoint: checkpoint,
                                      cover: cover))
        })
        let urlConsumers = Set(active.filter {
            claims[$0].coverOnly == nil && claims[$0].publisher.capabilities.ingestion == .publicURL
        }.map { claims[$0].publisher.platform })
        let coordinator = StagingCoordinator(consumers: urlConsumers)
        let recordFailures = RecordFailures(progress: progress)
        var coverImage: CoverImage?
        let coverConsumers = Set(active.filter { index in
            guard claims[index].coverOnly == nil, case .image(let image)? = jobs[index]?.cover,
                  claims[index].publisher.capabilities.cover.imageDelivery == .stagedURL else { return false }
            coverImage = image
            return true
        }.map { claims[$0].publisher.platform })
        let coverCoordinator = StagingCoordinator(consumers: coverConsumers)

        func context(for index: Int) -> PublishContext {
            let platform = claims[index].publisher.platform
            let recordID = jobs[index]?.recordID ?? ""
            let reporter = ProgressReporter(platform: platform, continuation: progress)
            let records = self.records
            let now = self.now
            return PublishContext(
                progress: reporter,
                journal: Journal { state in
                    try await records.updateAsync { file in
                        guard let i = file.entries.firstIndex(where: { $0.id == recordID }) else { return }
                        file.entries[i].checkpoint = state
                        file.entries[i].updatedAt = now()
                    }
                },
                stagedURL: { [stager, stagingURLLifetime] in
                    guard let stager else {
                        throw PublishError(.configuration, platform: platform, message: "needs a staged URL but staging is not configured",
                                           remediation: "set ATOM_S3_BUCKET and AWS credentials in .env")
                    }
                    reporter.report(.waitingForStaging)
                    let object: StagedObject
                    do { object = try await coordinator.object() } catch let error as PublishError {
                        throw PublishError(error.code, platform: platform, operationID: error.operationID, httpStatus: error.httpStatus,
                                           platformCode: error.platformCode, message: "staging failed: \(error.message)",
                                           remediation: error.remediation, retryable: error.isRetryable)
                    }
                    let url = try await stager.url(for: object, validFor: stagingURLLifetime)
                    // Without the key in the record, `atom status` and the sweep cannot delete this copy later.
                    await recordFailures.attempt("the staged copy's key for \(platform.rawValue)") {
                        try await records.updateAsync { file in
                            guard let i = file.entries.firstIndex(where: { $0.id == recordID }) else { return }
                            file.entries[i].stagingKey = object.key
                        }
                    }
                    return url
                },
                releaseStaging: {
                    await coordinator.release(platform)
                    await coverCoordinator.release(platform)
                },
                stagedCoverURL: { [stager, stagingURLLifetime] in
                    guard let stager else {
                        throw PublishError(.configuration, platform: platform, message: "needs a staged cover URL but staging is not configured",
                                           remediation: "set ATOM_S3_BUCKET and AWS credentials in .env")
                    }
                    let object = try await coverCoordinator.object()
                    let url = try await stager.url(for: object, validFor: stagingURLLifetime)
                    // Without the key in the record, `atom status` and the sweep cannot delete this copy later.
                    await recordFailures.attempt("the staged cover's key for \(platform.rawValue)") {
                        try await records.updateAsync { file in
                            guard let i = file.entries.firstIndex(where: { $0.id == recordID }) else { return }
                            file.entries[i].coverStagingKey = object.key
                        }
                    }
                    return url
                },
                clock: clock, jitter: jitter, now: now, waitLimit: waitLimit, logger: logger
            )
        }

        // Preflight: every platform's network checks before any byte moves.
        var preflightErrors: [Int: PublishError] = [:]
        await withTaskGroup(of: Child.self) { group in
            for index in active where claims[index].coverOnly == nil {
                guard let job = jobs[index] else { continue }
                let publisher = claims[index].publisher
                let ctx = context(for: index)
                group.addTask {
                    ctx.progress.report(.preflight)
                    do {
                        try await publisher.preflight(job, context: ctx)
                        return .preflight(index, nil)
                    } catch {
                        return .preflight(index, PublishError.wrapping(error, platform: publisher.platform))
                    }
                }
            }
            for await child in group {
                if case .preflight(let index, let error?) = child { preflightErrors[index] = error }
            }
        }
        if Task.isCancelled {
            await markInterrupted(jobs: jobs, failures: recordFailures)
            var report = interruptedReport(claims: claims, results: results, jobs: jobs, videoPath: videoPath, sha256: sha256)
            report.recordErrors = recordFailures.messages
            return report
        }
        let blocking = preflightErrors.values.filter { [.invalidInput, .limitExceeded, .configuration].contains($0.code) }
        if !blocking.isEmpty, !resumeOnly {
            await unclaimForPreflight(claims: claims, failures: recordFailures)
            if blocking.allSatisfy({ $0.code == .configuration }), let first = blocking.first { throw first }
            throw ValidationFailure(issues: blocking.map { ValidationIssue(platform: $0.platform, field: $0.platformCode ?? $0.code.description, message: $0.description) })
        }

        // Fan out.
        let stagingNeeded = !urlConsumers.isEmpty && active.contains { preflightErrors[$0] == nil && urlConsumers.contains(claims[$0].publisher.platform) }
        for index in active where preflightErrors[index] != nil {
            await coordinator.release(claims[index].publisher.platform)
            await coverCoordinator.release(claims[index].publisher.platform)
        }
        await withTaskGroup(of: Child.self) { group in
            if stagingNeeded, let stager, let file {
                group.addTask {
                    await self.stageAndRelease(
                        stager: stager, file: file, sha256: sha256, contentType: media.mimeType, coordinator: coordinator,
                        progress: progress, failures: recordFailures)
                    return .staging
                }
            } else if stagingNeeded {
                await coordinator.finish(.failure(PublishError(.invalidInput, platform: .staging, message: "the video file is needed to stage it but is gone")))
            }
            if let stager, let coverImage, !coverConsumers.isEmpty {
                group.addTask {
                    await self.stageCover(coverImage, stager: stager, coordinator: coverCoordinator, progress: progress, failures: recordFailures)
                    return .staging
                }
            }
            for index in active where preflightErrors[index] == nil {
                guard let job = jobs[index] else { continue }
                let publisher = claims[index].publisher
                let coverOnly = claims[index].coverOnly
                let coverPlan = covers[publisher.platform]
                let ctx = context(for: index)
                group.addTask {
                    var outcome: Result<PublishReceipt, PublishError>
                    do {
                        if let coverOnly {
                            outcome = .success(PublishReceipt(status: .published, postID: coverOnly.postId, url: coverOnly.url))
                        } else {
                            outcome = .success(try await publisher.publish(job, context: ctx))
                        }
                    } catch {
                        outcome = .failure(PublishError.wrapping(error, platform: publisher.platform))
                        ctx.progress.report(.failed, message: outcome.failureMessage)
                    }
                    // A platform still processing may not have fetched the staged copies yet: keep them for `atom status`.
                    let processing = (try? outcome.get())?.status == .processing
                    await coordinator.release(publisher.platform, retain: processing)
                    await coverCoordinator.release(publisher.platform, retain: processing)
                    if case .success(var receipt) = outcome {
                        receipt.cover = await self.finishCover(receipt, job: job, publisher: publisher, plan: coverPlan, context: ctx)
                        outcome = .success(receipt)
                        ctx.progress.report(.done)
                    }
                    return .platform(index, outcome, phase: nil)
                }
            }
            for await child in group {
                guard case .platform(let index, let outcome, _) = child, let job = jobs[index] else { continue }
                results[index] = await record(outcome, claim: claims[index], job: job, cancelled: Task.isCancelled)
            }
        }
        for index in active where preflightErrors[index] != nil {
            guard let job = jobs[index], let error = preflightErrors[index] else { continue }
            results[index] = await record(.failure(error), claim: claims[index], job: job, cancelled: false)
        }
        await sweepStaging(sha256: sha256, progress: progress, failures: recordFailures)
        let interrupted = results.contains { $0?.status == .interrupted }
        var report = PostReport(video: videoPath, sha256: sha256, results: results.compactMap { $0 }, interrupted: interrupted)
        report.recordErrors = recordFailures.messages
        return report
    }

    private func record(_ outcome: Result<PublishReceipt, PublishError>, claim: Claim, job: PublishJob, cancelled: Bool) async -> PlatformResult {
        let time = now()
        let recordID = job.recordID
        let platform = claim.publisher.platform
        guard case .proceed(_, _, let startedAt, _) = claim.outcome else { return PlatformResult(status: .failed, platform: platform, id: recordID) }
        var result = PlatformResult(status: .failed, platform: platform, id: recordID, startedAt: startedAt, finishedAt: time)
        var checkpoint: JSONValue?
        switch outcome {
        case .success(let receipt):
            result.status = receipt.status == .published ? .published : .processing
            // Platform-given: printed and stored, so one line, masked and capped like any outside text.
            result.postId = receipt.postID.map { Redaction.outsideText($0, limit: 256) }
            result.url = receipt.url.map { Redaction.outsideText($0, limit: 2048) }
            result.note = receipt.note.map { Redaction.outsideText($0, limit: 1000) }
            result.cover = receipt.cover
            if let cover = receipt.cover, cover.state != .set {
                let retry = cover.state == .notSet && cover.retryable ? "; `atom status \(recordID)` retries the cover" : ""
                result.note = [result.note, cover.description + retry].compactMap { $0 }.joined(separator: "; ")
            }
            checkpoint = receipt.checkpoint
            if receipt.status == .processing { result.finishedAt = nil }
        case .failure(let error):
            if error.code == .cancelled || cancelled {
                result.status = .interrupted
                result.finishedAt = nil
            } else {
                result.error = ErrorSummary(error)
            }
        }
        let final = result
        let newCheckpoint = checkpoint
        let keepCheckpoint: Bool = final.status == .interrupted || final.status == .processing
        do {
            try await records.updateAsync { file in
            guard let i = file.entries.firstIndex(where: { $0.id == recordID }) else { return }
            file.entries[i].status = final.status
            file.entries[i].owner = nil
            file.entries[i].updatedAt = time
            file.entries[i].error = final.error
            file.entries[i].note = final.note
            if final.cover != nil || final.status == .published { file.entries[i].cover = final.cover ?? file.entries[i].cover }
            if final.status == .published || final.status == .processing {
                file.entries[i].postId = final.postId ?? file.entries[i].postId
                file.entries[i].url = final.url ?? file.entries[i].url
            }
            if final.status == .published { file.entries[i].finishedAt = time }
            if let newCheckpoint { file.entries[i].checkpoint = newCheckpoint } else if !keepCheckpoint, final.error?.retryable != true {
                file.entries[i].checkpoint = nil  // a retryable failure keeps its checkpoint to resume from
            }
            }
        } catch {
            result.recordError = ErrorSummary(Self.unrecorded(final, because: error))
        }
        return result
    }

    /// The error for an outcome the record could not take: says what is live (post id, URL) so nothing is lost.
    static func unrecorded(_ result: PlatformResult, because error: any Error) -> PublishError {
        let reason = PublishError.wrapping(error, platform: result.platform).message
        let live = [result.postId.map { "post id \($0)" }, result.url].compactMap { $0 }.joined(separator: ", ")
        let what: String
        switch result.status {
        case .published, .processing:
            what = "the post is live" + (live.isEmpty ? "" : " (\(live))") + " but is not recorded"
        default:
            what = "the \(result.status.rawValue) outcome is not recorded (the record may still say uploading)"
        }
        return PublishError(
            .storage, platform: result.platform, message: "\(what): \(reason)",
            remediation: "fix the state folder (ATOM_STATE_DIR, default ~/.atom); until the record is right, "
                + "`atom post` of this file may post it again")
    }

    /// Stages `file` once the first platform asks, and deletes it once the last has let go.
    func stageAndRelease(
        stager: any MediaStager, file: MediaFileHandle, sha256: String, contentType: String, coordinator: StagingCoordinator,
        progress: AsyncStream<PublishEvent>.Continuation?, failures: RecordFailures, what: String = "copy"
    ) async {
        let reporter = ProgressReporter(platform: .staging, continuation: progress)
        let records = self.records
        let now = self.now
        guard await coordinator.waitForDemand() else { return }
        let existing = try? await records.readAsync().staging.last { $0.sha256 == sha256 && !$0.released }
        let ctx = StagingContext(
            progress: reporter, checkpoint: existing?.checkpoint,
            journal: Journal { state in
                try await records.updateAsync { file in
                    Self.upsertStaging(&file, sha256: sha256, now: now()) { $0.checkpoint = state }
                }
            },
            clock: clock, jitter: jitter
        )
        reporter.report(.staging, sent: 0, total: file.size)
        var staged: StagedObject?
        do {
            let object = try await stager.stage(file, sha256: sha256, contentType: contentType, context: ctx)
            staged = object
            await failures.attempt("the staged copy \(object.key)") {
                try await records.updateAsync { file in
                    Self.upsertStaging(&file, sha256: sha256, now: now()) { entry in
                        entry.location = object.location
                        entry.key = object.key
                        entry.size = object.size
                        entry.checkpoint = nil
                    }
                }
            }
            reporter.report(.done, sent: object.size, total: object.size, message: what == "copy" ? "staged" : "\(what) staged")
            await coordinator.finish(.success(object))
        } catch {
            let failure = PublishError.wrapping(error, platform: .staging)
            reporter.report(.failed, message: failure.description)
            await coordinator.finish(.failure(failure))
        }
        let deletable = await coordinator.waitUntilReleased()
        guard let staged else { return }
        guard deletable else {
            reporter.report(PublishPhase("kept"), message: "staged \(what) kept until the platforms still processing have it; `atom status` deletes it")
            return
        }
        if await delete(staged, stager: stager, reporter: reporter, failures: failures, what: what) == false {
            reporter.report(.failed, message: "could not delete the staged \(what); `atom staging clean` removes it")
        }
    }

    /// The unreleased staging entry for `sha256` (made if missing), changed by `change`.
    private static func upsertStaging(_ file: inout RecordFile, sha256: String, now: Date, _ change: (inout StagingRecord) -> Void) {
        if let i = file.staging.lastIndex(where: { $0.sha256 == sha256 && !$0.released }) {
            change(&file.staging[i])
            file.staging[i].updatedAt = now
        } else {
            var entry = StagingRecord(sha256: sha256, location: "", key: nil, size: 0, createdAt: now, updatedAt: now, released: false, checkpoint: nil)
            change(&entry)
            file.staging.append(entry)
        }
    }

    /// Deletes a staged copy and marks it released in the record. Runs even when the caller was cancelled:
    /// an unstructured task awaited here does not inherit cancellation.
    private func delete(
        _ object: StagedObject, stager: any MediaStager, reporter: ProgressReporter, failures: RecordFailures,
        what: String = "copy"
    ) async -> Bool {
        let deleted = await Task { (try? await stager.release(object)) != nil }.value
        guard deleted else { return false }
        let now = self.now
        let records = self.records
        await failures.attempt("the deletion of the staged copy \(object.key)") {
            try await records.updateAsync { file in
                for i in file.staging.indices where file.staging[i].key == object.key && !file.staging[i].released {
                    file.staging[i].released = true
                    file.staging[i].updatedAt = now()
                }
            }
        }
        reporter.report(PublishPhase("released"), message: "staged \(what) deleted")
        return true
    }

    /// Deletes staged copies of this video kept for platforms that were still processing, once no entry
    /// that used one is processing, uploading or interrupted any more.
    private func sweepStaging(
        sha256: String, progress: AsyncStream<PublishEvent>.Continuation?, failures: RecordFailures
    ) async {
        // Reading only decides what to delete: a failed read deletes nothing and loses nothing.
        guard let stager, let file = try? await records.readAsync() else { return }
        let busy: Set<RecordStatus> = [.processing, .uploading, .interrupted]
        let coverKeys = Set(file.entries.filter { $0.sha256 == sha256 }.compactMap(\.coverStagingKey))
        let keys = file.staging.filter { ($0.sha256 == sha256 || $0.key.map(coverKeys.contains) == true) && !$0.released }.compactMap(\.key)
        let used = { (entry: PostRecord, key: String) in entry.stagingKey == key || entry.coverStagingKey == key }
        for key in keys where !file.entries.contains(where: { used($0, key) && busy.contains($0.status) }) {
            guard let record = file.staging.last(where: { $0.key == key }) else { continue }
            let object = StagedObject(location: record.location, key: key, size: record.size)
            _ = await delete(
                object, stager: stager, reporter: ProgressReporter(platform: .staging, continuation: progress),
                failures: failures)
        }
    }

    /// Puts claimed entries back as they were: a preflight refused the whole post before any upload.
    private func unclaimForPreflight(claims: [Claim], failures: RecordFailures) async {
        let restore: [(String, PostRecord?)] = claims.compactMap {
            if case .proceed(let id, _, _, let previous) = $0.outcome { return (id, previous) }
            return nil
        }
        let records = self.records
        await failures.attempt("the release of this post's claims") {
            try await records.updateAsync { file in
                for (id, previous) in restore {
                    guard let index = file.entries.firstIndex(where: { $0.id == id }) else { continue }
                    if let previous { file.entries[index] = previous } else { file.entries.remove(at: index) }
                }
            }
        }
    }

    /// Records every claimed platform as `interrupted` (Ctrl-C during the preflight).
    private func markInterrupted(jobs: [Int: PublishJob], failures: RecordFailures) async {
        let ids = jobs.values.map(\.recordID)
        let time = now()
        let records = self.records
        await failures.attempt("the interrupted state") {
            try await records.updateAsync { file in
                for i in file.entries.indices where ids.contains(file.entries[i].id) {
                    file.entries[i].status = .interrupted
                    file.entries[i].owner = nil
                    file.entries[i].updatedAt = time
                }
            }
        }
    }

    private func interruptedReport(claims: [Claim], results: [PlatformResult?], jobs: [Int: PublishJob], videoPath: String, sha256: String) -> PostReport {
        var final = results
        for (index, job) in jobs { final[index] = PlatformResult(status: .interrupted, platform: claims[index].publisher.platform, id: job.recordID) }
        return PostReport(video: videoPath, sha256: sha256, results: final.compactMap { $0 }, interrupted: true)
    }
}

extension Result where Failure == PublishError {
    fileprivate var failureMessage: String? {
        if case .failure(let error) = self { return error.description }
        return nil
    }
}

/// Record writes that failed during one run: each is reported at once on the progress stream and kept for the
/// report, so that no failed write to the record goes unsaid.
final class RecordFailures: Sendable {
    private let box = LockedBox<[String]>([])
    private let reporter: ProgressReporter

    init(progress: AsyncStream<PublishEvent>.Continuation?) {
        reporter = ProgressReporter(platform: .staging, continuation: progress)
    }

    /// What failed so far, or `nil` when nothing did.
    var messages: [String]? {
        let all = box.value
        return all.isEmpty ? nil : all
    }

    /// Runs `write`; a failure is recorded as "could not record `what`: reason".
    func attempt(_ what: String, _ write: () async throws -> Void) async {
        do {
            try await write()
        } catch {
            let message = "could not record \(what): \(PublishError.wrapping(error, platform: .staging).message)"
            box.withLock { $0.append(message) }
            reporter.report(.failed, message: message)
        }
    }
}
