import Foundation
import PublishingCore

/// Shares one staged copy among the platforms that need a URL: staging starts when the first of them
/// asks for it, and the copy is deleted when the last has let go — unless one of them is still
/// processing without having confirmed it fetched the file, in which case the copy is kept (and
/// recorded) until `atom status` finishes that platform.
actor StagingCoordinator {
    private enum State {
        case pending
        case staged(StagedObject)
        case failed(PublishError)
    }

    private var state: State = .pending
    private var waiters: [CheckedContinuation<StagedObject, any Error>] = []
    private var holders: Set<PlatformID>
    private var retained = false
    private var demanded = false
    private var demandWaiter: CheckedContinuation<Bool, Never>?
    private var allReleased: CheckedContinuation<Void, Never>?

    init(consumers: Set<PlatformID>) { holders = consumers }

    /// Awaits the staged object (or the staging error), starting staging if nobody had asked yet.
    func object() async throws -> StagedObject {
        signalDemand()
        switch state {
        case .staged(let object): return object
        case .failed(let error): throw error
        case .pending:
            return try await withCheckedThrowingContinuation { waiters.append($0) }
        }
    }

    /// Returns `true` once a platform asks for the staged copy, `false` if every consumer let go without asking.
    func waitForDemand() async -> Bool {
        if demanded { return true }
        if holders.isEmpty { return false }
        return await withCheckedContinuation { demandWaiter = $0 }
    }

    private func signalDemand() {
        guard !demanded else { return }
        demanded = true
        demandWaiter?.resume(returning: true)
        demandWaiter = nil
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

    /// A platform no longer needs the object (idempotent). With `retain`, the platform is still
    /// processing and may fetch again: the copy is kept after everyone has let go.
    func release(_ platform: PlatformID, retain: Bool = false) {
        guard holders.remove(platform) != nil else { return }
        if retain { retained = true }
        if holders.isEmpty {
            if !demanded {
                demandWaiter?.resume(returning: false)
                demandWaiter = nil
            }
            if let continuation = allReleased {
                allReleased = nil
                continuation.resume()
            }
        }
    }

    /// Returns once every consumer has released; `true` when the copy may be deleted.
    func waitUntilReleased() async -> Bool {
        if !holders.isEmpty { await withCheckedContinuation { allReleased = $0 } }
        return !retained
    }
}
