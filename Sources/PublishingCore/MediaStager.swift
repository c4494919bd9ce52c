import Foundation

/// Stages a video where platforms that pull from a URL can fetch it, for as long as they need it.
///
/// ## Implementing a custom stager
/// A stager serving files it already has at a known URL:
/// ```swift
/// struct Served: MediaStager {
///     let base: URL
///     func stage(_ file: MediaFileHandle, sha256: String, contentType: String, context: StagingContext) async throws -> StagedObject {
///         StagedObject(key: sha256, size: file.size)
///     }
///     func url(for object: StagedObject, validFor duration: Duration) async throws -> URL { base.appending(path: object.key) }
///     func release(_ object: StagedObject) async throws {}
/// }
/// ```
public protocol MediaStager: Sendable {
    /// Uploads `file` (or finds it already uploaded, or resumes an interrupted upload from
    /// `context.checkpoint`) and returns the staged object.
    func stage(_ file: MediaFileHandle, sha256: String, contentType: String, context: StagingContext) async throws -> StagedObject

    /// A URL from which `object` can be fetched for `duration`.
    func url(for object: StagedObject, validFor duration: Duration) async throws -> URL

    /// How long the URLs handed to platforms stay valid (S3: `ATOM_S3_URL_TTL`); one hour unless the stager says.
    var urlLifetime: Duration { get }

    /// Deletes the staged object.
    func release(_ object: StagedObject) async throws
}

extension MediaStager {
    public var urlLifetime: Duration { .seconds(3600) }
}

/// A staged copy of a video.
public struct StagedObject: Sendable, Codable, Equatable {
    /// Where it lives (bucket name or equivalent), for `atom staging list`.
    public var location: String
    /// The object key.
    public var key: String
    /// Its size in bytes.
    public var size: Int64

    public init(location: String = "", key: String, size: Int64) {
        self.location = location
        self.key = key
        self.size = size
    }
}

/// What a stager gets from its caller while staging.
public struct StagingContext: Sendable {
    /// Progress for the staging pseudo-platform.
    public var progress: ProgressReporter
    /// State saved by an interrupted earlier attempt (an S3 multipart upload id).
    public var checkpoint: JSONValue?
    /// Saves resume state before the next network step.
    public var journal: Journal
    /// Clock and jitter for retries.
    public var clock: any Clock<Duration>
    public var jitter: any JitterSource

    public init(
        progress: ProgressReporter, checkpoint: JSONValue? = nil, journal: Journal = Journal { _ in },
        clock: any Clock<Duration> = ContinuousClock(), jitter: any JitterSource = SystemJitter()
    ) {
        self.progress = progress
        self.checkpoint = checkpoint
        self.journal = journal
        self.clock = clock
        self.jitter = jitter
    }

    /// A retrier using this context's clock and jitter.
    public func retrier(_ policy: RetryPolicy = .default) -> Retrier { Retrier(policy: policy, clock: clock, jitter: jitter) }
}

extension PlatformID {
    /// The pseudo-platform under which staging progress and errors are reported.
    public static let staging = PlatformID("staging")
}
