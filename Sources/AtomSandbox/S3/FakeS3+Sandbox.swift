import Foundation
import PlatformKit

extension FakeS3: SandboxInspectable {
    /// Staged objects are not platform uploads: the platforms' fakes report what they fetched.
    public func sandboxUploads() async -> [SandboxUpload] { [] }

    public func sandboxStoredObjects() async -> [String] {
        await objects().map { "s3://\($0.bucket)/\($0.key)" } + uploads().map { "unfinished upload of \($0.key)" }
    }
}
