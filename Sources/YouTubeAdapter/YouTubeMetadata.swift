import Foundation
import PublishingCore

/// The video resource's metadata as atom will send it, resolved from the draft and the manifest's `youtube` section.
struct YouTubeMetadata: Sendable, Equatable {
    /// The manifest keys of the `youtube` section (CONTRACT.md).
    static let optionKeys: Set<String> = [
        "title", "description", "tags", "category_id", "privacy", "made_for_kids", "synthetic_media",
    ]
    /// YouTube's own privacy levels.
    static let privacyLevels = ["public", "private", "unlisted"]
    /// "People & Blogs", YouTube's usual default category.
    static let defaultCategoryID = "22"
    static let titleLimit = 100
    static let descriptionLimit = 5000

    var title: String
    /// Whether the title was taken from the caption (and may have been shortened).
    var titleIsDerived: Bool
    var description: String
    var tags: [String]
    var categoryID: String
    /// The `status.privacyStatus` sent (`private` when scheduled).
    var privacyStatus: String
    /// The privacy the user expects the video to end with (`public` when scheduled).
    var intendedPrivacy: String
    var publishAt: Date?
    var madeForKids: Bool
    var syntheticMedia: Bool?

    /// A resolution with the notes for `--dry-run` and the problems found.
    struct Resolution: Sendable {
        var metadata: YouTubeMetadata
        var notes: [String]
        var problems: [ValidationIssue]
    }

    /// Resolves what to send. Never truncates an explicit value; only a title derived from the caption is shortened.
    static func resolve(_ draft: PostDraft, now: Date) -> Resolution {
        var notes: [String] = []
        let platform = PlatformID.youtube
        let reader = ManifestOptions(draft.options, platform: platform, known: optionKeys)
        var problems: [ValidationIssue] { reader.problems }
        func problem(_ field: String, _ message: String) {
            reader.append(ValidationIssue(platform: platform, field: field, message: message))
        }
        let optionField = reader.field
        let options = draft.options
        let string = reader.string
        let bool = reader.bool

        // Title: explicit (manifest, then --title) or derived from the caption's first line.
        var title = ""
        var derived = false
        if let explicit = string("title") ?? draft.title {
            title = explicit
        } else if let line = draft.caption?.split(whereSeparator: \.isNewline).lazy
            .map({ $0.trimmingCharacters(in: .whitespaces) }).first(where: { !$0.isEmpty })
        {
            derived = true
            let cleaned = line.filter { $0 != "<" && $0 != ">" }
            title = Validation.shorten(cleaned, toFit: titleLimit, unit: .characters)
            if title != cleaned {
                notes.append(
                    "title derived from the caption's first line, shortened at a word boundary to \(titleLimit) characters: \"\(title)\""
                )
            } else {
                notes.append("title derived from the caption's first line: \"\(title)\"")
            }
            if cleaned.count != line.count {
                notes.append("'<' and '>' left out of the derived title (YouTube refuses them)")
            }
        }

        let description = string("description") ?? draft.caption ?? ""

        var tags = draft.tags
        if let value = options["tags"] {
            if case .array(let items) = value, items.allSatisfy({ $0.stringValue != nil }) {
                tags = items.compactMap(\.stringValue)
            } else {
                problem(optionField("tags"), "must be a list of strings")
            }
        }
        // A tag is a keyword, not a hashtag: "#sunrise" becomes "sunrise".
        tags = tags.map { String($0.trimmingCharacters(in: .whitespaces).drop { $0 == "#" }) }.filter { !$0.isEmpty }

        var categoryID = defaultCategoryID
        if let value = options["category_id"] {
            switch value {
            case .string(let text) where !text.isEmpty && text.allSatisfy(\.isASCIIDigit): categoryID = text
            case .number(let number) where number >= 0 && number.rounded() == number && number < 1e9:
                categoryID = String(Int(number))
            default: problem(optionField("category_id"), "must be a numeric category id such as \"22\"")
            }
        }

        // Privacy: the manifest's YouTube level, else the generic one mapped, else YouTube's default (public).
        var privacy: String?
        if let text = string("privacy") {
            if privacyLevels.contains(text.lowercased()) {
                privacy = text.lowercased()
            } else {
                problem(
                    optionField("privacy"),
                    "'\(text)' is not a YouTube privacy level (\(privacyLevels.joined(separator: ", ")))")
            }
        } else if let generic = draft.privacy {
            switch generic {
            case .public: privacy = "public"
            case .private: privacy = "private"
            case .unlisted: privacy = "unlisted"
            case .friends, .followers:
                problem(
                    "privacy", "YouTube has no '\(generic.rawValue)' level; use public, unlisted or private for youtube"
                )
            }
        }

        var privacyStatus = privacy ?? "public"
        let intended = privacyStatus
        var publishAt: Date?
        if let at = draft.scheduledAt {
            if at <= now {
                problem("at", "the schedule time \(Self.iso8601(at)) is not in the future")
            }
            if let privacy, privacy != "public" {
                problem(
                    "at",
                    "a scheduled YouTube video stays private until \(Self.iso8601(at)) and then becomes public; "
                        + "privacy '\(privacy)' cannot be scheduled (set privacy to public or remove it for youtube)")
            }
            publishAt = at
            privacyStatus = "private"
            notes.append("scheduled: private until \(Self.iso8601(at)), then public (status.publishAt)")
        } else if privacy == nil {
            notes.append("privacy: public (YouTube's default; set privacy to change it)")
        }

        let madeForKids = bool("made_for_kids") ?? false
        if options["made_for_kids"] == nil {
            notes.append("made for kids: no (declare made_for_kids: true in the manifest if it is)")
        }
        let synthetic = bool("synthetic_media")
        if !tags.isEmpty {
            notes.append(
                "tags: \(tags.count), \(YouTubeTags.countedLength(tags)) of \(YouTubeTags.maxLength) characters as YouTube counts them"
            )
        }

        let metadata = YouTubeMetadata(
            title: title, titleIsDerived: derived, description: description, tags: tags, categoryID: categoryID,
            privacyStatus: privacyStatus, intendedPrivacy: intended, publishAt: publishAt, madeForKids: madeForKids,
            syntheticMedia: synthetic
        )
        return Resolution(metadata: metadata, notes: notes, problems: problems)
    }

