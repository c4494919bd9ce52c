import Foundation
import Logging
import PublishingCore

extension InstagramPublisher {
    /// How many times `media_publish` is tried for one container (after rate limits or lost answers).
    static let maxPublishAttempts = 5

    public func publish(_ job: PublishJob, context: PublishContext) async throws -> PublishReceipt {
        do {
            if let problem = configuration.loginProblem { throw problem }
            return try await run(job, context: context)
        } catch {
            let mapped = PublishError.wrapping(error, platform: .instagram)
            if !mapped.isRetryable { await context.releaseStaging() }
            throw mapped
        }
    }

    /// The state machine: container → (upload) → poll → publish → permalink, resuming from the checkpoint.
    private func run(_ job: PublishJob, context: PublishContext) async throws -> PublishReceipt {
        var checkpoint = Self.checkpoint(of: job)
        if let saved = checkpoint, saved.mode != configuration.uploadMode.rawValue, saved.mediaID == nil,
            !saved.publishRequested
        {
            logger.debug("instagram: upload mode changed since the last attempt; starting a new container")
            checkpoint = nil
        }
        if var saved = checkpoint, let mediaID = saved.mediaID {
            await context.releaseStaging()
            var receipt = try await finish(mediaID: mediaID, checkpoint: &saved, context: context)
            receipt.cover = saved.cover
            return receipt
        }
        let resuming = checkpoint != nil
        var state: InstagramCheckpoint
        if let checkpoint {
            state = checkpoint
            context.progress.report(.processing, message: "continuing with container \(state.containerID)")
        } else {
            state = try await createContainer(job, context: context)
        }
        if !state.uploaded {
            try await upload(
                try job.requireFile(platform: .instagram), checkpoint: &state, resuming: resuming, context: context)
        }
        var receipt = try await waitAndPublish(&state, context: context)
        receipt.cover = state.cover
        return receipt
    }

    /// `POST /{ig-user-id}/media` with `media_type=REELS` and the video source, then journals the container.
    private func createContainer(_ job: PublishJob, context: PublishContext) async throws -> InstagramCheckpoint {
        let resolution = InstagramPostOptions.resolve(job.draft, media: job.media, login: configuration.login)
        if let problem = resolution.issues.first {
            throw PublishError(
                .invalidInput, platform: .instagram, message: problem.description,
                remediation: "fix the post and run it again")
        }
        var fields = resolution.options.containerFields
        let cover = await coverFields(job, options: resolution.options, context: context)
        fields += cover.fields
        switch configuration.uploadMode {
        case .url:
            let url = try await context.stagedURL()
            fields.append(("video_url", url.absoluteString))
        case .resumable:
            fields.append(("upload_type", "resumable"))
        }
        context.progress.report(.uploading, message: "creating the Reels container")
        let form = fields
        let container: ContainerResponse = try await context.retrying(target: configuration.baseURL.retryTarget) { _ in
            try await graph.post(
                [configuration.userID, "media"], form: form, operationID: "instagram.container.create")
        }
        let checkpoint = InstagramCheckpoint(
            containerID: container.id, mode: configuration.uploadMode.rawValue, uploadURI: container.uri,
            uploaded: configuration.uploadMode == .url, createdAt: context.now(), cover: cover.outcome
        )
        try await context.journal.save(checkpoint)
        logger.debug("instagram: container created", metadata: ["container": "\(container.id)"])
        return checkpoint
    }

    /// Polls the container with the kit's ``ProcessingPoller`` (backoff doubling to the cap) until it can be published
    /// (then publishes), fails, or the wait runs out (then a `processing` receipt carries the checkpoint).
    private func waitAndPublish(_ state: inout InstagramCheckpoint, context: PublishContext) async throws
        -> PublishReceipt
    {
        var publishAttempts = 0
        var polls = 0
        let poller = ProcessingPoller(
            interval: configuration.initialPollInterval, maxInterval: configuration.maxPollInterval, growth: 2,
            lastPause: .skipped, clock: context.clock)
        let (outcome, _) = try await poller.poll(budget: context.waitLimit) { _ in
            let status = try await containerStatus(state.containerID, context: context)
            polls += 1
            switch status.statusCode ?? "IN_PROGRESS" {
            case "FINISHED":
                await context.releaseStaging()
                publishAttempts += 1
                switch try await publishContainer(&state, attempt: publishAttempts, context: context) {
                case .published(let receipt): return .done(receipt)
                case .tryAgain(let after): return .pending(retryAfter: after)
                }
            case "PUBLISHED":
                await context.releaseStaging()
                return .done(try await alreadyPublished(&state, context: context))
            case "ERROR":
                await context.releaseStaging()
                throw PublishError(
                    .processingFailed, platform: .instagram, operationID: "instagram.container.status",
                    platformCode: "ERROR",
                    message: "Instagram could not process the video: \(status.status ?? "no detail given")",
                    remediation: "check the video against Instagram's Reels specification, then post again")
            case "EXPIRED":
                await context.releaseStaging()
                throw PublishError(
                    .notFound, platform: .instagram, operationID: "instagram.container.status", platformCode: "EXPIRED",
                    message:
                        "the Reels container \(state.containerID) expired before it was published (containers live 24 hours)",
                    remediation: "run `atom post` again to start over")
            case "IN_PROGRESS":
                context.progress.report(.processing, message: "Instagram is processing the Reel (check \(polls))")
                return .pending()
            case let other:
                throw InstagramProtocolError.unknownStatus(other).publishError()
            }
        }
        if case .done(let receipt) = outcome { return receipt }
        context.progress.report(.processing, message: "still processing after \(polls) checks; `atom status` continues")
        return PublishReceipt(
            status: .processing, postID: nil, url: nil, checkpoint: try JSONValue.encoding(state),
            note:
                "Instagram is still processing the Reel (container \(state.containerID)); `atom status` publishes it when ready"
        )
    }

