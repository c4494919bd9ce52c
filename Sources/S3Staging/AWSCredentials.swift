import Foundation
import PublishingCore

/// AWS access keys. Prints as `<redacted>`; the secret and session token are registered with
/// ``Redaction`` when loaded, so they are masked wherever they might appear.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The access key id (`AWS_ACCESS_KEY_ID`).
    public var accessKeyID: String
    /// The secret access key (`AWS_SECRET_ACCESS_KEY`).
    public var secretAccessKey: String
    /// The session token of temporary credentials (`AWS_SESSION_TOKEN`).
    public var sessionToken: String?

    /// Creates credentials and registers the secret parts with ``Redaction``.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        Redaction.register(secret: secretAccessKey)
        if let sessionToken { Redaction.register(secret: sessionToken) }
    }

    /// `AWSCredentials(<redacted>)`.
    public var description: String { "AWSCredentials(\(Redaction.mask))" }
    /// `AWSCredentials(<redacted>)`.
    public var debugDescription: String { description }
}

/// Finds AWS credentials the way the AWS SDKs' default chain does, minus the network providers:
/// the credential store's `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN` (process
/// environment over `.env`), then the profile `AWS_PROFILE` (default `default`) of the shared credentials
/// file (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`).
public struct AWSCredentialChain: Sendable {
    /// Where a found set of credentials came from (for `atom platforms` and messages).
    public struct Source: Sendable, Equatable, CustomStringConvertible {
        /// Where they came from, in words.
        public let description: String
        private init(_ description: String) { self.description = description }
        /// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` from the credential store.
        public static let store = Source("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
        /// A profile of the shared credentials file.
        public static func profile(name: String, file: String) -> Source { Source("profile [\(name)] in \(file)") }
    }

    let store: any CredentialStore
    let environment: [String: String]

    /// A chain reading `store` first, then the shared credentials file located through `store`/`environment`.
    public init(store: any CredentialStore, environment: [String: String]) {
        self.store = store
        self.environment = environment
    }

    /// The first credentials found, or `nil` when no provider has any.
    /// - Throws: ``PublishError`` (`configuration`) when a provider has half a key pair or the file is unreadable.
    public func resolve() throws -> (credentials: AWSCredentials, source: Source)? {
        let keyID = try setting("AWS_ACCESS_KEY_ID")
        let secret = try setting("AWS_SECRET_ACCESS_KEY")
        if let keyID, let secret {
            return (AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: try setting("AWS_SESSION_TOKEN")), .store)
        }
        if keyID != nil || secret != nil {
            let missing = keyID == nil ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY"
            throw PublishError(.configuration, platform: .staging, message: "\(missing) is not set (the other half of the key pair is)",
                               remediation: "set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in .env")
        }
        let profile = try setting("AWS_PROFILE") ?? "default"
        guard let file = try credentialsFilePath() else { return nil }
        guard FileManager.default.fileExists(atPath: file) else {
            if try setting("AWS_PROFILE") != nil || setting("AWS_SHARED_CREDENTIALS_FILE") != nil {
                throw PublishError(.configuration, platform: .staging, message: "AWS credentials file \(file) does not exist",
                                   remediation: "create it, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in .env")
            }
            return nil
        }
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw PublishError(.configuration, platform: .staging, message: "cannot read AWS credentials file \(file)",
                               remediation: "check its permissions")
        }
        guard let section = SharedCredentialsFile.parse(text)[profile] else {
            if try setting("AWS_PROFILE") != nil {
                throw PublishError(.configuration, platform: .staging, message: "profile [\(profile)] is not in \(file)",
                                   remediation: "fix AWS_PROFILE or add the profile")
            }
            return nil
        }
        guard let keyID = section["aws_access_key_id"], let secret = section["aws_secret_access_key"] else {
            throw PublishError(.configuration, platform: .staging,
                               message: "profile [\(profile)] in \(file) lacks aws_access_key_id or aws_secret_access_key",
                               remediation: "add both keys to the profile")
        }
        let credentials = AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: section["aws_session_token"])
        return (credentials, .profile(name: profile, file: file))
    }

    /// A setting from the store, then the environment; empty counts as unset.
    func setting(_ key: String) throws -> String? {
        if let value = try store.nonEmpty(key) { return value }
        guard let value = environment[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// `AWS_SHARED_CREDENTIALS_FILE` (with `~` expanded) or `$HOME/.aws/credentials`.
    func credentialsFilePath() throws -> String? {
        let home = environment["HOME"]
        if let path = try setting("AWS_SHARED_CREDENTIALS_FILE") {
            if path.hasPrefix("~/"), let home { return home + path.dropFirst() }
            return path
        }
        guard let home, !home.isEmpty else { return nil }
        return home + "/.aws/credentials"
    }
}

/// The INI format of `~/.aws/credentials`: `[name]` sections of `key = value` lines, `#`/`;` comments.
enum SharedCredentialsFile {
    static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                var name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if name.hasPrefix("profile ") { name = String(name.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces) }
                current = name
                sections[name, default: [:]] = sections[name, default: [:]]
                continue
            }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[current, default: [:]][key] = value
        }
        return sections
    }
}
