import Foundation
import PlatformKit
import PublishingCore

/// Error answers in the shapes Facebook uses: Graph's `{"error": {…}}` and rupload's `{"debug_info": {…}}`.
enum FakeFacebookError {
    /// A Graph error document.
    static func graph(
        _ httpStatus: Int, code: Int, subcode: Int? = nil, message: String, type: String = "OAuthException",
        transient: Bool = false, userTitle: String? = nil, userMessage: String? = nil, errorData: JSONValue? = nil
    ) -> FakeResponse {
        var error: [String: JSONValue] = [
            "message": .string(message), "type": .string(type), "code": .number(Double(code)),
            "is_transient": .bool(transient), "fbtrace_id": .string("AFakeTrace\(code)"),
        ]
        if let subcode { error["error_subcode"] = .number(Double(subcode)) }
        if let userTitle { error["error_user_title"] = .string(userTitle) }
        if let userMessage { error["error_user_msg"] = .string(userMessage) }
        if let errorData { error["error_data"] = errorData }
        let headers: [(String, String)] = code == 190 ? [("WWW-Authenticate", "OAuth \"Facebook Platform\" \"invalid_token\"")] : []
        return .json(httpStatus, .object(["error": .object(error)]), headers: headers)
    }

    /// An injected error.
    static func graph(_ error: FakeFacebook.GraphError) -> FakeResponse {
        graph(error.httpStatus, code: error.code, subcode: error.subcode, message: error.message, transient: error.isTransient)
    }

    /// `(#100)` invalid parameter.
    static func parameter(_ message: String) -> FakeResponse {
        graph(400, code: 100, message: "(#100) \(message)")
    }

    /// No token at all.
    static let missingToken = graph(400, code: 104, message: "An access token is required to request this resource.")
    /// A token that is not the Page's.
    static let invalidToken = graph(400, code: 190, message: "Invalid OAuth access token - Cannot parse access token")
    /// The Page's token, expired.
    static let expiredToken = graph(
        400, code: 190, subcode: 463, message: "Error validating access token: Session has expired.")

    /// The offsets of a chunk transfer are not the ones the server expects (subcode 1363037).
    static func offsetMismatch(start: Int64, end: Int64) -> FakeResponse {
        graph(400, code: 6001, subcode: 1_363_037, message: "There was a problem uploading your video file. Please try again.",
              userTitle: "Upload offset mismatch", userMessage: "The upload should continue at byte \(start).",
              errorData: .object(["start_offset": .string(String(start)), "end_offset": .string(String(end))]))
    }

    /// rupload's error document.
    static func rupload(_ httpStatus: Int, retriable: Bool, type: String, message: String) -> FakeResponse {
        .json(httpStatus, .object(["debug_info": .object([
            "retriable": .bool(retriable), "type": .string(type), "message": .string(message),
        ])]))
    }

    /// rupload refusing the credentials (its answer wraps Graph's message).
    static let ruploadUnauthorized = rupload(
        401, retriable: false, type: "ProcessingFailedError",
        message: "{\"success\":false,\"error\":{\"message\":\"unauthorized user request\"}}")
}
