import Foundation
import PublishingCore

/// What the Instagram adapter journals so that a crash, Ctrl-C or a `processing` result continues
/// where it stopped (`atom post` again or `atom status`) instead of creating a second container.
struct InstagramCheckpoint: Codable, Sendable, Equatable {
    /// The Reels container (`creation_id`).
    var containerID: String
    /// `url` or `resumable`: how the container gets its video.
    var mode: String
    /// The rupload URI (resumable mode).
    var uploadURI: String?
    /// Whether the bytes reached rupload (always true in URL mode).
    var uploaded: Bool
    /// When the container was created (containers expire after 24 hours).
    var createdAt: Date
    /// Set just before `media_publish`: an ambiguous failure after it is settled by the container's status.
    var publishRequested: Bool = false
    /// The published media id.
    var mediaID: String?
    /// The post's public URL.
    var permalink: String?
    /// The cover sent with the container (or why none could be), reported when the Reel is published.
    var cover: CoverOutcome?
}
