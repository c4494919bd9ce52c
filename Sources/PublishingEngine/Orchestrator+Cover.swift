import Foundation
import Logging
import PublishingCore

/// Covers: probed once per image before anything moves, decided per platform from its ``CoverSupport``,
/// staged like the video where a platform fetches it from a URL, applied after the upload where the platform
/// takes it that way. A cover never fails a post: its outcome is reported beside the result.
extension Orchestrator {
    /// Probes every distinct cover image named by `drafts` (offline, a few small reads each).
    static func probeCovers(_ drafts: [PostDraft]) async -> [String: Result<CoverImage, PublishError>] {
        var images: [String: Result<CoverImage, PublishError>] = [:]
        for path in Set(drafts.compactMap { $0.cover?.imagePath }) {
            do {
                images[path] = .success(try await CoverImage.probe(path: path))
            } catch {
                images[path] = .failure(PublishError.wrapping(error, platform: nil))
            }
        }
        return images
    }

    /// What one platform gets from `choice`, with every problem (an unreadable or non-image file included).
    static func planCover(
        _ choice: CoverChoice, images: [String: Result<CoverImage, PublishError>], media: MediaInfo,
        capabilities: PublisherCapabilities
    ) -> CoverPlan {
        var image: CoverImage?
        var probeIssue: ValidationIssue?
        if let path = choice.imagePath {
            switch images[path] {
            case .success(let probed)?: image = probed
            case .failure(let error)?: probeIssue = ValidationIssue(field: "cover", message: error.message)
            case nil: probeIssue = ValidationIssue(field: "cover", message: "cover \(path) was not read")
            }
        }
        var plan = capabilities.cover.plan(choice, image: image, media: media, displayName: capabilities.displayName)
        if let probeIssue { plan.issues.insert(probeIssue, at: 0) }
        return plan
    }

    /// The outcome to report when nothing of what was asked can reach the platform (`nil` otherwise).
    static func unsupportedOutcome(_ plan: CoverPlan?) -> CoverOutcome? {
        guard let plan, plan.use == nil, !plan.unsupported.isEmpty else { return nil }
        return CoverOutcome(state: .unsupported, detail: "", reason: plan.unsupported.joined(separator: " and "))
    }

    /// Sets the cover after the upload when the platform takes it that way; otherwise returns the adapter's outcome.
    /// Failures become a `notSet` outcome: the video stands.
    func finishCover(
        _ receipt: PublishReceipt, job: PublishJob, publisher: any Publisher, plan: CoverPlan?, context: PublishContext
    ) async -> CoverOutcome? {
        guard let plan else { return receipt.cover }
        if !plan.issues.isEmpty {
            let reason = plan.issues.map(\.message).joined(separator: "; ")
            return CoverOutcome(state: .notSet, detail: "the cover", reason: reason, retryable: true)
        }
        guard let use = job.cover else { return Self.unsupportedOutcome(plan) }
        var outcome = receipt.cover
        let afterPublish: Bool =
            if case .image = use { publisher.capabilities.cover.imageDelivery == .afterPublish } else { false }
        if afterPublish, outcome?.state != .set, let postID = receipt.postID {
            context.progress.report(PublishPhase("cover"))
            do {
                outcome = try await publisher.applyCover(job, postID: postID, context: context)
            } catch {
                let failure = PublishError.wrapping(error, platform: publisher.platform)
                if failure.code == .cancelled { return .notSet(use, reason: "interrupted", retryable: true) }
                let words = failure.message + (failure.remediation.map { " — \($0)" } ?? "")
                outcome = .notSet(use, reason: words, retryable: true)
            }
        }
        if var known = outcome, known.state == .set, !plan.unsupported.isEmpty {
            known.reason = plan.unsupported.joined(separator: " and ")
            outcome = known
        }
        return outcome
    }

    /// The cover plan for a record entry continued by `atom status` (the image is probed again: it may be gone).
    static func replanCover(
        _ draft: PostDraft, media: MediaInfo, capabilities: PublisherCapabilities
    ) async -> (use: CoverUse?, plan: CoverPlan?) {
        guard let choice = draft.cover, !choice.isEmpty else { return (nil, nil) }
        let images = await probeCovers([draft])
        let plan = planCover(choice, images: images, media: media, capabilities: capabilities)
        return (plan.issues.isEmpty ? plan.use : nil, plan)
    }

    /// Stages the cover image (hashed first, so a copy already staged is reused) for the platforms that fetch it.
    func stageCover(
        _ image: CoverImage, stager: any MediaStager, coordinator: StagingCoordinator,
        progress: AsyncStream<PublishEvent>.Continuation?, failures: RecordFailures
    ) async {
        guard await coordinator.waitForDemand() else { return }
        let file: MediaFileHandle
        let sha256: String
        do {
            file = try MediaFileHandle(path: image.path)
            sha256 = try await FileDigest.sha256(of: file)
        } catch {
            await coordinator.finish(.failure(PublishError.wrapping(error, platform: .staging)))
            _ = await coordinator.waitUntilReleased()
            return
        }
        await stageAndRelease(
            stager: stager, file: file, sha256: sha256, contentType: image.format.mimeType, coordinator: coordinator,
            progress: progress, failures: failures, what: "cover")
    }
}
