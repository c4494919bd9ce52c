import AtomSandbox
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PlatformKit
import PublishingCore

/// Plays the browser: follows the authorization URL to the fake consent page, takes its 302, and follows
/// that to atom's loopback receiver — over real HTTP.
struct TestBrowser: Sendable {
    let transport: any HTTPTransport
    /// What the browser saw: every URL visited with its status, and the last page's text.
    let visits = LockedBox<[(url: String, status: Int, body: String)]>([])

    /// GETs `url` and returns the status, the `Location` header and the body text.
    func get(_ url: URL) async throws -> (status: Int, location: String?, body: String) {
        let (response, body) = try await transport.send(
            HTTPRequest(method: .get, absoluteURL: url), body: nil, baseURL: url.origin, operationID: "test.browser")
        let text = try await HTTPBodies.text(body)
        visits.withLock { $0.append((url.absoluteString, response.status.code, text)) }
        return (response.status.code, response.headerFields[.location], text)
    }

    /// Follows the authorization URL to the consent page and returns the redirect it answers with.
    /// - Throws: When the consent page does not redirect (it refused the request).
    func consent(_ url: URL) async throws -> URL {
        let (status, location, body) = try await get(url)
        guard status == 302, let location, let target = URL(string: location) else {
            throw BrowserError(message: "the consent page answered \(status) without a redirect: \(body)")
        }
        return target
    }

    /// Follows the authorization URL all the way to the redirect target (atom's loopback receiver).
    /// - Returns: The receiver's status and page.
    @discardableResult
    func authorize(_ url: URL) async throws -> (status: Int, body: String) {
        let target = try await consent(url)
        // A browser drops the fragment (Instagram's `#_`) from the request.
        var components = URLComponents(url: target, resolvingAgainstBaseURL: false)
        components?.fragment = nil
        let (status, _, body) = try await get(components?.url ?? target)
        return (status, body)
    }

    /// The last page visited.
    var lastPage: (status: Int, body: String)? { visits.value.last.map { ($0.status, $0.body) } }
}

struct BrowserError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// A console that records what atom shows and answers from a script; its browser is injected.
final class ScriptedConsole: Sendable {
    let lines = LockedBox<[String]>([])
    let prompts = LockedBox<[String]>([])
    private let answers: LockedBox<[String]>
    let interactive: Bool
    let browser: @Sendable (URL) async -> Bool

    /// - Parameters:
    ///   - answers: Lines returned by `readLine`, in order; then end of input.
    ///   - interactive: Whether a person could answer.
    ///   - browser: Opens the URL (a ``TestBrowser`` following it, or nothing).
    init(
        answers: [String] = [], interactive: Bool = false,
        browser: @escaping @Sendable (URL) async -> Bool = { _ in false }
    ) {
        self.answers = LockedBox(answers)
        self.interactive = interactive
        self.browser = browser
    }

    var console: LoginConsole {
        LoginConsole(
            openBrowser: browser,
            inform: { [lines] line in lines.withLock { $0.append(line) } },
            readLine: { [prompts, answers] prompt in
                prompts.withLock { $0.append(prompt) }
                return answers.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            },
            isInteractive: interactive)
    }

    /// Everything shown, one string.
    var transcript: String { lines.value.joined(separator: "\n") }

    /// The authorization URL atom printed (paste mode), if any.
    var printedURL: URL? {
        for line in lines.value {
            for word in line.split(whereSeparator: \.isWhitespace)
            where word.hasPrefix("http") && word.contains("state=") {
                return URL(string: String(word))
            }
        }
        return nil
    }
}
