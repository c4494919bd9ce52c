import PlatformKit
import PublishingCore

extension FakeConsent.Profile {
    /// Instagram's Business Login page (`instagram.com/oauth/authorize`): no PKCE, and the `#_` Instagram appends.
    public static func instagram(appID: String, redirects: [FakeConsent.RedirectRule] = [.loopback]) -> FakeConsent.Profile {
        var profile = FakeConsent.Profile(
            platformName: "Instagram", clientID: appID, requiredScopes: ["instagram_business_content_publish"],
            pkce: nil,
            redirects: redirects, codePrefix: "sandbox-instagram-code-", fragment: "_")
        profile.denialParameters = ["error_reason": "user_denied"]
        return profile
    }
}
