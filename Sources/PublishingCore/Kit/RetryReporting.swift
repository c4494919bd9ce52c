import Foundation

extension PublishContext {
    /// Runs `operation` under `policy` on this context's clock and jitter, reporting every retry on the
    /// progress stream as "retrying <target> (n/m) in Ns: reason" — the one retry loop the adapters use.
    /// - Parameters:
    ///   - policy: The platform's retry policy.
    ///   - target: What is retried: the host (``URL/retryTarget``), else the step ("chunk 3/9").
    ///   - operation: Receives the 1-based attempt number.
    public func retrying<T: Sendable>(
        _ policy: RetryPolicy = .default, target: String, _ operation: @Sendable (Int) async throws -> T
    ) async throws -> T {
        try await retrier(policy).run(reporting: progress, target: target, operation)
    }
}

extension URL {
    /// The host a retry line names ("retrying graph.facebook.com (2/6) in 1.0 s").
    public var retryTarget: String { host(percentEncoded: false) ?? absoluteString }
}