    /// The texts the core checks against ``YouTubePublisher/textLimits``.
    var texts: [TextField: String] {
        [.title: title, .description: description, .tags: YouTubeTags.countedText(tags)]
    }

    /// The `video` resource body of the session-start request.
    var insertBody: VideoInsertBody {
        VideoInsertBody(
            snippet: .init(
                title: title, description: description, tags: tags.isEmpty ? nil : tags, categoryId: categoryID),
            status: .init(
                privacyStatus: privacyStatus, publishAt: publishAt.map(Self.iso8601),
                selfDeclaredMadeForKids: madeForKids,
                containsSyntheticMedia: syntheticMedia)
        )
    }

    static func iso8601(_ date: Date) -> String { date.formatted(.iso8601) }
}

/// How YouTube counts `snippet.tags` against its 500-character limit [YT-VID]: the tags as a comma-separated list,
/// commas included, and a tag containing a space counted as if wrapped in quotation marks.
public enum YouTubeTags {
    /// The documented limit.
    public static let maxLength = 500

    /// The list as YouTube counts it: `sunrise,"time lapse",bay`.
    public static func countedText(_ tags: [String]) -> String {
        tags.map { $0.contains(" ") ? "\"\($0)\"" : $0 }.joined(separator: ",")
    }

    /// The counted length (characters): `["Foo-Baz"]` is 7, `["Foo Baz"]` is 9, `["a", "b"]` is 3.
    public static func countedLength(_ tags: [String]) -> Int { countedText(tags).count }
}

/// The JSON body of `videos.insert` (the parts `snippet` and `status`).
struct VideoInsertBody: Encodable, Sendable, Equatable {
    struct Snippet: Encodable, Sendable, Equatable {
        var title: String
        var description: String
        var tags: [String]?
        var categoryId: String
    }

    struct Status: Encodable, Sendable, Equatable {
        var privacyStatus: String
        var publishAt: String?
        var selfDeclaredMadeForKids: Bool
        var containsSyntheticMedia: Bool?
    }

    var snippet: Snippet
    var status: Status
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
