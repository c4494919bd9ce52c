import Foundation

/// The one error that atom's library code throws.
///
/// It names the platform, says what went wrong in one line (the platform's own words where there are
/// some), whether trying again can help, and what the user should do. Its description never contains a
/// secret: every text passes through ``Redaction``.
public struct PublishError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Grows over time, so it is a struct with static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidInput, unsupportedMedia, limitExceeded, configuration, authentication, permissionDenied
            case rateLimited, quotaExceeded, network, timeout, server, rejected, processingFailed, notFound
            case conflict, cancelled, protocolViolation, alreadyInProgress, storage
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The input is malformed (bad flag value, bad manifest, bad metadata).
        public static let invalidInput = Code(.invalidInput)
        /// The file is not a video atom can read, or not one the platform accepts.
        public static let unsupportedMedia = Code(.unsupportedMedia)
        /// The file or a text breaks a platform's documented limit.
        public static let limitExceeded = Code(.limitExceeded)
        /// Credentials or settings are missing or malformed.
        public static let configuration = Code(.configuration)
        /// The platform refused the credentials (expired, revoked); re-authorising helps.
        public static let authentication = Code(.authentication)
        /// The account or app lacks a permission or scope.
        public static let permissionDenied = Code(.permissionDenied)
        /// Too many requests; wait and try again.
        public static let rateLimited = Code(.rateLimited)
        /// A daily quota or publishing cap is spent.
        public static let quotaExceeded = Code(.quotaExceeded)
        /// The connection failed or dropped.
        public static let network = Code(.network)
        /// The platform did not answer in time, or processing outlasted the wait.
        public static let timeout = Code(.timeout)
        /// The platform had an internal error.
        public static let server = Code(.server)
        /// The platform refused the post (policy, spam, invalid for that platform).
        public static let rejected = Code(.rejected)
        /// The platform accepted the upload but failed to process it.
        public static let processingFailed = Code(.processingFailed)
        /// A session, upload or object no longer exists.
        public static let notFound = Code(.notFound)
        /// The platform's state disagrees with ours (offset mismatch, duplicate).
        public static let conflict = Code(.conflict)
        /// The user interrupted the operation.
        public static let cancelled = Code(.cancelled)
        /// The platform answered something atom does not understand.
        public static let protocolViolation = Code(.protocolViolation)
        /// Another process is posting the same file to the same platform.
        public static let alreadyInProgress = Code(.alreadyInProgress)
        /// Local storage (record, .env) could not be read or written.
        public static let storage = Code(.storage)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// The platform concerned, if any (staging and local failures have none).
    public var platform: PlatformID?
    /// The dotted operation that failed, e.g. `youtube.upload.chunk`.
    public var operationID: String?
    /// The HTTP status the platform answered with, if any.
    public var httpStatus: Int?
    /// The platform's own error code (`quotaExceeded`, `spam_risk_too_many_posts`, `190`…).
    public var platformCode: String?
    /// One line saying what went wrong, in the platform's words where it gave some.
    public var message: String
    /// What the user should do, e.g. "run `atom auth youtube`".
    public var remediation: String?
    /// Whether trying the same step again may succeed.
    public var isRetryable: Bool
    /// How long the platform asked us to wait before retrying.
    public var retryAfter: Duration?
    /// The platform's diagnostic id (TikTok `log_id`, Meta `fbtrace_id`, S3 request id).
    public var diagnosticID: String?
    /// The error this one wraps, if any. Never shown to the user verbatim.
    public var underlying: (any Error & Sendable)?
    /// Where the error was made.
    public var fileID: String
    /// Where the error was made.
    public var line: Int

    /// Creates an error.
    public init(
        _ code: Code,
        platform: PlatformID? = nil,
        operationID: String? = nil,
        httpStatus: Int? = nil,
        platformCode: String? = nil,
        message: String,
        remediation: String? = nil,
        retryable: Bool = false,
        retryAfter: Duration? = nil,
        diagnosticID: String? = nil,
        underlying: (any Error & Sendable)? = nil,
        fileID: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.platform = platform
        self.operationID = operationID
        self.httpStatus = httpStatus
        self.platformCode = platformCode
        self.message = message
        self.remediation = remediation
        self.isRetryable = retryable
        self.retryAfter = retryAfter
        self.diagnosticID = diagnosticID
        self.underlying = underlying
        self.fileID = fileID
        self.line = line
    }

    /// The code shown to users and scripts: the platform's own code when it gave one.
    public var displayCode: String { platformCode ?? code.description }

    /// One redacted line: `youtube: quotaExceeded: The request cannot be completed… — run …`.
    public var description: String {
        var text = ""
        if let platform { text += "\(platform): " }
        text += message
        if let platformCode, !message.contains(platformCode) { text += " (\(platformCode))" }
        if let httpStatus { text += " [HTTP \(httpStatus)]" }
        if let diagnosticID { text += " [id \(diagnosticID)]" }
        if let remediation { text += " — \(remediation)" }
        return Redaction.redact(text)
    }

    /// The message alone, redacted.
    public var redactedMessage: String { Redaction.redact(message) }

    /// Returns a copy that names `platform` if it named none.
    public func attributed(to platform: PlatformID) -> PublishError {
        var copy = self
        if copy.platform == nil { copy.platform = platform }
        return copy
    }
}

extension PublishError {
    /// Wraps any error as a `PublishError`, keeping one that already is.
    public static func wrapping(
        _ error: any Error, platform: PlatformID?, operationID: String? = nil, fileID: String = #fileID, line: Int = #line
    ) -> PublishError {
        if let error = error as? PublishError { return platform.map(error.attributed(to:)) ?? error }
        if error is CancellationError {
            return PublishError(.cancelled, platform: platform, operationID: operationID, message: "interrupted", fileID: fileID, line: line)
        }
        if let error = error as? TransportError {
            return PublishError(
                error.isTimeout ? .timeout : .network, platform: platform, operationID: operationID ?? error.operationID,
                message: error.message, remediation: "check the network connection and run the same command again",
                retryable: true, underlying: error, fileID: fileID, line: line
            )
        }
        return PublishError(
            .protocolViolation, platform: platform, operationID: operationID,
            message: Redaction.redact(String(describing: error)), underlying: nil, fileID: fileID, line: line
        )
    }
}
