import ArgumentParser
import AtomSandbox
import Foundation
import PublishingCore

/// Starts the sandbox for the duration of a body.
enum SandboxRunner {
    static func withSandbox<T: Sendable>(
        port: Int = 0, log: (@Sendable (String) -> Void)?, _ body: @escaping @Sendable ([String: String]) async throws -> T
    ) async throws -> T {
        let storage = NSTemporaryDirectory() + "atom-sandbox-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
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
