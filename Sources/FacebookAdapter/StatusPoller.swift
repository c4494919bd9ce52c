import Foundation
import PublishingCore

/// Reads a video's status and polls it with the context's clock until a condition holds or the wait runs out.
struct StatusPoller: Sendable {
    /// What a poll ended with.
    enum Result: Sendable {
        /// The condition holds.
        case satisfied(VideoNode)
        /// The wait ran out first; the last status read.
        case timedOut(VideoNode)
    }

    let client: GraphClient
    let videoID: String
    let context: PublishContext
    let interval: Duration
    let policy: RetryPolicy

    /// One status read (retried when transient).
    func read() async throws -> VideoNode {
        try await context.retrying(policy, target: client.configuration.graphBaseURL.retryTarget) { [client, videoID] _ in
            try await client.get(client.path(videoID), query: [("fields", "status,permalink_url")], as: VideoNode.self,
                                 operationID: "facebook.status")
        }
    }

    /// Reads the status until `condition` holds, a phase fails, or `budget` is spent (the kit's
    /// ``ProcessingPoller`` at a fixed `interval`; the time waited is taken off `budget`). The first read happens at once.
    /// - Throws: ``FacebookFailure/processingFailed(videoID:message:)`` when a phase reports an error.
    func poll(budget: inout Duration, phase: PublishPhase, until condition: (VideoStatus) -> Bool) async throws -> Result {
        var last = VideoNode()
        let poller = ProcessingPoller(interval: interval, clock: context.clock)
        let (outcome, waited) = try await poller.poll(budget: budget) { _ in
            let node = try await read()
            last = node
            let status = node.status ?? VideoStatus()
            if let failure = status.failureMessage { throw FacebookFailure.processingFailed(videoID: videoID, message: failure) }
            if condition(status) { return .done(node) }
            if case .pending(let state) = status.outcome { context.progress.report(phase, message: state) }
            return .pending()
        }
        budget -= waited
        if case .done(let node) = outcome { return .satisfied(node) }
        return .timedOut(last)
    }
}
