import Foundation
import OAuthLogin
import PublishingCore
import Testing

@Suite("Redirect parsing and the state check")
struct RedirectCallbackTests {
    let platform = PlatformID("example")

    @Test("a matching state gives the code, percent-decoded")
    func matchingState() throws {
        let callback = RedirectCallback(query: "code=abc%2A123&state=s1&scopes=video.publish")
        #expect(
            try callback.authorizationCode(expectedState: "s1", platform: platform, command: "atom auth example")
                == "abc*123")
    }

    @Test("a different state is refused as a forged redirect")
    func stateMismatch() {
        let callback = RedirectCallback(query: "code=abc&state=evil")
        let error = #expect(throws: PublishError.self) {
            try callback.authorizationCode(expectedState: "s1", platform: platform, command: "atom auth example")
        }
        #expect(error?.code == .authentication)
        #expect(error?.platformCode == "state_mismatch")
    }

    @Test("a code without state is refused")
    func stateMissing() {
        let error = #expect(throws: PublishError.self) {
            try RedirectCallback(query: "code=abc").authorizationCode(
                expectedState: "s1", platform: platform, command: "atom auth example")
        }
        #expect(error?.platformCode == "state_missing")
    }

    @Test("access_denied becomes permissionDenied with the platform's words")
    func denied() {
        let callback = RedirectCallback(
            query:
                "error=access_denied&error_reason=user_denied&error_description=The+user+denied+your+request&state=s1")
        let error = #expect(throws: PublishError.self) {
            try callback.authorizationCode(expectedState: "s1", platform: platform, command: "atom auth example")
        }
        #expect(error?.code == .permissionDenied)
        #expect(error?.message.contains("The user denied your request") == true)
        #expect(error?.remediation?.contains("atom auth example") == true)
    }

    @Test("other errors are reported as the platform's refusal")
    func otherError() {
        let error = #expect(throws: PublishError.self) {
            try RedirectCallback(query: "error=invalid_scope&state=s1").authorizationCode(
                expectedState: "s1", platform: platform, command: "atom auth example")
        }
        #expect(error?.code == .authentication)
        #expect(error?.platformCode == "invalid_scope")
    }

    @Test("pasted input: full URL, Instagram's #_, a query, a bare code, junk")
    func pasted() {
        #expect(
            PastedRedirect.parse("  http://127.0.0.1:8765/callback/?code=c1&state=s1\n")
                == .callback(RedirectCallback(parameters: ["code": "c1", "state": "s1"])))
        guard case .callback(let instagram) = PastedRedirect.parse("https://example.com/cb?code=AQB-x_1&state=s1#_")
        else {
            Issue.record("not a callback")
            return
        }
        #expect(instagram.code == "AQB-x_1")
        #expect(
            PastedRedirect.parse("?code=c2&state=s2")
                == .callback(RedirectCallback(parameters: ["code": "c2", "state": "s2"])))
        #expect(PastedRedirect.parse("4/0AbC-d_e%2Af") == .code("4/0AbC-d_e*f"))
        #expect(PastedRedirect.parse("AQBxyz#_") == .code("AQBxyz"))
        #expect(PastedRedirect.parse("") == .empty)
        #expect(PastedRedirect.parse("not a code") == .empty)
        #expect(PastedRedirect.parse("what?") == .empty)
        #expect(PastedRedirect.parse("https://example.com/cb?foo=bar") == .empty)
    }
}
