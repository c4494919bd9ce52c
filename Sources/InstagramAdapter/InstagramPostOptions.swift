import Foundation
import PublishingCore

/// The Reels container's settings, resolved from a draft and its `platforms.instagram` manifest section.
///
/// Manifest keys: `caption`, `share_to_feed`, `thumb_offset_ms`, `collaborators`, `location_id`, `cover_url`.
/// Any other key, or a value of the wrong type, is a ``ValidationIssue`` on `platforms.instagram.<key>`.
struct InstagramPostOptions: Sendable, Equatable {
    /// The caption sent (Instagram counts characters, 30 hashtags, 20 mentions).
    var caption: String
    /// Ask for the Reel in the Feed as well as the Reels tab (Meta treats it as a hint).
    var shareToFeed: Bool
    /// The cover frame, in milliseconds into the video.
    var thumbOffsetMs: Int?
    /// Up to three usernames invited as collaborators.
    var collaborators: [String]
    /// A location (Facebook Page id); Facebook Login only.
    var locationID: String?
    /// A JPEG cover image URL; wins over ``thumbOffsetMs``.
    var coverURL: String?

    /// The manifest keys, in documentation order.
    static let keys = ["caption", "share_to_feed", "thumb_offset_ms", "collaborators", "location_id", "cover_url"]
    /// Meta's documented collaborator limit (another page says 5; 3 is the stricter reading).
    static let maxCollaborators = 3

    /// The resolution of a draft: the options, dry-run notes and problems.
    struct Resolution: Sendable {
        var options: InstagramPostOptions
        var notes: [String]
        var issues: [ValidationIssue]
    }

    /// Resolves `draft` for `login`. Offline; `media` (when known) checks the cover offset against the duration.
    static func resolve(_ draft: PostDraft, media: MediaInfo?, login: InstagramConfiguration.Login) -> Resolution {
        var notes: [String] = []
        let reader = ManifestOptions(draft.options, platform: .instagram, known: keys)
        var issues: [ValidationIssue] { reader.problems }
        let issue = reader.problem
        let options = draft.options

        var caption = reader.string("caption") ?? draft.caption ?? ""
        let added = draft.tags.map { $0.hasPrefix("#") ? String($0.dropFirst()) : $0 }.filter { tag in
            !tag.isEmpty
                && !Validation.hashtags(in: caption).contains { $0.caseInsensitiveCompare(tag) == .orderedSame }
        }
        if !added.isEmpty {
            caption +=
                (caption.isEmpty ? "" : (caption.hasSuffix("\n") ? "" : " "))
                + added.map { "#\($0)" }.joined(separator: " ")
            notes.append("tags appended to the caption as hashtags: \(added.map { "#\($0)" }.joined(separator: " "))")
        }

        let shareToFeed = reader.bool("share_to_feed") ?? true

        var thumbOffset: Int?
        if let value = options["thumb_offset_ms"] {
            if let number = value.numberValue, number >= 0, number.rounded() == number, number < 1e9 {
                thumbOffset = Int(number)
                if let media, media.duration > 0, Double(Int(number)) > media.duration * 1000 {
                    issue(
                        "thumb_offset_ms",
                        "\(Int(number)) ms is past the end of the \(Int((media.duration * 1000).rounded())) ms video")
                }
            } else {
                issue("thumb_offset_ms", "must be a whole number of milliseconds, 0 or more")
            }
        }

        var collaborators: [String] = []
        if let value = options["collaborators"] {
            let items: [JSONValue]
            switch value {
            case .array(let values): items = values
            case .string: items = [value]
            default: items = []; issue("collaborators", "must be a list of Instagram usernames")
            }
            for item in items {
                guard let raw = item.stringValue else {
                    issue("collaborators", "must be a list of Instagram usernames"); break
                }
                let name = raw.hasPrefix("@") ? String(raw.dropFirst()) : raw
                guard isUsername(name) else {
                    issue("collaborators", "'\(raw)' is not an Instagram username"); continue
                }
                collaborators.append(name)
            }
            if collaborators.count > maxCollaborators {
                issue(
                    "collaborators",
                    "\(collaborators.count) collaborators is over Instagram's limit of \(maxCollaborators)")
            }
        }

        var locationID: String?
        if let value = options["location_id"] {
            switch value {
            case .string(let text) where !text.isEmpty && text.allSatisfy({ $0.isASCII && $0.isNumber }):
                locationID = text
            case .number(let number) where number >= 0 && number.rounded() == number && number < 9e15:
                locationID = String(Int64(number))
            default: issue("location_id", "must be a numeric location (Facebook Page) id")
            }
            if locationID != nil, login == .instagram {
                issue(
                    "location_id",
                    "locations are not available with Instagram Login (they need INSTAGRAM_LOGIN=facebook)")
            }
        }

        var coverURL: String?
        if let value = options["cover_url"] {
            if let text = value.stringValue, let url = URL(string: text),
                ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                url.host != nil, text.allSatisfy(\.isASCII)
            {
                coverURL = text
                if thumbOffset != nil {
                    notes.append("cover_url is used and thumb_offset_ms is ignored (Instagram prefers cover_url)")
                }
            } else {
                issue("cover_url", "must be a public http(s) URL of a JPEG image, US-ASCII only")
            }
        }

        switch draft.privacy {
        case nil, .public?: break
        case let privacy?:
            reader.append(
                ValidationIssue(
                    platform: .instagram, field: "privacy",
                    message:
                        "Instagram has no '\(privacy.rawValue)' level for Reels: a Reel reaches whoever can see the account (use privacy: public, or leave Instagram out)"
                ))
        }
        if let media {
            if !media.moovAtStart {
                reader.append(
                    ValidationIssue(
                        platform: .instagram, field: "moov",
                        message:
                            "the moov atom is after the media data; Instagram needs it at the front (re-mux with `ffmpeg -i in.mp4 -c copy -movflags +faststart out.mp4`)"
                    ))
            }
            if media.hasEditList {
                notes.append(
                    "the file has an edit list; Instagram's spec asks for none, so if processing fails re-encode without one"
                )
            }
        }
        let resolved = InstagramPostOptions(
            caption: caption, shareToFeed: shareToFeed, thumbOffsetMs: thumbOffset,
            collaborators: collaborators, locationID: locationID, coverURL: coverURL)
        return Resolution(options: resolved, notes: notes, issues: issues)
    }

    /// Instagram usernames: 1–30 of letters, digits, `.` and `_`.
    static func isUsername(_ name: String) -> Bool {
        (1...30).contains(name.count)
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_") }
    }

    /// The container-creation fields other than the media source.
    var containerFields: [(String, String)] {
        var fields: [(String, String)] = [("media_type", "REELS")]
        if !caption.isEmpty { fields.append(("caption", caption)) }
        fields.append(("share_to_feed", shareToFeed ? "true" : "false"))
        if let coverURL { fields.append(("cover_url", coverURL)) }
        if let thumbOffsetMs { fields.append(("thumb_offset", String(thumbOffsetMs))) }
        if !collaborators.isEmpty {
            let list = (try? JSONEncoder().encode(collaborators)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
            fields.append(("collaborators", list))
        }
        if let locationID { fields.append(("location_id", locationID)) }
        return fields
    }
}
