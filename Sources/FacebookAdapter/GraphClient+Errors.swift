import Foundation
import GraphAPISupport
import HTTPTypes
import PublishingCore

extension GraphClient {
    /// The error for a failed Graph response: ``GraphErrorMapper``'s mapping, with the Reels publishing cap
    /// made a quota error and the chunked upload's offset correction turned into ``FacebookFailure/offsetCorrection(start:end:)``.
    func graphFailure(status: Int, body: [UInt8], headers: HTTPFields, operationID: String) -> any Error {
        if let offsets = GraphErrorExtras.offsetCorrection(in: body) {
            return FacebookFailure.offsetCorrection(start: offsets.start, end: offsets.end)
        }
        var error = mapper.map(status: status, body: body, headers: headers, operationID: operationID)
        if operationID.hasPrefix("facebook.reels."), let graph = GraphAPIError.parse(body), Self.isReelsCap(graph) {
            error.code = .quotaExceeded
            error.isRetryable = false
            error.retryAfter = nil
            error.message = "the Page has published \(FacebookSpecs.reelsPerDay) Reels through the API in the last 24 hours, "
                + "Facebook's limit (\(error.message))"
            error.remediation = "post again when the oldest of them is 24 hours old, or set platforms.facebook.reel: false to post a Page video"
        }
        return error
    }

    /// Whether a Graph error is the Reels publishing cap. Meta documents the cap (30 per Page per 24 h, enforced on
    /// `POST /{page-id}/video_reels`) but not its error code: atom takes code 9 (Meta's "posting too often" code, which
    /// Instagram's publishing cap also uses) or a message about a Reels limit.
    static func isReelsCap(_ error: GraphAPIError) -> Bool {
        if error.code == 9 { return true }
        let text = [error.message, error.errorUserTitle, error.errorUserMsg].compactMap { $0 }.joined(separator: " ").lowercased()
        return text.contains("reel") && text.contains("limit")
    }

    /// The error for a failed rupload response.
    func ruploadFailure(status: Int, body: [UInt8], headers: HTTPFields, operationID: String) -> any Error {
        if GraphAPIError.parse(body) != nil { return graphFailure(status: status, body: body, headers: headers, operationID: operationID) }
        let info = RuploadDocument.parse(body)?.debugInfo
        let message = Redaction.outsideText(info?.message ?? String(decoding: body.prefix(65_536), as: UTF8.self))
        let platformCode = info?.type
        if status == 401 || status == 403 || message.lowercased().contains("unauthorized") {
            return PublishError(.authentication, platform: .facebook, operationID: operationID, httpStatus: status, platformCode: platformCode,
                                message: message, remediation: "the Page access token was refused — \(mapper.reauthorize)")
        }
        let retryable = info?.retriable == true || status >= 500 || status == 429
        return PublishError(retryable ? .server : .rejected, platform: .facebook, operationID: operationID, httpStatus: status,
                            platformCode: platformCode, message: message.isEmpty ? "HTTP \(status)" : message, retryable: retryable,
                            retryAfter: headers.retryAfter(now: now()))
    }
}
