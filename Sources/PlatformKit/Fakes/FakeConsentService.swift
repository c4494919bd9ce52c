import Foundation
import PublishingCore

/// Mounts a ``FakeConsent`` page: `GET <mountPath><path>`.
public struct FakeConsentService: FakeService {
    public let mountPath: String
    /// The path of the authorization endpoint under the mount; `nil` answers any path ending in `suffix`.
    public let path: String
    public let consent: FakeConsent
    /// The settings key `atom sandbox` points at this page (`ATOM_GOOGLE_AUTH_URL`), if any.
    public let environmentKey: String?

    /// Creates the service.
    /// - Parameters:
    ///   - consent: The page's rules and state.
    ///   - mountPath: e.g. `/google-auth`.
    ///   - path: e.g. `/o/oauth2/v2/auth`; a request path that ends with it is answered (Facebook puts a version first).
    ///   - environmentKey: The `ATOM_*_AUTH_URL` key its URL goes in for the sandbox.
    public init(_ consent: FakeConsent, mountPath: String, path: String, environmentKey: String? = nil) {
        self.consent = consent
        self.mountPath = mountPath
        self.path = path
        self.environmentKey = environmentKey
    }

    public func sandboxEnvironment(server: FakeServer) -> [String: String] {
        environmentKey.map { [$0: authorizationURL(server: server)] } ?? [:]
    }

    /// The authorization URL of this page on `server`.
    public func authorizationURL(server: FakeServer) -> String { server.baseURL(for: mountPath).absoluteString + path }

    public func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        guard request.path == path || request.path.hasSuffix(path) else { return nil }
        return await consent.authorize(request)
    }
}
