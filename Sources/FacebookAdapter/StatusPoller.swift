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
        try await context.retrier(policy).run { [client, videoID] _ in
            try await client.get(client.path(videoID), query: [("fields", "status,permalink_url")], as: VideoNode.self,
                                 operationID: "facebook.status")
        }
    }

    /// Reads the status until `condition` holds, a phase fails, or `budget` is spent (each wait between reads
    /// costs `interval`). The first read happens at once.
    /// - Throws: ``FacebookFailure/processingFailed(videoID:message:)`` when a phase reports an error.
    func poll(budget: inout Duration, phase: PublishPhase, until condition: (VideoStatus) -> Bool) async throws -> Result {
        while true {
            let node = try await read()
            let status = node.status ?? VideoStatus()
            if let failure = status.failureMessage { throw FacebookFailure.processingFailed(videoID: videoID, message: failure) }
            if condition(status) { return .satisfied(node) }
            if case .pending(let state) = status.outcome { context.progress.report(phase, message: state) }
            guard budget >= interval, interval > .zero else { return .timedOut(node) }
            try await context.clock.sleep(for: interval)
            budget -= interval
        }
    }
}
