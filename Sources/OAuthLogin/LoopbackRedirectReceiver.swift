import Foundation
import NIOCore
import NIOPosix
import PublishingCore

/// Catches an OAuth redirect on the loopback interface, as desktop OAuth clients do (RFC 8252 §7.3).
///
/// It binds `127.0.0.1` on a free or given port, answers every connection with a small page, and hands
/// the first request to the callback path that carries a `code` or an `error` to ``Listening/callback(timeout:clock:)``.
/// Other requests (a favicon, a browser's pre-connect) get a 404 or nothing and are ignored. It never
/// reads more than 16 KiB of a request and closes each connection after one answer.
public enum LoopbackRedirectReceiver {
    /// The receiver while it listens.
    public struct Listening: Sendable {
        /// The bound port (the real one when 0 was asked for).
        public let port: Int
        fileprivate let callbacks: AsyncStream<RedirectCallback>

        /// Waits for the redirect.
        /// - Parameters:
        ///   - timeout: How long the user has to finish in the browser.
        ///   - clock: The clock that measures `timeout`.
        /// - Returns: The first authorization response that reached the callback path.
        /// - Throws: ``PublishError`` (`timeout`) when none arrived in time; `CancellationError` when cancelled.
        public func callback(timeout: Duration, clock: any Clock<Duration> = ContinuousClock()) async throws
            -> RedirectCallback
        {
            let callbacks = self.callbacks
            let outcome = try await withThrowingTaskGroup(of: RedirectCallback?.self) { group in
                group.addTask {
                    for await callback in callbacks { return callback }
                    return nil
                }
                group.addTask {
                    try await clock.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            try Task.checkCancellation()
            guard let outcome else {
                throw PublishError(
                    .timeout, message: "no redirect reached http://127.0.0.1:\(port) within \(Self.describe(timeout))",
                    remediation:
                        "run the command again and finish in the browser sooner, or use --no-browser to paste the redirect URL"
                )
            }
            return outcome
        }

        private static func describe(_ duration: Duration) -> String {
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60)) min" }
            return seconds >= 1 ? "\(Int(seconds)) s" : "\(Int(seconds * 1000)) ms"
        }
    }

    /// The page the browser shows after the redirect.
    public struct Pages: Sendable {
        /// Shown when the redirect carried a code and the right state.
        public var success: String
        /// Shown for a denied consent, an error, or a mismatched state; receives the reason.
        public var failure: @Sendable (String) -> String

        /// atom's pages.
        public static func standard(platformName: String) -> Pages {
            Pages(
                success: page(
                    title: "atom: \(platformName) authorized",
                    body:
                        "atom received the authorization from \(platformName). You can close this tab and return to the terminal."
                ),
                failure: { reason in
                    page(
                        title: "atom: \(platformName) authorization failed",
                        body: "\(reason) You can close this tab; the terminal says what to do next.")
                })
        }

        static func page(title: String, body: String) -> String {
            func escape(_ text: String) -> String {
                text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                    .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            }
            return """
                <!doctype html><html><head><meta charset="utf-8"><title>\(escape(title))</title>\
                <style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}</style>\
                </head><body><h1>\(escape(title))</h1><p>\(escape(body))</p></body></html>
                """
        }
    }

    /// The largest request head read from a connection.
    static let maxRequestHead = 16 * 1024

