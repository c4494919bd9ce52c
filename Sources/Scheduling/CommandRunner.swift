import Foundation
import PublishingCore

/// The output of one command.
public struct CommandResult: Sendable, Equatable {
    /// The exit status (127 when the program was not found).
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// Creates a result.
    public init(status: Int32, stdout: String = "", stderr: String = "") {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// The first line of stderr (or stdout), capped, for messages.
    public var firstLine: String {
        let text = stderr.isEmpty ? stdout : stderr
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }
}

/// Runs the scheduler's command-line tools (`systemd-run`, `launchctl`, `at`): the seam tests replace.
public protocol CommandRunner: Sendable {
    /// Runs `program` (looked up on the search path) with `arguments`.
    /// - Parameters:
    ///   - program: A program name looked up on the search path, or an absolute path.
    ///   - arguments: Its arguments.
    ///   - environment: Extra variables for the child, over the runner's own.
    ///   - input: Text written to the child's standard input.
    /// - Returns: The exit status and both outputs (status 127 when the program is not there).
    /// - Throws: Only when the runner itself fails; a failing program is a non-zero status.
    func run(_ program: String, _ arguments: [String], environment: [String: String], input: String?) async throws
        -> CommandResult
}

/// Runs programs with Foundation's `Process`, looking them up in an injected search path.
public struct ProcessCommandRunner: CommandRunner {
    /// The folders searched for programs (the composition root passes `PATH`).
    public var searchPath: [String]
    /// The child's base environment.
    public var baseEnvironment: [String: String]

    /// Creates a runner.
    public init(searchPath: [String], baseEnvironment: [String: String]) {
        self.searchPath = searchPath
        self.baseEnvironment = baseEnvironment
    }

    /// The absolute path of `program`, if it is on the search path.
    public func locate(_ program: String) -> String? {
        if program.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        return searchPath.map { $0 + "/" + program }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public func run(_ program: String, _ arguments: [String], environment: [String: String], input: String?)
        async throws
        -> CommandResult
    {
        guard let path = locate(program) else { return CommandResult(status: 127, stderr: "\(program): not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = baseEnvironment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        let stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        let exited = AsyncStream<Int32>.makeStream(bufferingPolicy: .bufferingNewest(1))
        process.terminationHandler = { finished in
            exited.continuation.yield(finished.terminationStatus)
            exited.continuation.finish()
        }
        do {
            try process.run()
        } catch {
            return CommandResult(status: 127, stderr: "\(program): \(error.localizedDescription)")
        }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        // The tools print a few lines; reading both pipes to the end before waiting cannot fill a pipe buffer.
        async let stdoutData = Self.readAll(out.fileHandleForReading)
        async let stderrData = Self.readAll(err.fileHandleForReading)
        let (stdoutBytes, stderrBytes) = await (stdoutData, stderrData)
        var status: Int32 = -1
        for await code in exited.stream { status = code }
        return CommandResult(
            status: status, stdout: String(decoding: stdoutBytes, as: UTF8.self),
            stderr: String(decoding: stderrBytes, as: UTF8.self))
    }

    private static func readAll(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
    }
}
