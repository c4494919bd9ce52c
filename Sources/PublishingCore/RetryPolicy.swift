import Foundation

/// A source of randomness for jitter, injectable so tests are deterministic.
public protocol JitterSource: Sendable {
    /// A value uniformly distributed in `0..<1`.
    func unit() -> Double
}

/// The system's random number generator.
public struct SystemJitter: JitterSource {
    public init() {}
    public func unit() -> Double { Double.random(in: 0..<1) }
}

/// When and how long to wait before trying a step again.
///
/// Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
/// the delay before retry *n* is uniform in `0 ... min(maxDelay, baseDelay · 2ⁿ)`. A `Retry-After`
/// the platform sent wins over the computed delay (capped at `maxRetryAfter`). Only errors that are
/// retryable (network drops, timeouts, 429, 5xx as classified by the adapter) are retried.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts including the first (1 = never retry).
    public var maxAttempts: Int
    /// The backoff unit.
    public var baseDelay: Duration
    /// The cap on one computed delay.
    public var maxDelay: Duration
    /// The longest `Retry-After` atom honours before giving up instead.
    public var maxRetryAfter: Duration

    /// Creates a policy.
    public init(maxAttempts: Int, baseDelay: Duration, maxDelay: Duration, maxRetryAfter: Duration = .seconds(300)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// Six attempts, 1 s unit, 32 s cap — close to Google's resumable-upload guidance.
    public static let `default` = RetryPolicy(maxAttempts: 6, baseDelay: .seconds(1), maxDelay: .seconds(32))
    /// Never retry.
    public static let none = RetryPolicy(maxAttempts: 1, baseDelay: .zero, maxDelay: .zero)

    /// Decides whether attempt `attempt` (1-based, the one that just failed with `error`) is retried,
    /// and after how long. Pure: same inputs, same answer.
    /// - Returns: The delay before the next attempt, or `nil` to give up.
    public func delay(afterAttempt attempt: Int, error: any Error, jitter: any JitterSource) -> Duration? {
        guard attempt < maxAttempts, Self.isRetryable(error) else { return nil }
        if let retryAfter = (error as? PublishError)?.retryAfter {
            return retryAfter <= maxRetryAfter ? retryAfter : nil
        }
        let exponent = min(attempt - 1, 30)
        let ceiling = min(maxDelay, baseDelay * Int(1 << exponent))
        return ceiling * jitter.unit()
    }

    /// Whether an error is worth retrying at all: transport failures and retryable ``PublishError``s.
    /// Cancellation, auth and validation failures never are.
    public static func isRetryable(_ error: any Error) -> Bool {
        if error is CancellationError { return false }
        if error is TransportError { return true }
        if let error = error as? PublishError { return error.isRetryable }
        return false
    }
}

/// Runs an operation under a ``RetryPolicy``: the one place atom sleeps between attempts.
public struct Retrier: Sendable {
    public var policy: RetryPolicy
    public var clock: any Clock<Duration>
    public var jitter: any JitterSource

    /// Creates a retrier with an injected clock and jitter source.
    public init(policy: RetryPolicy = .default, clock: any Clock<Duration> = ContinuousClock(), jitter: any JitterSource = SystemJitter()) {
        self.policy = policy
        self.clock = clock
        self.jitter = jitter
    }

    /// Runs `operation` until it succeeds, the policy gives up, or the task is cancelled.
    /// - Parameters:
    ///   - onRetry: Told of each failure that will be retried, with the delay chosen.
    ///   - operation: Receives the 1-based attempt number.
    public func run<T: Sendable>(
        onRetry: (@Sendable (Int, any Error, Duration) async -> Void)? = nil,
        _ operation: @Sendable (Int) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            try Task.checkCancellation()
            do {
                return try await operation(attempt)
            } catch {
                guard let delay = policy.delay(afterAttempt: attempt, error: error, jitter: jitter) else { throw error }
                await onRetry?(attempt, error, delay)
                try await clock.sleep(for: delay)
                attempt += 1
            }
        }
    }
}

extension Retrier {
    /// Runs `operation` like ``run(onRetry:_:)``, and before each retry reports a `retrying` progress event
    /// in the same words in every phase: "retrying api.example.com (2/6) in 1.5 s: connection refused".
    /// - Parameters:
    ///   - progress: Where the line goes (the platform's reporter).
    ///   - target: What is retried, usually the host (`url.host()`), else the step ("chunk 3/9").
    public func run<T: Sendable>(
        reporting progress: ProgressReporter, target: String, _ operation: @Sendable (Int) async throws -> T
    ) async throws -> T {
        let maxAttempts = policy.maxAttempts
        return try await run(
            onRetry: { attempt, error, delay in
                progress.report(
                    .retrying, message: Self.retryLine(target: target, attempt: attempt, of: maxAttempts, error: error, delay: delay))
            }, operation)
    }

    /// The progress line for a retry: "retrying <target> (n/m) in Ns: reason", where n is the attempt about to start.
    public static func retryLine(target: String, attempt: Int, of maxAttempts: Int, error: any Error, delay: Duration) -> String {
        let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
        let reason: String
        if let error = error as? PublishError {
            reason = error.httpStatus.map { "HTTP \($0)" } ?? error.message
        } else if let error = error as? TransportError {
            reason = error.message
        } else {
            reason = "a dropped connection"
        }
        return "retrying \(target) (\(attempt + 1)/\(maxAttempts)) in \(String(format: "%.1f", seconds)) s: \(reason)"
    }
}
