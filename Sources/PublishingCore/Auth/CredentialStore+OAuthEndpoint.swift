import Foundation

extension CredentialStore {
    /// An endpoint URL from an `ATOM_*` override, or the production default.
    /// - Throws: ``PublishError`` (`configuration`) when the override is not an absolute https URL (plain http only
    ///   on loopback: ``UploadHostPolicy/overrideBase(_:key:platform:)``).
    public func oauthEndpointURL(_ key: String, default defaultURL: URL, platform: PlatformID? = nil) throws -> URL {
        try UploadHostPolicy.overrideBase(try nonEmpty(key), key: key, platform: platform) ?? defaultURL
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
