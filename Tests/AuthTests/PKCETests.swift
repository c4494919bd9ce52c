import Foundation
import OAuthLogin
import PublishingCore
import Testing

@Suite("PKCE")
struct PKCETests {
    /// RFC 7636 Appendix B.
    static let rfcVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    @Test("base64url challenge matches RFC 7636 Appendix B")
    func rfcVector() {
        #expect(
            PKCE(verifier: Self.rfcVerifier, encoding: .base64URL).challenge
                == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test("TikTok's challenge is the lowercase hex SHA-256 of the same verifier")
    func hexVector() {
        let challenge = PKCE(verifier: Self.rfcVerifier, encoding: .hexLowercase).challenge
        #expect(challenge == "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3")
        #expect(challenge.count == 64)
    }

    @Test("generated verifiers are 64 unreserved characters and differ per attempt")
    func generated() {
        let first = PKCE.generate(encoding: .base64URL)
        let second = PKCE.generate(encoding: .base64URL)
        #expect(first.verifier.count == 64)
        #expect(first.verifier.allSatisfy(PKCE.verifierAlphabet.contains))
        #expect(first.verifier != second.verifier)
        #expect(first.challenge.count == 43)
        #expect(!first.challenge.contains("="))
    }

    @Test("a seeded generator gives a reproducible verifier; the description hides it")
    func seeded() {
        struct Counter: RandomNumberGenerator {
            var state: UInt64 = 7
            mutating func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state }
        }
        var one = Counter()
        var two = Counter()
        let pkce = PKCE.generate(encoding: .hexLowercase, using: &one)
        #expect(pkce == PKCE.generate(encoding: .hexLowercase, using: &two))
        #expect(!String(describing: pkce).contains(pkce.verifier))
    }
}
