import Foundation
import PublishingCore

/// The parameters a platform's authorization server sent back to the redirect URI: `code` and `state`,
/// or `error` (`access_denied`) with `error_description`.
public struct RedirectCallback: Sendable, Equatable {
    /// The query parameters, percent-decoded (the first value of a repeated name wins).
    public var parameters: [String: String]

    /// Wraps decoded parameters.
    public init(parameters: [String: String]) { self.parameters = parameters }

    /// Parses a raw query string (`code=…&state=…`).
    public init(query: String) {
        var parameters: [String: String] = [:]
        for (name, value) in FormEncoding.decode(query) where parameters[name] == nil { parameters[name] = value }
        self.parameters = parameters
    }

    /// The authorization code, if any (Instagram's trailing `#_` removed).
    public var code: String? {
        guard var code = parameters["code"], !code.isEmpty else { return nil }
        if code.hasSuffix("#_") { code.removeLast(2) }
        return code.isEmpty ? nil : code
    }

    /// The `error` parameter, if any.
    public var error: String? { parameters["error"].flatMap { $0.isEmpty ? nil : $0 } }

    /// Whether this looks like an authorization response at all (a code or an error); other requests to
    /// the loopback port (a favicon, a pre-connect) are ignored.
    public var isAuthorizationResponse: Bool { code != nil || error != nil }

    /// Checks the callback against the attempt that started it.
    /// - Parameters:
    ///   - expectedState: The `state` this attempt sent; anything else is refused (CSRF).
    ///   - platform: For the error.
    ///   - command: The command that retries, e.g. "atom auth tiktok".
    /// - Returns: The code.
    /// - Throws: ``PublishError``: `permissionDenied` for a denied consent, `authentication` for a
    ///   missing or mismatched `state` and for other errors the platform reports.
    public func authorizationCode(expectedState: String, platform: PlatformID?, command: String) throws -> String {
        let state = parameters["state"]
        if let state, state != expectedState {
            throw PublishError(
                .authentication, platform: platform, platformCode: "state_mismatch",
                message:
                    "the redirect's state parameter does not match this login attempt (a forged or stale redirect); nothing was saved",
                remediation: "run `\(command)` again and use only the browser tab it opens")
        }
        if let error {
            let description =
                parameters["error_description"] ?? parameters["error_message"] ?? parameters["error_reason"]
            // Printed and stored: text from outside, so masked, stripped of control characters and capped.
            let detail = description.map { ": \(Redaction.outsideText($0, limit: 200))" } ?? ""
            let error = Redaction.outsideText(error, limit: 64)
            if error == "access_denied" || parameters["error_reason"] == "user_denied" {
                throw PublishError(
                    .permissionDenied, platform: platform, platformCode: error,
                    message: "authorization was denied in the browser (\(error)\(detail)); nothing was saved",
                    remediation: "run `\(command)` again and approve every requested permission")
            }
            throw PublishError(
                .authentication, platform: platform, platformCode: error,
                message: "the platform refused the authorization (\(error)\(detail)); nothing was saved",
                remediation:
                    "check the app's settings in the developer portal (redirect URI, products, scopes), then run `\(command)` again"
            )
        }
        guard state != nil else {
            throw PublishError(
                .authentication, platform: platform, platformCode: "state_missing",
                message:
                    "the redirect carries no state parameter, so it cannot be matched to this login attempt; nothing was saved",
                remediation: "run `\(command)` again and use only the browser tab it opens")
        }
        guard let code else {
            throw PublishError(
                .authentication, platform: platform, message: "the redirect carries neither a code nor an error",
                remediation: "run `\(command)` again")
        }
        return code
    }
}
