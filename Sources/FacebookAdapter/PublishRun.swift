import Foundation
import PublishingCore

/// One publish (or continuation) of one video: the state machine both formats share.
///
/// started → (bytes or the staged URL) → uploaded → finishing → finished → processing watched until done or the
/// wait runs out. The checkpoint is journaled before every step that can be resumed, so a rerun continues where this
/// run stopped, never uploads a byte twice on purpose and never sends the finish call twice.
struct PublishRun: Sendable {
    let configuration: FacebookPublisher.Configuration
    let client: GraphClient
    let job: PublishJob
    let context: PublishContext
    let post: FacebookPost

    /// Runs a step under the retry policy, each retry reported against `host` (the Graph host unless given).
    func retrying<T: Sendable>(_ host: URL? = nil, _ operation: @Sendable (Int) async throws -> T) async throws -> T {
        try await context.retrying(
            configuration.retryPolicy, target: (host ?? configuration.graphBaseURL).retryTarget, operation)
    }

    var size: Int64 { job.media.sizeBytes }

    func poller(_ videoID: String) -> StatusPoller {
        StatusPoller(client: client, videoID: videoID, context: context, interval: configuration.pollInterval,
                     policy: configuration.retryPolicy)
    }

    func save(_ checkpoint: FacebookCheckpoint) async throws {
        try await context.journal.save(checkpoint)
    }

    /// Runs the state machine from `job.checkpoint` (or from the start) to a receipt.
    func run() async throws -> PublishReceipt {
        var budget = context.waitLimit
        var state: FacebookCheckpoint
        if let saved = FacebookCheckpoint.load(from: job), !(saved.stage == .started ? try await isGone(saved.videoID) : false) {
            state = saved
            context.progress.report(.uploading, message: "resuming \(saved.format.noun) \(saved.videoID) (\(saved.stage.rawValue))")
        } else {
            state = try await start()
        }

        if state.stage == .started {
            state = try await upload(state, budget: &budget)
            if state.stage == .started { return receipt(for: state, node: nil, done: false) }
        }
        if state.stage == .uploaded {
            if state.format == .reel {
                // Meta's sample waits for the uploading phase to complete before it publishes.
                guard case .satisfied = try await poller(state.videoID).poll(budget: &budget, phase: .uploading, until: \.isUploaded) else {
                    return receipt(for: state, node: nil, done: false)
                }
            }
            state = try await finish(state)
        }
        if state.stage == .finishing {
            if try await poller(state.videoID).read().status?.hasFinished == true {
                state.stage = .finished
                try await save(state)
            } else {
                state = try await finish(state)
            }
        }
        return try await watch(state, budget: &budget)
    }

    /// Whether an upload saved by an earlier run no longer exists on the Page (Graph code 100, subcode 33):
    /// then the upload starts over instead of failing. Nothing was finished for it, so no post can be doubled.
    private func isGone(_ videoID: String) async throws -> Bool {
        do {
            _ = try await poller(videoID).read()
            return false
        } catch let error as PublishError where error.platformCode == "100/33" || error.httpStatus == 404 {
            context.progress.report(.uploading, message: "the earlier upload \(videoID) is gone; starting over")
            return true
        }
    }

    // MARK: Steps shared by both formats

    private func start() async throws -> FacebookCheckpoint {
        switch (post.format, configuration.uploadMode) {
        case (.reel, _): return try await startReel()
        case (.video, .url): return try await postVideoByURL()
        default: return try await startVideo()
        }
    }

    private func upload(_ state: FacebookCheckpoint, budget: inout Duration) async throws -> FacebookCheckpoint {
        switch (state.format, state.mode) {
        case (.reel, FacebookPublisher.UploadMode.url.description): return try await sendReelURL(state, budget: &budget)
        case (.reel, _): return try await pushReel(state)
        default: return try await pushVideoChunks(state)
        }
    }

    /// Sends the finish call once: journaled as `finishing` first; a retry after an unclear failure first checks
    /// whether the first call took effect.
    private func finish(_ state: FacebookCheckpoint) async throws -> FacebookCheckpoint {
        var state = state
        state.stage = .finishing
        try await save(state)
        context.progress.report(.publishing, message: post.scheduledAt == nil ? "publishing" : "scheduling")
        let current = state
        try await retrying { attempt in
            if attempt > 1, try await poller(current.videoID).read().status?.hasFinished == true { return }
            if current.format == .reel {
                try await finishReel(current)
            } else {
                try await finishVideo(current)
            }
        }
        state.stage = .finished
        try await save(state)
        return state
    }

    /// Polls processing until the video is published (or scheduled) or the wait runs out.
    private func watch(_ state: FacebookCheckpoint, budget: inout Duration) async throws -> PublishReceipt {
        let result = try await poller(state.videoID).poll(budget: &budget, phase: .processing) { status in
            if case .done = status.outcome { return true }
            return false
        }
        switch result {
        case .satisfied(let node):
            await context.releaseStaging()
            return receipt(for: state, node: node, done: true)
        case .timedOut(let node):
            // Facebook may still be fetching a staged URL: keep it unless the upload phase is over.
            if node.status?.isUploaded == true { await context.releaseStaging() }
            return receipt(for: state, node: node, done: false)
        }
    }

    private func receipt(for state: FacebookCheckpoint, node: VideoNode?, done: Bool) -> PublishReceipt {
        var notes = [state.format.noun]
        if let at = post.scheduledAt { notes.append("scheduled for \(at.formatted(.iso8601))") }
        if !done { notes.append("still processing; `atom status` continues it") }
        return PublishReceipt(
            status: done ? .published : .processing, postID: state.videoID, url: permalink(state, node: node),
            checkpoint: done ? nil : try? JSONValue.encoding(state), note: notes.joined(separator: ", ")
        )
    }

    /// Reels: `https://www.facebook.com/reel/{id}`. Page videos: the `permalink_url` field (Graph gives a path),
    /// else `https://www.facebook.com/{page}/videos/{id}`.
    private func permalink(_ state: FacebookCheckpoint, node: VideoNode?) -> String {
        let site = "https://www.facebook.com"
        if state.format == .reel { return "\(site)/reel/\(state.videoID)" }
        if let link = node?.permalinkURL, !link.isEmpty {
            return link.hasPrefix("http") ? link : site + (link.hasPrefix("/") ? link : "/" + link)
        }
        return "\(site)/\(configuration.pageID)/videos/\(state.videoID)"
    }

    /// The `scheduled_publish_time` value (Unix seconds).
    var scheduledPublishTime: String? {
        post.scheduledAt.map { String(Int64($0.timeIntervalSince1970.rounded(.down))) }
    }
}
