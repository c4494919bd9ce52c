import Crypto
import Foundation
import PublishingCore

/// Proof Key for Code Exchange (RFC 7636): a fresh secret `verifier` per login attempt and the
/// `code_challenge` derived from it with S256.
///
/// Platforms disagree on how the SHA-256 digest is written: RFC 7636 (and Google) use unpadded
/// base64url; TikTok's desktop Login Kit wants the lowercase hexadecimal digest. The verifier itself is
/// always 64 characters from RFC 7636's unreserved set, which both accept (43–128 characters).
public struct PKCE: Sendable, Equatable, CustomStringConvertible {
    /// How a platform writes the S256 `code_challenge`.
    public struct ChallengeEncoding: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable { case base64URL = "base64url", hexLowercase = "hex" }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// RFC 7636: `BASE64URL(SHA256(verifier))` without padding (Google).
        public static let base64URL = ChallengeEncoding(.base64URL)
        /// The lowercase hexadecimal SHA-256 of the verifier, 64 characters (TikTok's desktop Login Kit).
        public static let hexLowercase = ChallengeEncoding(.hexLowercase)

        /// Encodes a SHA-256 digest.
        func encode(_ digest: some Sequence<UInt8>) -> String {
            switch base {
            case .base64URL: Base64URL.encode(Array(digest))
            case .hexLowercase: FileDigest.hex(digest)
            }
        }

        public var description: String { base.rawValue }
    }

    /// The characters a verifier may use (RFC 7636 §4.1 "unreserved").
    public static let verifierAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// The secret sent only with the code exchange.
    public let verifier: String
    /// How ``challenge`` is written.
    public let encoding: ChallengeEncoding

    /// Wraps a known verifier (tests, known-answer checks).
    /// - Parameters:
    ///   - verifier: 43–128 characters from ``verifierAlphabet``.
    ///   - encoding: How the challenge is written.
    public init(verifier: String, encoding: ChallengeEncoding) {
        self.verifier = verifier
        self.encoding = encoding
    }

    /// Makes a fresh 64-character verifier.
    /// - Parameters:
    ///   - encoding: How the platform wants the challenge written.
    ///   - generator: The random source (the system's cryptographic generator by default).
    /// - Returns: A new pair.
    public static func generate(
        encoding: ChallengeEncoding, using generator: inout some RandomNumberGenerator
    ) -> PKCE {
        // 64 symbols from a 66-symbol alphabet: about 387 bits of entropy (RFC 7636 asks for at least 256).
        let verifier = String(
            (0..<64).map { _ in verifierAlphabet[Int.random(in: 0..<verifierAlphabet.count, using: &generator)] })
        return PKCE(verifier: verifier, encoding: encoding)
    }

    /// Makes a fresh verifier from the system's cryptographic random source.
    public static func generate(encoding: ChallengeEncoding) -> PKCE {
        var generator = SystemRandomNumberGenerator()
        return generate(encoding: encoding, using: &generator)
    }

    /// The `code_challenge` for the authorization URL (`code_challenge_method=S256`).
    public var challenge: String { Self.challenge(for: verifier, encoding: encoding) }

    /// The S256 challenge of `verifier` written as `encoding` (also used by the sandbox fakes to check a verifier).
    public static func challenge(for verifier: String, encoding: ChallengeEncoding) -> String {
        encoding.encode(SHA256.hash(data: Data(verifier.utf8)))
    }

    /// Never shows the verifier.
    public var description: String { "PKCE(S256, \(encoding), verifier: \(Redaction.mask))" }
}

/// Unpadded base64url (RFC 4648 §5), as OAuth uses it.
public enum Base64URL {
    /// Encodes bytes without `=` padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
