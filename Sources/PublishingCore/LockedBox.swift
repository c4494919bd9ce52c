import Synchronization

/// A small lock-guarded box for state shared across tasks that does not warrant an actor.
public final class LockedBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    /// Runs `body` with exclusive access to the value.
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try mutex.withLock { value in try body(&value) }
    }

    /// The current value.
    public var value: Value { mutex.withLock { $0 } }
}
