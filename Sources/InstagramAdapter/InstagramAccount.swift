import Foundation
import GraphAPISupport
import HTTPTypes
import OpenAPIRuntime
import PublishingCore

/// The owner's Instagram grant: the account's username (`GET /{ig-user-id}?fields=id,username`), the token's expiry
/// (refreshed the way publishing refreshes it), revoking, and the missing delete endpoint.
///
/// Revoking: a Facebook Login user token (`INSTAGRAM_LOGIN=facebook`) can call `DELETE /me/permissions`
/// (https://developers.facebook.com/docs/graph-api/reference/user/permissions/); Instagram Login tokens have no
/// revocation endpoint, so the owner removes the app in Instagram's settings. Deleting: Instagram Login has no
/// delete endpoint for published media, and the Facebook Login route (`DELETE /{ig-media-id}`, which third parties
/// report needs `instagram_manage_contents`) is outside the grant atom asks for: posts are deleted in the app.
public struct InstagramAccount: AccountControl {
    /// ``PlatformID/instagram``.
    public let platform = PlatformID.instagram
    let configuration: InstagramConfiguration
    let tokens: InstagramTokens
    let graph: InstagramGraphClient
    let transport: any HTTPTransport
    let now: @Sendable () -> Date

    static let removeByHand =
        "in the Instagram app: Settings › Website permissions › Apps and websites › Active › atom's app › Remove"

    /// Creates the account control.
    /// - Parameters:
    ///   - configuration: Token, account id, login kind and endpoints.
    ///   - environment: The transport, the store a refreshed token is saved to, and the clock.
    public init(configuration: InstagramConfiguration, environment: PublisherEnvironment) {
        self.configuration = configuration
        self.transport = environment.transport
        self.now = environment.now
        let graph = InstagramGraphClient(configuration: configuration, environment: environment)
        self.tokens = graph.tokens
        self.graph = graph
    }

    private struct User: Decodable {
        var id: String?
        var username: String?
    }

    /// The account's username; the token refreshed first when it is close to expiry (as publishing does).
    public func status() async throws -> AccountStatus {
        var status = AccountStatus(refresh: .notNeeded)
        do {
            let user: User = try await graph.get(
                [configuration.userID], query: [("fields", "id,username")], operationID: "instagram.account")
            status.account = user.username
            status.accountID = user.id ?? configuration.userID
        } catch let error as PublishError where error.code == .authentication || error.code == .permissionDenied {
            status.problems.append(
                AccountProblem("the token was refused: \(error.message)", remediation: "run `atom auth instagram`"))
            return status
        }
        if tokens.didRefresh { status.refresh = .refreshed }
        status.accessTokenExpiresAt = try? await tokens.token().expiresAt
        if status.accessTokenExpiresAt == nil { status.accessTokenExpiresAt = configuration.accessTokenExpiresAt }
        status.notes.append(
            "Instagram does not report a token's scopes to the token itself; publishing needs "
                + (configuration.login == .facebook
                    ? "instagram_basic, instagram_content_publish, pages_show_list, pages_read_engagement"
                    : "instagram_business_basic, instagram_business_content_publish"))
        return status
    }

    /// `DELETE /me/permissions` with a Facebook Login user token; Instagram Login tokens have no endpoint.
    public func revoke() async throws -> Revocation {
        guard configuration.login == .facebook else {
            return .manual("Instagram Login tokens have no revocation endpoint; \(Self.removeByHand)")
        }
        let operationID = "instagram.permissions.delete"
        let token = try await tokens.token()
        var fields = HTTPFields()
        fields[.authorization] = "Bearer \(token.value)"
        fields[.accept] = "application/json"
        let (response, body) = try await transport.send(
            HTTPRequest(method: .delete, path: "/\(configuration.apiVersion)/me/permissions", headerFields: fields),
            body: nil, baseURL: configuration.baseURL, operationID: operationID)
        let bytes = try await HTTPBodies.collect(body, upTo: 1 << 20)
        let _: [String: JSONValue] = try graph.decode(response, bytes: bytes, operationID: operationID)
        return .revoked("Meta removed every permission atom's app had for the Facebook user")
    }

    /// Instagram's API has no delete endpoint for published media.
    public func deletePost(id: String) async throws -> PostDeletion {
        // Instagram Login has no delete endpoint. With Facebook Login, DELETE /{ig-media-id} is reported to need
        // instagram_manage_contents, which atom's login does not ask for (least privilege).
        .manual(
            "atom's Instagram grant cannot delete a published post; in the Instagram app open the Reel, tap ⋯ › Delete")
    }
}

extension AccountControlFactory {
    /// Instagram's account control: status, revoke (Facebook Login tokens) and the manual delete instructions.
    public static func instagram() -> AccountControlFactory {
        AccountControlFactory(
            platform: .instagram, displayName: "Instagram",
            tokenKeys: [
                "INSTAGRAM_ACCESS_TOKEN", "INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT", "INSTAGRAM_USER_ID", "INSTAGRAM_LOGIN",
            ],
            requiredKeys: ["INSTAGRAM_ACCESS_TOKEN", "INSTAGRAM_USER_ID"]
        ) { environment in
            InstagramAccount(
                configuration: try InstagramConfiguration(store: environment.credentials), environment: environment)
        }
    }
}
