import Foundation
import PublishingCore

/// Parse and protocol failures inside the adapter, mapped to ``PublishError`` at its boundary.
enum FacebookFailure: Error, Sendable {
    /// A response atom could not read.
    case unexpectedResponse(operationID: String, detail: String)
    /// The chunked upload server wants other offsets (Graph error subcode 1363037 with `error_data`).
    case offsetCorrection(start: Int64, end: Int64)
    /// The server kept moving the offsets without taking bytes.
    case offsetsNotAdvancing(operationID: String, start: Int64, end: Int64)
    /// The server's offsets do not fit the file.
    case offsetsOutOfRange(operationID: String, start: Int64, end: Int64, size: Int64)
    /// Facebook failed to process the video.
    case processingFailed(videoID: String, message: String)

    /// The public error for this failure.
    var publishError: PublishError {
        switch self {
        case .unexpectedResponse(let operationID, let detail):
            return PublishError(.protocolViolation, platform: .facebook, operationID: operationID,
                                message: "unexpected answer from Facebook: \(detail)", retryable: false)
        case .offsetCorrection(let start, let end):
            return PublishError(.conflict, platform: .facebook, operationID: "facebook.video.transfer", platformCode: "1363037",
                                message: "the upload server asked for bytes \(start)–\(end) again", retryable: true)
        case .offsetsNotAdvancing(let operationID, let start, let end):
            return PublishError(.conflict, platform: .facebook, operationID: operationID,
                                message: "the upload server keeps asking for bytes \(start)–\(end) without taking them",
                                remediation: "run the same command again to resume the upload")
        case .offsetsOutOfRange(let operationID, let start, let end, let size):
            return PublishError(.protocolViolation, platform: .facebook, operationID: operationID,
                                message: "the upload server asked for bytes \(start)–\(end) of a \(size)-byte file")
        case .processingFailed(let videoID, let message):
            return PublishError(.processingFailed, platform: .facebook, operationID: "facebook.status",
                                message: "Facebook could not process video \(videoID): \(message)",
                                remediation: "re-encode as MP4 (H.264/AAC) and post again")
        }
    }

    /// Maps anything thrown inside the adapter to the ``PublishError`` its callers see (transport failures become
    /// retryable network errors, cancellation becomes `cancelled`).
    static func boundary(_ error: any Error) -> PublishError {
        if let failure = error as? FacebookFailure { return failure.publishError }
        return PublishError.wrapping(error, platform: .facebook)
    }
}
