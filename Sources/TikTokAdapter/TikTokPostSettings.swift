import Foundation
import PublishingCore

/// TikTok's privacy levels (`post_info.privacy_level`, `privacy_level_options`).
enum TikTokPrivacy {
    static let everyone = "PUBLIC_TO_EVERYONE"
    static let friends = "MUTUAL_FOLLOW_FRIENDS"
    static let followers = "FOLLOWER_OF_CREATOR"
    static let onlyMe = "SELF_ONLY"
    static let all = [everyone, friends, followers, onlyMe]

    /// The nearest TikTok level of a generic privacy, or `nil` when TikTok has none.
    static func level(for privacy: Privacy) -> String? {
        switch privacy {
        case .public: everyone
        case .private: onlyMe
        case .friends: friends
        case .followers: followers
        case .unlisted: nil
        }
    }
}

/// What one TikTok post carries, resolved from the draft and its `platforms.tiktok` options.
struct TikTokPostSettings: Sendable, Equatable {
    /// The caption (`post_info.title`), hashtags from the draft's tags appended when they fit.
    var caption: String
    /// The privacy level to post with.
    var privacyLevel: String
    /// Whether the user chose the privacy (rather than atom's SELF_ONLY default).
    var privacyChosen: Bool
    /// `disable_comment`, `disable_duet`, `disable_stitch` as the user gave them (`nil` = not given).
    var disableComment: Bool?
    var disableDuet: Bool?
    var disableStitch: Bool?
    /// `video_cover_timestamp_ms`.
    var coverTimestampMs: Int?
    /// `brand_content_toggle`, `brand_organic_toggle`, `is_aigc`.
    var brandContent: Bool
    var brandOrganic: Bool
    var aigc: Bool
    /// Upload to the creator's inbox instead of posting.
    var draft: Bool

    /// The option keys of `platforms.tiktok` (CONTRACT.md).
    static let optionKeys: Set<String> = [
        "caption", "privacy", "disable_comment", "disable_duet", "disable_stitch", "cover_timestamp_ms",
        "brand_content",
        "brand_organic", "aigc", "draft",
    ]

    /// The settings with the notes and problems found while resolving them.
    struct Resolution: Sendable {
        var settings: TikTokPostSettings
        var notes: [String]
        var problems: [ValidationIssue]
    }

    /// Resolves a draft: per-platform options over the generic values; every unknown key or wrong type is a problem.
    static func resolve(_ draft: PostDraft, media: MediaInfo, captionLimit: TextLimit) -> Resolution {
        var notes: [String] = []
        let options = ManifestOptions(draft.options, platform: .tiktok, known: optionKeys)
        var problems: [ValidationIssue] { options.problems }
        let problem = options.problem
        let bool = options.bool
        let string = options.string

        // Privacy: the platform's own name wins over the generic level.
        var privacy = TikTokPrivacy.onlyMe
        var chosen = false
        if let raw = string("privacy") {
            let level = raw.uppercased()
            if TikTokPrivacy.all.contains(level) {
                privacy = level
                chosen = true
            } else {
                problem(
                    "privacy", "'\(raw)' is not a TikTok privacy level (\(TikTokPrivacy.all.joined(separator: ", ")))")
            }
        } else if let generic = draft.privacy {
            if let level = TikTokPrivacy.level(for: generic) {
                privacy = level
                chosen = true
            } else {
                options.append(
                    ValidationIssue(
                        platform: .tiktok, field: "privacy",
                        message:
                            "TikTok has no '\(generic.rawValue)' level; use private (SELF_ONLY), friends, followers or public, or set platforms.tiktok.privacy"
                    ))
            }
        }

        var coverTimestamp: Int?
        if let value = draft.options["cover_timestamp_ms"] {
            if let number = value.numberValue, number.rounded() == number, number >= 0, number <= Double(Int32.max) {
                coverTimestamp = Int(number)
                if media.duration > 0, number > media.duration * 1000 {
                    problem(
                        "cover_timestamp_ms",
                        "\(Int(number)) ms is past the end of the \(Int(media.duration * 1000)) ms video")
                }
            } else {
                problem("cover_timestamp_ms", "must be a whole number of milliseconds from 0 to \(Int32.max)")
            }
        }

        // `--cover-at` / `cover_at` when `cover_timestamp_ms` (TikTok's own name) is not set: TikTok takes only a frame.
        if coverTimestamp == nil, let seconds = draft.cover?.frameAt, seconds * 1000 <= Double(Int32.max) {
            coverTimestamp = CoverUse.milliseconds(seconds)
        }

        let settings = TikTokPostSettings(
            caption: "", privacyLevel: privacy, privacyChosen: chosen, disableComment: bool("disable_comment"),
            disableDuet: bool("disable_duet"), disableStitch: bool("disable_stitch"), coverTimestampMs: coverTimestamp,
            brandContent: bool("brand_content") ?? false, brandOrganic: bool("brand_organic") ?? false,
            aigc: bool("aigc") ?? false,
            draft: bool("draft") ?? false
        )
        var resolved = settings
        let caption = string("caption") ?? draft.caption ?? draft.title ?? ""
        resolved.caption = Self.appendingTags(draft.tags, to: caption, limit: captionLimit, notes: &notes)

        if resolved.draft {
            notes.append(
                "draft: the video goes to the TikTok inbox; caption, privacy and interactions are chosen in the TikTok app"
            )
            return Resolution(settings: resolved, notes: notes, problems: problems)
        }
        if !chosen, problems.allSatisfy({ !$0.field.hasSuffix("privacy") }) {
            notes.append(
                "no privacy given: posting SELF_ONLY (only you can see it); pass --privacy or platforms.tiktok.privacy")
        }
        if resolved.brandContent, resolved.privacyLevel == TikTokPrivacy.onlyMe {
            problem(
                "brand_content", "branded content cannot be posted SELF_ONLY on TikTok; choose another privacy level")
        }
        let off = [
            ("comments", "disable_comment", resolved.disableComment), ("duets", "disable_duet", resolved.disableDuet),
            ("stitches", "disable_stitch", resolved.disableStitch),
        ]
        .filter { $0.2 == nil }
        if !off.isEmpty {
            notes.append(
                "\(off.map(\.0).joined(separator: ", ")) off (TikTok's rule: none on by default); to allow, set "
                    + off.map { "platforms.tiktok.\($0.1): false" }.joined(separator: ", ")
            )
        }
        return Resolution(settings: resolved, notes: notes, problems: problems)
    }

