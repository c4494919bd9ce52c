import AtomTestSupport
import Foundation
import PublishingCore
import Testing

@Suite("RetryPolicy")
struct RetryPolicyTests {
    let retryable = PublishError(.server, message: "503", retryable: true)
    let permanent = PublishError(.authentication, message: "401")

    @Test("exponential backoff with full jitter, capped")
    func backoff() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .seconds(1), maxDelay: .seconds(8))
        let full = FixedJitter(0.999_999)
        let delays = (1...6).map { policy.delay(afterAttempt: $0, error: retryable, jitter: full) }
        let seconds = delays.map { $0.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? -1 }
        #expect(seconds.map { $0.rounded() } == [1, 2, 4, 8, 8, 8])
        #expect(policy.delay(afterAttempt: 3, error: retryable, jitter: FixedJitter(0.5)) == .seconds(2))
        #expect(policy.delay(afterAttempt: 3, error: retryable, jitter: FixedJitter(0)) == .zero)
    }

    @Test("never retries permanent errors, cancellation, or past max attempts")
    func gives() {
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: .seconds(1), maxDelay: .seconds(8))
        #expect(policy.delay(afterAttempt: 1, error: permanent, jitter: FixedJitter(0.5)) == nil)
        #expect(policy.delay(afterAttempt: 1, error: CancellationError(), jitter: FixedJitter(0.5)) == nil)
        #expect(policy.delay(afterAttempt: 3, error: retryable, jitter: FixedJitter(0.5)) == nil)
        #expect(policy.delay(afterAttempt: 1, error: TransportError(message: "reset", operationID: "x"), jitter: FixedJitter(0.5)) == .milliseconds(500))
        #expect(RetryPolicy.none.delay(afterAttempt: 1, error: retryable, jitter: FixedJitter(0.5)) == nil)
    }

    @Test("Retry-After wins, and an excessive one gives up")
    func retryAfterWins() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(8), maxRetryAfter: .seconds(60))
        var error = retryable
        error.retryAfter = .seconds(30)
        #expect(policy.delay(afterAttempt: 1, error: error, jitter: FixedJitter(0.1)) == .seconds(30))
        error.retryAfter = .seconds(3600)
        #expect(policy.delay(afterAttempt: 1, error: error, jitter: FixedJitter(0.1)) == nil)
    }

    @Test("Retry-After parses delta-seconds and HTTP-dates")
    func parsesRetryAfter() {
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryAfter.parse("120", now: now) == .seconds(120))
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:30:00 GMT", now: now) == .seconds(120))
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:20:00 GMT", now: now) == .zero)
        #expect(RetryAfter.parse("soon", now: now) == nil)
    }

    @Test("the retrier sleeps on the injected clock and stops at success")
    func retrier() async throws {
        let clock = ImmediateClock()
        let retrier = Retrier(policy: RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(30)), clock: clock, jitter: FixedJitter(0.5))
        let attempts = LockedBox(0)
        let value = try await retrier.run { attempt in
            attempts.withLock { $0 = attempt }
            if attempt < 4 { throw self.retryable }
            return "ok"
        }
        #expect(value == "ok")
        #expect(attempts.value == 4)
        #expect(clock.sleeps == [.milliseconds(500), .seconds(1), .seconds(2)])
    }

    @Test("the retrier rethrows a permanent error at once")
    func permanentRethrown() async throws {
        let clock = ImmediateClock()
        let retrier = Retrier(policy: .default, clock: clock, jitter: FixedJitter(0.5))
        await #expect(throws: PublishError.self) {
            try await retrier.run { _ -> Int in throw self.permanent }
        }
        #expect(clock.sleeps.isEmpty)
    }

    @Test("each retry reports 'retrying <host> (n/m) in Ns' with the reason on the progress stream")
    func retryProgressLine() async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: PublishEvent.self, bufferingPolicy: .bufferingNewest(16))
        let retrier = Retrier(policy: RetryPolicy(maxAttempts: 3, baseDelay: .seconds(1), maxDelay: .seconds(30)), clock: ImmediateClock(), jitter: FixedJitter(0.5))
        let refused = TransportError(message: "cannot connect to api.example.test: connection refused", operationID: "x.get")
        let value = try await retrier.run(reporting: ProgressReporter(platform: PlatformID("p"), continuation: continuation), target: "api.example.test") { attempt in
            if attempt < 3 { throw refused }
            return attempt
        }
        continuation.finish()
        var lines: [String] = []
        for await event in stream where event.phase == .retrying { lines.append(event.message ?? "") }
        #expect(value == 3)
        #expect(lines == [
            "retrying api.example.test (2/3) in 0.5 s: cannot connect to api.example.test: connection refused",
            "retrying api.example.test (3/3) in 1.0 s: cannot connect to api.example.test: connection refused",
        ])
    }
}
