import Foundation
import PublishingCore

/// The TikTok adapter's resume state, journaled before each step it can resume from.
struct TikTokCheckpoint: Codable, Sendable, Equatable {
    /// How far the post got.
    enum Stage: String, Codable, Sendable {
        /// `FILE_UPLOAD` initialised; chunks before ``nextChunk`` are on TikTok.
        case uploading
        /// TikTok has the video (or is pulling it); only `status/fetch` remains.
        case processing
        /// The earlier attempt ended for good; start a new post.
        case restart
    }

    var stage: Stage
    /// TikTok's `publish_id`.
    var publishID: String
    /// Whether this is an inbox draft (terminal `SEND_TO_USER_INBOX`).
    var inbox: Bool
    /// Whether TikTok pulls the staged URL.
    var pull: Bool
    /// The `upload_url` (push only) and when it was issued (it lives an hour).
    var uploadURL: String?
    var uploadURLIssuedAt: Date?
    /// The chunk plan sent with init (push only).
    var plan: TikTokChunkPlan?
    /// The first chunk TikTok does not have yet.
    var nextChunk: Int
    /// The creator's handle, for the post URL.
    var creatorUsername: String?
    /// Whether the staged copy was already released (pull only).
    var stagingReleased: Bool
    /// Whether the post was made public (only public posts get a public post id).
    var publicPost: Bool

    /// A checkpoint that makes the next attempt start over.
    static func restart(after publishID: String) -> TikTokCheckpoint {
        TikTokCheckpoint(
            stage: .restart, publishID: publishID, inbox: false, pull: false, nextChunk: 0, stagingReleased: true,
            publicPost: false)
    }

    /// Decodes a job's checkpoint, or `nil` when there is none or it is not this adapter's.
    static func decode(_ value: JSONValue?) -> TikTokCheckpoint? {
        guard let value, let checkpoint = try? value.decode(TikTokCheckpoint.self), checkpoint.stage != .restart else {
            return nil
        }
        return checkpoint
    }
}
