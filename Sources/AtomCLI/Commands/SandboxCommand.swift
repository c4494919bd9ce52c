import ArgumentParser
import AtomSandbox
import Foundation
import NIOCore
import PlatformKit
import PublishingCore

/// Starts the sandbox for the duration of a body.
enum SandboxRunner {
    /// The port `atom post --sandbox` prefers, so that a post interrupted in one run and resumed in the next
    /// reaches the same address (the fresh fakes then answer "unknown session" and atom starts over cleanly).
    static let preferredPort = 47815

    static func withSandbox<T: Sendable>(
        port: Int? = nil, log: (@Sendable (String) -> Void)?, _ body: @escaping @Sendable ([String: String]) async throws -> T
    ) async throws -> T {
        try await withServer(port: port, log: log) { sandbox, server in try await body(sandbox.environment(server: server)) }
    }

    /// Starts the sandbox for the duration of a body that also sees the fakes and the server.
    static func withServer<T: Sendable>(
        port: Int? = nil, log: (@Sendable (String) -> Void)?, _ body: @escaping @Sendable (Sandbox, FakeServer) async throws -> T
    ) async throws -> T {
        if let port { return try await start(port: port, log: log, body) }
        do {
            return try await start(port: preferredPort, log: log, body)
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            return try await start(port: 0, log: log, body)
        }
    }

    private static func start<T: Sendable>(
        port: Int, log: (@Sendable (String) -> Void)?, _ body: @escaping @Sendable (Sandbox, FakeServer) async throws -> T
    ) async throws -> T {
        let storage = NSTemporaryDirectory() + "atom-sandbox-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: storage, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: storage) }
        let sandbox = try Sandbox(plugins: Registry.plugins, storage: storage)
        return try await FakeServer.run(services: sandbox.services, port: port, log: log) { server in
            try await body(sandbox, server)
        }
    }
}

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve loopback fakes of \(Registry.spelled(Registry.plugins.filter { $0.sandbox != nil }.map(\.displayName) + ["S3"], conjunction: "and")) until Ctrl-C.",
        discussion: """
            Prints the .env lines that point atom at it, then one line per request it receives (on stderr). \
            With --json, stdout gets one line instead, a JSON object once the server is up: {schemaVersion, root, \
            services: {mount path: base URL}, environment: {key: value}}.
            """
    )

    @Option(help: "The port to listen on (default: a free one).")
    var port: Int = 0

    @Flag(help: "Print one JSON object (root URL, each service's base URL, the .env settings) instead of .env lines.")
    var json = false

    /// `atom sandbox --json`: what a script needs to point atom (or anything else) at the fakes.
    struct Ready: Encodable {
        var schemaVersion = Output.schemaVersion
        var root: String
        var services: [String: String]
        var environment: [String: String]
    }

    func run() async throws {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let (stopped, stop) = AsyncStream.makeStream(of: Void.self)
        source.setEventHandler { stop.finish() }
        source.resume()
        defer { source.cancel() }
        try await SandboxRunner.withServer(port: port, log: { line in Console.info(line) }) { [json] sandbox, server in
            let environment = sandbox.environment(server: server)
            if json {
                var services: [String: String] = [:]
                for service in sandbox.services { services[service.mountPath] = server.baseURL(for: service.mountPath).absoluteString }
                // The settings point at loopback fakes and hold only the fakes' own sandbox values: printed as they are.
                try Output.jsonLine(
                    Ready(root: server.rootURL.absoluteString, services: services, environment: environment), redacting: false)
                Console.info("atom sandbox listening; nothing here reaches a real platform. Ctrl-C stops it.")
                for await _ in stopped {}
                return
            }
            Console.info("atom sandbox listening; nothing here reaches a real platform. Put these lines in a .env (or export them):")
            Console.out("# atom sandbox: loopback fakes only; nothing here reaches a real platform")
            for (key, value) in environment.sorted(by: { $0.key < $1.key }) { Console.out("\(key)=\(value)") }
            Console.out("# ready")
            Console.info("Ctrl-C stops the sandbox.")
            for await _ in stopped {}
        }
    }
}
