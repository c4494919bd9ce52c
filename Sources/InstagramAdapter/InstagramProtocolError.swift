import Foundation
import PublishingCore

/// Parse and protocol failures inside the adapter, mapped to ``PublishError`` at its boundary.
enum InstagramProtocolError: Error, Sendable {
    /// An answer that is not the JSON shape the API documents.
    case malformedResponse(operationID: String, detail: String)
    /// A container status atom does not know.
    case unknownStatus(String)
    /// The rupload host kept refusing to take more bytes.
    case uploadStalled(offset: Int64, total: Int64)

    /// The public error.
    func publishError() -> PublishError {
        switch self {
        case .malformedResponse(let operationID, let detail):
            return PublishError(
                .protocolViolation, platform: .instagram, operationID: operationID,
                message: "Instagram answered something atom does not understand: \(detail)", retryable: true)
        case .unknownStatus(let status):
            return PublishError(
                .protocolViolation, platform: .instagram, operationID: "instagram.container.status",
                message: "the container is in a status atom does not know: \(status)",
                remediation: "run `atom status` later to check again")
        case .uploadStalled(let offset, let total):
            return PublishError(
                .network, platform: .instagram, operationID: "instagram.rupload",
                message: "the upload stopped at byte \(offset) of \(total)",
                remediation: "run the same command again to resume", retryable: true)
        }
    }
}
