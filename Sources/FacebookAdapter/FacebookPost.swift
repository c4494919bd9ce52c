import Foundation
import PublishingCore

/// What will be posted to Facebook: the draft after the `platforms.facebook` options, resolved offline.
struct FacebookPost: Sendable, Equatable {
    /// Whether the manifest asked for a Reel (`reel: auto|true|false`).
    enum ReelChoice: String, Sendable {
        case auto, yes = "true", no = "false"
    }

    /// Reel or Page video.
    var format: FacebookFormat
    /// The description (the manifest's `description`, else the caption).
    var description: String?
    /// The title: `platforms.facebook.title`, else (Page videos only) the draft's.
    var title: String?
    /// When to publish, if scheduled.
    var scheduledAt: Date?
    /// Lines for `--dry-run`.
    var notes: [String] = []
    /// Everything wrong with the draft for Facebook.
    var problems: [ValidationIssue] = []

    /// The manifest keys Facebook takes (CONTRACT.md).
    static let optionKeys = ["description", "reel", "title"]

    /// Resolves `draft` for `media`.
    /// - Parameters:
    ///   - mode: The upload mode (Page videos by URL have lower limits).
    ///   - now: The wall clock, for the scheduling window.
    static func resolve(_ draft: PostDraft, media: MediaInfo, mode: FacebookPublisher.UploadMode, now: Date) -> FacebookPost {
        var notes: [String] = []
        let options = ManifestOptions(draft.options, platform: .facebook, known: optionKeys)
        var problems: [ValidationIssue] { options.problems }
        func problem(_ field: String, _ message: String) {
            options.append(ValidationIssue(platform: .facebook, field: field, message: message))
        }
        let text = options.string
        let explicitDescription = text("description")
        let description = explicitDescription ?? draft.caption
        let explicitTitle = text("title")
        if explicitDescription == nil, draft.caption != nil { notes.append("description: the caption") }

        var choice = ReelChoice.auto
        switch draft.options["reel"] {
        case nil, .null?: break
        case .bool(let value)?: choice = value ? .yes : .no
        case .string(let value)?:
            if let parsed = ReelChoice(rawValue: value.lowercased()) {
                choice = parsed
            } else {
                problem("platforms.facebook.reel", "must be auto, true or false (got \(value))")
            }
        default: problem("platforms.facebook.reel", "must be auto, true or false")
        }

        let reasons = FacebookSpecs.reasonsNotAReel(media)
        let format: FacebookFormat
        switch choice {
        case .yes:
            format = .reel
            for reason in reasons { problem("platforms.facebook.reel", "a Reel needs it: \(reason)") }
            notes.append("posting as a Reel (reel: true)")
        case .no:
            format = .video
            notes.append("posting as a Page video (reel: false)")
        case .auto:
            format = reasons.isEmpty ? .reel : .video
            notes.append(reasons.isEmpty
                ? "posting as a Reel (vertical 9:16, \(formatSeconds(media.duration)))"
                : "posting as a Page video, not a Reel: " + reasons.joined(separator: "; "))
        }

        // Page videos take the generic title; a Reel takes one only from platforms.facebook.title, since the Reels
        // guide documents only a description (a title meant for YouTube should not turn up on a Reel).
        let title = format == .video ? explicitTitle ?? draft.title : explicitTitle
        if format == .reel, explicitTitle == nil, draft.title != nil {
            notes.append("the title is not sent with a Reel (set platforms.facebook.title to send one)")
        }

        if format == .video, mode == .url {
            for issue in Validation.check(media, against: FacebookSpecs.pageVideoByURL, platform: .facebook) {
                problem(issue.field, issue.message + " (Page videos by URL; FACEBOOK_UPLOAD_MODE=push allows 10 GB and 4 hours)")
            }
        }

        if let privacy = draft.privacy, privacy != .public {
            problem("privacy", "Facebook Page posts are public; \(privacy.rawValue) has no Facebook equivalent")
        }
        if !draft.tags.isEmpty { notes.append("tags are not sent to Facebook (put hashtags in the description)") }

        if let at = draft.scheduledAt {
            let lead = at.timeIntervalSince(now)
            let latest = FacebookSpecs.maximumScheduleLead(for: format)
            if lead < FacebookSpecs.minimumScheduleLead {
                problem("at", "Facebook schedules at least 10 minutes ahead; \(at.formatted(.iso8601)) is too soon")
            } else if lead > latest {
                problem("at", "a \(format.noun) can be scheduled at most \(Int(latest / 86_400)) days ahead; "
                        + "\(at.formatted(.iso8601)) is too far" + (format == .reel ? " (set platforms.facebook.reel: false to post a Page video)" : ""))
            } else {
                notes.append("scheduled for \(at.formatted(.iso8601))")
            }
        }

        return FacebookPost(format: format, description: description, title: title, scheduledAt: draft.scheduledAt,
                            notes: notes, problems: problems)
    }

    /// The texts the core checks against ``FacebookSpecs/textLimits``.
    var texts: [TextField: String] {
        var texts: [TextField: String] = [:]
        if let description { texts[.description] = description }
        if let title { texts[.title] = title }
        return texts
    }

    private static func formatSeconds(_ seconds: Double) -> String {
        seconds.rounded() == seconds ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }
}
