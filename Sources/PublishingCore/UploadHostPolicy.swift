import Foundation

/// Where an adapter may send the owner's token or the video's bytes when a platform's answer names the place
/// (TikTok's `upload_url`, Instagram's rupload `uri`, YouTube's session `Location`).
///
/// A URL passes when it is `https` on the platform's own host family (the host, or a subdomain of it), or when it is
/// on the origin of a configured override base (how tests and local fakes aim an adapter at a fake). Anything else
/// is refused before a byte or a token is sent, with an error that names the host.
public struct UploadHostPolicy: Sendable, Equatable {
    /// The platform the policy is for.
    public var platform: PlatformID
    /// The platform's registrable hosts, e.g. `tiktokapis.com` (which also admits `open-upload.tiktokapis.com`).
    public var hostFamily: [String]
    /// Bases configured by the owner (`ATOM_*_API_BASE`); their origins are accepted as they are.
    public var overrides: [URL]

    /// Creates a policy.
    /// - Parameters:
    ///   - platform: The platform the policy is for (named in errors).
    ///   - hostFamily: The platform's own hosts; a URL on one of them or on a subdomain passes when it is `https`.
    ///   - overrides: Configured bases whose origins (scheme, host, port) pass as well.
    public init(platform: PlatformID, hostFamily: [String], overrides: [URL] = []) {
        self.platform = platform
        self.hostFamily = hostFamily.map { $0.lowercased() }
        self.overrides = overrides
    }

    /// Checks `url` before anything is sent to it.
    /// - Parameters:
    ///   - url: Where the platform's answer says to send the bytes.
    ///   - operationID: The operation that would send them.
    /// - Throws: ``PublishError`` (`protocolViolation`) naming the host when the URL is not on the platform's hosts.
    public func check(_ url: URL, operationID: String) throws {
        if overrides.contains(where: { Self.sameOrigin($0, url) }) { return }
        let host = (url.host ?? "").lowercased()
        let onFamily = hostFamily.contains { host == $0 || host.hasSuffix("." + $0) }
        if url.scheme?.lowercased() == "https", onFamily { return }
        let shown = String((url.host ?? "no host").prefix(100)) + (url.port.map { ":\($0)" } ?? "")
        let reason =
            onFamily
            ? "over plain \(url.scheme ?? "no scheme") instead of https"
            : "which is not one of \(platform)'s hosts (\(hostFamily.map { "*." + $0 }.joined(separator: ", ")))"
        throw PublishError(
            .protocolViolation, platform: platform, operationID: operationID,
            message: "refused to send the video or the token to \(shown), \(reason); nothing was sent there",
            remediation:
                "if you set an ATOM_*_API_BASE override, check it; otherwise report this answer from \(platform)")
    }

    /// Parses an `ATOM_*_API_BASE` override: an absolute `https` URL, or plain `http` on a loopback host only.
    /// - Returns: The URL, or `nil` when `raw` is `nil`.
    /// - Throws: ``PublishError`` (`configuration`) naming the key and the rule.
    public static func overrideBase(_ raw: String?, key: String, platform: PlatformID?) throws -> URL? {
        guard let text = raw else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty
        else {
            throw PublishError(
                .configuration, platform: platform, message: "\(key) is not an absolute http(s) URL",
                remediation: "fix or remove \(key) in the .env file")
        }
        switch scheme {
        case "https":
            return url
        case "http" where isLoopback(host):
            return url
        case "http":
            throw PublishError(
                .configuration, platform: platform,
                message: "\(key) uses plain http on \(host.prefix(100)): tokens and video may go over http only to "
                    + "this machine (127.0.0.1, ::1, localhost)",
                remediation: "use an https URL in \(key), or remove it")
        default:
            throw PublishError(
                .configuration, platform: platform, message: "\(key) is not an absolute http(s) URL",
                remediation: "fix or remove \(key) in the .env file")
        }
    }

    /// Whether `host` names this machine: `localhost`, `127.0.0.0/8` or `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if bare == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    private static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased()
            && effectivePort(a) == effectivePort(b)
    }

    private static func effectivePort(_ url: URL) -> Int? {
        url.port ?? (url.scheme?.lowercased() == "https" ? 443 : url.scheme?.lowercased() == "http" ? 80 : nil)
    }
}
