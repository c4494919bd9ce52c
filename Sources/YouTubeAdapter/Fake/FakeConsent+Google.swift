import OAuthLogin
import PlatformKit
import PublishingCore

extension FakeConsent.Profile {
    /// Google's consent page (`accounts.google.com/o/oauth2/v2/auth`): space-separated scopes, base64url PKCE,
    /// offline access with a forced consent prompt, loopback redirects on any port.
    public static func google(clientID: String) -> FakeConsent.Profile {
        FakeConsent.Profile(
            platformName: "Google", clientID: clientID,
            requiredScopes: ["https://www.googleapis.com/auth/youtube.upload"], scopeSeparator: " ",
            pkce: .base64URL,
            requiredParameters: ["response_type": "code", "access_type": "offline", "prompt": "consent"],
            grantedScopesParameter: "scope", codePrefix: "sandbox-google-code-")
    }
}
