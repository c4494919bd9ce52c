import Foundation
import PublishingCore

/// The status of one platform's entry in the local record.
public struct RecordStatus: NamedValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Live (or scheduled) on the platform.
    public static let published = RecordStatus("published")
    /// Accepted; the platform was still processing when the wait ran out.
    public static let processing = RecordStatus("processing")
    /// Failed; see the entry's error.
    public static let failed = RecordStatus("failed")
    /// Not attempted: already published, or in progress in another process.
    public static let skipped = RecordStatus("skipped")
    /// Stopped by Ctrl-C or a crash; `atom post` or `atom status` continues it.
    public static let interrupted = RecordStatus("interrupted")
    /// Being posted right now by the process named in the entry's owner.
    public static let uploading = RecordStatus("uploading")
    /// Deleted from the platform by `atom unpublish` (the entry's `deletedAt` says when).
    public static let deleted = RecordStatus("deleted")
}

/// An error as stored in the record and printed by `--json` (no secrets: messages are redacted).
public struct ErrorSummary: Sendable, Codable, Equatable {
    public var code: String
    public var message: String
    public var retryable: Bool
    public var remediation: String?

    public init(code: String, message: String, retryable: Bool, remediation: String? = nil) {
        self.code = code
        self.message = Redaction.redact(message)
        self.retryable = retryable
        self.remediation = remediation.map(Redaction.redact)
    }

    public init(_ error: PublishError) {
        self.init(code: error.displayCode, message: error.message, retryable: error.isRetryable, remediation: error.remediation)
    }
}

/// The process that is posting an entry right now.
public struct RecordOwner: Sendable, Codable, Equatable {
    public var pid: Int32
    public var host: String
    public var since: Date
}

/// One video on one platform: the unit of the local record.
public struct PostRecord: Sendable, Codable, Equatable {
    public var id: String
    public var platform: PlatformID
    public var status: RecordStatus
    public var postId: String?
    public var url: String?
    /// The video's path when it was posted.
    public var video: String
    public var sha256: String
    public var sizeBytes: Int64
    public var createdAt: Date
    public var updatedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var error: ErrorSummary?
    /// The adapter's resume state.
    public var checkpoint: JSONValue?
    /// The staged object's key, if this platform used staging.
    public var stagingKey: String?
    /// What was asked, so `atom status` can continue without the original command line.
    public var draft: PostDraft?
    /// The probed file.
    public var media: MediaInfo?
    /// The process posting this entry right now, if any.
    public var owner: RecordOwner?
    /// A note from the platform ("scheduled for …").
    public var note: String?
    /// Ids of earlier posts of the same video replaced with `--force`.
    public var previousPostIds: [String]?
    /// When `atom unpublish` deleted the post from the platform (status `deleted`).
    public var deletedAt: Date?
    /// How the cover went (`atom status` retries a cover left `notSet`).
    public var cover: CoverOutcome?
    /// The staged cover image's key, if this platform fetched the cover from a staged URL.
    public var coverStagingKey: String?

    public init(
        id: String, platform: PlatformID, status: RecordStatus, postId: String? = nil, url: String? = nil, video: String, sha256: String,
        sizeBytes: Int64, createdAt: Date, updatedAt: Date, startedAt: Date? = nil, finishedAt: Date? = nil, error: ErrorSummary? = nil,
        checkpoint: JSONValue? = nil, stagingKey: String? = nil, draft: PostDraft? = nil, media: MediaInfo? = nil,
        owner: RecordOwner? = nil, note: String? = nil, previousPostIds: [String]? = nil
    ) {
        self.id = id
        self.platform = platform
        self.status = status
        self.postId = postId
        self.url = url
        self.video = video
        self.sha256 = sha256
        self.sizeBytes = sizeBytes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
        self.checkpoint = checkpoint
        self.stagingKey = stagingKey
        self.draft = draft
        self.media = media
        self.owner = owner
        self.note = note
        self.previousPostIds = previousPostIds
    }
}

/// A staged object, tracked so `atom staging list/clean` can find leftovers and uploads can resume.
public struct StagingRecord: Sendable, Codable, Equatable {
    public var sha256: String
    public var location: String
    public var key: String?
    public var size: Int64
    public var createdAt: Date
    public var updatedAt: Date
    /// Whether the object has been deleted.
    public var released: Bool
    /// The stager's resume state (multipart upload id, parts done).
    public var checkpoint: JSONValue?

    public init(sha256: String, location: String, key: String?, size: Int64, createdAt: Date, updatedAt: Date, released: Bool, checkpoint: JSONValue?) {
        self.sha256 = sha256
        self.location = location
        self.key = key
        self.size = size
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.released = released
        self.checkpoint = checkpoint
    }
}

/// The whole record file.
public struct RecordFile: Sendable, Codable, Equatable {
    /// The schema version this build writes.
    public static let currentVersion = 1
    public var version: Int = RecordFile.currentVersion
    public var entries: [PostRecord] = []
    public var staging: [StagingRecord] = []

    /// The entry for a video on a platform.
    public func entry(sha256: String, platform: PlatformID) -> PostRecord? {
        entries.first { $0.sha256 == sha256 && $0.platform == platform }
    }

    /// The index of an entry by id or unique id prefix.
    public func index(ofID id: String) -> Int? {
        if let exact = entries.firstIndex(where: { $0.id == id }) { return exact }
        let matches = entries.indices.filter { entries[$0].id.hasPrefix(id) }
        return matches.count == 1 ? matches[0] : nil
    }
}
