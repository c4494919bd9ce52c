import OAuthLogin
import PlatformKit
import PublishingCore

extension FakeConsent.Profile {
    /// TikTok's desktop consent page: `client_key`, comma-separated scopes, PKCE with the hex challenge.
    public static func tiktok(clientKey: String) -> FakeConsent.Profile {
        FakeConsent.Profile(
            platformName: "TikTok", clientIDParameter: "client_key", clientID: clientKey,
            requiredScopes: ["video.publish"], pkce: .hexLowercase, grantedScopesParameter: "scopes",
            codePrefix: "sandbox-tiktok-code-")
    }
}
