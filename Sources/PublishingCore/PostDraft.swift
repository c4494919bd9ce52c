import Foundation

/// A generic privacy level (CONTRACT.md), mapped by each adapter to its nearest own level.
public enum Privacy: String, Sendable, Codable, CaseIterable {
    case `public`, `private`, unlisted, friends, followers
}

/// What the user asked to post, after command-line flags and the manifest's top level were merged.
/// Per-platform overrides stay in ``options`` in the platform's own names; the adapter applies them.
public struct PostDraft: Sendable, Codable, Equatable {
    /// Default text for every platform.
    public var caption: String?
    /// Title, where a platform has one.
    public var title: String?
    /// Tags (YouTube tags; others may append them as hashtags).
    public var tags: [String]
    /// Generic privacy.
    public var privacy: Privacy?
    /// When to publish, where the platform can schedule.
    public var scheduledAt: Date?
    /// This platform's section of the manifest, in its own names (`privacy: SELF_ONLY`).
    public var options: [String: JSONValue]
    /// The cover asked for this platform (per-platform values over flags over the manifest's top level).
    public var cover: CoverChoice?

    public init(
        caption: String? = nil, title: String? = nil, tags: [String] = [], privacy: Privacy? = nil,
        scheduledAt: Date? = nil, options: [String: JSONValue] = [:], cover: CoverChoice? = nil
    ) {
        self.caption = caption
        self.title = title
        self.tags = tags
        self.privacy = privacy
        self.scheduledAt = scheduledAt
        self.options = options
        self.cover = cover
    }
}

/// The outcome of ``Publisher/plan(_:media:)``.
public struct PostPlan: Sendable {
    /// The effective texts to send, checked by the core against ``PublisherCapabilities/textLimits``.
    public var texts: [TextField: String]
    /// Lines describing what will happen, for `--dry-run` ("title derived from caption: …").
    public var notes: [String]
    /// Problems only the adapter can see (unknown option keys, a privacy level it lacks).
    public var problems: [ValidationIssue]

    public init(texts: [TextField: String] = [:], notes: [String] = [], problems: [ValidationIssue] = []) {
        self.texts = texts
        self.notes = notes
        self.problems = problems
    }
}

/// One post to one platform, as handed to the adapter.
public struct PublishJob: Sendable {
    /// The record entry's id (what `atom status` takes).
    public var recordID: String
    /// What to post.
    public var draft: PostDraft
    /// The probed file.
    public var media: MediaInfo
    /// The open file, or `nil` when only status can be fetched (the file is gone).
    public var file: MediaFileHandle?
    /// The file's SHA-256 (lowercase hex); empty in an upload started before the hash is known
    /// (``PublisherCapabilities/uploadsWhileHashing``), so such an adapter keeps it out of its checkpoints.
    public var sha256: String
    /// The adapter's state saved by an earlier attempt, to resume from.
    public var checkpoint: JSONValue?
    /// The cover this platform gets (decided from ``PostDraft/cover`` and the platform's ``CoverSupport``).
    public var cover: CoverUse?

    public init(
        recordID: String, draft: PostDraft, media: MediaInfo, file: MediaFileHandle?, sha256: String, checkpoint: JSONValue? = nil,
        cover: CoverUse? = nil
    ) {
        self.recordID = recordID
        self.draft = draft
        self.media = media
        self.file = file
        self.sha256 = sha256
        self.checkpoint = checkpoint
        self.cover = cover
    }

    /// The open file, or an error explaining that the video is needed to continue.
    public func requireFile(platform: PlatformID) throws -> MediaFileHandle {
        guard let file else {
            throw PublishError(.invalidInput, platform: platform, message: "the video file is needed to continue this upload but is gone",
                               remediation: "run `atom post` again with the same file")
        }
        return file
    }
}

/// What a publisher returns.
public struct PublishReceipt: Sendable, Equatable {
    /// How far the post got.
    public enum Status: String, Sendable, Codable {
        /// Live (or scheduled) on the platform.
        case published
        /// Accepted, still processing when the wait ran out.
        case processing
    }
    public var status: Status
    /// The platform's id for the post or video.
    public var postID: String?
    /// A public URL of the post, where known.
    public var url: String?
    /// State that lets `atom status` continue a `processing` post.
    public var checkpoint: JSONValue?
    /// A note for the user ("scheduled for …", "locked private by YouTube").
    public var note: String?
    /// How the cover went, when the adapter set it with the post.
    public var cover: CoverOutcome?

    public init(
        status: Status, postID: String?, url: String?, checkpoint: JSONValue? = nil, note: String? = nil, cover: CoverOutcome? = nil
    ) {
        self.status = status
        self.postID = postID
        self.url = url
        self.checkpoint = checkpoint
        self.note = note
        self.cover = cover
    }
}
