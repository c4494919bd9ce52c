import Foundation
import PublishingCore

/// atom's built-in sandbox: loopback fakes of every platform and of S3 on one port.
/// The fakes are the same ones the test suites use.
public enum Sandbox {
    /// Fresh fakes of every platform and of S3, with default (fault-free) behaviour.
    /// - Parameter storage: A folder for the S3 fake's objects (removed by the caller).
    public static func makeServices(storage: String) -> [any FakeService] {
        let youtube = FakeYouTube()
        let fakes: [any SandboxInspectable] = [youtube]
        return youtube.services + [SandboxInspectionService(fakes: fakes)]
    }

    /// The `.env` lines that point atom at `services` running on `server`.
    public static func environment(for services: [any FakeService], server: FakeServer) -> [String: String] {
        var environment: [String: String] = [:]
        for service in services { environment.merge(service.sandboxEnvironment(server: server)) { first, _ in first } }
        return environment
    }
}