    /// Appends `#tag` for each tag the caption does not already carry, if the result still fits `limit`.
    private static func appendingTags(
        _ tags: [String], to caption: String, limit: TextLimit, notes: inout [String]
    ) -> String {
        let present = Set(Validation.hashtags(in: caption).map { $0.lowercased() })
        let missing = tags.map { $0.hasPrefix("#") ? String($0.dropFirst()) : $0 }
            .filter { !$0.isEmpty && !present.contains($0.lowercased()) }
        guard !missing.isEmpty else { return caption }
        let suffix = missing.map { "#" + $0.replacingOccurrences(of: " ", with: "") }.joined(separator: " ")
        let combined = caption.isEmpty ? suffix : caption + " " + suffix
        if limit.unit.length(of: combined) <= limit.maxLength {
            notes.append("tags appended to the caption as hashtags: \(suffix)")
            return combined
        }
        notes.append("tags not appended: the caption would pass TikTok's \(limit.maxLength) UTF-16 unit limit")
        return caption
    }

    /// The `post_info` sent with a direct post, after the creator's own settings are applied.
    func postInfo(creator: TikTokCreatorInfo) -> TikTokPostInfo {
        TikTokPostInfo(
            title: caption, privacyLevel: privacyLevel,
            disableDuet: (disableDuet ?? true) || creator.duetDisabled == true,
            disableStitch: (disableStitch ?? true) || creator.stitchDisabled == true,
            disableComment: (disableComment ?? true) || creator.commentDisabled == true,
            videoCoverTimestampMs: coverTimestampMs, brandContentToggle: brandContent, brandOrganicToggle: brandOrganic,
            isAigc: aigc
        )
    }

    /// Every way this post breaks what the creator may do (privacy options, longest video, interaction switches).
    func conflicts(with creator: TikTokCreatorInfo, media: MediaInfo) -> [String] {
        var found: [String] = []
        let options = creator.privacyLevelOptions ?? []
        if !options.contains(privacyLevel) {
            found.append(
                "privacy \(privacyLevel) is not among this creator's options (\(options.joined(separator: ", "))); set platforms.tiktok.privacy to one of them"
            )
        }
        if let max = creator.maxVideoPostDurationSec, max > 0, media.duration > Double(max) {
            found.append(
                "the video is \(Int(media.duration.rounded(.up))) s but this creator may post at most \(max) s")
        }
        let switches: [(String, Bool?, Bool?, String)] = [
            ("comments", disableComment, creator.commentDisabled, "disable_comment"),
            ("duets", disableDuet, creator.duetDisabled, "disable_duet"),
            ("stitches", disableStitch, creator.stitchDisabled, "disable_stitch"),
        ]
        for (name, requested, creatorDisabled, key) in switches where requested == false && creatorDisabled == true {
            found.append(
                "\(name) are turned off in the creator's TikTok settings; remove platforms.tiktok.\(key): false or change the setting in the app"
            )
        }
        return found
    }
}
