import AtomTestSupport
import Foundation
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

    @Test("a mismatched state gets an error page (and is still handed over to be refused)")
    func mismatchPage() async throws {
        try await TestTransport.with { transport in
            let browser = TestBrowser(transport: transport)
            try await LoopbackRedirectReceiver.withReceiver(port: 0, path: "/", expectedState: "s1", pages: pages) {
                listening in
                let page = try await browser.get(
                    try #require(URL(string: "http://127.0.0.1:\(listening.port)/?code=c&state=other")))
                #expect(page.status == 400)
                #expect(page.body.contains("state mismatch"))
                #expect(try await listening.callback(timeout: .seconds(20)).parameters["state"] == "other")
            }
        }
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
            #expect(ContinuousClock.now - started < .seconds(10))
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
