import Foundation
import HTTPTypes
import PublishingCore

/// The Graph API's error document: `{"error": {"message", "type", "code", "error_subcode", …}}`.
package struct GraphAPIError: Decodable, Sendable, Equatable {
    package var message: String?
    package var type: String?
    package var code: Int?
    package var errorSubcode: Int?
    package var isTransient: Bool?
    package var errorUserTitle: String?
    package var errorUserMsg: String?
    package var fbtraceID: String?

    private struct Envelope: Decodable { var error: GraphAPIError? }

    /// Parses an error body, or `nil` when it has no `error` object.
    package static func parse(_ bytes: [UInt8]) -> GraphAPIError? {
        try? SnakeCaseJSON.decode(Envelope.self, from: bytes).error
    }
}

/// Maps Graph API failures to ``PublishError`` the same way for every Meta platform.
package struct GraphErrorMapper: Sendable {
    /// The platform the errors are about.
    package var platform: PlatformID
    /// The command that re-authorises, e.g. "run `atom auth instagram`".
    package var reauthorize: String

    package init(platform: PlatformID, reauthorize: String) {
        self.platform = platform
        self.reauthorize = reauthorize
    }

    /// Rate-limit codes (platform and business-use-case limits) [FB-RL].
    package static let rateLimitCodes: Set<Int> = [4, 17, 32, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014]

    /// Builds the error for a failed response.
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - body: The response body (bounded).
    ///   - headers: The response headers (usage headers give the wait for rate limits).
    package func map(status: Int, body: [UInt8], headers: HTTPFields, operationID: String) -> PublishError {
        guard let error = GraphAPIError.parse(body) else {
            let text = Redaction.outsideText(bytes: body)
            let retryable = status >= 500 || status == 429
            return PublishError(retryable ? .server : .protocolViolation, platform: platform, operationID: operationID, httpStatus: status,
                                message: "HTTP \(status)" + (text.isEmpty ? "" : ": \(text)"), retryable: retryable)
        }
        return map(error, status: status, headers: headers, operationID: operationID)
    }

    /// Classifies a parsed Graph error.
    package func map(_ error: GraphAPIError, status: Int?, headers: HTTPFields = [:], operationID: String) -> PublishError {
        let code = error.code ?? 0
        let subcode = error.errorSubcode
        let text = Redaction.outsideText(error.errorUserMsg ?? error.message ?? "unknown Graph API error")
        let platformCode = subcode.map { "\(code)/\($0)" } ?? "\(code)"
        func make(_ kind: PublishError.Code, _ remediation: String?, retryable: Bool = false, after: Duration? = nil) -> PublishError {
            PublishError(kind, platform: platform, operationID: operationID, httpStatus: status, platformCode: platformCode,
                         message: text, remediation: remediation, retryable: retryable, retryAfter: after, diagnosticID: error.fbtraceID)
        }
        switch (code, subcode) {
        case (190, _), (102, _), (463, _), (467, _):
            return make(.authentication, "the access token is invalid or expired — \(reauthorize)")
        case (9, 2207042):
            return make(.quotaExceeded, "the 24-hour publishing limit is reached; try again when the window moves")
        case (4, 2207051), (368, _):
            return make(.rejected, "the platform blocked this action; check the account in the app")
        case (9004, _), (_, 2207052):
            return make(.rejected, "the platform could not fetch the video from the staged URL; check the bucket and ATOM_S3_PUBLIC_BASE_URL")
        case (9007, _), (_, 2207027):
            return make(.conflict, "the media is not ready yet; atom polls and publishes again", retryable: true, after: .seconds(10))
        case (352, _), (_, 2207026):
            return make(.unsupportedMedia, "re-encode as MP4 (H.264/AAC)")
        case (_, 2207057):
            return make(.invalidInput, "the cover offset is outside the video's duration")
        case (_, 2207020):
            return make(.notFound, "the upload container expired; post again")
        case (25, _), (_, 2207050):
            return make(.rejected, "the account is inactive or restricted")
        case (10, _), (200...299, _):
            return make(.permissionDenied, "the token lacks a permission for this — \(reauthorize)")
        case (let c, _) where Self.rateLimitCodes.contains(c):
            return make(.rateLimited, "rate limited by the platform; atom waits and retries", retryable: true, after: Self.regainAccess(headers))
        case (1, _), (2, _), (-1, _), (-2, _):
            return make(.server, "a temporary platform error; run the same command again", retryable: true)
        default:
            if error.isTransient == true { return make(.server, "a temporary platform error", retryable: true) }
            if let status, status >= 500 { return make(.server, nil, retryable: true) }
            if code == 100 { return make(.invalidInput, "the platform refused a parameter; see the message") }
            return make(.rejected, nil)
        }
    }

    /// The wait announced by `X-Business-Use-Case-Usage` (`estimated_time_to_regain_access`, minutes), if any.
    package static func regainAccess(_ headers: HTTPFields) -> Duration? {
        guard let name = HTTPField.Name("X-Business-Use-Case-Usage"), let value = headers[name],
              let object = try? JSONDecoder().decode([String: [[String: JSONValue]]].self, from: Data(value.utf8)) else { return nil }
        let minutes = object.values.flatMap { $0 }.compactMap { $0["estimated_time_to_regain_access"]?.numberValue }.max() ?? 0
        return minutes > 0 ? .seconds(Int(minutes * 60)) : nil
    }
}

/// The Graph API version atom speaks unless `ATOM_GRAPH_API_VERSION` says otherwise.
package enum GraphAPIVersion {
    /// v24.0: available until 2028-02 per Meta's changelog.
    package static let `default` = "v24.0"
}
