import Foundation
import Logging
import MediaInspection
import PublishingCore

/// Posts one video to several platforms at once.
///
/// Inspect (probe + limits, offline) → hash → preflight every platform → claim each platform in the record (skip
/// what is already published or in progress elsewhere, resume what was interrupted) → fan
/// out, one child task per platform in a non-throwing task group, with one shared staged copy for the
/// platforms that pull from a URL → release the staged copy when the last of them is done → report in
/// the order asked. One platform's failure never cancels another; cancellation (Ctrl-C) stops every
/// upload, records `interrupted` with what is needed to resume, and deletes the staged copy.
public struct Orchestrator: Sendable {
    public var stager: (any MediaStager)?
    public var records: RecordStore
    public var clock: any Clock<Duration>
    public var jitter: any JitterSource
    public var now: @Sendable () -> Date
    public var logger: Logger
    /// Remembers file hashes so a re-post reads the file's bytes once (`nil`: hash every time).
    public var hashes: HashCache?

    public init(
        stager: (any MediaStager)?, records: RecordStore, clock: any Clock<Duration> = ContinuousClock(),
        jitter: any JitterSource = SystemJitter(), now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "atom", factory: { _ in SwiftLogNoOpLogHandler() }),
        hashes: HashCache? = nil
    ) {
        self.stager = stager
        self.records = records
        self.clock = clock
        self.jitter = jitter
        self.now = now
        self.logger = logger
        self.hashes = hashes
    }

    // MARK: Inspect

    /// Probes the file and checks every platform's limits; touches no network.
    public func inspect(_ file: MediaFileHandle, targets: [PostTarget]) async throws -> Inspection {
        let media = try await MediaProbe.probe(file)
        let images = await Self.probeCovers(targets.map(\.draft))
        return inspect(media: media, targets: targets, coverImages: images)
    }

    /// Checks a probed file (and probed cover images, by path) against every target.
    public func inspect(
        media: MediaInfo, targets: [PostTarget], coverImages: [String: Result<CoverImage, PublishError>] = [:]
    ) -> Inspection {
        var plans: [(PlatformID, PostPlan, Ingestion)] = []
        var issues: [ValidationIssue] = []
        var covers: [PlatformID: CoverPlan] = [:]
        for target in targets {
            let publisher = target.publisher
            let capabilities = publisher.capabilities
            var plan = publisher.plan(target.draft, media: media)
            if let choice = target.draft.cover, !choice.isEmpty {
                var cover = Self.planCover(choice, images: coverImages, media: media, capabilities: capabilities)
                if case .image? = cover.use, capabilities.cover.imageDelivery == .stagedURL, stager == nil {
                    cover.issues.append(ValidationIssue(field: "cover",
                        message: "\(capabilities.displayName) fetches the cover image from a staged URL but staging is not configured (set ATOM_S3_BUCKET and AWS credentials)"))
                }
                plan.notes += cover.notes
                plan.problems += cover.issues
                covers[publisher.platform] = cover
            }
            issues += Validation.check(media, against: capabilities.mediaLimits, platform: publisher.platform)
            issues += Validation.check(plan.texts, against: capabilities.textLimits, platform: publisher.platform)
            issues += plan.problems.map { var issue = $0; issue.platform = issue.platform ?? publisher.platform; return issue }
            if target.draft.scheduledAt != nil, !capabilities.supportsScheduling {
                issues.append(ValidationIssue(platform: publisher.platform, field: "at", message: "\(capabilities.displayName) cannot schedule posts through its API"))
            }
            if capabilities.ingestion == .publicURL, stager == nil {
                issues.append(ValidationIssue(platform: publisher.platform, field: "staging",
                    message: "needs a staged URL but staging is not configured (set ATOM_S3_BUCKET and AWS credentials)"))
            }
            plans.append((publisher.platform, plan, capabilities.ingestion))
        }
        return Inspection(media: media, plans: plans, issues: issues, covers: covers)
    }

    // MARK: Post

    /// Posts `request.videoPath` to every target.
    /// - Throws: ``ValidationFailure`` (nothing uploaded) or ``PublishError`` for bad input or configuration
    ///   found before any upload. Platform failures are not thrown: they are in the report.
    public func post(_ request: PostRequest, progress: AsyncStream<PublishEvent>.Continuation? = nil) async throws -> PostReport {
        let file = try MediaFileHandle(path: request.videoPath)
        let inspection = try await inspect(file, targets: request.targets)
        if !inspection.issues.isEmpty { throw ValidationFailure(issues: inspection.issues) }
        if let sha = cachedDigest(of: file) {
            return try await post(request, file: file, inspection: inspection, sha256: sha, progress: progress)
        }
        // A first post: platforms that can stop before committing upload while the file is hashed.
        let hashing = Task { try await digest(of: file, progress: progress) }
        let uploads = LockedBox<[Int: SpeculativeUpload]>([:])
        return try await withTaskCancellationHandler {
            defer { hashing.cancel() }
            // The preflights and these uploads run while the file is hashed.
            let started = try await startUploads(request, file: file, inspection: inspection, progress: progress)
            uploads.withLock { $0 = started }
            let sha: String
            do {
                sha = try await withTaskCancellationHandler { try await hashing.value } onCancel: { hashing.cancel() }
            } catch {
                for upload in started.values { await upload.abandon() }
                guard error is CancellationError else { throw error }
                // Ctrl-C before the hash was known: nothing was claimed, nothing committed; a new run starts afresh.
                let results = request.targets.map {
                    PlatformResult(status: .interrupted, platform: $0.publisher.platform, id: nil,
                                   note: "stopped while the file was being hashed; nothing was recorded or published")
                }
                return PostReport(video: request.videoPath, sha256: "", results: results, interrupted: true)
            }
            // Whatever the claim did not take over is stopped before it commits, also when the post throws.
            do {
                let report = try await post(request, file: file, inspection: inspection, sha256: sha, progress: progress, uploads: started)
                for upload in started.values { await upload.abandon() }
                return report
            } catch {
                for upload in started.values { await upload.abandon() }
                throw error
            }
        } onCancel: {
            for upload in uploads.value.values { upload.task.cancel() }
        }
    }

    /// Claims and posts once the file's SHA-256 is known, taking over `uploads` (by target index) where the claim starts
    /// a platform afresh.
    private func post(
        _ request: PostRequest, file: MediaFileHandle, inspection: Inspection, sha256 sha: String,
        progress: AsyncStream<PublishEvent>.Continuation?, uploads: [Int: SpeculativeUpload] = [:]
    ) async throws -> PostReport {
        let tentative = try await tentativeClaim(request, media: inspection.media, sha256: sha)
        let commit: @Sendable ([Int]) async throws -> [Claim] = { [self] indices in
            var subset = request
            subset.targets = indices.map { request.targets[$0] }
            var claims = tentative
            let ids = indices.map { index -> String? in
                guard case .proceed(let id, nil, _, nil) = tentative[index].outcome else { return nil }
                return id
            }
            for (claimed, index) in zip(try await claim(subset, media: inspection.media, sha256: sha, ids: ids), indices) { claims[index] = claimed }
            return claims
        }
        return try await run(claims: tentative, commit: commit, file: file, media: inspection.media, sha256: sha, videoPath: request.videoPath,
                             waitLimit: request.waitLimit, progress: progress, covers: inspection.covers, uploads: uploads)
    }

    /// Continues entries left `processing` or `interrupted` (`atom status`).
    /// - Parameters:
    ///   - entries: Record entries with the publisher for each.
    ///   - file: The video, if it is still there (needed to resume an upload).
    public func resume(
        _ entries: [(record: PostRecord, publisher: any Publisher)], file: MediaFileHandle?, waitLimit: Duration,
        progress: AsyncStream<PublishEvent>.Continuation? = nil
    ) async throws -> PostReport {
        guard let first = entries.first?.record else { return PostReport(video: "", sha256: "", results: []) }
        let startedAt = now()
        var claims: [Claim] = []
        for (record, publisher) in entries {
            let claimed = try await records.updateAsync { [now] file -> Claim in
                guard let index = file.index(ofID: record.id) else {
                    return Claim(publisher: publisher, draft: record.draft ?? PostDraft(), outcome: .skip(PlatformResult(status: .skipped, platform: record.platform, id: record.id, note: "no longer in the record")))
                }
                let entry = file.entries[index]
                if entry.status == .published, entry.cover?.state == .notSet, entry.cover?.retryable == true,
                   publisher.capabilities.cover.imageDelivery == .afterPublish, entry.postId != nil {
                    file.entries[index].owner = .current(now: now())
                    return Claim(publisher: publisher, draft: entry.draft ?? PostDraft(),
                                 outcome: .proceed(recordID: entry.id, checkpoint: nil, startedAt: entry.startedAt ?? startedAt, previous: entry),
                                 coverOnly: entry)
                }
                if entry.status == .published {
                    return Claim(publisher: publisher, draft: entry.draft ?? PostDraft(), outcome: .skip(Self.result(of: entry)))
                }
                if entry.status == .uploading, let owner = entry.owner, owner.pid != getpid(), owner.isAlive(now: now()) {
                    var result = Self.result(of: entry)
                    result.status = .skipped
                    result.note = "being posted right now by atom process \(owner.pid)"
                    return Claim(publisher: publisher, draft: entry.draft ?? PostDraft(), outcome: .skip(result))
                }
                file.entries[index].status = .uploading
                file.entries[index].owner = .current(now: now())
                file.entries[index].updatedAt = now()
                return Claim(publisher: publisher, draft: entry.draft ?? PostDraft(),
                             outcome: .proceed(recordID: entry.id, checkpoint: entry.checkpoint, startedAt: entry.startedAt ?? startedAt, previous: entry))
            }
            claims.append(claimed)
        }
        let media = first.media ?? MediaInfo(container: "mp4", brand: "", sizeBytes: first.sizeBytes, duration: 0, width: 0, height: 0, rotation: 0, frameRate: nil, videoCodec: nil, audioCodec: nil, audioSampleRate: nil, moovAtStart: true, hasEditList: false)
        var covers: [PlatformID: CoverPlan] = [:]
        for claim in claims {
            guard case .proceed = claim.outcome else { continue }
            let (_, plan) = await Self.replanCover(claim.draft, media: media, capabilities: claim.publisher.capabilities)
            covers[claim.publisher.platform] = plan
        }
        return try await run(claims: claims, file: file, media: media, sha256: first.sha256, videoPath: first.video,
                             waitLimit: waitLimit, progress: progress, resumeOnly: true, covers: covers)
    }
}
