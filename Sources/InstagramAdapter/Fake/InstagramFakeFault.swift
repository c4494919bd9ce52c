import Foundation
import PlatformKit

/// A fault the Instagram fake injects, so tests and `atom sandbox` can drive every path.
///
/// A struct with static members: the list grows with the adapter's needs.
public struct InstagramFakeFault: Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case slowProcessing(polls: Int)
        case processingError(String)
        case expireContainers
        case rateLimit(code: Int, times: Int, regainMinutes: Int)
        case serverError(times: Int)
        case expiredToken
        case quotaSpent
        case dropRupload(afterBytes: Int64, times: Int)
        case ruploadUnavailable(times: Int)
        case dropPublishResponse
        case refreshRefused
    }

    let kind: Kind

    /// Containers created from now on stay `IN_PROGRESS` for `polls` status checks before `FINISHED`.
    public static func slowProcessing(polls: Int) -> InstagramFakeFault { .init(kind: .slowProcessing(polls: polls)) }
    /// Containers created from now on end in `ERROR` with this `status` text.
    public static func processingError(_ status: String = "ERROR: The video could not be processed (2207026)")
        -> InstagramFakeFault
    {
        .init(kind: .processingError(status))
    }
    /// Containers created from now on report `EXPIRED`.
    public static let expireContainers = InstagramFakeFault(kind: .expireContainers)
    /// The next `times` Graph requests answer with a rate-limit error: `code` 4 (app, with `X-App-Usage`)
    /// or 80002 (Instagram business use case, with `X-Business-Use-Case-Usage` announcing `regainMinutes`).
    public static func rateLimit(code: Int = 80002, times: Int = 1, regainMinutes: Int = 1) -> InstagramFakeFault {
        .init(kind: .rateLimit(code: code, times: times, regainMinutes: regainMinutes))
    }
    /// The next `times` Graph requests answer HTTP 500 with a transient code-2 error.
    public static func serverError(times: Int = 1) -> InstagramFakeFault { .init(kind: .serverError(times: times)) }
    /// Every token is refused with code 190 / subcode 463 (expired session), refreshes too.
    public static let expiredToken = InstagramFakeFault(kind: .expiredToken)
    /// The 24-hour publishing quota is used up (`quota_usage == quota_total`; media_publish answers 9/2207042).
    public static let quotaSpent = InstagramFakeFault(kind: .quotaSpent)
    /// The next `times` rupload POSTs keep the first `afterBytes` bytes of their body, then drop the connection.
    public static func dropRupload(afterBytes: Int64, times: Int = 1) -> InstagramFakeFault {
        .init(kind: .dropRupload(afterBytes: afterBytes, times: times))
    }
    /// The next `times` rupload requests answer 503 with `debug_info.retriable = true`.
    public static func ruploadUnavailable(times: Int = 1) -> InstagramFakeFault {
        .init(kind: .ruploadUnavailable(times: times))
    }
    /// The next media_publish publishes, then drops the connection instead of answering.
    public static let dropPublishResponse = InstagramFakeFault(kind: .dropPublishResponse)
    /// `refresh_access_token` answers a non-auth error (as Meta does for a token younger than 24 hours).
    public static let refreshRefused = InstagramFakeFault(kind: .refreshRefused)

    public var description: String { "\(kind)" }
}
