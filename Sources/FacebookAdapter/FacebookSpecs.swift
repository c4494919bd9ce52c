import Foundation
import PublishingCore

/// Which Facebook product a video is published as.
enum FacebookFormat: String, Codable, Sendable {
    /// A Page Reel (`/{page-id}/video_reels` + rupload).
    case reel
    /// A Page video (`/{page-id}/videos`, resumable chunked upload).
    case video

    var noun: String { self == .reel ? "Reel" : "Page video" }
}

/// Facebook's documented limits, as data.
enum FacebookSpecs {
    /// Page videos through the resumable upload: "up to 10GB and 4 hours long", aspect 9x16 … 16x9
    /// (developers.facebook.com/docs/graph-api/video-uploads).
    static let pageVideo = MediaLimits(
        maxFileSize: 10 * 1024 * 1024 * 1024, maxDuration: 4 * 3600,
        minAspectRatio: 9.0 / 16.0, maxAspectRatio: 16.0 / 9.0
    )

    /// Page videos by `file_url` (the non-resumable path): "up to 1GB and 20 minutes long" (same page).
    static let pageVideoByURL = MediaLimits(maxFileSize: 1024 * 1024 * 1024, maxDuration: 20 * 60)

    /// Reels (developers.facebook.com/docs/video-api/guides/reels-publishing): 9x16, ≥ 540x960, 24–60 fps, 3–90 s.
    /// The guide gives no file-size limit.
    static let reel = MediaLimits(
        minDuration: 3, maxDuration: 90, minWidth: 540, minHeight: 960,
        minAspectRatio: 9.0 / 16.0 - reelAspectTolerance, maxAspectRatio: 9.0 / 16.0 + reelAspectTolerance,
        minFrameRate: 24, maxFrameRate: 60
    )

    /// How far from exactly 9:16 a video may be and still count as a Reel (1080×1920 is 0.5625; ±0.01 admits
    /// encoder rounding such as 1088×1920 but not 9:19.5 phone screens).
    static let reelAspectTolerance = 0.01

    /// Texts. Facebook documents no limit for a video's description or title; these are the Page post limit
    /// (63,206 characters) and the title length third parties report (255).
    static let textLimits: [TextField: TextLimit] = [
        .description: TextLimit(maxLength: 63_206),
        .title: TextLimit(maxLength: 255),
    ]

    /// The earliest a post may be scheduled: Meta's Page scheduling documents 10 minutes.
    static let minimumScheduleLead: TimeInterval = 10 * 60
    /// The latest a Page video may be scheduled: 75 days, the Page post window in the Graph API reference.
    static let maximumVideoScheduleLead: TimeInterval = 75 * 24 * 3600
    /// The latest a Reel may be scheduled: 30 days (not in Meta's Reels guide; reported by integrations).
    static let maximumReelScheduleLead: TimeInterval = 30 * 24 * 3600

    /// The Reels API allows 30 API-published Reels per Page in a moving 24-hour window.
    static let reelsPerDay = 30

    /// Why `media` cannot be a Reel; empty when it can.
    static func reasonsNotAReel(_ media: MediaInfo) -> [String] {
        Validation.check(media, against: reel, platform: .facebook).map(\.message)
    }

    /// The latest schedule lead for a format.
    static func maximumScheduleLead(for format: FacebookFormat) -> TimeInterval {
        format == .reel ? maximumReelScheduleLead : maximumVideoScheduleLead
    }
}
