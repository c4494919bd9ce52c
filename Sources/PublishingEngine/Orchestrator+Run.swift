import Foundation
import Logging
import PublishingCore

extension Orchestrator {
    private enum Child: Sendable {
        case platform(Int, Result<PublishReceipt, PublishError>)
        case preflight(Int, PublishError?)
        case staging
    }

    /// Preflights, then fans out. `claims` are final when `commit` is `nil` (`resume` claimed them already); otherwise
    /// they are what a claim would decide now, and `commit` claims the proceeding ones (by index) for real once every
    /// preflight has passed, so a refused preflight leaves the record as it was.
    func run(
        claims tentative: [Claim], commit: (@Sendable ([Int]) async throws -> [Claim])? = nil, file: MediaFileHandle?, media: MediaInfo,
        sha256: String, videoPath: String, waitLimit: Duration, progress: AsyncStream<PublishEvent>.Continuation?,
        resumeOnly: Bool = false, covers: [PlatformID: CoverPlan] = [:], uploads: [Int: SpeculativeUpload] = [:]
    ) async throws -> PostReport {
        var claims = tentative
        var results = Self.skipped(claims)
        var active = claims.indices.filter { results[$0] == nil }
        if active.isEmpty { return PostReport(video: videoPath, sha256: sha256, results: results.compactMap { $0 }) }
        var jobs = Self.jobs(for: claims, active: active, media: media, file: file, sha256: sha256, covers: covers)
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
            /// A URL for a staged object, its key kept in the entry: without it, `atom status` and the sweep cannot
            /// delete the copy later.
            @Sendable func url(
                for object: StagedObject, from stager: any MediaStager, keyAt key: any WritableKeyPath<PostRecord, String?> & Sendable, what: String
            ) async throws -> URL {
                let url = try await stager.url(for: object, validFor: stager.urlLifetime)
                await recordFailures.attempt("\(what) for \(platform.rawValue)") {
                    try await records.updateAsync { file in
                        guard let i = file.entries.firstIndex(where: { $0.id == recordID }) else { return }
                        file.entries[i][keyPath: key] = object.key
                    }
                }
                return url
            }
            return PublishContext(
                progress: reporter,
                journal: Journal(save: checkpointWriter(recordID: recordID)),
                stagedURL: { [stager] in
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
                    return try await url(for: object, from: stager, keyAt: \.stagingKey, what: "the staged copy's key")
                },
                releaseStaging: {
                    await coordinator.release(platform)
                    await coverCoordinator.release(platform)
                },
                stagedCoverURL: { [stager] in
                    guard let stager else {
                        throw PublishError(.configuration, platform: platform, message: "needs a staged cover URL but staging is not configured",
                                           remediation: "set ATOM_S3_BUCKET and AWS credentials in .env")
                    }
                    let object = try await coverCoordinator.object()
                    return try await url(for: object, from: stager, keyAt: \.coverStagingKey, what: "the staged cover's key")
                },
                clock: clock, jitter: jitter, now: now, waitLimit: waitLimit, logger: logger
            )
        }

        // Preflight: every platform's network checks before any byte moves.
        var preflightErrors: [Int: PublishError] = [:]
        await withTaskGroup(of: Child.self) { group in
            for index in active where claims[index].coverOnly == nil && (uploads[index] == nil || !Self.adopts(claims[index])) {
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
            if let commit {
                claims = try await commit(active)
                results = Self.skipped(claims)
                active = claims.indices.filter { results[$0] == nil }
                jobs = Self.jobs(for: claims, active: active, media: media, file: file, sha256: sha256, covers: covers)
            }
            await markInterrupted(jobs: jobs, failures: recordFailures)
            var report = interruptedReport(claims: claims, results: results, jobs: jobs, videoPath: videoPath, sha256: sha256)
            report.recordErrors = recordFailures.messages
            return report
        }
        let blocking = preflightErrors.values.filter { [.invalidInput, .limitExceeded, .configuration].contains($0.code) }
        if !blocking.isEmpty, !resumeOnly {
            if blocking.allSatisfy({ $0.code == .configuration }), let first = blocking.first { throw first }
            throw ValidationFailure(issues: blocking.map { ValidationIssue(platform: $0.platform, field: $0.platformCode ?? $0.code.description, message: $0.description) })
        }

        // Claim for real: another process may have taken a platform since the tentative claim.
        if let commit {
            claims = try await commit(active)
            results = Self.skipped(claims)
            let claimed = claims.indices.filter { results[$0] == nil }
            for index in active where !claimed.contains(index) {
                await coordinator.release(claims[index].publisher.platform)
                await coverCoordinator.release(claims[index].publisher.platform)
            }
            active = claimed
            jobs = Self.jobs(for: claims, active: active, media: media, file: file, sha256: sha256, covers: covers)
            if active.isEmpty { return PostReport(video: videoPath, sha256: sha256, results: results.compactMap { $0 }) }
        }

        // Uploads started before the hash go on only where the claim starts afresh.
        for (index, upload) in uploads where !(active.contains(index) && preflightErrors[index] == nil && Self.adopts(claims[index])) {
            await upload.abandon()
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
                let upload = Self.adopts(claims[index]) ? uploads[index] : nil
                group.addTask {
                    var outcome: Result<PublishReceipt, PublishError>
                    do {
                        if let upload {
                            outcome = .success(try await upload.adopt(writer: self.checkpointWriter(recordID: job.recordID)).get())
                        } else if let coverOnly {
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
                    return .platform(index, outcome)
                }
            }
            for await child in group {
                guard case .platform(let index, let outcome) = child, let job = jobs[index] else { continue }
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
}

extension Result where Failure == PublishError {
    var failureMessage: String? {
        if case .failure(let error) = self { return error.description }
        return nil
    }
}
