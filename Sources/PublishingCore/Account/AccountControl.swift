import Foundation

/// What atom can learn and do about the owner's account on a platform, besides publishing: who the stored
/// token belongs to, revoking the grant, and deleting a post (`atom auth status`, `atom auth revoke`,
/// `atom unpublish`).
///
/// Each adapter module offers one through an ``AccountControlFactory``; the core never names a platform.
/// Where a platform has no endpoint for something, the method says so (``Revocation/manual(_:)``,
/// ``PostDeletion/manual(_:)``) instead of throwing, so the CLI can tell the owner where to do it by hand.
///
/// ## Implementing a custom account control
/// ```swift
/// struct EchoAccount: AccountControl {
///     let platform = PlatformID("echo")
///     func status() async throws -> AccountStatus { AccountStatus(account: "echo user", scopes: ["post"]) }
///     func revoke() async throws -> Revocation { .manual("remove the app at https://echo.example/apps") }
///     func deletePost(id: String) async throws -> PostDeletion { .deleted }
/// }
/// ```
public protocol AccountControl: Sendable {
    /// The platform's identity.
    var platform: PlatformID { get }

    /// Checks the stored grant live: the account, the scopes granted against those atom needs, the expiries,
    /// and whether a refresh works (refreshing, and saving the new token, only when the stored one expired).
    /// - Returns: What was found; problems that make the platform unusable are in ``AccountStatus/problems``.
    /// - Throws: ``PublishError`` when the platform could not be asked at all (network, a refused token).
    func status() async throws -> AccountStatus

    /// Revokes the grant at the platform, where it offers an endpoint the stored token can call.
    /// - Returns: ``Revocation/revoked(_:)``, or ``Revocation/manual(_:)`` saying where the owner removes the app.
    /// - Throws: ``PublishError`` when the platform refused or could not be reached: the grant may remain.
    func revoke() async throws -> Revocation

    /// Deletes a published post, where the platform's API allows it.
    /// - Parameter id: The platform's id of the post (the record's `postId`).
    /// - Returns: ``PostDeletion/deleted``, ``PostDeletion/alreadyGone``, or ``PostDeletion/manual(_:)``.
    /// - Throws: ``PublishError`` when the platform refused or could not be reached.
    func deletePost(id: String) async throws -> PostDeletion
}

/// The outcome of ``AccountControl/revoke()``: a closed set.
public enum Revocation: Sendable, Equatable {
    /// The platform revoked the grant; the text says what that covered.
    case revoked(String)
    /// The platform offers no endpoint the stored token can call; the text says where the owner removes the app.
    case manual(String)
}

/// The outcome of ``AccountControl/deletePost(id:)``: a closed set.
public enum PostDeletion: Sendable, Equatable {
    /// The platform deleted the post.
    case deleted
    /// The platform no longer has the post (deleted earlier, by hand or by atom).
    case alreadyGone
    /// The platform offers no delete endpoint; the text says how the owner deletes the post in its app.
    case manual(String)
}

/// A problem found by ``AccountControl/status()`` that makes the platform unusable, with its fix.
public struct AccountProblem: Sendable, Equatable, Codable {
    /// What is wrong ("scope video.publish not granted").
    public var message: String
    /// What to do ("run `atom auth tiktok` and tick every permission").
    public var remediation: String

    /// Creates a problem.
    public init(_ message: String, remediation: String) {
        self.message = Redaction.redact(message)
        self.remediation = remediation
    }
}

/// What ``AccountControl/status()`` found about the stored grant.
public struct AccountStatus: Sendable, Equatable {
    /// Whether a refresh was tried, and how it went.
    public enum Refresh: String, Sendable, Codable {
        /// The stored access token was still valid, so atom did not refresh it.
        case notNeeded
        /// The stored token had expired; atom refreshed it and saved the new one.
        case refreshed
        /// The platform's tokens cannot be refreshed by atom (long-lived Page tokens); nothing to try.
        case notSupported
        /// A refresh was needed and failed (see ``AccountStatus/problems``).
        case failed
    }