    private enum PublishStep {
        case published(PublishReceipt)
        case tryAgain(after: Duration?)
    }

    /// `POST /{ig-user-id}/media_publish` for a `FINISHED` container. Journals the intent first; any
    /// failure that may have published anyway is settled by the next status check, never by a blind resend.
    private func publishContainer(_ state: inout InstagramCheckpoint, attempt: Int, context: PublishContext)
        async throws -> PublishStep
    {
        context.progress.report(.publishing)
        state.publishRequested = true
        try await context.journal.save(state)
        do {
            let answer: IDResponse = try await graph.post(
                [configuration.userID, "media_publish"], form: [("creation_id", state.containerID)],
                operationID: "instagram.publish")
            state.mediaID = answer.id
            try await context.journal.save(state)
            return .published(try await finish(mediaID: answer.id, checkpoint: &state, context: context))
        } catch {
            let mapped = PublishError.wrapping(error, platform: .instagram, operationID: "instagram.publish")
            guard mapped.isRetryable, attempt < Self.maxPublishAttempts else { throw mapped }
            logger.debug(
                "instagram: media_publish did not confirm; checking the container again",
                metadata: ["error": "\(mapped)"])
            context.progress.report(
                .retrying, message: "publish not confirmed (\(mapped.redactedMessage)); checking the container")
            return .tryAgain(after: mapped.retryAfter)
        }
    }

    /// The container says `PUBLISHED` but atom has no media id: the answer to `media_publish` was lost.
    private func alreadyPublished(_ state: inout InstagramCheckpoint, context: PublishContext) async throws
        -> PublishReceipt
    {
        if let mediaID = state.mediaID {
            return try await finish(mediaID: mediaID, checkpoint: &state, context: context)
        }
        return PublishReceipt(
            status: .published, postID: nil, url: nil,
            note:
                "Instagram published the Reel (container \(state.containerID)) but its answer with the media id was lost; see the profile"
        )
    }

    /// Records the media id and reads the permalink (a failure there does not undo the post).
    func finish(mediaID: String, checkpoint: inout InstagramCheckpoint, context: PublishContext) async throws
        -> PublishReceipt
    {
        if let permalink = checkpoint.permalink {
            return PublishReceipt(status: .published, postID: mediaID, url: permalink)
        }
        let answer: PermalinkResponse
        do {
            answer = try await context.retrying(target: configuration.baseURL.retryTarget) { _ in
                try await graph.get([mediaID], query: [("fields", "permalink")], operationID: "instagram.permalink")
            }
        } catch {
            logger.debug(
                "instagram: permalink unavailable",
                metadata: ["error": "\(PublishError.wrapping(error, platform: .instagram))"])
            return PublishReceipt(
                status: .published, postID: mediaID, url: nil,
                note: "published; Instagram did not give the permalink yet")
        }
        checkpoint.permalink = answer.permalink
        // A record that cannot be written is reported, not skipped (the post is live either way).
        if answer.permalink != nil { try await context.journal.save(checkpoint) }
        return PublishReceipt(status: .published, postID: mediaID, url: answer.permalink)
    }

    /// `GET /{container-id}?fields=status_code,status`, retried on transient failures.
    private func containerStatus(_ containerID: String, context: PublishContext) async throws -> ContainerStatus {
        try await context.retrying(target: configuration.baseURL.retryTarget) { _ in
            try await graph.get(
                [containerID], query: [("fields", "status_code,status")], operationID: "instagram.container.status")
        }
    }
}
