import Crypto
import Foundation
import PlatformKit
import PublishingCore

extension TikTokFake {
    // MARK: GET /v2/auth/authorize/

    /// The sandbox's stand-in for TikTok's consent page: checks the desktop PKCE parameters (the challenge is the
    /// lowercase hex SHA-256 of the verifier) and redirects straight back with a code.
    func authorize(_ request: FakeRequest, record: inout TikTokFakeRequestRecord) async -> FakeResponse {
        let configuration = state.configuration
        func refuse(_ reason: String) -> FakeResponse {
            record.errorCode = "invalid_request"
            return .text(400, reason)
        }
        guard request.query("client_key") == configuration.clientKey else { return refuse("unknown client_key") }
        guard request.query("response_type") == "code" else { return refuse("response_type must be code") }
        guard let scope = request.query("scope"), !scope.isEmpty else { return refuse("scope is required") }
        guard let redirect = request.query("redirect_uri"), let url = URL(string: redirect),
            ["127.0.0.1", "localhost"].contains(url.host() ?? ""), url.port != nil, url.query() == nil
        else {
            return refuse("redirect_uri must be http(s)://127.0.0.1 or localhost with a port, and no query")
        }
        guard let challenge = request.query("code_challenge"), challenge.count == 64,
            challenge.allSatisfy({ $0.isHexDigit && !$0.isUppercase })
        else {
            return refuse("code_challenge must be the lowercase hex SHA-256 of the code_verifier")
        }
        guard request.query("code_challenge_method") == "S256" else {
            return refuse("code_challenge_method must be S256")
        }
        guard let echoed = request.query("state"), !echoed.isEmpty else {
            return refuse("state is required (atom always sends one)")
        }
        let consent = await state.takeFault { kind -> Bool? in
            if case .consent(let denied) = kind { return denied }
            return nil
        }
        if consent == true {
            record.errorCode = "access_denied"
            let query = FormEncoding.encode([
                ("error", "access_denied"), ("error_description", "The user denied the authorization request"),
                ("state", echoed),
            ])
            return FakeResponse(status: 302, headers: [("Location", redirect + "?" + query)])
        }
        await state.rememberAuthorization(challenge: challenge, redirectURI: redirect)
        let query = FormEncoding.encode([
            ("code", configuration.authorizationCode), ("scopes", scope),
            ("state", consent == false ? "forged-state" : echoed),
        ])
        return FakeResponse(status: 302, headers: [("Location", redirect + "?" + query)])
    }

    // MARK: POST /v2/oauth/token/

    private func oauthError(
        _ status: Int, _ error: String, _ description: String, record: inout TikTokFakeRequestRecord
    ) async -> FakeResponse {
        record.errorCode = error
        let logID = await state.nextLogID()
        return .json(
            status,
            .object(["error": .string(error), "error_description": .string(description), "log_id": .string(logID)]))
    }

    /// Refresh (`grant_type=refresh_token`, rotating the refresh token) and code exchange (`authorization_code`).
    func token(_ request: FakeRequest, record: inout TikTokFakeRequestRecord) async throws -> FakeResponse {
        let configuration = state.configuration
        if let fault = await state.takeFault({ kind -> (Int, String, String)? in
            if case .oauthError(let status, let error, let description) = kind { return (status, error, description) }
            return nil
        }) {
            return await oauthError(fault.0, fault.1, fault.2, record: &record)
        }
        guard request.header("Content-Type")?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            return await oauthError(
                400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded", record: &record)
        }
        let fields = Dictionary(try await request.formFields(), uniquingKeysWith: { first, _ in first })
        guard fields["client_key"] == configuration.clientKey, fields["client_secret"] == configuration.clientSecret
        else {
            return await oauthError(401, "invalid_client", "client_key or client_secret is wrong", record: &record)
        }
        let issued: (access: String, refresh: String)?
        switch fields["grant_type"] {
        case "refresh_token":
            issued = await state.issueTokens(usingRefreshToken: fields["refresh_token"] ?? "")
            if issued == nil {
                return await oauthError(
                    400, "invalid_grant", "the refresh token is invalid or expired", record: &record)
            }
        case "authorization_code":
            guard fields["code"] == configuration.authorizationCode, let verifier = fields["code_verifier"],
                (43...128).contains(verifier.count),
                let redirect = fields["redirect_uri"]
            else {
                return await oauthError(
                    400, "invalid_grant", "the code, code_verifier or redirect_uri is missing or wrong", record: &record
                )
            }
            let challenge = FileDigest.hex(SHA256.hash(data: Data(verifier.utf8)))
            guard await state.redeemAuthorization(challenge: challenge, redirectURI: redirect) else {
                return await oauthError(
                    400, "invalid_grant", "Code verifier or code challenge is invalid", record: &record)
            }
            issued = await state.issueTokens(usingRefreshToken: nil)
        default:
            return await oauthError(
                400, "unsupported_grant_type", "grant_type must be refresh_token or authorization_code", record: &record
            )
        }
        guard let issued else { return await oauthError(500, "server_error", "no token issued", record: &record) }
        return .json(
            200,
            .object([
                "access_token": .string(issued.access),
                "expires_in": .number(Double(configuration.accessTokenLifetime)),
                "open_id": .string(configuration.openID),
                "refresh_expires_in": .number(31_536_000),
                "refresh_token": .string(issued.refresh),
                "scope": .string("user.info.basic,video.publish,video.upload"),
                "token_type": .string("Bearer"),
            ]))
    }
}