    /// The account's name for people (display name, channel title, Page name, username).
    public var account: String?
    /// The platform's id of the account (open id, channel id, Page id, user id).
    public var accountID: String?
    /// The scopes the platform says the token has, or `nil` when the platform does not tell.
    public var scopes: [String]?
    /// The scopes atom needs that are not granted.
    public var missingScopes: [String]
    /// When the access token expires, if known (`nil` with ``accessTokenNeverExpires`` for Page tokens).
    public var accessTokenExpiresAt: Date?
    /// True when the platform says the access token does not expire.
    public var accessTokenNeverExpires: Bool
    /// When the refresh token (or the data access) expires, where the platform tells it.
    public var refreshTokenExpiresAt: Date?
    /// Whether a refresh was needed and worked.
    public var refresh: Refresh
    /// Everything that makes the platform unusable, each with its fix.
    public var problems: [AccountProblem]
    /// Lines for the owner that are not problems ("channel title needs the youtube.readonly scope").
    public var notes: [String]

    /// Creates a status.
    public init(
        account: String? = nil, accountID: String? = nil, scopes: [String]? = nil, missingScopes: [String] = [],
        accessTokenExpiresAt: Date? = nil, accessTokenNeverExpires: Bool = false, refreshTokenExpiresAt: Date? = nil,
        refresh: Refresh = .notNeeded, problems: [AccountProblem] = [], notes: [String] = []
    ) {
        self.account = account.map(Redaction.redact)
        self.accountID = accountID
        self.scopes = scopes
        self.missingScopes = missingScopes
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.accessTokenNeverExpires = accessTokenNeverExpires
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
        self.refresh = refresh
        self.problems = problems
        self.notes = notes
    }

    /// True when nothing stops atom from posting with this grant.
    public var isUsable: Bool { problems.isEmpty }

    /// Adds a problem for each scope in `needed` that `scopes` lacks (only when the platform told the scopes).
    /// - Parameters:
    ///   - needed: The scopes atom needs.
    ///   - remediation: The fix ("run `atom auth tiktok` and allow every permission").
    public mutating func checkScopes(_ needed: [String], remediation: String) {
        guard let scopes else { return }
        let granted = Set(scopes)
        missingScopes = needed.filter { !granted.contains($0) }
        for scope in missingScopes {
            problems.append(AccountProblem("scope \(scope) is not granted", remediation: remediation))
        }
    }
}

/// Builds a platform's ``AccountControl`` from the settings, like ``PublisherFactory`` builds publishers.
///
/// Each adapter declares one (`extension AccountControlFactory { public static func tiktok() -> Self }`) and the
/// CLI lists them once. ``tokenKeys`` are what `atom auth revoke` removes from the `.env` (never the app's id and
/// secret), ``requiredKeys`` what must be set for the platform to count as configured.
public struct AccountControlFactory: Sendable {
    /// The platform.
    public let platform: PlatformID
    /// Its name for people.
    public let displayName: String
    /// The keys that hold the owner's grant (tokens, their expiries, the account ids that came with them).
    public let tokenKeys: [String]
    /// The keys without which there is no grant to check.
    public let requiredKeys: [String]
    private let build: @Sendable (PublisherEnvironment) throws -> any AccountControl

    /// Creates a factory.
    /// - Parameters:
    ///   - platform: The platform.
    ///   - displayName: Its name for people.
    ///   - tokenKeys: The `.env` keys holding the grant, removed by `atom auth revoke`.
    ///   - requiredKeys: The keys without which the platform is not configured.
    ///   - build: Reads the configuration from the environment's credential store.
    public init(
        platform: PlatformID, displayName: String, tokenKeys: [String], requiredKeys: [String],
        build: @escaping @Sendable (PublisherEnvironment) throws -> any AccountControl
    ) {
        self.platform = platform
        self.displayName = displayName
        self.tokenKeys = tokenKeys
        self.requiredKeys = requiredKeys
        self.build = build
    }

    /// Builds the account control.
    /// - Throws: ``PublishError`` (`configuration`) naming a missing or malformed key.
    public func make(_ environment: PublisherEnvironment) throws -> any AccountControl {
        do {
            return try build(environment)
        } catch let error as PublishError {
            throw error.attributed(to: platform)
        }
    }

    /// The required keys that `store` lacks.
    public func missingKeys(in store: any CredentialStore) -> [String] {
        requiredKeys.filter { key in
            do { return try store.nonEmpty(key) == nil } catch { return true }
        }
    }
}
