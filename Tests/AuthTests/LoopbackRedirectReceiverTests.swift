import AtomTestSupport
import Foundation
import OAuthLogin
import PublishingCore
import Testing

@Suite("Loopback redirect receiver")
struct LoopbackRedirectReceiverTests {
    let pages = LoopbackRedirectReceiver.Pages.standard(platformName: "Example")

    @Test("binds a free port, ignores other paths, delivers the redirect and shows the close-this-tab page")
    func deliversCallback() async throws {
        try await TestTransport.with { transport in
            let browser = TestBrowser(transport: transport)
            try await LoopbackRedirectReceiver.withReceiver(
                port: 0, path: "/callback/", expectedState: "s1", pages: pages
            ) { listening in
                #expect(listening.port > 0)
                let favicon = try await browser.get(
                    try #require(URL(string: "http://127.0.0.1:\(listening.port)/favicon.ico")))
                #expect(favicon.status == 404)
                let probe = try await browser.get(
                    try #require(URL(string: "http://127.0.0.1:\(listening.port)/callback/")))
                #expect(probe.status == 400)
                let page = try await browser.get(
                    try #require(URL(string: "http://127.0.0.1:\(listening.port)/callback?code=c%2B1&state=s1")))
                #expect(page.status == 200)
                #expect(page.body.contains("You can close this tab"))
                let callback = try await listening.callback(timeout: .seconds(20))
                #expect(callback.code == "c+1")
                #expect(callback.parameters["state"] == "s1")
            }
        }
    }

    @Test("a wrong-state code or a state-less error from another local process gets an error page, is logged in one line, and the login keeps waiting for its own redirect")
    func mismatchIgnored() async throws {
        try await TestTransport.with { transport in
            let browser = TestBrowser(transport: transport)
            let logged = LockedBox<[String]>([])
            try await LoopbackRedirectReceiver.withReceiver(
                port: 0, path: "/", expectedState: "s1", pages: pages, ignored: { line in logged.withLock { $0.append(line) } }
            ) { listening in
                let forged = try await browser.get(
                    try #require(URL(string: "http://127.0.0.1:\(listening.port)/?code=c&state=other")))
                #expect(forged.status == 400)
                #expect(forged.body.contains("state mismatch"))
                let denied = try await browser.get(
                    try #require(URL(string: "http://127.0.0.1:\(listening.port)/?error=access_denied&error_description=%1B%5B2Jx")))
                #expect(denied.status == 400)
                let real = try await browser.get(
                    try #require(URL(string: "http://127.0.0.1:\(listening.port)/?code=real&state=s1")))
                #expect(real.status == 200)
                let callback = try await listening.callback(timeout: .seconds(20))
                #expect(callback.code == "real")
                #expect(logged.value.count == 2)
                #expect(logged.value.allSatisfy { !$0.contains("\u{1B}") && !$0.contains("\n") })
            }
        }
    }

    @Test("error_description printed from a redirect is stripped of control characters and capped")
    func hostileDescription() {
        let callback = RedirectCallback(query: "error=server_error&state=s1&error_description=" + "%1B%5B2J%1B%5D0%3Bowned%07" + String(repeating: "A", count: 5000))
        let error = #expect(throws: PublishError.self) {
            try callback.authorizationCode(expectedState: "s1", platform: nil, command: "atom auth x")
        }
        #expect(error.map { !$0.message.unicodeScalars.contains { Redaction.isControl($0) } } == true)
        #expect((error?.message.count ?? .max) < 400)
    }

    @Test("times out with a clear error when no redirect comes")
    func timeout() async throws {
        try await LoopbackRedirectReceiver.withReceiver(port: 0, path: "/", expectedState: "s1", pages: pages) {
            listening in
            let started = ContinuousClock.now
            let error = await #expect(throws: PublishError.self) {
                _ = try await listening.callback(timeout: .milliseconds(150))
            }
            #expect(error?.code == .timeout)
            #expect(error?.message.contains("150 ms") == true)
            // Far below the 300 s default a forgotten timeout would wait, yet loose enough for a loaded 2-core machine
            // running the whole suite at once (seen at 11–20 s there).
            #expect(ContinuousClock.now - started < .seconds(120))
        }
    }

    @Test("a port already in use is a configuration error naming the port")
    func portInUse() async throws {
        try await LoopbackRedirectReceiver.withReceiver(port: 0, path: "/", expectedState: "s", pages: pages) { first in
            let error = await #expect(throws: PublishError.self) {
                try await LoopbackRedirectReceiver.withReceiver(
                    port: first.port, path: "/", expectedState: "s", pages: pages
                ) { _ in }
            }
            #expect(error?.code == .configuration)
            #expect(error?.remediation?.contains("--port") == true)
        }
    }
}
