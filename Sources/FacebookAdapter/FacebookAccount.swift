import Foundation
import GraphAPISupport
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore

/// The owner's Facebook grant: the Page token's validity, scopes, expiry and owner (`GET /debug_token`), the Page's
/// name, revoking the app's permissions, and deleting a Page video (`DELETE /{video-id}`).
///
/// atom keeps a Page token only, and `/me` with it is the Page, so `DELETE /me/permissions` cannot end the grant.
/// Meta accepts `DELETE /{user-id}/permissions` with an app access token (`app-id|app-secret`)
/// (https://developers.facebook.com/docs/graph-api/reference/user/permissions/, "Revoking Permissions"): atom takes
/// the user id from `debug_token` and the app credentials from `FACEBOOK_APP_ID`/`FACEBOOK_APP_SECRET`; without them
/// the owner removes the app by hand. Page videos are deleted with `DELETE /{video-id}` and the Page token
/// (https://developers.facebook.com/docs/graph-api/reference/video/#deleting).
public struct FacebookAccount: AccountControl {
    /// ``PlatformID/facebook``.
    public let platform = PlatformID.facebook
    let configuration: FacebookPublisher.Configuration
    let client: GraphClient
    let transport: any HTTPTransport
    let app: (id: String, secret: String)?
    let now: @Sendable () -> Date

    static let reauthorize = "run `atom auth facebook` and allow every permission"
    static let removeByHand =
        "remove the app at https://www.facebook.com/settings/?tab=business_tools (Settings › Business integrations)"

    /// Creates the account control.
    /// - Parameters:
    ///   - configuration: The Page id, Page token and Graph endpoint.
    ///   - appID: `FACEBOOK_APP_ID`, needed to revoke.
    ///   - appSecret: `FACEBOOK_APP_SECRET`, needed to revoke.
    ///   - environment: The transport, logger and clock.
    public init(
        configuration: FacebookPublisher.Configuration, appID: String?, appSecret: String?,
        environment: PublisherEnvironment
    ) {
        self.configuration = configuration
        self.transport = environment.transport
        self.now = environment.now
        self.client = GraphClient(
            configuration: configuration, transport: environment.transport, logger: environment.logger,
            now: environment.now)
        if let appID, let appSecret {
            Redaction.register(secret: appSecret)
            self.app = (appID, appSecret)
        } else {
            self.app = nil
        }
    }

    struct DebugToken: Decodable {
        struct Payload: Decodable {
            var isValid: Bool?
            var type: String?
            var scopes: [String]?
            var expiresAt: Int64?
            var dataAccessExpiresAt: Int64?
            var profileID: String?
            var userID: String?
        }
        var data: Payload
    }

    struct Node: Decodable {
        var id: String?
        var name: String?
    }

    private func debugToken() async throws -> DebugToken.Payload {
        try await client.get(
            client.path("debug_token"), query: [("input_token", configuration.pageAccessToken)], as: DebugToken.self,
            operationID: "facebook.debugToken"
        ).data
    }

    // MARK: Status

    /// `debug_token` for the Page token (validity, scopes, expiry, Page), then the Page's name.
    public func status() async throws -> AccountStatus {
        var status = AccountStatus(refresh: .notSupported)
        let info: DebugToken.Payload
        do {
            info = try await debugToken()
        } catch let error as PublishError where error.code == .authentication {
            status.problems.append(
                AccountProblem("the Page token was refused: \(error.message)", remediation: Self.reauthorize))
            return status
        } catch {
            throw FacebookFailure.boundary(error)
        }
        guard info.isValid ?? false else {
            status.problems.append(AccountProblem("the Page token is no longer valid", remediation: Self.reauthorize))
            return status
        }
        status.scopes = info.scopes
        status.checkScopes(FacebookLoginProvider.postingScopes, remediation: Self.reauthorize)
        if let expires = info.expiresAt {
            if expires == 0 {
                status.accessTokenNeverExpires = true
            } else {
                status.accessTokenExpiresAt = Date(timeIntervalSince1970: TimeInterval(expires))
            }
        }
        status.refreshTokenExpiresAt = info.dataAccessExpiresAt.flatMap {
            $0 == 0 ? nil : Date(timeIntervalSince1970: TimeInterval($0))
        }
        if info.type.map({ $0.uppercased() != "PAGE" }) ?? false {
            status.problems.append(
                AccountProblem(
                    "FACEBOOK_PAGE_ACCESS_TOKEN is a \(info.type ?? "?") token, not a Page token",
                    remediation: "run `atom auth facebook`"))
        }
        if let profile = info.profileID, profile != configuration.pageID {
            status.problems.append(
                AccountProblem(
                    "the token belongs to another Page (\(profile)) than FACEBOOK_PAGE_ID",
                    remediation: "run `atom auth facebook`"))
        }
        do {
            let page: Node = try await client.get(
                client.path(configuration.pageID), query: [("fields", "id,name")], operationID: "facebook.page")
            status.account = page.name
            status.accountID = page.id ?? configuration.pageID
        } catch {
            throw FacebookFailure.boundary(error)
        }
        status.notes.append(
            "the data access expiry is when Meta stops the app reading the account's data unless the owner logs in again"
        )
        return status
    }

