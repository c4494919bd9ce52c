import Dispatch
import Foundation
import PublishingCore

/// Runs a post with live progress on stderr; the first Ctrl-C cancels it cleanly (uploads stop, the
/// record says `interrupted`, staged copies are deleted, the partial report is printed), a second exits at once.
enum Interruptible {
    /// - Parameter finalStatuses: Each platform's final status from the result, drawn once at the end.
    static func run<T: Sendable>(
        platforms: [PlatformID], quiet: Bool,
        finalStatuses: @escaping @Sendable (T) -> [(PlatformID, String)] = { _ in [] },
        _ body: @escaping @Sendable (AsyncStream<PublishEvent>.Continuation) async throws -> T
    ) async throws -> T {
        let (stream, continuation) = AsyncStream.makeStream(of: PublishEvent.self, bufferingPolicy: .bufferingNewest(512))
        let display = LiveDisplay(
            platforms: platforms, tty: Console.stderrIsTTY, quiet: quiet,
            palette: Palette.forStderr(environment: Launch.environment))
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
                // Through the display, so the notice stays above the rows instead of being drawn over.
                Console.info("interrupting: stopping uploads and cleaning up (Ctrl-C again to quit at once)…")
                work.cancel()
            } else {
                exit(130)
            }
        }
        source.resume()
        LiveDisplay.current.withLock { $0 = display }
        defer {
            LiveDisplay.current.withLock { $0 = nil }
            source.cancel()
            signal(SIGINT, SIG_DFL)
        }
        await display.consume(stream)
        let result = await work.result
        if case .success(let value) = result { display.finish(finalStatuses(value)) }
        return try result.get()
    }
}
