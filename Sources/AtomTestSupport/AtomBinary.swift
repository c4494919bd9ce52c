import Dispatch
import Foundation
import PublishingCore

/// Runs the built `atom` executable, as a user or script would.
public enum AtomBinary {
    /// The result of one run.
    public struct Result: Sendable {
        public var code: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The built binary (`swift build` puts it in `.build/debug/atom`).
    public static var path: String { path(of: "atom") }

    /// A built executable of this package, e.g. `atom-with-toy` (a composition root with the toy platform).
    public static func path(of executable: String) -> String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        for folder in [".build/debug/", ".build/x86_64-unknown-linux-gnu/debug/", ".build/aarch64-unknown-linux-gnu/debug/"] {
            let path = url.appendingPathComponent(folder + executable).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return url.appendingPathComponent(".build/debug/" + executable).path
    }

    /// Runs `atom arguments…` with exactly `environment` (plus PATH and HOME), in `directory`.
    /// - Parameter executable: Another executable of this package (default `atom`).
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], directory: String? = nil, stdin: String? = nil,
        executable: String = "atom"
    ) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(of: executable))
        process.arguments = arguments
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        env["HOME"] = environment["HOME"] ?? NSTemporaryDirectory()
        env.merge(environment) { $1 }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // The blocking reads run on their own threads, never on the cooperative pool: with a few tests running the
        // binary at once they would take every pool thread, starve the in-process fakes, and leave a child blocked
        // on a full stderr pipe that no one reads.
        let (o, e) = await withCheckedContinuation { (continuation: CheckedContinuation<(Data, Data), Never>) in
            let stdoutData = LockedBox(Data())
            let group = DispatchGroup()
            group.enter()
            Thread.detachNewThread {
                stdoutData.withLock { $0 = out.fileHandleForReading.readDataToEndOfFile() }
                group.leave()
            }
            Thread.detachNewThread {
                let stderrData = err.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(returning: (stdoutData.value, stderrData))
            }
        }
        return Result(code: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

/// Runs blocking work on a Dispatch thread and awaits it.
private func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: work()) }
    }
}
