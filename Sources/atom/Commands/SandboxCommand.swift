import ArgumentParser
import AtomSandbox
import Foundation
import NIOCore
import PublishingCore

/// Starts the sandbox for the duration of a body.
enum SandboxRunner {
    /// The port `atom post --sandbox` prefers, so that a post interrupted in one run and resumed in the next
    /// reaches the same address (the fresh fakes then answer "unknown session" and atom starts over cleanly).
    static let preferredPort = 47815

    static func withSandbox<T: Sendable>(
        port: Int? = nil, log: (@Sendable (String) -> Void)?, _ body: @escaping @Sendable ([String: String]) async throws -> T
    ) async throws -> T {
        if let port { return try await start(port: port, log: log, body) }
        do {
            return try await start(port: preferredPort, log: log, body)
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            return try await start(port: 0, log: log, body)
        }
    }

    private static func start<T: Sendable>(
        port: Int, log: (@Sendable (String) -> Void)?, _ body: @escaping @Sendable ([String: String]) async throws -> T
    ) async throws -> T {
        let storage = NSTemporaryDirectory() + "atom-sandbox-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: storage, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: storage) }
        let sandbox = try Sandbox(storage: storage)
        return try await FakeServer.run(services: sandbox.services, port: port, log: log) { server in
            try await body(sandbox.environment(server: server))
        }
    }
}

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve loopback fakes of TikTok, Instagram, YouTube, Facebook and S3 until Ctrl-C.",
        discussion: "Prints the .env lines that point atom at it, then one line per request it receives."
    )

    @Option(help: "The port to listen on (default: a free one).")
    var port: Int = 0

    func run() async throws {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let (stopped, stop) = AsyncStream.makeStream(of: Void.self)
        source.setEventHandler { stop.finish() }
        source.resume()
        defer { source.cancel() }
        try await SandboxRunner.withSandbox(port: port, log: { line in Console.info(line) }) { environment in
            Console.info("atom sandbox listening; nothing here reaches a real platform. Put these lines in a .env (or export them):")
            Console.out("# atom sandbox: loopback fakes only; nothing here reaches a real platform")
            for (key, value) in environment.sorted(by: { $0.key < $1.key }) { Console.out("\(key)=\(value)") }
            Console.out("# ready")
            Console.info("Ctrl-C stops the sandbox.")
            for await _ in stopped {}
        }
    }
}
