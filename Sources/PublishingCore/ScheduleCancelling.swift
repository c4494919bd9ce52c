import Foundation

/// A publisher that can take back a post it scheduled through the platform's own API (`atom schedule cancel`).
///
/// Conforming is the adapter's declaration that its platform allows it; a publisher that does not conform
/// cannot cancel, and atom tells the user what to do instead.
///
/// ## Implementing a custom canceller
/// ```swift
/// extension Echo: ScheduleCancelling {
///     func cancelScheduledPost(postID: String, context: PublishContext) async throws -> String {
///         "deleted the scheduled post \\(postID)"
///     }
/// }
/// ```
public protocol ScheduleCancelling: Publisher {
    /// Stops the platform from publishing `postID` at its scheduled time.
    /// - Parameters:
    ///   - postID: The platform's id of the scheduled post, as returned by ``Publisher/publish(_:context:)``.
    ///   - context: The clock, retry and logger to use.
    /// - Returns: What was done, in a few words ("set back to private without a publish time").
    /// - Throws: ``PublishError`` naming the platform (e.g. `notFound` when the post is gone).
    func cancelScheduledPost(postID: String, context: PublishContext) async throws -> String
}
