import Foundation
import PlatformKit
import PublishingCore

/// Google's OAuth token endpoint as ``FakeYouTube`` runs it, mounted at `/google-oauth` (`POST /google-oauth/token`).
///
/// `grant_type=refresh_token` issues an access token for a refresh token it knows (else `invalid_grant`);
/// `grant_type=authorization_code` exchanges a code from ``FakeYouTube/consent`` (single use, same client and
/// `redirect_uri`, and a `code_verifier` whose S256 base64url hash is the challenge) for an access and a new refresh
/// token. A wrong client id or secret answers `invalid_client`.
public struct FakeGoogleOAuth: FakeService {
    let fake: FakeYouTube
    private var state: FakeYouTubeState { fake.state }

    /// Where the service is mounted.
    public var mountPath: String { FakeYouTube.oauthMountPath }

    /// Answers the requests this service owns; `nil` for any other.
    public func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        guard request.method == "POST", request.path == "/token" else { return nil }
        guard request.header("Content-Type")?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            return Self.error(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        }
        let fields = try await request.formFields()
        func field(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }
        guard field("client_id") == FakeYouTube.clientID, field("client_secret") == FakeYouTube.clientSecret else {
            return Self.error(401, "invalid_client", "The OAuth client was not found.")
        }
        switch field("grant_type") {
        case "refresh_token":
            guard let refreshToken = field("refresh_token"), await state.knows(refreshToken: refreshToken) else {
                return Self.error(400, "invalid_grant", "Token has been expired or revoked.")
            }
            let issued = await state.issueAccessToken(refresh: true)
            return .json(
                200,
                .object([
                    "access_token": .string(issued.token), "expires_in": .number(Double(issued.lifetime)),
                    "scope": .string("https://www.googleapis.com/auth/youtube.upload"), "token_type": .string("Bearer"),
                ]), headers: [("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")])
        case "authorization_code":
            guard let redirect = field("redirect_uri"), !redirect.isEmpty else {
                return Self.error(400, "invalid_request", "Missing parameter: redirect_uri")
            }
            let redemption = await fake.consent.redeem(
                code: field("code"), clientID: field("client_id"), redirectURI: redirect,
                verifier: field("code_verifier"))
            guard case .granted(let authorization) = redemption else {
                if case .refused(let error, let description) = redemption { return Self.error(400, error, description) }
                return Self.error(400, "invalid_grant", "Malformed auth code.")
            }
            let issued = await state.issueAccessToken(refresh: false)
            let refreshToken = await state.issueRefreshToken()
            return .json(
                200,
                .object([
                    "access_token": .string(issued.token), "expires_in": .number(Double(issued.lifetime)),
                    "refresh_token": .string(refreshToken),
                    "scope": .string(authorization.scopes.joined(separator: " ")),
                    "token_type": .string("Bearer"),
                ]))
        default:
            return Self.error(400, "unsupported_grant_type", "Invalid grant_type: \(field("grant_type") ?? "")")
        }
    }

    /// The `.env` lines that point atom at this service.
    public func sandboxEnvironment(server: FakeServer) -> [String: String] {
        ["ATOM_GOOGLE_TOKEN_URL": server.baseURL(for: mountPath).absoluteString + "/token"]
    }

    private static func error(_ status: Int, _ code: String, _ description: String) -> FakeResponse {
        .json(status, .object(["error": .string(code), "error_description": .string(description)]))
    }
}
