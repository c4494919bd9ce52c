import Dispatch
import Foundation
import PublishingCore

/// Runs the built `atom` binary (`.build/debug/atom`) with its own environment, feeding stdin on demand.
struct AtomBinary {
    /// The binary next to the test bundle's package, if built.
    static var path: String? {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        let candidates = [
            ".build/debug/atom", ".build/x86_64-unknown-linux-gnu/debug/atom", ".build/arm64-apple-macosx/debug/atom",
        ]
        return candidates.map { url.appendingPathComponent($0).path }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    static var isBuilt: Bool { path != nil }

    /// A running `atom`.
    final class Run: Sendable {
        let process: Process
        private let stdin: FileHandle
        private let stdout = LockedBox<[UInt8]>([])
        private let stderr = LockedBox<[UInt8]>([])
        private let stderrLines: AsyncStream<String>
        private let exit: AsyncStream<Int32>
        /// The two pipe readers; both have left once the child closed its stdout and stderr.
        private let readers = DispatchGroup()

        init(arguments: [String], environment: [String: String]) throws {
            guard let path = AtomBinary.path else { throw CocoaError(.fileNoSuchFile) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            process.environment = environment
            let input = Pipe(), output = Pipe(), errors = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            let (lines, linesOut) = AsyncStream.makeStream(of: String.self)
            let (exit, exitOut) = AsyncStream.makeStream(of: Int32.self)
            let stdout = self.stdout, stderr = self.stderr
            process.terminationHandler = {
                exitOut.yield($0.terminationStatus); exitOut.finish()
            }
            self.process = process
            self.stdin = input.fileHandleForWriting
            self.stderrLines = lines
            self.exit = exit
            try process.run()
            // Blocking reads on threads of their own (not readabilityHandler: a dispatch read source left on a pipe
            // whose FileHandle is closed crashed libdispatch's event loop; not the cooperative pool: it would starve).
            let readers = self.readers
            readers.enter()
            Thread.detachNewThread {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                stdout.withLock { $0 += data }
                readers.leave()
            }
            readers.enter()
            Thread.detachNewThread {
                let handle = errors.fileHandleForReading
                var buffer: [UInt8] = []
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    stderr.withLock { $0 += data }
                    buffer += data
                    while let newline = buffer.firstIndex(of: 10) {
                        linesOut.yield(String(decoding: buffer[..<newline], as: UTF8.self))
                        buffer.removeSubrange(...newline)
                    }
                }
                linesOut.finish()
                readers.leave()
            }
        }

        /// Waits for a stderr line satisfying `match`.
        func line(where match: (String) -> Bool) async -> String? {
            for await line in stderrLines where match(line) { return line }
            return nil
        }

        /// Writes a line to stdin and closes it.
        func answer(_ line: String) throws {
            try stdin.write(contentsOf: Data((line + "\n").utf8))
            try stdin.close()
        }

        /// Closes stdin and waits for the exit status.
        func finish() async -> Int32 {
            try? stdin.close()
            var status: Int32 = -1
            for await code in exit { status = code }
            // The readers end at the pipes' end of file; wait for them off the cooperative pool.
            let readers = self.readers
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    readers.wait()
                    continuation.resume()
                }
            }
            return status
        }

        var output: String { String(decoding: stdout.value, as: UTF8.self) }
        var errorOutput: String { String(decoding: stderr.value, as: UTF8.self) }
    }

    /// A minimal environment: no inherited tokens, a private state folder.
    static func environment(_ settings: [String: String], stateDirectory: String) -> [String: String] {
        var environment = settings
        environment["PATH"] = "/usr/bin:/bin"
        environment["HOME"] = stateDirectory
        environment["ATOM_STATE_DIR"] = stateDirectory + "/state"
        return environment
    }
}
