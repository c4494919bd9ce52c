import Foundation
import GraphAPISupport
import HTTPTypes
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

/// Graph error fields that ``GraphAPIError`` does not carry: the chunked upload's `error_data` offsets.
struct GraphErrorExtras: Decodable {
    struct Body: Decodable {
        var code: Int?
        var errorSubcode: Int?
        var errorData: Offsets?

        enum CodingKeys: String, CodingKey {
            case code
            case errorSubcode = "error_subcode"
            case errorData = "error_data"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            code = try? container.decodeIfPresent(Int.self, forKey: .code)
            errorSubcode = try? container.decodeIfPresent(Int.self, forKey: .errorSubcode)
            // `error_data` is an object in the chunked-upload answers and, in some Graph errors, a JSON string.
            if let object = try? container.decodeIfPresent(Offsets.self, forKey: .errorData) {
                errorData = object
            } else if let text = try? container.decodeIfPresent(String.self, forKey: .errorData) {
                errorData = try? JSONDecoder().decode(Offsets.self, from: Data(text.utf8))
            }
        }
    }

    struct Offsets: Decodable {
        var startOffset: FlexibleInt64?
        var endOffset: FlexibleInt64?

        enum CodingKeys: String, CodingKey {
            case startOffset = "start_offset"
            case endOffset = "end_offset"
        }
    }

    var error: Body?

    /// The offsets of an "offset correction" error (subcode 1363037), if `bytes` is one.
    static func offsetCorrection(in bytes: [UInt8]) -> (start: Int64, end: Int64)? {
        guard let body = try? JSONDecoder().decode(GraphErrorExtras.self, from: Data(bytes)).error,
              body.errorSubcode == 1_363_037, let start = body.errorData?.startOffset?.value,
              let end = body.errorData?.endOffset?.value else { return nil }
        return (start, end)
    }
}

/// An integer that Graph sends as a number or as a string (`"start_offset": "1048576"`).
struct FlexibleInt64: Decodable, Sendable, Equatable {
    var value: Int64

    init(_ value: Int64) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Int64(text) {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an integer")
        }
    }
}

/// rupload's error document: `{"debug_info": {"retriable": false, "type": "…", "message": "…"}}`.
struct RuploadError: Decodable {
    struct DebugInfo: Decodable {
        var retriable: Bool?
        var type: String?
        var message: String?
    }

    var debugInfo: DebugInfo?

    enum CodingKeys: String, CodingKey { case debugInfo = "debug_info" }

    static func parse(_ bytes: [UInt8]) -> DebugInfo? {
        try? JSONDecoder().decode(RuploadError.self, from: Data(bytes)).debugInfo
    }
}

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
        let info = RuploadError.parse(body)
        let message = info?.message ?? (String(decoding: body.prefix(300), as: UTF8.self))
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
