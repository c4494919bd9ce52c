import Foundation
import HTTPTypes
import OpenAPIRuntime

/// A platform's OAuth token endpoint (RFC 6749 §4.1.3): a form-encoded POST answered with a JSON
/// document, errors as `{"error", "error_description"}`.
public struct OAuthTokenEndpoint: Sendable {
    /// Maps a failed answer (status, body) to an error, or returns `nil` to use the RFC 6749 mapping.
    public typealias ErrorMapper = @Sendable (_ status: Int, _ body: [UInt8]) -> PublishError?

    /// The endpoint, e.g. `https://oauth2.googleapis.com/token`.
    public var url: URL
    /// The platform, for errors.
    public var platform: PlatformID
    /// The command that starts over, e.g. `atom auth tiktok`.
    public var command: String
    /// The dotted operation, e.g. `tiktok.oauth.token`.
    public var operationID: String
    /// A platform-specific error mapping tried before the standard one.
    public var mapError: ErrorMapper?

    /// Creates an endpoint.
    public init(
        url: URL, platform: PlatformID, command: String? = nil, operationID: String? = nil, mapError: ErrorMapper? = nil
    ) {
        self.url = url
        self.platform = platform
        self.command = command ?? "atom auth \(platform)"
        self.operationID = operationID ?? "\(platform).oauth.token"
        self.mapError = mapError
    }

    /// POSTs `fields` form-encoded and returns the JSON answer.
    /// - Throws: ``PublishError`` for an HTTP or OAuth error, a network failure, or an answer that is not JSON.
    public func exchange(_ fields: [(String, String)], context: OAuthContext) async throws -> OAuthTokenResponse {
        try await exchange(fields, transport: context.transport)
    }

    /// POSTs `fields` form-encoded through `transport` (a refresh while publishing, with no login console).
    public func exchange(_ fields: [(String, String)], transport: any HTTPTransport) async throws -> OAuthTokenResponse {
        var request = HTTPRequest(method: .post, absoluteURL: url)
        request.headerFields[.contentType] = "application/x-www-form-urlencoded"
        request.headerFields[.accept] = "application/json"
        return try await send(request, body: HTTPBodies.form(fields), transport: transport)
    }

    /// GETs `url` with `query` (for the Meta exchanges documented as GET) and returns the JSON answer.
    /// - Throws: ``PublishError`` as ``exchange(_:context:)``.
    public func get(_ query: [(String, String)], headers: HTTPFields = [:], context: OAuthContext) async throws
        -> OAuthTokenResponse
    {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let existing = components?.percentEncodedQuery.map { $0.isEmpty ? "" : $0 + "&" } ?? ""
        components?.percentEncodedQuery = existing + FormEncoding.encode(query)
        guard let full = components?.url else {
            throw PublishError(
                .configuration, platform: platform, operationID: operationID,
                message: "cannot build a request URL from \(url.absoluteString)")
        }
        var request = HTTPRequest(method: .get, absoluteURL: full, headerFields: headers)
        request.headerFields[.accept] = "application/json"
        return try await send(request, body: nil, transport: context.transport)
    }

    private func send(_ request: HTTPRequest, body: HTTPBody?, transport: any HTTPTransport) async throws
        -> OAuthTokenResponse
    {
        let bytes: [UInt8]
        let status: Int
        do {
            let (response, responseBody) = try await transport.send(
                request, body: body, baseURL: url.origin, operationID: operationID)
            status = response.status.code
            bytes = try await HTTPBodies.collect(responseBody, upTo: 1 << 20)
        } catch {
            throw PublishError.wrapping(error, platform: platform, operationID: operationID)
        }
        let object = (try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)))?.objectValue
        let oauthError = object?["error"]?.stringValue
        guard (200..<300).contains(status), oauthError == nil, let object else {
            if let mapped = mapError?(status, bytes) { throw mapped }
            throw standardError(status: status, object: object, bytes: bytes)
        }
        let answer = OAuthTokenResponse(fields: object, platform: platform, operationID: operationID, raw: bytes)
        for key in ["access_token", "refresh_token", "id_token"] {
            if let secret = object[key]?.stringValue { Redaction.register(secret: secret) }
        }
        return answer
    }

    /// RFC 6749 §5.2 errors (TikTok adds `log_id`).
    private func standardError(status: Int, object: [String: JSONValue]?, bytes: [UInt8]) -> PublishError {
        let error = object?["error"]?.stringValue
        let description =
            object?["error_description"]?.stringValue ?? object?["error_message"]?.stringValue
            ?? object?["message"]?.stringValue
        let diagnostic = object?["log_id"]?.stringValue
        guard let error else {
            let text = Redaction.outsideText(bytes: bytes)
            let retryable = status >= 500 || status == 429
            return PublishError(
                retryable ? .server : .protocolViolation, platform: platform, operationID: operationID,
                httpStatus: status,
                message: "the token endpoint answered HTTP \(status)"
                    + (text.isEmpty ? "" : ": \(text)"),
                remediation: "run `\(command)` again", retryable: retryable)
        }
        let message = Redaction.outsideText("the token exchange failed: \(error)" + (description.map { " — \($0)" } ?? ""))
        switch error {
        case "invalid_client", "unauthorized_client":
            return PublishError(
                .configuration, platform: platform, operationID: operationID, httpStatus: status, platformCode: error,
                message: message,
                remediation: "check the app's client id and secret in the .env, then run `\(command)` again",
                diagnosticID: diagnostic)
        case "invalid_grant":
            return PublishError(
                .authentication, platform: platform, operationID: operationID, httpStatus: status, platformCode: error,
                message: message,
                remediation:
                    "the code was rejected (expired, used, or a redirect URI/PKCE mismatch); run `\(command)` again",
                diagnosticID: diagnostic)
        case "temporarily_unavailable", "server_error":
            return PublishError(
                .server, platform: platform, operationID: operationID, httpStatus: status, platformCode: error,
                message: message, remediation: "try `\(command)` again in a minute", retryable: true,
                diagnosticID: diagnostic)
        default:
            return PublishError(
                .authentication, platform: platform, operationID: operationID, httpStatus: status, platformCode: error,
                message: message, remediation: "run `\(command)` again", diagnosticID: diagnostic)
        }
    }
}