    /// Binds the receiver, runs `body` while it listens, then closes it.
    /// - Parameters:
    ///   - port: The port to bind on 127.0.0.1; 0 picks a free one.
    ///   - path: The callback path (a trailing slash is optional).
    ///   - expectedState: The attempt's `state`, to choose the page shown (the caller still checks it).
    ///   - pages: The pages shown.
    ///   - ignored: Told, in one line, about each callback-looking request ignored because its `state` is missing
    ///     or wrong (another local process, a stale tab); the receiver keeps waiting for the real one.
    ///   - body: Receives the listening receiver.
    /// - Returns: What `body` returns.
    /// - Throws: ``PublishError`` (`configuration`) when the port cannot be bound; whatever `body` throws.
    public static func withReceiver<T: Sendable>(
        port: Int, path: String, expectedState: String, pages: Pages,
        ignored: @escaping @Sendable (String) -> Void = { _ in },
        _ body: (Listening) async throws -> T
    ) async throws -> T {
        let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 16)
                .bind(host: "127.0.0.1", port: port) { child in
                    child.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child)
                    }
                }
        } catch {
            throw PublishError(
                .configuration, message: "cannot listen on 127.0.0.1:\(port) for the OAuth redirect: \(error)",
                remediation: port == 0
                    ? "check that loopback networking works" : "choose another port with --port, or free port \(port)")
        }
        let bound = server.channel.localAddress?.port ?? port
        let (callbacks, continuation) = AsyncStream.makeStream(
            of: RedirectCallback.self, bufferingPolicy: .bufferingOldest(4))
        let route = Route(
            path: path, expectedState: expectedState, pages: pages, deliver: { continuation.yield($0) }, ignored: ignored)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await withThrowingDiscardingTaskGroup { connections in
                    try await server.executeThenClose { inbound in
                        for try await connection in inbound {
                            connections.addTask { await route.serve(connection) }
                        }
                    }
                }
            }
            defer {
                continuation.finish()
                group.cancelAll()
                server.channel.close(promise: nil)
            }
            return try await body(Listening(port: bound, callbacks: callbacks))
        }
    }

    /// Answers one connection.
    private struct Route: Sendable {
        let path: String
        let expectedState: String
        let pages: Pages
        let deliver: @Sendable (RedirectCallback) -> Void
        let ignored: @Sendable (String) -> Void

        func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
            try? await connection.executeThenClose { inbound, outbound in
                var head = ByteBuffer()
                for try await chunk in inbound {
                    var chunk = chunk
                    head.writeBuffer(&chunk)
                    if head.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) != nil { break }
                    guard head.readableBytes < LoopbackRedirectReceiver.maxRequestHead else {
                        try await outbound.write(Self.response(431, "Request header too large"))
                        return
                    }
                }
                let text = String(decoding: head.readableBytesView, as: UTF8.self)
                try await outbound.write(
                    answer(requestLine: text.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""))
            }
        }

        /// Decides the answer from the request line, delivering an authorization response.
        private func answer(requestLine: String) -> ByteBuffer {
            let parts = requestLine.split(separator: " ")
            guard parts.count == 3, parts[0] == "GET" else { return Self.response(405, "Method not allowed") }
            let target = String(parts[1])
            let requestPath = String(target.prefix { $0 != "?" })
            guard Self.normalized(requestPath) == Self.normalized(path) else { return Self.response(404, "Not found") }
            let query = target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) } ?? ""
            let callback = RedirectCallback(query: query)
            guard callback.isAuthorizationResponse else {
                return Self.response(400, "This address only receives OAuth redirects.")
            }
            // Only the redirect of this attempt (its `state`) may end the login: any local process can reach this
            // port, and a forged `?error=access_denied` or `?code=` must not abort or hijack it (RFC 8252 §8.9,
            // RFC 6749 §10.12).
            guard callback.parameters["state"] == expectedState else {
                let what = callback.error.map { "an error (\(Redaction.outsideText($0, limit: 64)))" } ?? "a code"
                let why = callback.parameters["state"] == nil ? "no state" : "a state that is not this login's"
                ignored("ignored a redirect carrying \(what) with \(why); still waiting for the browser")
                return Self.html(
                    400,
                    pages.failure(
                        "The redirect does not belong to the login atom started (state mismatch), so atom ignored it."))
            }
            deliver(callback)
            if let error = callback.error {
                let reason =
                    error == "access_denied" ? "Access was denied." : "The platform reported an error (\(error))."
                return Self.html(200, pages.failure(reason))
            }
            return Self.html(200, pages.success)
        }

        private static func normalized(_ path: String) -> String {
            let decoded = path.removingPercentEncoding ?? path
            var trimmed = decoded
            while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
            return trimmed.isEmpty ? "/" : trimmed
        }

        private static func response(_ status: Int, _ text: String) -> ByteBuffer {
            write(status: status, contentType: "text/plain; charset=utf-8", body: text + "\n")
        }

        private static func html(_ status: Int, _ page: String) -> ByteBuffer {
            write(status: status, contentType: "text/html; charset=utf-8", body: page)
        }

        private static func write(status: Int, contentType: String, body: String) -> ByteBuffer {
            let reason =
                [
                    200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
                    431: "Request Header Fields Too Large",
                ][status] ?? "Error"
            let bytes = Array(body.utf8)
            let head =
                "HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(contentType)\r\nContent-Length: \(bytes.count)\r\n"
                + "Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n"
            var buffer = ByteBuffer(string: head)
            buffer.writeBytes(bytes)
            return buffer
        }
    }
}
