import Foundation
import PlatformKit
import PublishingCore

extension InstagramFake {
    /// `DELETE /{version}/me/permissions` on the Graph host; mount it before ``services``, whose Graph handler
    /// answers every other path.
    public nonisolated var accountService: InstagramFakeAccountService { InstagramFakeAccountService(fake: self) }

    /// Whether a user revoked the grant (no token works any more).
    public func grantRevoked() -> Bool { validTokens.isEmpty }

    /// Ends the grant `token` belongs to: every token the fake accepts stops working.
    func revokeGrant(token: String?) -> FakeResponse {
        if let failure = authFailure(token: token) { return failure }
        validTokens.removeAll()
        return .json(200, .object(["success": .bool(true)]))
    }
}

/// Meta's `DELETE /me/permissions` with the user token that Facebook Login gave (`INSTAGRAM_LOGIN=facebook`):
/// it removes the app's every permission for that user
/// (https://developers.facebook.com/docs/graph-api/reference/user/permissions/).
/// Instagram Login tokens (graph.instagram.com) have no such endpoint, so the fake serves it on the Graph host only.
public struct InstagramFakeAccountService: FakeService {
    let fake: InstagramFake

    /// The shared Graph host.
    public var mountPath: String { InstagramFakeService.Mount.graph.rawValue }

    /// Answers `DELETE /{version}/me/permissions`; `nil` for anything else.
    public func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        let segments = request.path.split(separator: "/").map(String.init)
        guard request.method == "DELETE", segments.count == 3, segments[0].wholeMatch(of: /v[0-9]+\.[0-9]+/) != nil,
            segments[1] == "me", segments[2] == "permissions"
        else { return nil }
        return await fake.revokeGrant(token: request.bearerToken ?? request.query("access_token"))
    }
}
