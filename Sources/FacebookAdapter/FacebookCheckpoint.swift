import Foundation
import PublishingCore

/// The adapter's resume state, journaled before each step it can resume from.
struct FacebookCheckpoint: Codable, Sendable, Equatable {
    /// How far the post got.
    enum Stage: String, Codable, Sendable {
        /// The upload session exists; bytes may be partly sent (the server knows how many).
        case started
        /// Every byte is with Facebook (or it fetched the staged URL); the finish call is next.
        case uploaded
        /// The finish call was sent but its outcome is unknown; check the video's status before sending it again.
        case finishing
        /// Finished (published or scheduled): only processing is left to watch.
        case finished
    }

    var format: FacebookFormat
    /// `push` or `url`.
    var mode: String
    var stage: Stage
    /// The video id (Reels and Page videos alike).
    var videoID: String
    /// The chunked upload session (Page videos pushed in chunks).
    var uploadSessionID: String?
    /// The next chunk the server asked for (Page videos pushed in chunks).
    var startOffset: Int64?
    var endOffset: Int64?
    /// The file's size and SHA-256, so a resume never continues with another file.
    var fileSize: Int64
    var sha256: String
    /// Whether the staged URL was handed over (URL mode), so a resume waits for the fetch instead of resending it.
    var fileURLSent: Bool?

    /// The checkpoint in `job`, if it is one of ours for the same file.
    static func load(from job: PublishJob) -> FacebookCheckpoint? {
        guard let value = job.checkpoint, let checkpoint = try? value.decode(FacebookCheckpoint.self) else { return nil }
        guard checkpoint.sha256 == job.sha256, checkpoint.fileSize == job.media.sizeBytes else { return nil }
        return checkpoint
    }
}
