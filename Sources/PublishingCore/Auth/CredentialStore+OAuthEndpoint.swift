import Foundation

extension CredentialStore {
    /// An endpoint URL from an `ATOM_*` override, or the production default.
    /// - Throws: ``PublishError`` (`configuration`) when the override is not an absolute http(s) URL.
    public func oauthEndpointURL(_ key: String, default defaultURL: URL, platform: PlatformID? = nil) throws -> URL {
        guard let raw = try nonEmpty(key) else { return defaultURL }
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host() != nil
        else {
            throw PublishError(
                .configuration, platform: platform, message: "\(key) is not an absolute http(s) URL: \(raw)",
                remediation: "fix or remove \(key) in the .env file")
        }
        return url
    }
}

extension URL {
    /// This URL with `path` appended to its path (`/v2/oauth/token/` onto `https://host/prefix`).
    public func appendingOAuthPath(_ path: String) -> URL {
        var base = absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: base + (path.hasPrefix("/") ? path : "/" + path)) ?? self
    }
}
