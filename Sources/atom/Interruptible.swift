import Dispatch
import Foundation
import PublishingCore

/// Runs a post with live progress on stderr; the first Ctrl-C cancels it cleanly (uploads stop, the
/// record says `interrupted`, staged copies are deleted, the partial report is printed), a second exits at once.
enum Interruptible {
    static func run<T: Sendable>(
        platforms: [PlatformID], quiet: Bool,
        _ body: @escaping @Sendable (AsyncStream<PublishEvent>.Continuation) async throws -> T
    ) async throws -> T {
        let (stream, continuation) = AsyncStream.makeStream(of: PublishEvent.self, bufferingPolicy: .bufferingNewest(512))
        let renderer = ProgressRenderer(platforms: platforms, tty: Console.stderrIsTTY, quiet: quiet)
        let work = Task {
            defer { continuation.finish() }
            return try await body(continuation)
        }
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let interrupts = LockedBox(0)
        source.setEventHandler {
            let count = interrupts.withLock { value -> Int in value += 1; return value }
            if count == 1 {
                FileHandle.standardError.write(Data("\ninterrupting: stopping uploads and cleaning up (Ctrl-C again to quit at once)…\n".utf8))
                work.cancel()
            } else {
                exit(130)
            }
        }
        source.resume()
        defer {
            source.cancel()
            signal(SIGINT, SIG_DFL)
        }
        async let rendering: Void = renderer.consume(stream)
        let result = await work.result
        await rendering
        return try result.get()
    }
}
