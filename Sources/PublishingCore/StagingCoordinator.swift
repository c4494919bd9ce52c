import Foundation

/// Shares one staged copy among the platforms that need a URL, and says when the last has let go.
actor StagingCoordinator {
    private enum State {
        case pending
        case staged(StagedObject)
        case failed(PublishError)
    }

    private var state: State = .pending
    private var waiters: [CheckedContinuation<StagedObject, any Error>] = []
    private var holders: Set<PlatformID>
    private var allReleased: CheckedContinuation<Void, Never>?

    init(consumers: Set<PlatformID>) { holders = consumers }

    /// Awaits the staged object (or the staging error).
    func object() async throws -> StagedObject {
        switch state {
        case .staged(let object): return object
        case .failed(let error): throw error
        case .pending:
            return try await withCheckedThrowingContinuation { waiters.append($0) }
        }
    }

    func finish(_ result: Result<StagedObject, PublishError>) {
        switch result {
        case .success(let object): state = .staged(object)
        case .failure(let error): state = .failed(error)
        }
        let pending = waiters
        waiters = []
        for waiter in pending { waiter.resume(with: result.mapError { $0 as any Error }) }
    }

    /// A platform no longer needs the object (idempotent).
    func release(_ platform: PlatformID) {
        holders.remove(platform)
        if holders.isEmpty, let continuation = allReleased {
            allReleased = nil
            continuation.resume()
        }
    }

    /// Returns once every consumer has released.
    func waitUntilReleased() async {
        if holders.isEmpty { return }
        await withCheckedContinuation { allReleased = $0 }
    }
}
