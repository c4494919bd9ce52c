import PublishingCore

/// A platform's loopback fake, as the sandbox mounts it.
public struct SandboxFake: Sendable {
    private let make: @Sendable (SandboxWorld) throws -> Part

    /// What one platform contributes to the sandbox.
    public struct Part: Sendable {
        /// The services to mount, in order (services on the same mount path are asked in this order).
        public var services: [any FakeService]
        /// What `GET /_sandbox/state` reports about it.
        public var inspectable: [any SandboxInspectable]

        /// Creates a part.
        public init(services: [any FakeService], inspectable: [any SandboxInspectable] = []) {
            self.services = services
            self.inspectable = inspectable
        }
    }

    /// Creates a fake.
    /// - Parameter make: Builds fresh, fault-free fakes (processing finishing at the first poll); it may record facts
    ///   in the world for other plug-ins and register services shared with them.
    public init(_ make: @escaping @Sendable (SandboxWorld) throws -> Part) { self.make = make }

    /// Builds the part for one sandbox.
    public func makePart(in world: SandboxWorld) throws -> Part { try make(world) }
}

/// A typed key for a fact plug-ins share in a ``SandboxWorld``.
public struct SandboxKey<Value: Sendable>: Sendable, Hashable {
    /// The key's name (unique among keys).
    public let name: String

    /// Creates a key.
    public init(_ name: String) { self.name = name }
}

/// What the plug-ins' fakes share while one sandbox is assembled: facts one records and another reads (a partner
/// login that grants another platform's account), and services several plug-ins need but only one may mount.
public final class SandboxWorld: @unchecked Sendable {
    private let lock = LockedBox(State())

    private struct State {
        var facts: [String: any Sendable] = [:]
        var shared: [(name: String, make: @Sendable (SandboxWorld) -> [any FakeService])] = []
    }

    /// A folder the fakes may store objects in.
    public let storage: String

    /// Creates an empty world.
    public init(storage: String) { self.storage = storage }

    /// Records a fact (a later value replaces an earlier one).
    public func set<Value>(_ key: SandboxKey<Value>, _ value: Value) {
        lock.withLock { $0.facts[key.name] = value }
    }

    /// A recorded fact, if any.
    public func value<Value>(_ key: SandboxKey<Value>) -> Value? {
        lock.withLock { $0.facts[key.name] as? Value }
    }

    /// Registers services several plug-ins need, once under `name`: they are built after every plug-in's part
    /// (so they can read every fact) and mounted after the parts, in registration order.
    public func share(_ name: String, _ make: @escaping @Sendable (SandboxWorld) -> [any FakeService]) {
        lock.withLock { state in
            guard !state.shared.contains(where: { $0.name == name }) else { return }
            state.shared.append((name, make))
        }
    }

    /// Builds the shared services.
    public func sharedServices() -> [any FakeService] {
        let makers = lock.withLock { $0.shared.map(\.make) }
        return makers.flatMap { $0(self) }
    }
}
