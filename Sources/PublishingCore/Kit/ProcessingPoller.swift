import Foundation

/// The kit's one processing poller: asks a platform whether it has finished with a video, pausing between
/// checks with backoff up to a cap, honouring a `Retry-After` the platform sent, within a budget (`--wait`).
///
/// The first check happens at once. After a check that is still pending, the poll ends when the budget is
/// spent; otherwise it pauses for the current interval (or the platform's `Retry-After`), never past the
/// budget — the last pause is shortened to end on it, or with ``LastPause/skipped`` the poll ends instead —
/// and the interval grows by `growth` up to `maxInterval`.
public struct ProcessingPoller: Sendable {
    /// What one check found.
    public enum Verdict<Value> {
        /// Finished: the poll returns `value`.
        case done(Value)
        /// Not yet. `retryAfter` replaces the next pause; `budget` replaces the poll's budget for this
        /// check (a platform that must not be left mid-step can extend it).
        case pending(retryAfter: Duration? = nil, budget: Duration? = nil)
    }

    /// How a poll ended.
    public enum Outcome<Value> {
        /// A check finished it.
        case done(Value)
        /// The budget ran out first.
        case timedOut
    }

    /// What happens to a pause that would pass the budget.
    public enum LastPause: Sendable {
        /// It is shortened to end on the budget, and one more check follows.
        case shortened
        /// It is not taken: the poll ends.
        case skipped
    }

    /// The first pause.
    public var interval: Duration
    /// The longest pause.
    public var maxInterval: Duration
    /// The factor each pause grows by (1 keeps it fixed).
    public var growth: Double
    /// What happens to a pause that would pass the budget.
    public var lastPause: LastPause
    /// The clock pauses run on (tests inject one whose sleeps return at once).
    public var clock: any Clock<Duration>

    /// Creates a poller; `maxInterval` defaults to `interval` (a fixed pace).
    public init(
        interval: Duration, maxInterval: Duration? = nil, growth: Double = 1, lastPause: LastPause = .shortened,
        clock: any Clock<Duration>
    ) {
        self.interval = interval
        self.lastPause = lastPause
        self.maxInterval = max(maxInterval ?? interval, interval)
        self.growth = max(1, growth)
        self.clock = clock
    }

    /// Runs `check` until it is done or `budget` is spent.
    /// - Parameters:
    ///   - budget: How long the poll may pause in total, usually `context.waitLimit`.
    ///   - check: Receives the time paused so far.
    /// - Returns: The outcome and the time paused.
    public func poll<Value>(
        budget: Duration, _ check: (_ waited: Duration) async throws -> Verdict<Value>
    ) async throws -> (outcome: Outcome<Value>, waited: Duration) {
        var waited = Duration.zero
        var pace = interval
        while true {
            let retryAfter: Duration?
            let limit: Duration
            switch try await check(waited) {
            case .done(let value):
                return (.done(value), waited)
            case .pending(let after, let extended):
                retryAfter = after
                limit = extended ?? budget
            }
            let wanted = retryAfter ?? pace
            if lastPause == .skipped, waited + wanted > limit { return (.timedOut, waited) }
            let pause = min(wanted, limit - waited)
            guard limit > waited, pause > .zero else { return (.timedOut, waited) }
            try await clock.sleep(for: pause)
            waited += pause
            pace = min(pace * growth, maxInterval)
        }
    }
}