    // MARK: Revoke

    /// `DELETE /{user-id}/permissions` with the app access token, the user taken from `debug_token`.
    public func revoke() async throws -> Revocation {
        guard let app else {
            return .manual(
                "atom keeps only a Page token, which cannot revoke the grant; set FACEBOOK_APP_ID and "
                    + "FACEBOOK_APP_SECRET to let atom do it, or \(Self.removeByHand)")
        }
        let info: DebugToken.Payload
        do {
            info = try await debugToken()
        } catch {
            throw FacebookFailure.boundary(error)
        }
        guard let user = info.userID, user.allSatisfy(\.isNumber), info.isValid ?? false else {
            return .manual("the Page token no longer names its user (it may already be revoked); \(Self.removeByHand)")
        }
        let operationID = "facebook.permissions.delete"
        var fields = HTTPFields()
        fields[.authorization] = "Bearer \(app.id)|\(app.secret)"
        fields[.accept] = "application/json"
        let (response, body) = try await transport.send(
            HTTPRequest(method: .delete, path: client.path(user, "permissions"), headerFields: fields), body: nil,
            baseURL: configuration.graphBaseURL, operationID: operationID)
        let bytes = try await HTTPBodies.collect(body, upTo: 1 << 20)
        guard (200..<300).contains(response.status.code), GraphAPIError.parse(bytes) == nil else {
            throw FacebookFailure.boundary(
                client.graphFailure(
                    status: response.status.code, body: bytes, headers: response.headerFields, operationID: operationID)
            )
        }
        return .revoked(
            "Meta removed the app's permissions for the user who granted the Page token; the Page token stops working")
    }

    // MARK: Delete

    /// `DELETE /{video-id}` with the Page token.
    public func deletePost(id: String) async throws -> PostDeletion {
        guard !id.isEmpty, id.allSatisfy({ $0.isNumber || $0 == "_" }) else {
            throw PublishError(.invalidInput, platform: platform, message: "not a Facebook video id: \(id)")
        }
        let operationID = "facebook.video.delete"
        var fields = HTTPFields()
        fields[.authorization] = "Bearer \(configuration.pageAccessToken)"
        fields[.accept] = "application/json"
        var query: [(String, String)] = []
        if let proof = configuration.appSecretProof { query.append(("appsecret_proof", proof)) }
        let (response, body) = try await transport.send(
            HTTPRequest(method: .delete, path: client.path(id), query: query, headerFields: fields), body: nil,
            baseURL: configuration.graphBaseURL, operationID: operationID)
        let bytes = try await HTTPBodies.collect(body, upTo: 1 << 20)
        if (200..<300).contains(response.status.code), GraphAPIError.parse(bytes) == nil { return .deleted }
        var error = FacebookFailure.boundary(
            client.graphFailure(
                status: response.status.code, body: bytes, headers: response.headerFields, operationID: operationID))
        if error.platformCode == "100" || error.code == .notFound {
            error.remediation =
                "the video may already be deleted; check the Page's videos in Meta Business Suite (Content)"
        }
        throw error
    }
}

extension AccountControlFactory {
    /// Facebook's account control: Page token status, revoke (with the app credentials) and video deletion.
    public static func facebook() -> AccountControlFactory {
        AccountControlFactory(
            platform: .facebook, displayName: "Facebook",
            tokenKeys: ["FACEBOOK_PAGE_ACCESS_TOKEN", "FACEBOOK_PAGE_ID"],
            requiredKeys: ["FACEBOOK_PAGE_ID", "FACEBOOK_PAGE_ACCESS_TOKEN"]
        ) { environment in
            FacebookAccount(
                configuration: try .load(from: environment.credentials),
                appID: try environment.credentials.nonEmpty("FACEBOOK_APP_ID"),
                appSecret: try environment.credentials.nonEmpty("FACEBOOK_APP_SECRET"), environment: environment)
        }
    }
}
