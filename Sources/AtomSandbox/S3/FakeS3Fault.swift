import Foundation
import PlatformKit

/// A fault the fake S3 injects into the next matching request(s).
public struct FakeS3Fault: Sendable {
    enum Action: Sendable, Equatable {
        case error(status: Int, code: String, message: String)
        case drop
        case errorIn200(code: String, message: String)
    }

    let operation: String
    let partNumber: Int?
    let action: Action
    var remaining: Int

    func matches(operation: String, partNumber: Int?) -> Bool {
        self.operation == operation && (self.partNumber == nil || self.partNumber == partNumber)
    }

    /// Answers `UploadPart` number `number` with an S3 error (default 500 `InternalError`), `times` times.
    public static func failPart(_ number: Int, status: Int = 500, code: String = "InternalError", times: Int = 1) -> FakeS3Fault {
        FakeS3Fault(operation: "UploadPart", partNumber: number,
                    action: .error(status: status, code: code, message: "We encountered an internal error. Please try again."), remaining: times)
    }

    /// Drops the connection on `UploadPart` number `number` after reading part of its body, `times` times.
    public static func dropPart(_ number: Int, times: Int = 1) -> FakeS3Fault {
        FakeS3Fault(operation: "UploadPart", partNumber: number, action: .drop, remaining: times)
    }

    /// Answers `CompleteMultipartUpload` with 200 and an `<Error>` body (as S3 may), `times` times.
    public static func completeErrorIn200(code: String = "InternalError", times: Int = 1) -> FakeS3Fault {
        FakeS3Fault(operation: "CompleteMultipartUpload", partNumber: nil,
                    action: .errorIn200(code: code, message: "We encountered an internal error. Please try again."), remaining: times)
    }

    /// Answers the named operation (`PutObject`, `HeadObject`, `DeleteObject`, …) with 503 `SlowDown`, `times` times.
    public static func slowDown(_ operation: String, times: Int = 1) -> FakeS3Fault {
        FakeS3Fault(operation: operation, partNumber: nil, action: .error(status: 503, code: "SlowDown", message: "Please reduce your request rate."),
                    remaining: times)
    }

    /// Answers the named operation with any S3 error, `times` times.
    public static func error(_ operation: String, status: Int, code: String, message: String, times: Int = 1) -> FakeS3Fault {
        FakeS3Fault(operation: operation, partNumber: nil, action: .error(status: status, code: code, message: message), remaining: times)
    }
}
