import Foundation
import OAuthLogin
import PublishingCore

/// The "browser" side of a platform's OAuth: its consent page, played without a person.
///
/// `GET` on the authorization endpoint checks what the real page checks (client id, response type,
/// redirect URI, scopes, `state`, the PKCE challenge and its encoding, platform extras such as
/// `access_type=offline`) and answers `302` to the redirect URI with `code` and `state` — or with
/// `error=access_denied` when the consent is denied, or with a forged `state`. A test plays the browser by
/// following that redirect to atom's loopback receiver. The platform's token endpoint then calls
/// ``redeem(code:clientID:redirectURI:verifier:)``: codes are single use, bound to the client and redirect
/// URI, and the `code_verifier` must hash to the challenge.
public actor FakeConsent {
    /// What the consent page does with the next authorizations.
    public enum Decision: Sendable, Equatable {
        /// The user approves every scope.
        case approve
        /// The user presses "Cancel"/"Deny": `error=access_denied`.
        case deny
        /// A redirect with a different `state` (a forged or stale redirect).
        case forgeState
        /// The user approves, unticking every scope but these.
        case grantOnly([String])
    }

    /// Which redirect URIs the platform accepts.
    public enum RedirectRule: Sendable, Equatable {
        /// `http://127.0.0.1:<port>/…` or `http://localhost:<port>/…`, no query or fragment.
        case loopback
        /// Exactly this registered URI.
        case exact(String)
    }

    /// One platform's consent page rules.
    public struct Profile: Sendable {
        /// For page texts.
        public var platformName: String
        /// `client_id`, or `client_key` for TikTok.
        public var clientIDParameter: String
        /// The app's client id.
        public var clientID: String
        /// Scopes the request must include.
        public var requiredScopes: [String]
        /// How scopes are separated in the query (`,` or space).
        public var scopeSeparator: String
        /// The PKCE challenge encoding required, or `nil` when the platform takes no PKCE.
        public var pkce: PKCE.ChallengeEncoding?
        /// Other parameters that must have these values (`response_type=code`, `access_type=offline`, …).
        public var requiredParameters: [String: String]
        /// The redirect URIs accepted.
        public var redirects: [RedirectRule]
        /// The name of the parameter that reports granted scopes on the redirect (`scopes` for TikTok, `scope` for Google).
        public var grantedScopesParameter: String?
        /// Prefix of the codes it issues.
        public var codePrefix: String
        /// A fragment appended to the redirect (`_` for Instagram's `#_`).
        public var fragment: String?
        /// Extra parameters of a denied consent (Meta adds `error_reason=user_denied`).
        public var denialParameters: [String: String] = [:]

        /// Creates a profile.
        public init(
            platformName: String, clientIDParameter: String = "client_id", clientID: String, requiredScopes: [String],
            scopeSeparator: String = ",", pkce: PKCE.ChallengeEncoding?,
            requiredParameters: [String: String] = ["response_type": "code"],
            redirects: [RedirectRule] = [.loopback], grantedScopesParameter: String? = nil, codePrefix: String,
            fragment: String? = nil
        ) {
            self.platformName = platformName
            self.clientIDParameter = clientIDParameter
            self.clientID = clientID
            self.requiredScopes = requiredScopes
            self.scopeSeparator = scopeSeparator
            self.pkce = pkce
            self.requiredParameters = requiredParameters
            self.redirects = redirects
            self.grantedScopesParameter = grantedScopesParameter
            self.codePrefix = codePrefix
            self.fragment = fragment
        }
    }

    /// An approved authorization, until its code is redeemed.
    public struct Authorization: Sendable, Equatable {
        public var code: String
        public var clientID: String
        public var redirectURI: String
        public var scopes: [String]
        public var challenge: String?
        public var redeemed: Bool
    }

    /// The outcome of a code exchange.
    public enum Redemption: Sendable, Equatable {
        /// The code is good: what was authorized.
        case granted(Authorization)
        /// Refused with an OAuth error code and description (`invalid_grant`, …).
        case refused(error: String, description: String)
    }

    /// The rules.
    public let profile: Profile
    private var decision: Decision = .approve
    private var issued: [Authorization] = []
    private var received: [[String: String]] = []
    private var counter = 0

    /// Creates a consent page with `profile`'s rules that approves until told otherwise.
    public init(profile: Profile) { self.profile = profile }

    /// Sets what the page does from now on.
    public func decide(_ decision: Decision) { self.decision = decision }

    /// Every authorization request received (its query parameters), in order.
    public var requests: [[String: String]] { received }

    /// Every authorization approved, in order.
    public var authorizations: [Authorization] { issued }

    /// Adds a registered redirect URI the page accepts.
    public func register(redirectURI: String) { registeredExtra.append(redirectURI) }
    private var registeredExtra: [String] = []

    /// Answers `GET` on the authorization endpoint.
    public func authorize(_ request: FakeRequest) -> FakeResponse {
        var query: [String: String] = [:]
        for (name, value) in request.queryItems where query[name] == nil { query[name] = value }
        received.append(query)
        func refuse(_ reason: String) -> FakeResponse { .text(400, "\(profile.platformName) consent page: \(reason)") }

        guard request.method == "GET" else { return refuse("the authorization endpoint takes GET") }
        guard query[profile.clientIDParameter] == profile.clientID else {
            return refuse("unknown \(profile.clientIDParameter)")
        }
        for (name, value) in profile.requiredParameters.sorted(by: { $0.key < $1.key }) where query[name] != value {
            return refuse("\(name) must be \(value)")
        }
        guard let redirect = query["redirect_uri"], accepts(redirect: redirect) else {
            return refuse("redirect_uri is missing or not registered for this app")
        }
        let scopes = (query["scope"] ?? "").components(separatedBy: profile.scopeSeparator).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        .filter { !$0.isEmpty }
        let missing = profile.requiredScopes.filter { !scopes.contains($0) }
        guard missing.isEmpty else { return refuse("scope must include \(missing.joined(separator: ", "))") }
        guard let state = query["state"], !state.isEmpty else {
            return refuse("state is required (atom always sends one)")
        }
        var challenge: String?
        if let encoding = profile.pkce {
            guard query["code_challenge_method"] == "S256" else { return refuse("code_challenge_method must be S256") }
            guard let value = query["code_challenge"], Self.isWellFormed(challenge: value, encoding: encoding) else {
                return refuse(
                    encoding == .hexLowercase
                        ? "code_challenge must be the lowercase hex SHA-256 of the code_verifier (64 characters)"
                        : "code_challenge must be the unpadded base64url SHA-256 of the code_verifier (43 characters)")
            }
            challenge = value
        }

        var answer: [(String, String)]
        switch decision {
        case .deny:
            answer = [
                ("error", "access_denied"), ("error_description", "The user denied the request"), ("state", state),
            ]
            answer += profile.denialParameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        case .approve, .forgeState, .grantOnly:
            counter += 1
            let granted: [String]
            if case .grantOnly(let only) = decision { granted = scopes.filter(only.contains) } else { granted = scopes }
            let code = "\(profile.codePrefix)\(counter)"
            issued.append(
                Authorization(
                    code: code, clientID: profile.clientID, redirectURI: redirect, scopes: granted,
                    challenge: challenge, redeemed: false))
            answer = [("code", code), ("state", decision == .forgeState ? "forged-\(state.prefix(8))" : state)]
            if let name = profile.grantedScopesParameter {
                answer.append((name, granted.joined(separator: profile.scopeSeparator)))
            }
        }
        let separator = redirect.contains("?") ? "&" : "?"
        let location = redirect + separator + FormEncoding.encode(answer) + (profile.fragment.map { "#\($0)" } ?? "")
        return FakeResponse(status: 302, headers: [("Location", location), ("Cache-Control", "no-store")])
    }

    /// Checks a code at the token endpoint; a good code is used up.
    /// - Parameters:
    ///   - code: The `code` field.
    ///   - clientID: The client id the exchange authenticated with.
    ///   - redirectURI: The `redirect_uri` field (must equal the authorization's, byte for byte).
    ///   - verifier: The `code_verifier` field.
    /// - Returns: What was authorized, or the OAuth error to answer with.
    public func redeem(code: String?, clientID: String?, redirectURI: String?, verifier: String?) -> Redemption {
        guard let code, let index = issued.firstIndex(where: { $0.code == code }) else {
            return .refused(error: "invalid_grant", description: "the authorization code is invalid or expired")
        }
        guard !issued[index].redeemed else {
            return .refused(error: "invalid_grant", description: "the authorization code was already used")
        }
        let authorization = issued[index]
        guard clientID == authorization.clientID else {
            return .refused(error: "invalid_grant", description: "the authorization code was issued to another client")
        }
        guard redirectURI == authorization.redirectURI else {
            return .refused(
                error: "invalid_grant", description: "redirect_uri does not match the one used to authorize")
        }
        if let challenge = authorization.challenge, let encoding = profile.pkce {
            guard let verifier, (43...128).contains(verifier.count), verifier.allSatisfy(PKCE.verifierAlphabet.contains)
            else {
                return .refused(error: "invalid_request", description: "code_verifier is missing or malformed")
            }
            guard PKCE.challenge(for: verifier, encoding: encoding) == challenge else {
                return .refused(error: "invalid_grant", description: "Code verifier or code challenge is invalid")
            }
        }
        issued[index].redeemed = true
        return .granted(issued[index])
    }

    private func accepts(redirect: String) -> Bool {
        if registeredExtra.contains(redirect) { return true }
        return profile.redirects.contains { rule in
            switch rule {
            case .exact(let uri): return uri == redirect
            case .loopback:
                guard let components = URLComponents(string: redirect), components.scheme == "http",
                    ["127.0.0.1", "localhost"].contains(components.host ?? ""), components.port != nil,
                    components.query == nil, components.fragment == nil
                else { return false }
                return true
            }
        }
    }

    private static func isWellFormed(challenge: String, encoding: PKCE.ChallengeEncoding) -> Bool {
        if encoding == .hexLowercase {
            return challenge.count == 64
                && challenge.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
        }
        return challenge.count == 43
            && challenge.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
