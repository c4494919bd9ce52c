import PlatformKit
import PublishingCore

extension FakeConsent.Profile {
    /// Facebook's login dialog (`/dialog/oauth`): comma-separated permissions, no PKCE.
    public static func facebook(
        appID: String, requiredScopes: [String] = ["pages_show_list"], redirects: [FakeConsent.RedirectRule] = [.loopback]
    ) -> FakeConsent.Profile {
        var profile = FakeConsent.Profile(
            platformName: "Facebook", clientID: appID, requiredScopes: requiredScopes, pkce: nil,
            redirects: redirects,
            codePrefix: "sandbox-facebook-code-")
        profile.denialParameters = ["error_reason": "user_denied"]
        return profile
    }
}
