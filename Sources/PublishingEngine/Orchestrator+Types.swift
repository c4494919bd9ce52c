import Foundation
import PublishingCore

/// One platform to post to, with the draft for it.
public struct PostTarget: Sendable {
    public var publisher: any Publisher
    public var draft: PostDraft

    public init(publisher: any Publisher, draft: PostDraft) {
        self.publisher = publisher
        self.draft = draft
    }
}

/// A post of one video to several platforms.
public struct PostRequest: Sendable {
    public var videoPath: String
    /// In the order asked; results come back in this order.
    public var targets: [PostTarget]
    /// Post again where the same file is already published or in progress elsewhere.
    public var force: Bool
    /// How long to wait for platform processing.
    public var waitLimit: Duration

    public init(videoPath: String, targets: [PostTarget], force: Bool = false, waitLimit: Duration = .seconds(600)) {
        self.videoPath = videoPath
        self.targets = targets
        self.force = force
        self.waitLimit = waitLimit
    }
}

/// The outcome for one platform, as printed by `--json`.
public struct PlatformResult: Sendable, Codable, Equatable {
    /// `published`, `processing`, `failed`, `skipped` or `interrupted`.
    public var status: RecordStatus
    public var platform: PlatformID
    /// The record entry id (what `atom status` takes).
    public var id: String?
    public var postId: String?
    public var url: String?
    public var startedAt: Date?
    public var finishedAt: Date?
    public var error: ErrorSummary?
    /// Why it was skipped, or a platform note.
    public var note: String?
    /// Set when the record could not be written for this platform: the outcome above is real (a post may be live)
    /// but atom's record does not know it.
    public var recordError: ErrorSummary?
    /// How the cover went, when one was asked.
    public var cover: CoverOutcome?

    public init(status: RecordStatus, platform: PlatformID, id: String?, postId: String? = nil, url: String? = nil,
                startedAt: Date? = nil, finishedAt: Date? = nil, error: ErrorSummary? = nil, note: String? = nil,
                cover: CoverOutcome? = nil) {
        self.status = status
        self.platform = platform
        self.id = id
        self.postId = postId
        self.url = url
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
        self.note = note
        self.cover = cover
    }
}

/// The outcome of a post.
public struct PostReport: Sendable, Codable, Equatable {
    public var video: String
    public var sha256: String
    public var results: [PlatformResult]
    /// Whether the run was interrupted (Ctrl-C).
    public var interrupted: Bool
    /// Record writes that failed outside any one platform's result (staging entries, claims); `nil` when none did.
    public var recordErrors: [String]?

    /// Whether any write to the record failed: the results are real but the record does not hold them all.
    public var hasRecordErrors: Bool {
        recordErrors?.isEmpty == false || results.contains { $0.recordError != nil }
    }

    public init(video: String, sha256: String, results: [PlatformResult], interrupted: Bool = false) {
        self.video = video
        self.sha256 = sha256
        self.results = results
        self.interrupted = interrupted
    }
}

/// What inspection found: the probe, each platform's plan, and every problem.
public struct Inspection: Sendable {
    public var media: MediaInfo
    public var plans: [(platform: PlatformID, plan: PostPlan, ingestion: Ingestion)]
    /// Every problem, for every platform at once.
    public var issues: [ValidationIssue]
    /// What each platform gets as its cover (platforms without a cover choice are absent).
    public var covers: [PlatformID: CoverPlan] = [:]
}

/// Thrown when the file or the post breaks limits: nothing was uploaded (exit 65).
public struct ValidationFailure: Error, Sendable, CustomStringConvertible {
    public var issues: [ValidationIssue]
    public init(issues: [ValidationIssue]) { self.issues = issues }
    public var description: String {
        "the post breaks \(issues.count) limit\(issues.count == 1 ? "" : "s"); nothing was uploaded:\n"
            + issues.map { "  - \($0)" }.joined(separator: "\n")
    }
}
