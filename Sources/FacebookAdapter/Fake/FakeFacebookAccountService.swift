import Foundation
import PlatformKit
import PublishingCore
import Synchronization

extension FakeFacebook {
    /// The id of the user who granted the fake's Page token (what `debug_token` reports as `user_id`).
    public static let grantingUserID = "100000000000099"
    /// The app id whose app access token (`app-id|app-secret`) may revoke the grant.
    public static let appID = "sandbox-facebook-app-id"
    /// The app secret used when the fake's configuration sets none.
    public static let defaultAppSecret = "sandbox-facebook-app-secret"

    /// `GET /debug_token`, `DELETE /{video-id}` and `DELETE /{user-id}/permissions` on the Graph mount; mount it
    /// next to ``services``.
    public var accountService: any FakeService { FakeFacebookAccountService(fake: self) }

    /// How many times `DELETE /{user-id}/permissions` ended the grant.
    public func permissionRevocations() -> Int { state.withLock { $0.permissionRevocations } }
    /// Whether a video with `id` still exists.
    public func hasVideo(_ id: String) -> Bool { state.withLock { $0.videos[id] != nil } }
}

/// `GET /debug_token`, `DELETE /{video-id}` and `DELETE /{user-id}/permissions` on the Graph fake.
///
/// `debug_token` takes the Page token as both caller and `input_token` and answers Meta's shape (`is_valid`,
/// `type: PAGE`, `scopes`, `expires_at: 0` for a Page token that never expires, `data_access_expires_at`,
/// `profile_id`, `user_id`). Deleting a video needs the Page token and answers `{"success": true}`, or error 100
/// for an unknown id. Revoking needs the app access token `app-id|app-secret` and the granting user's id; it ends
/// the grant, so the Page token is refused afterwards (error 190).
struct FakeFacebookAccountService: FakeService {
    let fake: FakeFacebook
    var mountPath: String { FakeFacebookGraphService.mount }
    static let scopes = ["pages_show_list", "pages_read_engagement", "pages_manage_posts"]

    private var graph: FakeFacebookGraphService { FakeFacebookGraphService(fake: fake) }
    private var appToken: String {
        "\(FakeFacebook.appID)|\(fake.configuration.appSecret ?? FakeFacebook.defaultAppSecret)"
    }

    func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        let components = request.path.split(separator: "/").map(String.init)
        guard components.count >= 2, components[0].wholeMatch(of: /v[0-9]+\.[0-9]+/) != nil else { return nil }
        switch (request.method, components.count) {
        case ("GET", 2) where components[1] == "debug_token":
            return try await debugToken(request)
        case ("DELETE", 2) where components[1].allSatisfy(\.isNumber):
            return try await deleteVideo(request, id: components[1])
        case ("DELETE", 3) where components[2] == "permissions":
            return revoke(request, user: components[1])
        default:
            return nil
        }
    }

    private func debugToken(_ request: FakeRequest) async throws -> FakeResponse {
        let parameters = try await graph.readParameters(request)
        if let refusal = graph.authenticate(request, parameters) { return refusal }
        guard let input = parameters["input_token"] else {
            return FakeFacebookError.parameter("The parameter input_token is required")
        }
        let configuration = fake.configuration
        guard input == configuration.accessToken else {
            return .json(200, .object(["data": .object(["is_valid": .bool(false), "scopes": .array([])])]))
        }
        let dataAccess = configuration.now().addingTimeInterval(90 * 86_400).timeIntervalSince1970
        return .json(
            200,
            .object([
                "data": .object([
                    "app_id": .string(FakeFacebook.appID), "type": .string("PAGE"),
                    "application": .string("atom sandbox"), "is_valid": .bool(true),
                    "expires_at": .number(0), "data_access_expires_at": .number(dataAccess.rounded()),
                    "scopes": .array(Self.scopes.map(JSONValue.string)),
                    "profile_id": .string(configuration.pageID), "user_id": .string(FakeFacebook.grantingUserID),
                ])
            ]))
    }

    private func deleteVideo(_ request: FakeRequest, id: String) async throws -> FakeResponse {
        let parameters = try await graph.readParameters(request)
        if let refusal = graph.authenticate(request, parameters) { return refusal }
        let removed = fake.state.withLock { state in
            guard state.videos.removeValue(forKey: id) != nil else { return false }
            state.order.removeAll { $0 == id }
            return true
        }
        guard removed else {
            return FakeFacebookError.graph(
                400, code: 100,
                message:
                    "Unsupported delete request. Object with ID '\(id)' does not exist, cannot be loaded due to missing "
                    + "permissions, or does not support this operation.")
        }
        return .json(200, .object(["success": .bool(true)]))
    }

    private func revoke(_ request: FakeRequest, user: String) -> FakeResponse {
        let token = request.bearerToken ?? request.query("access_token")
        guard let token else { return FakeFacebookError.missingToken }
        guard token == appToken else { return FakeFacebookError.invalidToken }
        guard user == FakeFacebook.grantingUserID else {
            return FakeFacebookError.graph(400, code: 100, message: "(#100) Invalid user id")
        }
        fake.state.withLock { state in
            state.permissionRevocations += 1
            state.tokenExpired = true
        }
        return .json(200, .object(["success": .bool(true)]))
    }
}
