import Foundation
import Logging
import OpenAPIRuntime
import PublishingCore

/// Publishes to the owner's Facebook Page: a Page Reel when the video fits the Reels spec (or the manifest says
/// `reel: true`), a Page video otherwise.
///
/// Reels go through `POST /{page-id}/video_reels` (start), rupload (the bytes, resumable from the byte count
/// Facebook reports, or a `file_url`), and `video_reels` again (finish, `PUBLISHED` or `SCHEDULED`). Page videos
/// go through the resumable chunked `/{page-id}/videos` protocol, or one `file_url` call in URL mode. Both then
/// poll the video's `status` until it is published or the wait runs out (`processing`, continued by `atom status`).
public struct FacebookPublisher: Publisher {
    public let platform = PlatformID.facebook
    /// Settings read from the credential store.
    public let configuration: Configuration
    let client: GraphClient
    private let now: @Sendable () -> Date

    /// Creates a publisher.
    /// - Parameters:
    ///   - configuration: Page, token, hosts, mode.
    ///   - transport: The HTTP transport.
    ///   - logger: Debug logging (never tokens).
    ///   - now: The wall clock (scheduling window).
    public init(
        configuration: Configuration, transport: any HTTPTransport,
        logger: Logger = Logger(label: "atom.facebook", factory: { _ in SwiftLogNoOpLogHandler() }),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.client = GraphClient(configuration: configuration, transport: transport, logger: logger, now: now)
        self.now = now
    }

    public var capabilities: PublisherCapabilities {
        PublisherCapabilities(
            displayName: "Facebook", mediaLimits: FacebookSpecs.pageVideo, textLimits: FacebookSpecs.textLimits,
            ingestion: configuration.uploadMode == .url ? .publicURL : .push,
            requiredCredentials: ["FACEBOOK_PAGE_ID", "FACEBOOK_PAGE_ACCESS_TOKEN"], supportsScheduling: true,
            cover: Self.coverSupport,
            minimumScheduleLead: FacebookSpecs.minimumScheduleLead
        )
    }

    public func plan(_ draft: PostDraft, media: MediaInfo) -> PostPlan {
        let post = FacebookPost.resolve(draft, media: media, mode: configuration.uploadMode, now: now())
        return PostPlan(texts: post.texts, notes: post.notes, problems: post.problems)
    }

    /// Checks the token and the Page before any byte is sent (`GET /{page-id}?fields=id,name`).
    public func preflight(_ job: PublishJob, context: PublishContext) async throws {
        struct Page: Decodable { var id: String? }
        do {
            let page = try await context.retrying(configuration.retryPolicy, target: configuration.graphBaseURL.retryTarget) {
                [client, configuration] _ in
                try await client.get(client.path(configuration.pageID), query: [("fields", "id,name")], as: Page.self,
                                     operationID: "facebook.preflight")
            }
            guard page.id == nil || page.id == configuration.pageID else {
                throw PublishError(.configuration, platform: .facebook, operationID: "facebook.preflight",
                                   message: "the token belongs to another Page (\(page.id ?? "?")) than FACEBOOK_PAGE_ID",
                                   remediation: "run `atom auth facebook`")
            }
        } catch {
            throw FacebookFailure.boundary(error)
        }
    }

    public func publish(_ job: PublishJob, context: PublishContext) async throws -> PublishReceipt {
        let post = FacebookPost.resolve(job.draft, media: job.media, mode: configuration.uploadMode, now: now())
        let run = PublishRun(configuration: configuration, client: client, job: job, context: context, post: post)
        do {
            return try await run.run()
        } catch {
            throw FacebookFailure.boundary(error)
        }
    }
}
